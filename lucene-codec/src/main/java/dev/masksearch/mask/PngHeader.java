package dev.masksearch.mask;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a PNG's signature and IHDR chunk say about its pixels, read from the first 33 bytes before
 * any image data is inflated, so that a PNG a mask cannot come from is refused before it costs
 * memory.
 *
 * @param height rows, as the header claims them
 * @param width columns, as the header claims them
 * @param bitDepth bits per sample: 1, 2, 4, 8 or 16
 * @param colourType the PNG colour type: 0 grayscale, 2 RGB, 3 palette, 4 grayscale and alpha, 6
 *     RGB and alpha
 */
record PngHeader(long height, long width, int bitDepth, int colourType) {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final int IHDR = 0x49484452;
  private static final int GRAYSCALE = 0;
  private static final int PALETTE = 3;

  /**
   * Reads the signature and the IHDR chunk; throws a {@link MaskFormatException} unless they are
   * well-formed and describe a single-channel grayscale image (any PNG bit depth) whose shape fits
   * {@code limits}.
   */
  static PngHeader read(byte[] png, MaskLimits limits) {
    if (png.length < SIGNATURE.length
        || !Arrays.equals(png, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      throw new MaskFormatException("not a PNG: the PNG signature is missing");
    }
    // signature (8), IHDR length (4) and type (4), then width, height (4 each) and five one-byte
    // fields
    if (png.length < 8 + 8 + 13) {
      throw new MaskFormatException("corrupt PNG: it ends before its IHDR header chunk");
    }
    ByteBuffer in = ByteBuffer.wrap(png); // big-endian, as PNG
    if (in.getInt(8) != 13 || in.getInt(12) != IHDR) {
      throw new MaskFormatException(
          "corrupt PNG: it does not start with a 13-byte IHDR header chunk");
    }
    long width = Integer.toUnsignedLong(in.getInt(16));
    long height = Integer.toUnsignedLong(in.getInt(20));
    PngHeader header = new PngHeader(height, width, png[24] & 0xFF, png[25] & 0xFF);
    header.checkSamples();
    requireZero(png[26], "compression method");
    requireZero(png[27], "filter method");
    if ((png[28] & 0xFF) > 1) {
      throw new MaskFormatException("corrupt PNG: unknown interlace method " + (png[28] & 0xFF));
    }
    limits.check(header.height, header.width);
    return header;
  }

  /**
   * The mask's element type: uint16 for 16-bit samples, uint8 for 1 to 8 bits (scaled to 0..255).
   */
  MaskDType dtype() {
    return bitDepth == 16 ? MaskDType.UINT16 : MaskDType.UINT8;
  }

  private void checkSamples() {
    int channels =
        switch (colourType) {
          case GRAYSCALE, PALETTE -> 1;
          case 2 -> 3;
          case 4 -> 2;
          case 6 -> 4;
          default ->
              throw new MaskFormatException("corrupt PNG: unknown colour type " + colourType);
        };
    boolean validDepth =
        switch (colourType) {
          case GRAYSCALE ->
              bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
          case PALETTE -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
          default -> bitDepth == 8 || bitDepth == 16;
        };
    if (!validDepth) {
      throw new MaskFormatException(
          "corrupt PNG: bit depth " + bitDepth + " is not valid for colour type " + colourType);
    }
    if (colourType == PALETTE) {
      throw new MaskFormatException(
          "PNG uses a palette; a mask must be a single-channel grayscale PNG");
    }
    if (channels != 1) {
      throw new MaskFormatException(
          "PNG has "
              + channels
              + " channels (colour type "
              + colourType
              + "); a mask must be a single-channel grayscale PNG");
    }
  }

  private static void requireZero(byte field, String name) {
    if (field != 0) {
      throw new MaskFormatException("corrupt PNG: unknown " + name + " " + (field & 0xFF));
    }
  }
}
