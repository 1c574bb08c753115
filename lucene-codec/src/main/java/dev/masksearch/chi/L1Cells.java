package dev.masksearch.chi;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;

/**
 * Bounds on the sum of absolute differences {@code sum |d - q|} between a document's mask d and a
 * query mask q over a region R, from the document's CHI. By the layer-cake identity {@code |d - q|
 * = integral over t in [0, 1] of |[d >= t] - [q >= t]|}, the sum is the integral over t of the
 * symmetric difference of the two masks thresholded at t. In a cell c with a_c pixels of R, at t in
 * the bin {@code [L / B, (L + 1) / B)}, the document's pixels at or above t lie between its counts
 * at levels L + 1 and L ({@code [d_{L+1}, d_L]}, from the CHI, less the pixels outside R for a
 * crossing cell) and the query's between {@code [q_{L+1}, q_L]}; the symmetric difference of counts
 * d and q in a_c pixels is at least {@code |d - q|} and at most {@code min(d + q, 2 a_c - d - q)}.
 * So each cell and bin adds {@code dist([d], [q]) / B} to the lower bound and {@code min(d_L + q_L,
 * 2 a_c - d_{L+1} - q_{L+1}) / B} to the upper one. The query's counts are made once per grid; a
 * document costs one bulk read of its CHI at every level ({@link CellCounts#allLevels}).
 */
public final class L1Cells {
  private final int bins;
  private final int[] cells; // (cx, cy) of each cell R touches
  private final long[] regionCovered; // a_c
  private final long[] uncovered; // n_c - a_c
  private final long[] queryAtLeast; // per cell, levels 0 .. bins + 1: query pixels of R >= L / B
  private final CellCounts counts;
  private final long area;

  /** The cells of {@code region} on {@code grid} with the query mask's counts per level. */
  public L1Cells(ChiGrid grid, int bins, Region region, Mask like) {
    this.bins = bins;
    CellCover cover = CellCover.of(grid, region);
    this.area = cover.area();
    int gx = grid.gx();
    int cellCount = gx * grid.gy();
    long[] covered = new long[cellCount];
    long[] query = new long[cellCount * (bins + 2)];
    Shape pixels = region instanceof Shape shape ? shape : null;
    Roi box = region instanceof Roi r ? r.clip(grid.width(), grid.height()) : null;
    int height = Math.min(grid.height(), like.height());
    for (int y = 0; y < height; y++) {
      int[] spans = rowSpans(pixels, box, y, Math.min(grid.width(), like.width()));
      for (int k = 0; k < spans.length; k += 2) {
        for (int x = spans[k]; x < spans[k + 1]; x++) {
          int c = (y / grid.step()) * gx + x / grid.step();
          covered[c]++;
          query[c * (bins + 2) + level(like.value(y, x), bins)]++;
        }
      }
    }
    for (int c = 0; c < cellCount; c++) { // pixels at a level -> pixels at that level or above
      for (int l = bins - 1; l >= 0; l--) {
        query[c * (bins + 2) + l] += query[c * (bins + 2) + l + 1];
      }
    }
    int n = 0;
    for (long a : covered) {
      n += a > 0 ? 1 : 0;
    }
    this.cells = new int[2 * n];
    this.regionCovered = new long[n];
    this.uncovered = new long[n];
    this.queryAtLeast = new long[n * (bins + 2)];
    int k = 0;
    for (int c = 0; c < cellCount; c++) {
      if (covered[c] > 0) {
        int cx = c % gx;
        int cy = c / gx;
        cells[2 * k] = cx;
        cells[2 * k + 1] = cy;
        regionCovered[k] = covered[c];
        uncovered[k] = grid.cellArea(cx, cy) - covered[c];
        System.arraycopy(query, c * (bins + 2), queryAtLeast, k * (bins + 2), bins + 2);
        k++;
      }
    }
    this.counts = CellCounts.allLevels(grid, bins);
  }

  /** The columns {@code [x1, x2)} of row y in the region, as pairs. */
  private static int[] rowSpans(Shape shape, Roi box, int y, int width) {
    if (box != null) {
      return y >= box.y1() && y < box.y2() && box.x1() < box.x2()
          ? new int[] {box.x1(), Math.min(box.x2(), width)}
          : new int[0];
    }
    int s = shape.firstSpanFrom(y, 0);
    int end = s;
    while (end < shape.spanCount() && shape.y(end) == y) {
      end++;
    }
    int[] spans = new int[2 * (end - s)];
    for (int i = s; i < end; i++) {
      spans[2 * (i - s)] = Math.min(shape.x1(i), width);
      spans[2 * (i - s) + 1] = Math.min(shape.x2(i), width);
    }
    return spans;
  }

  /**
   * About the most memory laying a region on {@code grid} for L1 takes: per cell the query's counts
   * at every level (while built and kept) and the document's counts at every level (tables, entry
   * indices, values).
   */
  public static long bytesToBuild(ChiGrid grid, int bins) {
    return 1024 + (long) grid.gx() * grid.gy() * (64 + 44L * (bins + 2));
  }

  /** The highest level L with {@code v >= L / bins} (0 .. bins), as the CHI's edges compare. */
  static int level(double v, int bins) {
    int level = (int) Math.clamp(Math.floor(v * bins), 0, bins);
    while (level < bins && v >= (double) (level + 1) / bins) {
      level++;
    }
    while (level > 0 && v < (double) level / bins) {
      level--;
    }
    return level;
  }

  /** The region's pixels in the mask, |R|. */
  public long area() {
    return area;
  }

  /**
   * Sets {@code out[0]} to a lower and {@code out[1]} to an upper bound of {@code bins * sum |d -
   * q|} over the region (in units of 1 / bins, so that the bounds stay integers) for the mask whose
   * CHI {@code chi} reads.
   */
  public void bounds(ChiLookup chi, long[] out) {
    counts.read(chi);
    long lower = 0;
    long upper = 0;
    int levels = bins + 2;
    for (int k = 0; k < regionCovered.length; k++) {
      int cx = cells[2 * k];
      int cy = cells[2 * k + 1];
      long a = regionCovered[k];
      long outside = uncovered[k];
      int q = k * levels;
      for (int level = 0; level < bins; level++) {
        long next = counts.atLeast(cx, cy, level + 1);
        long dLow = Math.max(0, next - outside); // the fewest of R's pixels at or above (L + 1) / B
        long dUp = Math.min(a, counts.atLeast(cx, cy, level)); // the most at or above L / B
        long qHigh = queryAtLeast[q + level];
        long qLow = queryAtLeast[q + level + 1];
        lower += Math.max(0, Math.max(qLow - dUp, dLow - qHigh));
        upper += Math.min(Math.min(dUp + qHigh, 2 * a - dLow - qLow), a);
      }
    }
    out[0] = lower;
    out[1] = upper;
  }
}
