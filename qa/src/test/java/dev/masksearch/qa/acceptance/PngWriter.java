package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * PNG files written row by row, without ImageIO: the test's own encoder for large masks (an 8-bit
 * grayscale PNG of a 4096 x 4096 mask of zeros is a few KB, written in milliseconds and without a
 * decoded image in memory) and for hostile input, such as a 16-bit RGBA image of zeros (a
 * decompression bomb: about 130 KB that decode to 128 MiB). Every row uses filter 0 (none), the
 * whole image one IDAT chunk.
 */
final class PngWriter {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final int GRAY = 0;
  private static final int RGBA = 6;

  private PngWriter() {}

  /** An 8-bit grayscale PNG of a uint8 mask: each pixel's code is its sample. */
  static byte[] gray8(Mask mask) {
    if (mask.dtype() != MaskDType.UINT8) {
      throw new IllegalArgumentException("an 8-bit grayscale PNG holds a uint8 mask, not " + mask);
    }
    byte[] data = mask.rawBytes();
    int width = mask.width();
    return png(
        width,
        mask.height(),
        8,
        GRAY,
        width,
        (y, row) -> System.arraycopy(data, y * width, row, 0, width));
  }

  /**
   * A 16-bit RGBA PNG of zeros: 8 bytes a pixel once decoded, compressed about a thousand times.
   */
  static byte[] rgba16Zeros(int height, int width) {
    return png(width, height, 16, RGBA, 8 * width, (y, row) -> {});
  }

  private interface Rows {
    /** Fills {@code row} (zeros on entry) with row {@code y}'s samples. */
    void row(int y, byte[] row);
  }

  private static byte[] png(
      int width, int height, int bitDepth, int colorType, int rowBytes, Rows rows) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(SIGNATURE);
      ByteArrayOutputStream header = new ByteArrayOutputStream();
      DataOutputStream h = new DataOutputStream(header);
      h.writeInt(width);
      h.writeInt(height);
      h.writeByte(bitDepth);
      h.writeByte(colorType);
      h.writeByte(0); // deflate
      h.writeByte(0); // adaptive filtering
      h.writeByte(0); // no interlace
      chunk(out, "IHDR", header.toByteArray());
      ByteArrayOutputStream compressed = new ByteArrayOutputStream();
      Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
      try (DeflaterOutputStream z = new DeflaterOutputStream(compressed, deflater, 1 << 16)) {
        byte[] row = new byte[rowBytes];
        for (int y = 0; y < height; y++) {
          java.util.Arrays.fill(row, (byte) 0);
          rows.row(y, row);
          z.write(0); // filter type: none
          z.write(row);
        }
      } finally {
        deflater.end();
      }
      chunk(out, "IDAT", compressed.toByteArray());
      chunk(out, "IEND", new byte[0]);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data)
      throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    d.writeInt(data.length);
    d.write(name);
    d.write(data);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    d.writeInt((int) crc.getValue());
  }
}
