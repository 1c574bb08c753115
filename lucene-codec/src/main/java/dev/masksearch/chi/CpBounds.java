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
    return compute(grid, chi, roi, levels, false);
  }

  /**
   * Like {@link #compute}, but bounds the pixels between the inner and outer rectangles cell by
   * cell: each border cell c that R covers by a_c of its n_c pixels adds {@code min(a_c, C(c,
   * overlapping))} to the upper bound and {@code max(0, C(c, inner) - (n_c - a_c))} to the lower
   * one. Never looser than {@link #compute} and the tightest the CHI supports, at about 16 look-ups
   * per border cell: a second stage for documents the first leaves undecided, still far cheaper
   * than reading the mask.
   */
  public CpBounds computeRefined(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    return compute(grid, chi, roi, levels, true);
  }

  private CpBounds compute(
      ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels, boolean perCell) {
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
    if (perCell) {
      upper = innerOverlapping;
      lower = innerInside;
      for (int cy = outer.ya(); cy < outer.yb(); cy++) {
        for (int cx = outer.xa(); cx < outer.xb(); cx++) {
          if (cx >= inner.xa() && cx < inner.xb() && cy >= inner.ya() && cy < inner.yb()) {
            continue; // interior cell, counted with the inner rectangle
          }
          upper += cellUpper(grid, chi, r, levels, cx, cy);
          lower += cellLower(grid, chi, r, levels, cx, cy);
        }
      }
      return this;
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
   * The exact CP count over {@code roi}, reading the mask only where the CHI leaves it open: the
   * interior rectangle comes from the CHI when the range is aligned to the bins, and every other
   * cell of the outer rectangle whose per-cell bounds ({@link #computeRefined}) meet adds that
   * count; only the remaining cells are counted from {@code pixels}, and only their part inside the
   * ROI. For near-binary masks most border cells are all background or all foreground and are
   * decided this way.
   */
  public static long exactCount(
      ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels, Pixels pixels)
      throws IOException {
    Roi r = roi.clip(grid.width(), grid.height());
    if (r.isEmpty() || levels.isEmpty()) {
      return 0;
    }
    ChiGrid.Cells outer = grid.outer(r);
    ChiGrid.Cells inner = grid.inner(r);
    boolean innerFromChi = levels.isAligned() && !inner.isEmpty();
    long count = innerFromChi ? rect(grid, chi, inner, levels.outerFrom(), levels.outerTo()) : 0;
    for (int cy = outer.ya(); cy < outer.yb(); cy++) {
      for (int cx = outer.xa(); cx < outer.xb(); cx++) {
        if (innerFromChi
            && cx >= inner.xa()
            && cx < inner.xb()
            && cy >= inner.ya()
            && cy < inner.yb()) {
          continue;
        }
        long upper = cellUpper(grid, chi, r, levels, cx, cy);
        long lower = cellLower(grid, chi, r, levels, cx, cy);
        count +=
            lower == upper
                ? lower
                : pixels.count(
                    Math.max(r.x1(), grid.lineX(cx)),
                    Math.max(r.y1(), grid.lineY(cy)),
                    Math.min(r.x2(), grid.lineX(cx + 1)),
                    Math.min(r.y2(), grid.lineY(cy + 1)));
      }
    }
    return count;
  }

  /**
   * The second stage's upper bound of the pixels of cell (cx, cy) in R: {@code min(a_c, C(c,
   * overlapping))}.
   */
  private static long cellUpper(
      ChiGrid grid, ChiLookup chi, Roi r, BinEdges.Levels levels, int cx, int cy) {
    ChiGrid.Cells cell = new ChiGrid.Cells(cx, cx + 1, cy, cy + 1);
    return Math.min(
        grid.covered(r, cx, cy), rect(grid, chi, cell, levels.outerFrom(), levels.outerTo()));
  }

  /** Its lower bound: {@code max(0, C(c, inner) - (n_c - a_c))}. */
  private static long cellLower(
      ChiGrid grid, ChiLookup chi, Roi r, BinEdges.Levels levels, int cx, int cy) {
    ChiGrid.Cells cell = new ChiGrid.Cells(cx, cx + 1, cy, cy + 1);
    long uncovered = grid.area(cell) - grid.covered(r, cx, cy);
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
