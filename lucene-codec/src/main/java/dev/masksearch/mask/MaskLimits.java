package dev.masksearch.mask;

/**
 * The largest mask a caller accepts, tighter than (or equal to) the format's own {@link
 * Mask#MAX_SIDE}: a decoder checks a mask's shape against it as soon as a header tells the shape,
 * before it allocates the pixels.
 *
 * @param maxSide the largest height or width, 1 to {@link Mask#MAX_SIDE}
 * @param maxPixels the largest {@code height * width}, at least 1
 */
public record MaskLimits(int maxSide, long maxPixels) {
  /** What the format itself allows: {@link Mask#MAX_SIDE} a side. */
  public static final MaskLimits FORMAT =
      new MaskLimits(Mask.MAX_SIDE, (long) Mask.MAX_SIDE * Mask.MAX_SIDE);

  public MaskLimits {
    if (maxSide < 1 || maxSide > Mask.MAX_SIDE) {
      throw new IllegalArgumentException(
          "maxSide must be between 1 and " + Mask.MAX_SIDE + ", got " + maxSide);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be at least 1, got " + maxPixels);
    }
  }

  /**
   * The most pixels a mask within these limits can have: {@code maxPixels}, or {@code maxSide}
   * squared if that is smaller (at most 4096 x 4096, so a caller can multiply it by a pixel's bytes
   * without overflow, whatever {@code maxPixels} is).
   */
  public long largestPixelCount() {
    return Math.min(maxPixels, (long) maxSide * maxSide);
  }

  /**
   * Throws a {@link MaskFormatException} naming the shape and the limit unless a {@code height x
   * width} mask fits.
   */
  public void check(long height, long width) {
    Mask.checkShape(height, width); // the format's own bounds first, with its message
    if (height > maxSide || width > maxSide) {
      throw new MaskFormatException(
          "the mask is "
              + height
              + " x "
              + width
              + " pixels (height x width), over the "
              + "limit of "
              + maxSide
              + " a side");
    }
    if (height * width > maxPixels) {
      throw new MaskFormatException(
          "the mask is "
              + height
              + " x "
              + width
              + " = "
              + height * width
              + " pixels, over the limit of "
              + maxPixels
              + " pixels");
    }
  }

  /**
   * Throws unless {@code pixels} values, counted while reading a mask whose shape is not known yet
   * (up to row {@code row}), can still fit.
   */
  public void checkPixels(long pixels, int row) {
    if (pixels > maxPixels) {
      throw new MaskFormatException(
          "the mask has more than "
              + maxPixels
              + " pixels by row "
              + row
              + ", over the limit of "
              + maxPixels
              + " pixels");
    }
  }
}
