package dev.masksearch.chi;

import dev.masksearch.mask.Mask;

/**
 * The per-field parameters of the Cumulative Histogram Index.
 *
 * @param gridStep the spacing of the spatial grid lines, in pixels; lines sit at multiples of it
 *     and at the mask's right and bottom edges
 * @param bins the number of equal-width value bins over [0, 1); the value 1.0 always gets a bin of
 *     its own, so a range that ends at 1 ({@code [lv, 1)}) or just past it is aligned when {@code
 *     lv} is
 */
public record ChiParams(int gridStep, int bins) {
  /**
   * The grid step used when a field does not set one; docs/benchmarks.md has the measurements
   * behind it.
   */
  public static final int DEFAULT_GRID_STEP = 32;

  /**
   * The bin count used when a field does not set one: 20 bins put a bin edge at every multiple of
   * 0.05, so the thresholds people write (0.2, 0.5, 0.6, 0.8, 0.85, 0.9, ...) are exact in the
   * value dimension. In the parameter sweep this read 4x fewer masks than 16 bins for 26% more CHI
   * bytes.
   */
  public static final int DEFAULT_BINS = 20;

  /** The largest bin count. */
  public static final int MAX_BINS = 256;

  /** The parameters every field gets by default. */
  public static final ChiParams DEFAULT = new ChiParams(DEFAULT_GRID_STEP, DEFAULT_BINS);

  public ChiParams {
    if (gridStep < 1 || gridStep > Mask.MAX_SIDE) {
      throw new IllegalArgumentException(
          "grid_step must be between 1 and " + Mask.MAX_SIDE + ", got " + gridStep);
    }
    if (bins < 1 || bins > MAX_BINS) {
      throw new IllegalArgumentException(
          "bins must be between 1 and " + MAX_BINS + ", got " + bins);
    }
  }

  /**
   * The parameters of the first tier of a CHI stored in two tiers (docs/design.md, section 4):
   * twice the grid step (while that is a valid step) and every other level when the bin count is
   * even, so that each of its cells joins at most 2 x 2 cells of these parameters and each of its
   * bins two of theirs ({@link Chi#coarsen}): bin edges {@code b / (bins / 2)} are the edges {@code
   * 2b / bins}.
   */
  public ChiParams firstTier() {
    int step = 2 * gridStep <= Mask.MAX_SIDE ? 2 * gridStep : gridStep;
    return new ChiParams(step, bins % 2 == 0 ? bins / 2 : bins);
  }

  /** The most CHI entries one mask may have (16 MiB of counts while it is built). */
  public static final long MAX_ENTRIES_PER_MASK = 1L << 22;

  /**
   * Throws unless the CHI of a {@code height x width} mask fits {@link #MAX_ENTRIES_PER_MASK};
   * checked when a mask is added to a document, so that an oversized CHI never reaches a segment
   * flush.
   */
  public void checkFits(int height, int width) {
    long entries =
        (long) ChiGrid.cells(width, gridStep) * ChiGrid.cells(height, gridStep) * (bins + 1L);
    if (entries > MAX_ENTRIES_PER_MASK) {
      throw new IllegalArgumentException(
          "a "
              + height
              + "x"
              + width
              + " mask with grid_step "
              + gridStep
              + " and "
              + bins
              + " bins needs "
              + entries
              + " CHI entries, more than the limit of "
              + MAX_ENTRIES_PER_MASK
              + "; use a larger grid_step or fewer bins");
    }
  }
}
