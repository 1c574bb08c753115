package dev.masksearch.chi;

import dev.masksearch.mask.Mask;

/**
 * The per-field parameters of the Cumulative Histogram Index.
 *
 * @param gridStep the spacing of the spatial grid lines, in pixels; lines sit at multiples of it and at the
 *     mask's right and bottom edges
 * @param bins the number of equal-width value bins over [0, 1); the value 1.0 always gets a bin of its own, so a
 *     range that ends at 1 ({@code [lv, 1)}) or just past it is aligned when {@code lv} is
 */
public record ChiParams(int gridStep, int bins) {
  /** The grid step used when a field does not set one; see docs/design.md for the measurement behind it. */
  public static final int DEFAULT_GRID_STEP = 32;

  /** The bin count used when a field does not set one. */
  public static final int DEFAULT_BINS = 16;

  /** The largest bin count. */
  public static final int MAX_BINS = 256;

  /** The parameters every field gets by default. */
  public static final ChiParams DEFAULT = new ChiParams(DEFAULT_GRID_STEP, DEFAULT_BINS);

  public ChiParams {
    if (gridStep < 1 || gridStep > Mask.MAX_SIDE) {
      throw new IllegalArgumentException("grid_step must be between 1 and " + Mask.MAX_SIDE + ", got " + gridStep);
    }
    if (bins < 1 || bins > MAX_BINS) {
      throw new IllegalArgumentException("bins must be between 1 and " + MAX_BINS + ", got " + bins);
    }
  }

  /** Cumulative levels stored per grid point: "bin >= b" for b = 1 .. bins (level 0 is the area, derived). */
  public int storedLevels() {
    return bins;
  }
}
