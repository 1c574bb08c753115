package dev.masksearch.mask;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntBinaryOperator;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * PNGs written byte by byte, independently of ImageIO's writer, for any colour type and bit depth:
 * rows unfiltered, deflated as they are produced, so that a 4096 x 4096 image never exists unpacked
 * in memory.
 */
final class TestPngs {
  private TestPngs() {}

  /** Samples per pixel of a PNG colour type. */
  static int channels(int colourType) {
    return switch (colourType) {
      case 0, 3 -> 1;
      case 2 -> 3;
      case 4 -> 2;
      case 6 -> 4;
      default -> throw new IllegalArgumentException("colour type " + colourType);
    };
  }

  /**
   * A non-interlaced PNG whose sample {@code i} of row {@code y} (pixel {@code i / channels},
   * channel {@code i % channels}) is {@code sample.applyAsInt(y, i)}; a palette image gets a gray
   * palette of 2^depth entries.
   */
  static byte[] png(int colourType, int depth, int height, int width, IntBinaryOperator sample) {
    int samplesPerRow = width * channels(colourType);
    int rowBytes = (samplesPerRow * depth + 7) / 8;
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream z =
        new DeflaterOutputStream(idat, new Deflater(Deflater.DEFAULT_COMPRESSION), 1 << 16)) {
      byte[] row = new byte[1 + rowBytes]; // filter type 0, then the packed samples
      for (int y = 0; y < height; y++) {
        java.util.Arrays.fill(row, (byte) 0);
        for (int i = 0; i < samplesPerRow; i++) {
          put(row, 1, depth, i, sample.applyAsInt(y, i));
        }
        z.write(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = start(colourType, depth, height, width);
    if (colourType == 3) {
      byte[] palette = new byte[3 << depth];
      for (int i = 0; i < palette.length; i++) {
        palette[i] = (byte) (i / 3 * 255 / ((1 << depth) - 1));
      }
      chunk(out, "PLTE", palette);
    }
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /**
   * Writes {@code value}, {@code depth} bits wide, as sample {@code i} of a row starting at {@code
   * offset}.
   */
  private static void put(byte[] row, int offset, int depth, int i, int value) {
    switch (depth) {
      case 16 -> {
        row[offset + 2 * i] = (byte) (value >>> 8);
        row[offset + 2 * i + 1] = (byte) value;
      }
      case 8 -> row[offset + i] = (byte) value;
      default -> { // 1, 2 or 4 bits, the leftmost sample in the high bits
        int perByte = 8 / depth;
        int shift = 8 - depth * (i % perByte + 1);
        row[offset + i / perByte] |= (byte) (value << shift);
      }
    }
  }

  /**
   * A PNG of a few bytes whose header claims {@code height x width} pixels of the given colour type
   * and depth: its one IDAT chunk holds an empty zlib stream, so a decoder that trusted the header
   * would allocate the image, then fail.
   */
  static byte[] forged(int colourType, int depth, int height, int width) {
    ByteArrayOutputStream out = start(colourType, depth, height, width);
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static ByteArrayOutputStream start(int colourType, int depth, int height, int width) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    chunk(
        out,
        "IHDR",
        ByteBuffer.allocate(13)
            .putInt(width)
            .putInt(height)
            .put((byte) depth)
            .put((byte) colourType)
            .put((byte) 0)
            .put((byte) 0)
            .put((byte) 0)
            .array());
    return out;
  }

  /** Appends a chunk: length, type, data, CRC of type and data. */
  static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** Inserts a chunk right after the IHDR chunk (which ends at byte 33). */
  static byte[] withChunkAfterHeader(byte[] png, String type, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 33);
    chunk(out, type, data);
    out.write(png, 33, png.length - 33);
    return out.toByteArray();
  }
}
