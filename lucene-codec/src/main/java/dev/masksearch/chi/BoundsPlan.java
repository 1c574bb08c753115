package dev.masksearch.chi;

import dev.masksearch.mask.Roi;
import java.util.Arrays;

/**
 * The first-stage bounds of one constant ROI and level bracket on one grid, compiled into signed
 * sums of CHI entries: what {@link CpBounds#compute} derives per document (clipping, grid lines,
 * inclusion–exclusion, implied borders) is done once, and each document costs one read per distinct
 * entry. A scan over masks of one size reuses one plan.
 */
public final class BoundsPlan {
  // The four sums: outer rectangle over overlapping / inner bins, inner rectangle over overlapping
  // / inner bins.
  private static final int OUTER_OVERLAPPING = 0;
  private static final int OUTER_INSIDE = 1;
  private static final int INNER_OVERLAPPING = 2;
  private static final int INNER_INSIDE = 3;

  final ChiGrid grid;
  private final int bins;
  private final boolean empty;
  private final boolean aligned;
  private final long area;
  private final long outerArea;
  private final long innerArea;
  private int[] entries = new int[16];
  private int[] coefficients = new int[64]; // 4 per entry
  private final long[] constants = new long[4];
  private int size;

  /**
   * Scratch for one document's entries: a plan is single-threaded, like the cursors it reads from.
   */
  private long[] values = new long[0];

  private long[][] blockSums;

  /**
   * A plan for {@code roi} and {@code levels} on {@code grid}, whose CHI has {@code bins} stored
   * levels.
   */
  public BoundsPlan(ChiGrid grid, int bins, Roi roi, BinEdges.Levels levels) {
    this.grid = grid;
    this.bins = bins;
    Roi r = roi.clip(grid.width(), grid.height());
    this.empty = r.isEmpty() || levels.isEmpty();
    this.area = r.area();
    if (empty) {
      this.aligned = true;
      this.outerArea = this.innerArea = 0;
      return;
    }
    ChiGrid.Cells outer = grid.outer(r);
    ChiGrid.Cells inner = grid.inner(r);
    this.outerArea = grid.area(outer);
    this.innerArea = grid.area(inner);
    this.aligned = innerArea == area;
    addRect(OUTER_OVERLAPPING, outer, levels.outerFrom(), levels.outerTo());
    addRect(OUTER_INSIDE, outer, levels.innerFrom(), levels.innerTo());
    if (!inner.isEmpty()) {
      addRect(INNER_OVERLAPPING, inner, levels.outerFrom(), levels.outerTo());
      addRect(INNER_INSIDE, inner, levels.innerFrom(), levels.innerTo());
    }
    values = new long[size];
  }

  /** Whether this plan was made for a mask of this grid (grids of the same size are equal). */
  public boolean appliesTo(ChiGrid other) {
    return grid == other || grid.equals(other);
  }

  /** The grid the plan was compiled for. */
  public ChiGrid grid() {
    return grid;
  }

  /** The clipped ROI's area. */
  public long area() {
    return area;
  }

  /**
   * Sets {@code out} to the first-stage bounds of the mask whose CHI {@code chi} reads; returns it.
   */
  public CpBounds evaluate(ChiLookup chi, CpBounds out) {
    if (empty) {
      out.lower = out.upper = 0;
      return out;
    }
    long[] values = this.values;
    chi.entries(entries, size, values);
    long outerOverlapping = constants[OUTER_OVERLAPPING];
    long outerInside = constants[OUTER_INSIDE];
    long innerOverlapping = constants[INNER_OVERLAPPING];
    long innerInside = constants[INNER_INSIDE];
    for (int k = 0, c = 0;
        k < size;
        k++, c += 4) { // branch-free: coefficients are small signed integers
      long v = values[k];
      outerOverlapping += coefficients[c] * v;
      outerInside += coefficients[c + 1] * v;
      innerOverlapping += coefficients[c + 2] * v;
      innerInside += coefficients[c + 3] * v;
    }
    if (aligned) {
      out.upper = innerOverlapping;
      out.lower = innerInside;
    } else {
      out.upper = CpBounds.upper(outerOverlapping, innerOverlapping, area, innerArea);
      out.lower = CpBounds.lower(outerInside, innerInside, area, outerArea);
    }
    return out;
  }

  /**
   * Where {@link #evaluateBlock} reads a block's entries: one array per entry, a row per document.
   */
  public interface Columns {
    int[] column(int entry) throws java.io.IOException;
  }

  /**
   * The first-stage bounds of {@code rows} documents at once (a block of equal masks), into {@code
   * lower} and {@code upper}: the same arithmetic as {@link #evaluate}, one column at a time, in
   * loops the JIT vectorizes.
   */
  public void evaluateBlock(Columns columns, int rows, long[] lower, long[] upper)
      throws java.io.IOException {
    if (empty) {
      Arrays.fill(lower, 0, rows, 0);
      Arrays.fill(upper, 0, rows, 0);
      return;
    }
    if (blockSums == null || blockSums[0].length < rows) {
      blockSums = new long[4][rows];
    }
    for (int q = 0; q < 4; q++) {
      Arrays.fill(blockSums[q], 0, rows, constants[q]);
    }
    for (int k = 0; k < size; k++) {
      int[] column = columns.column(entries[k]);
      for (int q = 0; q < 4; q++) {
        int c = coefficients[4 * k + q];
        if (c != 0) {
          long[] sum = blockSums[q];
          for (int r = 0; r < rows; r++) {
            sum[r] += (long) c * column[r];
          }
        }
      }
    }
    long[] oo = blockSums[OUTER_OVERLAPPING];
    long[] oi = blockSums[OUTER_INSIDE];
    long[] io = blockSums[INNER_OVERLAPPING];
    long[] ii = blockSums[INNER_INSIDE];
    for (int r = 0; r < rows; r++) {
      if (aligned) {
        upper[r] = io[r];
        lower[r] = ii[r];
      } else {
        upper[r] = CpBounds.upper(oo[r], io[r], area, innerArea);
        lower[r] = CpBounds.lower(oi[r], ii[r], area, outerArea);
      }
    }
  }

  private void addRect(int sum, ChiGrid.Cells c, int from, int to) {
    if (from < to) {
      addAtLeast(sum, 1, c.xa(), c.xb(), c.ya(), c.yb(), from);
      addAtLeast(sum, -1, c.xa(), c.xb(), c.ya(), c.yb(), to);
    }
  }

  private void addAtLeast(int sum, int sign, int xa, int xb, int ya, int yb, int level) {
    addCumulative(sum, sign, xb, yb, level);
    addCumulative(sum, -sign, xa, yb, level);
    addCumulative(sum, -sign, xb, ya, level);
    addCumulative(sum, sign, xa, ya, level);
  }

  /** Adds {@code sign * C(i, j, level)}, with the borders CpBounds implies. */
  private void addCumulative(int sum, int sign, int i, int j, int level) {
    if (i == 0 || j == 0 || level > bins) {
      return;
    }
    if (level == 0) {
      constants[sum] += sign * (long) grid.lineX(i) * grid.lineY(j);
      return;
    }
    int entry = Chi.index(grid.gx(), bins, i, j, level);
    int k = 0;
    while (k < size && entries[k] != entry) {
      k++;
    }
    if (k == size) {
      if (size == entries.length) {
        entries = Arrays.copyOf(entries, size * 2);
        coefficients = Arrays.copyOf(coefficients, size * 8);
      }
      entries[size++] = entry;
    }
    coefficients[4 * k + sum] += sign;
  }
}
