package dev.masksearch.codec;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Decompression of a stored mask: exactly the mask's bytes, or a CorruptIndexException for a stream
 * that is invalid, too short or too long for the shape, or a length that cannot hold the shape;
 * never an allocation beyond the mask's size.
 */
public class RawMaskCompressionTests extends LuceneTestCase {

  public void testRoundTrip() throws CorruptIndexException {
    Mask mask =
        CodecTestMasks.randomMask(
            random(),
            CodecTestMasks.randomDType(random()),
            1 + random().nextInt(60),
            1 + random().nextInt(60));
    byte[] compressed = RawMaskCompression.compress(mask);
    assertArrayEquals(
        mask.rawBytes(),
        RawMaskCompression.decompress(
            compressed, 0, compressed.length, mask.dtype(), mask.height(), mask.width(), "test"));
  }

  public void testStreamOfAnotherSizeIsCorrupt() {
    Mask mask = CodecTestMasks.randomMask(random(), MaskDType.UINT16, 20, 30);
    byte[] compressed = RawMaskCompression.compress(mask);
    // fewer or more bytes than the stream inflates to
    expectThrows(
        CorruptIndexException.class,
        () ->
            RawMaskCompression.decompress(
                compressed, 0, compressed.length, MaskDType.UINT16, 20, 31, "test"));
    expectThrows(
        CorruptIndexException.class,
        () ->
            RawMaskCompression.decompress(
                compressed, 0, compressed.length, MaskDType.UINT16, 19, 30, "test"));
    expectThrows(
        CorruptIndexException.class,
        () ->
            RawMaskCompression.decompress(
                compressed, 0, compressed.length, MaskDType.UINT8, 20, 30, "test"));
    // cut short
    expectThrows(
        CorruptIndexException.class,
        () ->
            RawMaskCompression.decompress(
                compressed, 0, compressed.length / 2, MaskDType.UINT16, 20, 30, "test"));
  }

  public void testGarbageIsCorruptOrTheRightSize() {
    for (int i = 0; i < 200; i++) {
      byte[] garbage = new byte[1 + random().nextInt(100)];
      random().nextBytes(garbage);
      try {
        byte[] raw =
            RawMaskCompression.decompress(
                garbage, 0, garbage.length, MaskDType.UINT8, 4, 5, "test");
        assertEquals(20, raw.length);
      } catch (CorruptIndexException expected) {
        // an invalid stream
      }
    }
    byte[] zeros = new byte[40]; // a stored block whose length does not match its complement
    expectThrows(
        CorruptIndexException.class,
        () -> RawMaskCompression.decompress(zeros, 0, zeros.length, MaskDType.UINT8, 4, 5, "test"));
  }

  /**
   * A shape out of bounds, or one far larger than its stored bytes could inflate to, allocates
   * nothing.
   */
  public void testImpossibleSizesAreRejectedBeforeAllocating() {
    byte[] tiny = RawMaskCompression.compress(Mask.of(MaskDType.UINT8, 1, 1, new byte[] {7}));
    expectThrows(
        CorruptIndexException.class,
        () ->
            RawMaskCompression.decompress(
                tiny, 0, tiny.length, MaskDType.FLOAT32, Mask.MAX_SIDE + 1, 1, "test"));
    expectThrows(
        CorruptIndexException.class,
        () ->
            RawMaskCompression.decompress(tiny, 0, tiny.length, MaskDType.FLOAT32, 0, 10, "test"));
    // 64 MiB claimed from a few bytes: DEFLATE inflates at most 1032 bytes per byte
    expectThrows(
        CorruptIndexException.class,
        () ->
            RawMaskCompression.decompress(
                tiny, 0, tiny.length, MaskDType.FLOAT32, Mask.MAX_SIDE, Mask.MAX_SIDE, "test"));
  }

  public void testLengthBounds() throws CorruptIndexException {
    for (long raw : new long[] {1, 20, 4096, 1L << 20, 64L << 20}) {
      // what the compressor writes for incompressible data fits, and so does the most compressible
      byte[] noise = new byte[(int) Math.min(raw, 1 << 20)];
      random().nextBytes(noise);
      byte[] compressed =
          RawMaskCompression.compress(
              Mask.of(
                  MaskDType.UINT8,
                  1,
                  Math.min(noise.length, Mask.MAX_SIDE),
                  Arrays.copyOf(noise, Math.min(noise.length, Mask.MAX_SIDE))));
      RawMaskCompression.checkLength(
          compressed.length, Math.min(noise.length, Mask.MAX_SIDE), "test");
      RawMaskCompression.checkLength(
          (raw + RawMaskCompression.MAX_RATIO - 1) / RawMaskCompression.MAX_RATIO, raw, "test");
      expectThrows(
          CorruptIndexException.class,
          () -> RawMaskCompression.checkLength(2 * raw + 100, raw, "test"));
      expectThrows(
          CorruptIndexException.class,
          () ->
              RawMaskCompression.checkLength(raw / RawMaskCompression.MAX_RATIO - 1, raw, "test"));
    }
    expectThrows(CorruptIndexException.class, () -> RawMaskCompression.checkLength(-1, 10, "test"));
  }
}
