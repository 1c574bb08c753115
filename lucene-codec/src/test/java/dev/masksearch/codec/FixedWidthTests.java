package dev.masksearch.codec;

import java.io.IOException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Values written by {@link FixedWidth} read back the same through random access and through bulk
 * decoding, at the byte-friendly widths and at every width a version-5 writer takes.
 */
public class FixedWidthTests extends LuceneTestCase {

  public void testRoundTripAtEveryWidth() throws IOException {
    try (Directory dir = newDirectory()) {
      for (int iter = 0; iter < atLeast(50); iter++) {
        long maxDelta =
            switch (random().nextInt(7)) {
              case 0 -> 0;
              case 1 -> TestUtil.nextLong(random(), 1, 255);
              case 2 -> TestUtil.nextLong(random(), 256, 4095);
              case 3 -> TestUtil.nextLong(random(), 4096, 65535);
              case 4 -> TestUtil.nextLong(random(), 65536, (1 << 24) - 1);
              case 5 -> TestUtil.nextLong(random(), 1, (1L << (1 + random().nextInt(25))) - 1);
              default ->
                  TestUtil.nextLong(random(), 1 << 24, 1 << 28); // CHI counts stay below 2^24 + min
            };
        int bits =
            random().nextBoolean()
                ? FixedWidth.bitsRequired(maxDelta)
                : FixedWidth.exactBitsRequired(maxDelta);
        roundTrip(dir, "col" + iter, maxDelta, bits);
      }
    }
  }

  /** Every supported width, with values up to its largest. */
  public void testEverySupportedWidth() throws IOException {
    try (Directory dir = newDirectory()) {
      for (int bits = 0; bits <= 32; bits++) {
        assertEquals(
            bits <= FixedWidth.MAX_PACKED_BITS || bits == 32, FixedWidth.isSupported(bits));
        if (FixedWidth.isSupported(bits)) {
          // decoding adds into ints: 32-bit columns hold CHI counts, below 2^28 with their minimum
          roundTrip(dir, "bits" + bits, bits == 0 ? 0 : Math.min((1L << bits) - 1, 1L << 28), bits);
        }
      }
    }
  }

  /** Widths 26 to 31 are never written, and reading one is a corrupt column. */
  public void testWidthsBetween25And32AreCorrupt() throws IOException {
    try (Directory dir = newDirectory()) {
      try (IndexOutput out = dir.createOutput("col", IOContext.DEFAULT)) {
        out.writeBytes(new byte[64], 64);
      }
      try (IndexInput in = dir.openInput("col", IOContext.DEFAULT)) {
        for (int bits = FixedWidth.MAX_PACKED_BITS + 1; bits < 32; bits++) {
          int width = bits;
          assertFalse(FixedWidth.isSupported(bits));
          assertFalse(FixedWidth.isByteFriendly(bits));
          expectThrows(
              org.apache.lucene.index.CorruptIndexException.class,
              () -> FixedWidth.decode(in, 0, width, 4, 0, new int[4], new byte[16]));
          expectThrows(
              org.apache.lucene.index.CorruptIndexException.class,
              () -> FixedWidth.delta(in.randomAccessSlice(0, in.length()), 0, width, 1));
        }
      }
    }
  }

  /** The narrowest width holds the delta, one bit fewer does not, and 26 to 31 bits take 32. */
  public void testExactBitsRequired() {
    assertEquals(0, FixedWidth.exactBitsRequired(0));
    for (int bits = 1; bits <= 32; bits++) {
      long largest = (1L << bits) - 1;
      long delta = TestUtil.nextLong(random(), 1L << (bits - 1), largest);
      int expected = bits > FixedWidth.MAX_PACKED_BITS ? 32 : bits;
      assertEquals("delta " + delta, expected, FixedWidth.exactBitsRequired(delta));
      assertTrue(FixedWidth.exactBitsRequired(delta) <= FixedWidth.bitsRequired(delta));
    }
  }

  private static void roundTrip(Directory dir, String name, long maxDelta, int bits)
      throws IOException {
    int count = TestUtil.nextInt(random(), 1, 5000);
    long[] deltas = new long[count];
    for (int i = 0; i < count; i++) {
      deltas[i] = random().nextInt(4) == 0 ? maxDelta : TestUtil.nextLong(random(), 0, maxDelta);
    }
    int min = random().nextInt(1000);
    long offset;
    try (IndexOutput out = dir.createOutput(name, IOContext.DEFAULT)) {
      out.writeBytes(new byte[7], 7); // an unaligned start
      offset = out.getFilePointer();
      FixedWidth.write(out, i -> deltas[i], count, bits);
      assertEquals(FixedWidth.byteLength(count, bits), out.getFilePointer() - offset);
    }
    try (IndexInput in = dir.openInput(name, IOContext.DEFAULT)) {
      FixedWidth.Reader reader =
          new FixedWidth.Reader(in.randomAccessSlice(0, in.length()), offset, bits, min);
      int[] decoded = new int[count];
      // a reused scratch buffer holds earlier bytes past the column's: word loads mask them off
      byte[] scratch = new byte[FixedWidth.scratchBytes(count) + random().nextInt(16)];
      random().nextBytes(scratch);
      FixedWidth.decode(in, offset, bits, count, min, decoded, scratch);
      for (int i = 0; i < count; i++) {
        assertEquals("bits=" + bits + " i=" + i, min + deltas[i], reader.get(i));
        assertEquals("bits=" + bits + " i=" + i, min + deltas[i], decoded[i]);
      }
    }
  }
}
