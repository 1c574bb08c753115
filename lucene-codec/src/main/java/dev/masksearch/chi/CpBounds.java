package dev.masksearch.chi;

import dev.masksearch.mask.Roi;
import java.io.IOException;

/**
 * Lower and upper bounds of CP(mask, roi, range) from a mask's CHI, following MaskSearch: with
 * {@code R} the ROI clipped to the mask, {@code R_out} the smallest grid-aligned rectangle around
 * it, {@code R_in} the largest inside it, and {@code C(S, L)} the CHI count of region S over a
 * level bracket L,
 *
 * <pre>
 * upper = min( C(R_out, overlapping bins), C(R_in, overlapping bins) + |R| - |R_in| )
 * lower = max( C(R_out, inner bins) - (|R_out| - |R|), C(R_in, inner bins), 0 )
 * </pre>
 *
 * Both are exact when R is aligned to the grid (or meets the mask's edge) and the range to the
 * bins. A mutable holder, so that scanning many documents allocates nothing.
 */
public final class CpBounds {
  /** A bound no smaller than the true count. */
  public long upper;

  /** A bound no larger than the true count. */
  public long lower;

  /** Whether the bounds pin the exact count, so no mask needs to be read. */
  public boolean isExact() {
    return lower == upper;
  }

  /**
   * Sets this to the bounds of CP over {@code roi} and the level bracket of a range; returns this.
   */
  public CpBounds compute(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    Roi r = roi.clip(grid.width(), grid.height());
    if (r.isEmpty() || levels.isEmpty()) {
      lower = upper = 0;
      return this;
    }
    ChiGrid.Cells outer = grid.outer(r);
    ChiGrid.Cells inner = grid.inner(r);
    long area = r.area();
    long innerArea = grid.area(inner);
    long innerOverlapping = 0;
    long innerInside = 0;
    if (!inner.isEmpty()) {
      innerOverlapping = rect(grid, chi, inner, levels.outerFrom(), levels.outerTo());
      innerInside =
          levels.isAligned()
              ? innerOverlapping
              : rect(grid, chi, inner, levels.innerFrom(), levels.innerTo());
    }
    if (innerArea == area) { // R is aligned: R_out = R_in = R, and the inner counts are the answer
      upper = innerOverlapping;
      lower = innerInside;
      return this;
    }
    long outerOverlapping = rect(grid, chi, outer, levels.outerFrom(), levels.outerTo());
    long outerInside =
        levels.isAligned()
            ? outerOverlapping
            : rect(grid, chi, outer, levels.innerFrom(), levels.innerTo());
    upper = upper(outerOverlapping, innerOverlapping, area, innerArea);
    lower = lower(outerInside, innerInside, area, grid.area(outer));
    return this;
  }

  /**
   * Like {@link #compute}, but bounds the pixels between the inner and outer rectangles cell by
   * cell (see {@link #computeRefined(ChiLookup, CellCover, BinEdges.Levels)}).
   */
  public CpBounds computeRefined(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    return computeRefined(chi, CellCover.of(grid, roi), levels);
  }

  /**
   * The tightest bounds the CHI supports for a region of any shape: its whole cells exactly as the
   * CHI counts them (over the overlapping and the inner bins), and each crossing cell c that the
   * region covers by a_c of its n_c pixels adding {@code min(a_c, C(c, overlapping))} to the upper
   * bound and {@code max(0, C(c, inner) - (n_c - a_c))} to the lower one. Never looser than the
   * first stage ({@link #compute}, {@link BoundsPlan}), at about 16 look-ups per crossing cell: a
   * second stage for documents the first leaves undecided, still far cheaper than reading the mask.
   */
  public CpBounds computeRefined(ChiLookup chi, CellCover cover, BinEdges.Levels levels) {
    ChiGrid grid = cover.grid();
    upper = 0;
    lower = 0;
    if (cover.area() == 0 || levels.isEmpty()) {
      return this;
    }
    for (ChiGrid.Cells cells : cover.inside()) {
      upper += rect(grid, chi, cells, levels.outerFrom(), levels.outerTo());
      lower += rect(grid, chi, cells, levels.innerFrom(), levels.innerTo());
    }
    for (int k = 0; k < cover.crossingCount(); k++) {
      int cx = cover.crossingX(k);
      int cy = cover.crossingY(k);
      upper += cellUpper(grid, chi, levels, cx, cy, cover.covered(k));
      lower += cellLower(grid, chi, levels, cx, cy, cover.cellArea(k) - cover.covered(k));
    }
    return this;
  }

  /**
   * The pixels of one mask, read by rectangle: what verification counts where the CHI does not
   * decide.
   */
  @FunctionalInterface
  public interface Pixels {
    /**
     * The pixels of rows {@code [y1, y2)} and columns {@code [x1, x2)} (within the mask) whose
     * value lies in the range being counted.
     */
    long count(int x1, int y1, int x2, int y2) throws IOException;
  }

