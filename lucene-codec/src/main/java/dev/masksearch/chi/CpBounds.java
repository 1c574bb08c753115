package dev.masksearch.chi;

import dev.masksearch.mask.Roi;

/**
 * Lower and upper bounds of CP(mask, roi, range) from a mask's CHI, following MaskSearch: with {@code R} the ROI
 * clipped to the mask, {@code R_out} the smallest grid-aligned rectangle around it, {@code R_in} the largest inside
 * it, and {@code C(S, L)} the CHI count of region S over a level bracket L,
 *
 * <pre>
 * upper = min( C(R_out, overlapping bins), C(R_in, overlapping bins) + |R| - |R_in| )
 * lower = max( C(R_out, inner bins) - (|R_out| - |R|), C(R_in, inner bins), 0 )
 * </pre>
 *
 * Both are exact when R is aligned to the grid (or meets the mask's edge) and the range to the bins. A mutable
 * holder, so that scanning many documents allocates nothing.
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

  /** Sets this to the bounds of CP over {@code roi} and the level bracket of a range; returns this. */
  public CpBounds compute(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    return compute(grid, chi, roi, levels, false);
  }

  /**
   * Like {@link #compute}, but bounds the pixels between the inner and outer rectangles cell by cell: each border
   * cell c that R covers by a_c of its n_c pixels adds {@code min(a_c, C(c, overlapping))} to the upper bound and
   * {@code max(0, C(c, inner) - (n_c - a_c))} to the lower one. Never looser than {@link #compute} and the
   * tightest the CHI supports, at about 16 look-ups per border cell: a second stage for documents the first
   * leaves undecided, still far cheaper than reading the mask.
   */
  public CpBounds computeRefined(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    return compute(grid, chi, roi, levels, true);
  }

  private CpBounds compute(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels, boolean perCell) {
    Roi r = roi.clip(grid.width(), grid.height());
    if (r.isEmpty() || levels.isEmpty()) {
      lower = upper = 0;
      return this;
    }
    int s = grid.step();
    int gx = grid.gx();
    int gy = grid.gy();
    // Outer: floor the start, ceil the end; inner: the reverse. A side on the mask's edge is on the last line.
    int oxa = r.x1() / s;
    int oya = r.y1() / s;
    int oxb = r.x2() == grid.width() ? gx : Math.ceilDiv(r.x2(), s);
    int oyb = r.y2() == grid.height() ? gy : Math.ceilDiv(r.y2(), s);
    int ixa = Math.ceilDiv(r.x1(), s);
    int iya = Math.ceilDiv(r.y1(), s);
    int ixb = r.x2() == grid.width() ? gx : r.x2() / s;
    int iyb = r.y2() == grid.height() ? gy : r.y2() / s;
    boolean hasInner = ixa < ixb && iya < iyb;

    long area = r.area();
    long innerArea = 0;
    long innerOverlapping = 0;
    long innerInside = 0;
    boolean aligned = levels.isAligned();
    if (hasInner) {
      innerArea = rectArea(grid, ixa, ixb, iya, iyb);
      innerOverlapping = rect(grid, chi, ixa, ixb, iya, iyb, levels.outerFrom(), levels.outerTo());
      innerInside = aligned ? innerOverlapping : rect(grid, chi, ixa, ixb, iya, iyb, levels.innerFrom(), levels.innerTo());
    }
    if (perCell) {
      upper = innerOverlapping;
      lower = innerInside;
      for (int cy = oya; cy < oyb; cy++) {
        for (int cx = oxa; cx < oxb; cx++) {
          if (hasInner && cx >= ixa && cx < ixb && cy >= iya && cy < iyb) {
            continue; // interior cell, counted with the inner rectangle
          }
          long cellArea = rectArea(grid, cx, cx + 1, cy, cy + 1);
          long covered = (long) (Math.min(r.x2(), grid.lineX(cx + 1)) - Math.max(r.x1(), grid.lineX(cx)))
              * (Math.min(r.y2(), grid.lineY(cy + 1)) - Math.max(r.y1(), grid.lineY(cy)));
          upper += Math.min(covered, rect(grid, chi, cx, cx + 1, cy, cy + 1, levels.outerFrom(), levels.outerTo()));
          lower += Math.max(0, rect(grid, chi, cx, cx + 1, cy, cy + 1, levels.innerFrom(), levels.innerTo()) - (cellArea - covered));
        }
      }
      return this;
    }
    if (hasInner && innerArea == area) { // R is aligned: R_out = R_in = R, and the inner counts are the answer
      upper = innerOverlapping;
      lower = innerInside;
      return this;
    }
    long outerArea = rectArea(grid, oxa, oxb, oya, oyb);
    long outerOverlapping = rect(grid, chi, oxa, oxb, oya, oyb, levels.outerFrom(), levels.outerTo());
    long outerInside = aligned ? outerOverlapping : rect(grid, chi, oxa, oxb, oya, oyb, levels.innerFrom(), levels.innerTo());
    upper = Math.min(outerOverlapping, innerOverlapping + area - innerArea);
    lower = Math.max(Math.max(outerInside - (outerArea - area), innerInside), 0);
    return this;
  }

  private static long rectArea(ChiGrid grid, int xa, int xb, int ya, int yb) {
    return (long) (grid.lineX(xb) - grid.lineX(xa)) * (grid.lineY(yb) - grid.lineY(ya));
  }

  /** Pixels of the aligned rectangle between lines xa..xb and ya..yb with level in [from, to). */
  private static long rect(ChiGrid grid, ChiLookup chi, int xa, int xb, int ya, int yb, int from, int to) {
    if (from >= to) {
      return 0;
    }
    return rectAtLeast(grid, chi, xa, xb, ya, yb, from) - rectAtLeast(grid, chi, xa, xb, ya, yb, to);
  }

  private static long rectAtLeast(ChiGrid grid, ChiLookup chi, int xa, int xb, int ya, int yb, int level) {
    return cumulative(grid, chi, xb, yb, level)
        - cumulative(grid, chi, xa, yb, level)
        - cumulative(grid, chi, xb, ya, level)
        + cumulative(grid, chi, xa, ya, level);
  }

  /** The CHI entry with its implied borders: 0 on the top and left lines, the area at level 0, 0 past the top bin. */
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
