package dev.masksearch.mask;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.lucene.tests.util.LuceneTestCase;

/** Tests of {@link PngMasks}; the test PNGs are written independently with ImageIO and BufferedImage. */
public class PngMasksTests extends LuceneTestCase {

  /** Writes a BufferedImage as PNG bytes. */
  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue("no PNG writer for " + image, ImageIO.write(image, "png", out));
    return out.toByteArray();
  }

  /** A grayscale image of the given samples, 8-bit (TYPE_BYTE_GRAY) or 16-bit (TYPE_USHORT_GRAY). */
  private static BufferedImage gray(int height, int width, int[] samples, boolean sixteen) {
    BufferedImage image =
        new BufferedImage(width, height, sixteen ? BufferedImage.TYPE_USHORT_GRAY : BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster raster = image.getRaster();
    raster.setSamples(0, 0, width, height, 0, samples);
    return image;
  }

  private static int[] randomSamples(Random r, int n, int max) {
    int[] s = new int[n];
    boolean extremes = r.nextBoolean();
    for (int i = 0; i < n; i++) {
      s[i] = extremes && r.nextInt(3) == 0 ? (r.nextBoolean() ? 0 : max) : RandomNumbers.randomIntBetween(r, 0, max);
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

  /** encode then decode gives back the very same mask, and ImageIO reads the PNG with the same samples. */
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

      // Check the PNG itself with an independent reader: one band of the right depth and the same samples.
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
    assertTrue(e.getMessage(), e.getMessage().contains("palette"));
    // A 1-bit image is no 8- or 16-bit grayscale mask either, whichever way ImageIO chooses to store it.
    decodeFails(png(new BufferedImage(9, 2, BufferedImage.TYPE_BYTE_BINARY)));
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
    MaskFormatException pixels = expectThrows(MaskFormatException.class,
        () -> PngMasks.decode(png(gray(11, 10, new int[110], false)), limits));
    assertEquals("the mask is 11 x 10 = 110 pixels, over the limit of 100 pixels", pixels.getMessage());
    MaskFormatException side = expectThrows(MaskFormatException.class,
        () -> PngMasks.decode(png(gray(1, 21, new int[21], false)), limits));
    assertEquals("the mask is 1 x 21 pixels (height x width), over the limit of 20 a side", side.getMessage());
  }

  /**
   * A PNG of a few bytes whose header claims 100000 x 100000 pixels (10 GB decoded) is refused from its header: were
   * the pixels allocated first, this test would run out of memory.
   */
  public void testHugeHeaderIsRefusedBeforeDecoding() {
    for (MaskLimits limits : new MaskLimits[] {MaskLimits.FORMAT, new MaskLimits(4096, 1000)}) {
      MaskFormatException e = expectThrows(MaskFormatException.class, () -> PngMasks.decode(forged(100_000, 100_000), limits));
      assertEquals("shape [100000, 100000] is out of bounds: height and width must be between 1 and 4096", e.getMessage());
    }
    // Within the format's bounds but over a caller's limit, equally before decoding.
    MaskFormatException e = expectThrows(MaskFormatException.class,
        () -> PngMasks.decode(forged(4096, 4096), new MaskLimits(4096, 1000)));
    assertEquals("the mask is 4096 x 4096 = 16777216 pixels, over the limit of 1000 pixels", e.getMessage());
  }

  /** A PNG of a few bytes whose header claims an 8-bit grayscale image of {@code height x width}. */
  private static byte[] forged(int height, int width) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream forged = new ByteArrayOutputStream();
    forged.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    chunk(forged, "IHDR", ihdr.array());
    chunk(forged, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(forged, "IEND", new byte[0]);
    return forged.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  public void testRejectsNonPng() throws IOException {
    Random r = random();
    assertTrue(decodeFails(new byte[0]).getMessage().contains("signature"));
    assertTrue(decodeFails("GIF89a....".getBytes(StandardCharsets.US_ASCII)).getMessage().contains("signature"));
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

  /** Any truncation before the end of the image data is reported as a MaskFormatException, never another error. */
  public void testRejectsTruncatedPng() throws IOException {
    Random r = random();
    for (boolean sixteen : new boolean[] {false, true}) {
      int h = RandomNumbers.randomIntBetween(r, 8, 30);
      int w = RandomNumbers.randomIntBetween(r, 8, 30);
      byte[] good = png(gray(h, w, randomSamples(r, h * w, sixteen ? 65535 : 255), sixteen));
      // Stop 8 bytes before the zlib Adler-32 (the IDAT data's last 4 bytes, followed by the 4-byte CRC): once every
      // pixel is inflated ImageIO reads no further, so a cut in the trailer or in the final end-of-block code (the
      // last byte or two of deflate data) still yields the full, correct image and is fine to accept.
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
    final int ihdr = 8; // IHDR data: width(4) height(4) depth(1) colour(1) compression(1) filter(1) interlace(1)

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