  /**
   * The exact CP count over a region, reading the mask only where the CHI leaves it open: the whole
   * cells come from the CHI when the range is aligned to the bins, and every other cell whose
   * per-cell bounds ({@link #computeRefined}) meet adds that count; only the remaining cells are
   * counted from {@code pixels}, and only their pixels inside the region. For near-binary masks
   * most crossing cells are all background or all foreground and are decided this way.
   */
  public static long exactCount(
      ChiLookup chi, CellCover cover, BinEdges.Levels levels, Pixels pixels) throws IOException {
    ChiGrid grid = cover.grid();
    if (cover.area() == 0 || levels.isEmpty()) {
      return 0;
    }
    long count = 0;
    for (ChiGrid.Cells cells : cover.inside()) {
      if (levels.isAligned()) {
        count += rect(grid, chi, cells, levels.outerFrom(), levels.outerTo());
        continue;
      }
      for (int cy = cells.ya(); cy < cells.yb(); cy++) {
        for (int cx = cells.xa(); cx < cells.xb(); cx++) {
          long upper = cellUpper(grid, chi, levels, cx, cy, Long.MAX_VALUE);
          long lower = cellLower(grid, chi, levels, cx, cy, 0);
          count +=
              lower == upper
                  ? lower
                  : pixels.count(
                      grid.lineX(cx), grid.lineY(cy), grid.lineX(cx + 1), grid.lineY(cy + 1));
        }
      }
    }
    for (int k = 0; k < cover.crossingCount(); k++) {
      int cx = cover.crossingX(k);
      int cy = cover.crossingY(k);
      long upper = cellUpper(grid, chi, levels, cx, cy, cover.covered(k));
      long lower = cellLower(grid, chi, levels, cx, cy, cover.cellArea(k) - cover.covered(k));
      count += lower == upper ? lower : cover.countCrossing(k, pixels);
    }
    return count;
  }

  /**
   * The second stage's upper bound of the pixels of cell (cx, cy) in a region covering {@code
   * covered} of them: {@code min(a_c, C(c, overlapping))}.
   */
  private static long cellUpper(
      ChiGrid grid, ChiLookup chi, BinEdges.Levels levels, int cx, int cy, long covered) {
    ChiGrid.Cells cell = new ChiGrid.Cells(cx, cx + 1, cy, cy + 1);
    return Math.min(covered, rect(grid, chi, cell, levels.outerFrom(), levels.outerTo()));
  }

  /** Its lower bound: {@code max(0, C(c, inner) - (n_c - a_c))}. */
  private static long cellLower(
      ChiGrid grid, ChiLookup chi, BinEdges.Levels levels, int cx, int cy, long uncovered) {
    ChiGrid.Cells cell = new ChiGrid.Cells(cx, cx + 1, cy, cy + 1);
    return Math.max(0, rect(grid, chi, cell, levels.innerFrom(), levels.innerTo()) - uncovered);
  }

  /**
   * The upper bound from the counts of the outer and inner rectangles over the overlapping bins
   * (see above).
   */
  public static long upper(
      long outerOverlapping, long innerOverlapping, long area, long innerArea) {
    return Math.min(outerOverlapping, innerOverlapping + area - innerArea);
  }

  /**
   * The lower bound from the counts of the outer and inner rectangles over the inner bins (see
   * above).
   */
  public static long lower(long outerInside, long innerInside, long area, long outerArea) {
    return Math.max(Math.max(outerInside - (outerArea - area), innerInside), 0);
  }

  /** Pixels of an aligned rectangle with level in [from, to). */
  private static long rect(ChiGrid grid, ChiLookup chi, ChiGrid.Cells c, int from, int to) {
    if (from >= to) {
      return 0;
    }
    return rectAtLeast(grid, chi, c.xa(), c.xb(), c.ya(), c.yb(), from)
        - rectAtLeast(grid, chi, c.xa(), c.xb(), c.ya(), c.yb(), to);
  }

  private static long rectAtLeast(
      ChiGrid grid, ChiLookup chi, int xa, int xb, int ya, int yb, int level) {
    return cumulative(grid, chi, xb, yb, level)
        - cumulative(grid, chi, xa, yb, level)
        - cumulative(grid, chi, xb, ya, level)
        + cumulative(grid, chi, xa, ya, level);
  }

  /**
   * The CHI entry with its implied borders: 0 on the top and left lines, the area at level 0, 0
   * past the top bin.
   */
  private static long cumulative(ChiGrid grid, ChiLookup chi, int i, int j, int level) {
    if (i == 0 || j == 0) {
      return 0;
    }
    if (level == 0) {
      return (long) grid.lineX(i) * grid.lineY(j);
    }
    if (level > chi.bins()) {
      return 0;
    }
    return chi.count(i, j, level);
  }
}
