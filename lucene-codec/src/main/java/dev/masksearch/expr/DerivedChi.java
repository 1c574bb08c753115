package dev.masksearch.expr;

import dev.masksearch.chi.ChiGrid;
import dev.masksearch.mask.Roi;

/**
 * The CHI of one derived binary mask (a predicate's result over a document's masks): the number of pixels where
 * it holds in {@code [0, lineX(i)) x [0, lineY(j))} for every pair of grid lines, so that the count in any region
 * is bounded by the counts of the grid-aligned rectangles just inside and just outside it (exact when aligned).
 */
final class DerivedChi {
  static final int STEP = 32;

  private final ChiGrid grid;
  private final int[] cumulative; // (gx + 1) x (gy + 1), row-major by j

  private DerivedChi(ChiGrid grid, int[] cumulative) {
    this.grid = grid;
    this.cumulative = cumulative;
  }

  /** Builds the CHI of {@code pixels}, row-major over a {@code width x height} domain. */
  static DerivedChi of(boolean[] pixels, int width, int height) {
    ChiGrid grid = new ChiGrid(STEP, width, height);
    int gx = grid.gx();
    int gy = grid.gy();
    int[] cumulative = new int[(gx + 1) * (gy + 1)];
    for (int j = 1; j <= gy; j++) {
      for (int i = 1; i <= gx; i++) {
        int cell = 0;
        for (int y = grid.lineY(j - 1); y < grid.lineY(j); y++) {
          for (int x = grid.lineX(i - 1); x < grid.lineX(i); x++) {
            cell += pixels[y * width + x] ? 1 : 0;
          }
        }
        cumulative[j * (gx + 1) + i] = cell + at(cumulative, gx, i - 1, j) + at(cumulative, gx, i, j - 1)
            - at(cumulative, gx, i - 1, j - 1);
      }
    }
    return new DerivedChi(grid, cumulative);
  }

  /** Whether it was built over this domain (a document's masks do not change within a segment). */
  boolean covers(int width, int height) {
    return grid.width() == width && grid.height() == height;
  }

  /** Lower and upper bound of the count in {@code roi}, into {@code out[0..1]}. */
  void bounds(Roi roi, double[] out) {
    Roi r = roi.clip(grid.width(), grid.height());
    if (r.isEmpty()) {
      out[0] = out[1] = 0;
      return;
    }
    int gx = grid.gx();
    // Inner rectangle: lines at or inside the region; outer: lines at or outside it.
    int ix1 = lineAtOrAfter(r.x1(), true);
    int ix2 = lineAtOrBefore(r.x2(), true);
    int iy1 = lineAtOrAfter(r.y1(), false);
    int iy2 = lineAtOrBefore(r.y2(), false);
    int ox1 = lineAtOrBefore(r.x1(), true);
    int ox2 = lineAtOrAfter(r.x2(), true);
    int oy1 = lineAtOrBefore(r.y1(), false);
    int oy2 = lineAtOrAfter(r.y2(), false);
    out[0] = ix1 < ix2 && iy1 < iy2 ? rect(gx, ix1, iy1, ix2, iy2) : 0;
    out[1] = rect(gx, ox1, oy1, ox2, oy2);
  }

  long sizeInBytes() {
    // The array and this object, plus the cache's entry: boxed doc id, map node, grid record (about 104 bytes).
    return 4L * cumulative.length + 104;
  }

  private int rect(int gx, int i1, int j1, int i2, int j2) {
    return at(cumulative, gx, i2, j2) - at(cumulative, gx, i1, j2) - at(cumulative, gx, i2, j1) + at(cumulative, gx, i1, j1);
  }

  private static int at(int[] cumulative, int gx, int i, int j) {
    return cumulative[j * (gx + 1) + i];
  }

  /** The index of the first line at or after pixel coordinate {@code c}. */
  private int lineAtOrAfter(int c, boolean x) {
    int cells = x ? grid.gx() : grid.gy();
    int i = Math.ceilDiv(c, STEP);
    while (i > 0 && line(i - 1, x) >= c) {
      i--;
    }
    return Math.min(i, cells);
  }

  /** The index of the last line at or before pixel coordinate {@code c}. */
  private int lineAtOrBefore(int c, boolean x) {
    int cells = x ? grid.gx() : grid.gy();
    int i = Math.min(c / STEP, cells);
    while (i < cells && line(i + 1, x) <= c) {
      i++;
    }
    return i;
  }

  private int line(int i, boolean x) {
    return x ? grid.lineX(i) : grid.lineY(i);
  }
}
