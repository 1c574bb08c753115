package dev.masksearch.mask;

/**
 * A half-open rectangle {@code [x1, x2) x [y1, y2)} in pixels; x is the column, y the row. Any
 * integers are allowed: a region past the mask's edge is clipped to it, and an inverted or
 * clipped-away region is empty.
 */
public record Roi(int x1, int y1, int x2, int y2) implements Region {

  /**
   * The largest coordinate a stored box keeps; clipping to a mask of at most {@link Mask#MAX_SIDE}
   * makes larger values equivalent.
   */
  public static final int MAX_COORDINATE = 65535;

  /** A region covering any mask entirely. */
  public static final Roi FULL = new Roi(0, 0, MAX_COORDINATE, MAX_COORDINATE);

  /** This region clipped to a {@code width x height} mask; may be empty. */
  public Roi clip(int width, int height) {
    return new Roi(
        Math.clamp(x1, 0, width),
        Math.clamp(y1, 0, height),
        Math.clamp(x2, 0, width),
        Math.clamp(y2, 0, height));
  }

  /** Whether the region holds no pixel. */
  public boolean isEmpty() {
    return x1 >= x2 || y1 >= y2;
  }

  @Override
  public long area(int width, int height) {
    return clip(width, height).area();
  }

  @Override
  public long countPixels(Mask mask, ValueRange range) {
    return mask.countPixels(this, range);
  }

  /** The number of pixels, 0 when empty. */
  public long area() {
    return isEmpty() ? 0 : ((long) x2 - x1) * ((long) y2 - y1);
  }

  /**
   * Packs a region into one long, 16 bits a coordinate, after clamping each coordinate to {@code
   * [0, MAX_COORDINATE]} (which clipping to any mask makes equivalent). See {@link #unpack(long)}.
   */
  public long pack() {
    return clampCoordinate(x1)
        | clampCoordinate(y1) << 16
        | clampCoordinate(x2) << 32
        | clampCoordinate(y2) << 48;
  }

  /** The inverse of {@link #pack()}. */
  public static Roi unpack(long packed) {
    return new Roi(
        (int) (packed & 0xFFFF),
        (int) (packed >>> 16 & 0xFFFF),
        (int) (packed >>> 32 & 0xFFFF),
        (int) (packed >>> 48 & 0xFFFF));
  }

  private static long clampCoordinate(int c) {
    return Math.clamp(c, 0, MAX_COORDINATE);
  }
}
