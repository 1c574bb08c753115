package dev.masksearch.mask;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntBinaryOperator;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Tests of {@link PngMasks}; the test PNGs are written independently, with ImageIO and
 * BufferedImage or byte by byte with {@link TestPngs}.
 */
public class PngMasksTests extends LuceneTestCase {

  /** Writes a BufferedImage as PNG bytes. */
  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue("no PNG writer for " + image, ImageIO.write(image, "png", out));
    return out.toByteArray();
  }

  /**
   * A grayscale image of the given samples, 8-bit (TYPE_BYTE_GRAY) or 16-bit (TYPE_USHORT_GRAY).
   */
  private static BufferedImage gray(int height, int width, int[] samples, boolean sixteen) {
    BufferedImage image =
        new BufferedImage(
            width, height, sixteen ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = image.getRaster();
    raster.setSamples(0, 0, width, height, 0, samples);
    return image;
  }

  private static int[] randomSamples(Random r, int n, int max) {
    int[] s = new int[n];
    boolean extremes = r.nextBoolean();
    for (int i = 0; i < n; i++) {
      s[i] =
          extremes && r.nextInt(3) == 0
              ? (r.nextBoolean() ? 0 : max)
              : RandomNumbers.randomIntBetween(r, 0, max);
    }
    return s;
  }

  /** A PNG written by ImageIO decodes to the same samples, as uint8 or uint16 codes. */
  public void testDecodeGrayscale() throws IOException {
    Random r = random();
    int iters = atLeast(20);
    for (int it = 0; it < iters; it++) {
      boolean sixteen = r.nextBoolean();
      int h = RandomNumbers.randomIntBetween(r, 1, 40);
      int w = RandomNumbers.randomIntBetween(r, 1, 40);
      int[] samples = randomSamples(r, h * w, sixteen ? 65535 : 255);
      Mask mask = PngMasks.decode(png(gray(h, w, samples, sixteen)));
      assertEquals(sixteen ? MaskDType.UINT16 : MaskDType.UINT8, mask.dtype());
      assertEquals(h, mask.height());
      assertEquals(w, mask.width());
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = samples[y * w + x];
          assertEquals(p, mask.code(y * w + x));
          assertEquals(sixteen ? p / 65535.0 : p / 255.0, mask.value(y, x), 0.0);
        }
      }
    }
  }

  /**
   * encode then decode gives back the very same mask, and ImageIO reads the PNG with the same
   * samples.
   */
  public void testEncodeRoundTrip() throws IOException {
    Random r = random();
    int iters = atLeast(20);
    for (int it = 0; it < iters; it++) {
      boolean sixteen = r.nextBoolean();
      MaskDType dtype = sixteen ? MaskDType.UINT16 : MaskDType.UINT8;
      int h = RandomNumbers.randomIntBetween(r, 1, 40);
      int w = RandomNumbers.randomIntBetween(r, 1, 40);
      int[] samples = randomSamples(r, h * w, dtype.maxCode());
      Mask mask = Mask.of(dtype, h, w, MaskTests.rawBytes(dtype, samples));
      byte[] bytes = PngMasks.encode(mask);

      Mask back = PngMasks.decode(bytes);
      assertEquals(dtype, back.dtype());
      assertEquals(h, back.height());
      assertEquals(w, back.width());
      assertArrayEquals(mask.rawBytes(), back.rawBytes());

      // Check the PNG itself with an independent reader: one band of the right depth and the same
      // samples.
      BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
      assertEquals(1, image.getRaster().getNumBands());
      assertEquals(sixteen ? 16 : 8, image.getSampleModel().getSampleSize(0));
      assertArrayEquals(samples, image.getRaster().getSamples(0, 0, w, h, 0, (int[]) null));
    }
  }

  public void testEncodeRejectsFloatMasks() {
    Mask f32 = Mask.ofFloats(1, 1, new float[] {0.5f});
    expectThrows(IllegalArgumentException.class, () -> PngMasks.encode(f32));
    Mask f16 = Mask.of(MaskDType.FLOAT16, 1, 1, new byte[2]);
    expectThrows(IllegalArgumentException.class, () -> PngMasks.encode(f16));
  }

  private static MaskFormatException decodeFails(byte[] bytes) {
    return expectThrows(MaskFormatException.class, () -> PngMasks.decode(bytes));
  }

  public void testRejectsColorImages() throws IOException {
    for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_3BYTE_BGR}) {
      MaskFormatException e = decodeFails(png(new BufferedImage(5, 4, type)));
      assertTrue(e.getMessage(), e.getMessage().contains("3 channels"));
    }
    MaskFormatException e = decodeFails(png(new BufferedImage(5, 4, BufferedImage.TYPE_INT_ARGB)));
    assertTrue(e.getMessage(), e.getMessage().contains("4 channels"));
  }

  public void testRejectsPaletteImages() throws IOException {
    BufferedImage indexed = new BufferedImage(6, 3, BufferedImage.TYPE_BYTE_INDEXED);
    indexed.getRaster().setSample(2, 1, 0, 7);
    MaskFormatException e = decodeFails(png(indexed));
    assertEquals(
        "PNG uses a palette; a mask must be a single-channel grayscale PNG", e.getMessage());
    // A palette of grays is still a palette: its indices are not values.
    for (int depth : new int[] {1, 2, 4, 8}) {
      e = decodeFails(TestPngs.png(3, depth, 3, 5, (y, i) -> (y + i) % (1 << depth)));
      assertEquals(
          "PNG uses a palette; a mask must be a single-channel grayscale PNG", e.getMessage());
    }
  }

  /**
   * 1-, 2- and 4-bit grayscale (binary masks are often saved as 1-bit PNGs) become uint8 masks
   * scaled as PNG defines: the largest sample is 1.0, so a sample p of depth d has the value p /
   * (2^d - 1) and the code p * 255 / (2^d - 1). 8- and 16-bit samples are kept as they are. The
   * PNGs come from {@link TestPngs}, not from ImageIO's writer.
   */
  public void testDecodeEveryGrayscaleBitDepth() {
    Random r = random();
    for (int depth : new int[] {1, 2, 4, 8, 16}) {
      int max = (1 << depth) - 1;
      for (int it = 0; it < 5; it++) {
        int h = RandomNumbers.randomIntBetween(r, 1, 30);
        int w = RandomNumbers.randomIntBetween(r, 1, 30); // widths that end mid-byte too
        int[] samples = randomSamples(r, h * w, max);
        Mask mask = PngMasks.decode(TestPngs.png(0, depth, h, w, (y, x) -> samples[y * w + x]));
        assertEquals(depth == 16 ? MaskDType.UINT16 : MaskDType.UINT8, mask.dtype());
        assertEquals(h, mask.height());
        assertEquals(w, mask.width());
        for (int i = 0; i < h * w; i++) {
          int p = samples[i];
          assertEquals(
              "depth " + depth + " sample " + p, depth == 16 ? p : p * 255 / max, mask.code(i));
          assertEquals((double) p / max, mask.value(i / w, i % w), 0.0);
        }
      }
    }
  }

  /** A binary image as ImageIO writes it (1-bit grayscale) is a mask of 0.0 and 1.0. */
  public void testImageIoBinaryImageIsABinaryMask() throws IOException {
    BufferedImage binary = new BufferedImage(13, 3, BufferedImage.TYPE_BYTE_BINARY);
    binary.getRaster().setSample(0, 0, 0, 1);
    binary.getRaster().setSample(12, 2, 0, 1);
    binary.getRaster().setSample(5, 1, 0, 1);
    byte[] bytes = png(binary);
    assertEquals("bit depth", 1, bytes[24]);
    assertEquals("colour type: grayscale", 0, bytes[25]);
    Mask mask = PngMasks.decode(bytes);
    assertEquals(MaskDType.UINT8, mask.dtype());
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 13; x++) {
        boolean set = (y == 0 && x == 0) || (y == 2 && x == 12) || (y == 1 && x == 5);
        assertEquals(y + "," + x, set ? 1.0 : 0.0, mask.value(y, x), 0.0);
      }
    }
  }

  /** Interlaced (Adam7) PNGs decode to the same samples, at every depth ImageIO writes. */
  public void testDecodeInterlaced() throws IOException {
    Random r = random();
    for (int type :
        new int[] {
          BufferedImage.TYPE_BYTE_GRAY,
          BufferedImage.TYPE_USHORT_GRAY,
          BufferedImage.TYPE_BYTE_BINARY
        }) {
      int h = RandomNumbers.randomIntBetween(r, 1, 40);
      int w = RandomNumbers.randomIntBetween(r, 1, 40);
      int max =
          switch (type) {
            case BufferedImage.TYPE_BYTE_GRAY -> 255;
            case BufferedImage.TYPE_USHORT_GRAY -> 65535;
            default -> 1;
          };
      int[] samples = randomSamples(r, h * w, max);
      BufferedImage image = new BufferedImage(w, h, type);
      image.getRaster().setSamples(0, 0, w, h, 0, samples);
      byte[] bytes = interlacedPng(image);
      assertEquals("interlace method: Adam7", 1, bytes[28]);
      Mask mask = PngMasks.decode(bytes);
      for (int i = 0; i < h * w; i++) {
        assertEquals((double) samples[i] / max, mask.value(i / w, i % w), 0.0);
      }
    }
  }

  private static byte[] interlacedPng(BufferedImage image) throws IOException {
    ImageWriter writer =
        ImageIO.getImageWriters(ImageTypeSpecifier.createFromRenderedImage(image), "png").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** A transparent gray (tRNS) means nothing for a mask: the samples are decoded as they are. */
  public void testTransparencyChunkIsIgnored() {
    int[] samples = {0, 7, 255, 7, 128, 1};
    byte[] plain = TestPngs.png(0, 8, 2, 3, (y, x) -> samples[y * 3 + x]);
    Mask mask = PngMasks.decode(TestPngs.withChunkAfterHeader(plain, "tRNS", new byte[] {0, 7}));
    assertEquals(MaskDType.UINT8, mask.dtype());
    for (int i = 0; i < samples.length; i++) {
      assertEquals(samples[i], mask.code(i));
    }
  }

  /**
   * The header's colour type and bit depth are checked and named; palette and channel counts as
   * well.
   */
  public void testHeaderFieldsAreCheckedAndNamed() {
    assertEquals(
        "corrupt PNG: unknown colour type 5",
        decodeFails(TestPngs.forged(5, 8, 2, 2)).getMessage());
    assertEquals(
        "corrupt PNG: bit depth 7 is not valid for colour type 0",
        decodeFails(TestPngs.forged(0, 7, 2, 2)).getMessage());
    assertEquals(
        "corrupt PNG: bit depth 4 is not valid for colour type 2",
        decodeFails(TestPngs.forged(2, 4, 2, 2)).getMessage());
    assertEquals(
        "corrupt PNG: bit depth 16 is not valid for colour type 3",
        decodeFails(TestPngs.forged(3, 16, 2, 2)).getMessage());
    for (int[] c : new int[][] {{2, 3}, {4, 2}, {6, 4}}) {
      for (int depth : new int[] {8, 16}) {
        assertEquals(
            "PNG has "
                + c[1]
                + " channels (colour type "
                + c[0]
                + "); a mask must be a single-channel "
                + "grayscale PNG",
            decodeFails(TestPngs.forged(c[0], depth, 2, 2)).getMessage());
      }
    }
    byte[] good = TestPngs.png(0, 8, 2, 2, (y, x) -> x);
    for (int[] field : new int[][] {{26, 1}, {27, 1}, {28, 2}}) {
      byte[] bad = good.clone();
      bad[field[0]] = (byte) field[1];
      String name =
          switch (field[0]) {
            case 26 -> "compression method 1";
            case 27 -> "filter method 1";
            default -> "interlace method 2";
          };
      assertEquals("corrupt PNG: unknown " + name, decodeFails(bad).getMessage());
    }
    byte[] late = good.clone();
    late[15] = 'X'; // the first chunk is no longer IHDR
    assertEquals(
        "corrupt PNG: it does not start with a 13-byte IHDR header chunk",
        decodeFails(late).getMessage());
    assertEquals(
        "corrupt PNG: it ends before its IHDR header chunk",
        decodeFails(Arrays.copyOf(good, 28)).getMessage());
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /**
   * Bytes this thread allocates while {@code decode} runs; a refusal is expected or not, as {@code
   * refused} says.
   */
  private static long allocatedBy(byte[] png, boolean refused) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    try {
      PngMasks.decode(png);
      assertFalse("decoded a PNG that should be refused", refused);
    } catch (MaskFormatException e) {
      assertTrue("refused: " + e.getMessage(), refused);
    }
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  /**
   * A PNG with colour, alpha or a palette is refused from its header, before its image data is
   * inflated: a 130 KB 4096 x 4096 RGBA 16-bit PNG (134 MB decoded) allocates almost nothing, and
   * neither do forged headers of every refused kind.
   */
  public void testDecompressionBombIsRefusedFromItsHeader() {
    byte[] bomb = TestPngs.png(6, 16, 4096, 4096, (y, i) -> 0);
    assertTrue("a small file: " + bomb.length, bomb.length < 200_000);
    allocatedBy(bomb, true); // loads the classes a refusal needs
    long allocated = allocatedBy(bomb, true);
    assertTrue("allocated " + allocated + " bytes", allocated < 1 << 20);
    for (int[] kind : new int[][] {{2, 8}, {2, 16}, {4, 8}, {4, 16}, {6, 8}, {3, 8}, {3, 1}}) {
      allocated = allocatedBy(TestPngs.forged(kind[0], kind[1], 4096, 4096), true);
      assertTrue(
          "colour type " + kind[0] + " allocated " + allocated + " bytes", allocated < 1 << 20);
    }
  }

  /**
   * Decoding writes the pixels straight into the mask's array: a 2048 x 2048 PNG allocates the mask
   * once (plus a few rows and the decoder's buffers), not an intermediate image or a copy of the
   * input as well (the pattern compresses poorly in 16 bits, so a cached copy of the input would
   * show). Each depth's own path: 8-bit into the bytes, 16-bit through little-endian shorts, 1-bit
   * scaled by ImageIO.
   */
  public void testDecodingAllocatesTheMaskOnce() {
    for (int depth : new int[] {8, 16, 1}) {
      int max = (1 << depth) - 1;
      IntBinaryOperator pattern = (y, x) -> (y * 31 + x * 7) % (max + 1);
      PngMasks.decode(TestPngs.png(0, depth, 8, 8, pattern)); // loads the decoder's classes
      int side = 2048;
      byte[] bytes = TestPngs.png(0, depth, side, side, pattern);
      long before = THREADS.getCurrentThreadAllocatedBytes();
      Mask mask = PngMasks.decode(bytes);
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      long maskBytes = mask.rawBytes().length;
      assertEquals((depth == 16 ? 2L : 1L) * side * side, maskBytes);
      assertTrue(
          "depth " + depth + ": allocated " + allocated + " bytes for a mask of " + maskBytes,
          allocated < maskBytes * 3 / 2);
      for (int i = 0; i < side * side; i += 4093) {
        assertEquals(
            (double) pattern.applyAsInt(i / side, i % side) / max,
            mask.value(i / side, i % side),
            0.0);
      }
    }
  }

  /** Shapes are checked from the header: a 4097-pixel side is rejected, 4096 is not. */
  public void testRejectsOversizedShape() throws IOException {
    for (int[] s : new int[][] {{1, 4097}, {4097, 1}}) {
      MaskFormatException e = decodeFails(png(gray(s[0], s[1], new int[s[0] * s[1]], false)));
      assertTrue(e.getMessage(), e.getMessage().contains("out of bounds"));
    }
    Mask ok = PngMasks.decode(png(gray(1, 4096, new int[4096], false)));
    assertEquals(4096, ok.width());
  }

  /** A caller's tighter limits, just met and just exceeded, in pixels and a side. */
  public void testCallerLimits() throws IOException {
    MaskLimits limits = new MaskLimits(20, 100);
    assertEquals(100, PngMasks.decode(png(gray(10, 10, new int[100], false)), limits).pixelCount());
    assertEquals(20, PngMasks.decode(png(gray(1, 20, new int[20], true)), limits).width());
    MaskFormatException pixels =
        expectThrows(
            MaskFormatException.class,
            () -> PngMasks.decode(png(gray(11, 10, new int[110], false)), limits));
    assertEquals(
        "the mask is 11 x 10 = 110 pixels, over the limit of 100 pixels", pixels.getMessage());
    MaskFormatException side =
        expectThrows(
            MaskFormatException.class,
            () -> PngMasks.decode(png(gray(1, 21, new int[21], false)), limits));
    assertEquals(
        "the mask is 1 x 21 pixels (height x width), over the limit of 20 a side",
        side.getMessage());
  }

  /**
   * A PNG of a few bytes whose header claims 100000 x 100000 pixels (10 GB decoded) is refused from
   * its header: were the pixels allocated first, this test would run out of memory.
   */
  public void testHugeHeaderIsRefusedBeforeDecoding() {
    for (MaskLimits limits : new MaskLimits[] {MaskLimits.FORMAT, new MaskLimits(4096, 1000)}) {
      MaskFormatException e =
          expectThrows(
              MaskFormatException.class,
              () -> PngMasks.decode(TestPngs.forged(0, 8, 100_000, 100_000), limits));
      assertEquals(
          "shape [100000, 100000] is out of bounds: height and width must be between 1 and 4096",
          e.getMessage());
    }
    // Within the format's bounds but over a caller's limit, equally before decoding.
    MaskFormatException e =
        expectThrows(
            MaskFormatException.class,
            () -> PngMasks.decode(TestPngs.forged(0, 8, 4096, 4096), new MaskLimits(4096, 1000)));
    assertEquals(
        "the mask is 4096 x 4096 = 16777216 pixels, over the limit of 1000 pixels", e.getMessage());
  }

  public void testRejectsNonPng() throws IOException {
    Random r = random();
    assertTrue(decodeFails(new byte[0]).getMessage().contains("signature"));
    assertTrue(
        decodeFails("GIF89a....".getBytes(StandardCharsets.US_ASCII))
            .getMessage()
            .contains("signature"));
    byte[] noise = new byte[RandomNumbers.randomIntBetween(r, 1, 200)];
    r.nextBytes(noise);
    noise[0] = 0x42; // never the PNG signature's first byte
    decodeFails(noise);
    // A real image in another format.
    ByteArrayOutputStream bmp = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(gray(3, 3, new int[9], false), "bmp", bmp));
    assertTrue(decodeFails(bmp.toByteArray()).getMessage().contains("signature"));
    // A PNG missing one byte of its signature.
    byte[] good = png(gray(2, 2, new int[4], false));
    decodeFails(Arrays.copyOfRange(good, 1, good.length));
    decodeFails(Arrays.copyOf(good, 7));
  }

  /** Offset of the first byte after the IDAT chunks (i.e. where IEND starts). */
  private static int endOfImageData(byte[] png) {
    ByteBuffer in = ByteBuffer.wrap(png); // PNG is big-endian
    int pos = 8;
    int end = -1;
    while (pos + 8 <= png.length) {
      int len = in.getInt(pos);
      String type = new String(png, pos + 4, 4, StandardCharsets.US_ASCII);
      if (type.equals("IDAT")) {
        end = pos + 12 + len;
      }
      pos += 12 + len;
    }
    assertTrue("no IDAT", end > 0);
    return end;
  }

  /** Offset of the first IDAT chunk. */
  private static int startOfImageData(byte[] png) {
    ByteBuffer in = ByteBuffer.wrap(png);
    int pos = 8;
    while (!new String(png, pos + 4, 4, StandardCharsets.US_ASCII).equals("IDAT")) {
      pos += 12 + in.getInt(pos);
    }
    return pos;
  }

  /**
   * Any truncation before the end of the image data is reported as a MaskFormatException, never
   * another error.
   */
  public void testRejectsTruncatedPng() throws IOException {
    Random r = random();
    for (boolean sixteen : new boolean[] {false, true}) {
      int h = RandomNumbers.randomIntBetween(r, 8, 30);
      int w = RandomNumbers.randomIntBetween(r, 8, 30);
      byte[] good = png(gray(h, w, randomSamples(r, h * w, sixteen ? 65535 : 255), sixteen));
      // Stop 8 bytes before the zlib Adler-32 (the IDAT data's last 4 bytes, followed by the 4-byte
      // CRC): once every
      // pixel is inflated ImageIO reads no further, so a cut in the trailer or in the final
      // end-of-block code (the
      // last byte or two of deflate data) still yields the full, correct image and is fine to
      // accept.
      int end = endOfImageData(good) - 8 - 8;
      // Every cut in the header, many inside the compressed data, and every cut near its end.
      for (int len = 8; len < end; len++) {
        if (len < 60 || r.nextInt(4) == 0 || len > end - 16) {
          byte[] cut = Arrays.copyOf(good, len);
          expectThrows(MaskFormatException.class, () -> PngMasks.decode(cut));
        }
      }
    }
  }

  /** Rewrites a chunk's CRC so that only the intended corruption is in play. */
  private static void fixCrc(byte[] png, int chunkStart) {
    ByteBuffer buf = ByteBuffer.wrap(png);
    int len = buf.getInt(chunkStart);
    CRC32 crc = new CRC32();
    crc.update(png, chunkStart + 4, 4 + len);
    buf.putInt(chunkStart + 8 + len, (int) crc.getValue());
  }

  public void testRejectsCorruptPng() throws IOException {
    byte[] good = png(gray(16, 16, randomSamples(random(), 256, 255), false));
    assertEquals(256, PngMasks.decode(good).pixelCount());
    final int ihdr =
        8; // IHDR data: width(4) height(4) depth(1) colour(1) compression(1) filter(1) interlace(1)

    // Width 0 in the header.
    byte[] zeroWidth = good.clone();
    ByteBuffer.wrap(zeroWidth).putInt(ihdr + 8, 0);
    fixCrc(zeroWidth, ihdr);
    decodeFails(zeroWidth);

    // Width 2^31 - 1: rejected as out of bounds before any allocation.
    byte[] huge = good.clone();
    ByteBuffer.wrap(huge).putInt(ihdr + 8, Integer.MAX_VALUE);
    fixCrc(huge, ihdr);
    decodeFails(huge);

    // An invalid bit depth and an invalid colour type.
    byte[] depth = good.clone();
    depth[ihdr + 16] = 7;
    fixCrc(depth, ihdr);
    decodeFails(depth);
    byte[] colour = good.clone();
    colour[ihdr + 17] = 5;
    fixCrc(colour, ihdr);
    decodeFails(colour);

    // A broken zlib header at the start of the image data (0xFFFF fails the zlib header check).
    byte[] zlib = good.clone();
    int idat = startOfImageData(zlib);
    zlib[idat + 8] = (byte) 0xFF;
    zlib[idat + 9] = (byte) 0xFF;
    fixCrc(zlib, idat);
    decodeFails(zlib);

    // The IHDR chunk renamed: no header at all.
    byte[] noHeader = good.clone();
    noHeader[ihdr + 4] = 'X';
    fixCrc(noHeader, ihdr);
    decodeFails(noHeader);
  }
}
