package dev.masksearch.chi;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Shape;
import java.util.Arrays;

/**
 * The first-stage bounds of one constant region and level bracket on one grid, compiled into signed
 * sums of CHI entries: what {@link CpBounds} derives per document (clipping, grid lines,
 * inclusion–exclusion, implied borders) is done once, and each document costs one read per distinct
 * entry. A scan over masks of one size reuses one plan.
 *
 * <p>With {@code I} the cells a region covers whole and {@code X} the cells it crosses ({@link
 * CellCover}), {@code a_X} the pixels of X the region covers and {@code n_X} all pixels of X:
 *
 * <pre>
 * upper = C(I, overlapping bins) + min( C(X, overlapping bins), a_X )
 * lower = C(I, inner bins)       + max( C(X, inner bins) - (n_X - a_X), 0 )
 * </pre>
 *
 * For a box, I is its inner rectangle and X the ring up to its outer one, and these are
 * MaskSearch's bounds ({@link CpBounds}). Summed over many cells, the entries of neighbouring cells
 * cancel: a region's sums keep only the entries at the corners of I and X.
 */
public final class BoundsPlan {
  // The four sums: the inside cells over overlapping / inner bins, the crossing cells likewise.
  private static final int INSIDE_OVERLAPPING = 0;
  private static final int INSIDE_INNER = 1;
  private static final int CROSSING_OVERLAPPING = 2;
  private static final int CROSSING_INNER = 3;

  final ChiGrid grid;
  private final CellCover cover;
  private final int bins;
  private final boolean empty;
  private final long area;
  private final long crossingCovered;
  private final long crossingUncovered;
  private final int[] entries;
  private final int[] coefficients; // 4 per entry
  private final long[] constants = new long[4];
  private final int size;

  /**
   * Scratch for one document's entries: a plan is single-threaded, like the cursors it reads from.
   */
  private final long[] values;

  private long[][] blockSums;
  private final BinEdges.Levels levels;
  private CellCounts cellCounts; // made when a document first needs the second stage

  /**
   * A plan for {@code region} and {@code levels} on {@code grid}, whose CHI has {@code bins} stored
   * levels.
   */
  public BoundsPlan(ChiGrid grid, int bins, Region region, BinEdges.Levels levels) {
    this(CellCover.of(grid, region), bins, levels);
  }

  /** A plan for a region already laid on its grid. */
  public BoundsPlan(CellCover cover, int bins, BinEdges.Levels levels) {
    this.grid = cover.grid();
    this.cover = cover;
    this.bins = bins;
    this.levels = levels;
    this.area = cover.area();
    this.empty = area == 0 || levels.isEmpty();
    this.crossingCovered = cover.crossingCovered();
    this.crossingUncovered = cover.crossingArea() - crossingCovered;
    Contributions sums = new Contributions();
    if (!empty) {
      for (ChiGrid.Cells cells : cover.inside()) {
        addRect(sums, INSIDE_OVERLAPPING, 1, cells, levels.outerFrom(), levels.outerTo());
        addRect(sums, INSIDE_INNER, 1, cells, levels.innerFrom(), levels.innerTo());
      }
      if (cover.outer() != null) { // a box: its ring is the outer rectangle less the inner one
        addRect(sums, CROSSING_OVERLAPPING, 1, cover.outer(), levels.outerFrom(), levels.outerTo());
        addRect(sums, CROSSING_INNER, 1, cover.outer(), levels.innerFrom(), levels.innerTo());
        for (ChiGrid.Cells cells : cover.inside()) {
          addRect(sums, CROSSING_OVERLAPPING, -1, cells, levels.outerFrom(), levels.outerTo());
          addRect(sums, CROSSING_INNER, -1, cells, levels.innerFrom(), levels.innerTo());
        }
      } else {
        for (int k = 0; k < cover.crossingCount(); k++) {
          ChiGrid.Cells cell = cover.crossingCell(k);
          addRect(sums, CROSSING_OVERLAPPING, 1, cell, levels.outerFrom(), levels.outerTo());
          addRect(sums, CROSSING_INNER, 1, cell, levels.innerFrom(), levels.innerTo());
        }
      }
    }
    // one entry per CHI position, with its four coefficients; those that cancel to zero dropped
    long[] sorted = sums.sorted();
    int[] entries = new int[0];
    int[] coefficients = new int[0];
    int size = 0;
    for (int i = 0; i < sorted.length; ) {
      int entry = (int) (sorted[i] >>> 3);
      int[] c = new int[4];
      for (; i < sorted.length && (int) (sorted[i] >>> 3) == entry; i++) {
        c[(int) (sorted[i] >>> 1 & 3)] += (sorted[i] & 1) == 1 ? 1 : -1;
      }
      if (c[0] != 0 || c[1] != 0 || c[2] != 0 || c[3] != 0) {
        if (size == entries.length) {
          entries = Arrays.copyOf(entries, Math.max(16, 2 * size));
          coefficients = Arrays.copyOf(coefficients, 4 * entries.length);
        }
        entries[size] = entry;
        System.arraycopy(c, 0, coefficients, 4 * size++, 4);
      }
    }
    this.size = size;
    this.entries = Arrays.copyOf(entries, size);
    this.coefficients = Arrays.copyOf(coefficients, 4 * size);
    this.values = new long[size];
  }

  /**
   * About the most memory building a plan for {@code region} on {@code grid} takes, cover included:
   * what a caller reserves first (a shape on a fine grid touches many cells).
   */
  public static long bytesToBuild(ChiGrid grid, Region region) {
    if (!(region instanceof Shape)) { // a box: its ring's cells; its sums come from two rectangles
      return 2048 + (2L * (grid.gx() + grid.gy()) + 4) * 32;
    }
    // per cell: the cover's count and position (32), 16 contributions of 8 bytes with their sorted
    // copy and growth (384), the plan's entries and coefficients (80), and the cell counts a second
    // stage reads at up to 4 levels (80)
    return 1024 + (long) grid.gx() * grid.gy() * (32 + 384 + 80 + 80);
  }

  /** CHI positions with a sum and a sign, packed as {@code entry << 3 | sum << 1 | positive}. */
  private static final class Contributions {
    private long[] packed = new long[64];
    private int size;

    void add(int entry, int sum, int sign) {
      if (size == packed.length) {
        packed = Arrays.copyOf(packed, 2 * size);
      }
      packed[size++] = (long) entry << 3 | sum << 1 | (sign > 0 ? 1 : 0);
    }

    long[] sorted() {
      long[] out = Arrays.copyOf(packed, size);
      Arrays.sort(out);
      return out;
    }
  }

  /** The region laid on the plan's grid. */
  public CellCover cover() {
    return cover;
  }

  /**
   * The mask's cell counts at the plan's levels, the CHI {@code chi} reads read whole: for the
   * second stage ({@link CpBounds#computeRefined(CellSource, CellCover)}) and verification of
   * regions that cross many cells, one bulk read instead of 16 look-ups per cell. Valid until the
   * next call.
   */
  public CellCounts cellCounts(ChiLookup chi) {
    if (cellCounts == null) {
      cellCounts = new CellCounts(grid, bins, levels);
    }
    return cellCounts.read(chi);
  }

  /** Whether this plan was made for a mask of this grid (grids of the same size are equal). */
  public boolean appliesTo(ChiGrid other) {
    return grid == other || grid.equals(other);
  }

  /** The grid the plan was compiled for. */
  public ChiGrid grid() {
    return grid;
  }

  /** The clipped region's area. */
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
    long insideOverlapping = constants[INSIDE_OVERLAPPING];
    long insideInner = constants[INSIDE_INNER];
    long crossingOverlapping = constants[CROSSING_OVERLAPPING];
    long crossingInner = constants[CROSSING_INNER];
    for (int k = 0, c = 0;
        k < size;
        k++, c += 4) { // branch-free: coefficients are small signed integers
      long v = values[k];
      insideOverlapping += coefficients[c] * v;
      insideInner += coefficients[c + 1] * v;
      crossingOverlapping += coefficients[c + 2] * v;
      crossingInner += coefficients[c + 3] * v;
    }
    out.upper = upper(insideOverlapping, crossingOverlapping);
    out.lower = lower(insideInner, crossingInner);
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
    long[] io = blockSums[INSIDE_OVERLAPPING];
    long[] ii = blockSums[INSIDE_INNER];
    long[] xo = blockSums[CROSSING_OVERLAPPING];
    long[] xi = blockSums[CROSSING_INNER];
    for (int r = 0; r < rows; r++) {
      upper[r] = upper(io[r], xo[r]);
      lower[r] = lower(ii[r], xi[r]);
    }
  }

  private long upper(long insideOverlapping, long crossingOverlapping) {
    return insideOverlapping + Math.min(crossingOverlapping, crossingCovered);
  }

  private long lower(long insideInner, long crossingInner) {
    return insideInner + Math.max(crossingInner - crossingUncovered, 0);
  }

  private void addRect(Contributions sums, int sum, int sign, ChiGrid.Cells c, int from, int to) {
    if (from < to) {
      addAtLeast(sums, sum, sign, c, from);
      addAtLeast(sums, sum, -sign, c, to);
    }
  }

  private void addAtLeast(Contributions sums, int sum, int sign, ChiGrid.Cells c, int level) {
    addCumulative(sums, sum, sign, c.xb(), c.yb(), level);
    addCumulative(sums, sum, -sign, c.xa(), c.yb(), level);
    addCumulative(sums, sum, -sign, c.xb(), c.ya(), level);
    addCumulative(sums, sum, sign, c.xa(), c.ya(), level);
  }

  /** Adds {@code sign * C(i, j, level)}, with the borders CpBounds implies. */
  private void addCumulative(Contributions sums, int sum, int sign, int i, int j, int level) {
    if (i == 0 || j == 0 || level > bins) {
      return;
    }
    if (level == 0) {
      constants[sum] += sign * (long) grid.lineX(i) * grid.lineY(j);
      return;
    }
    sums.add(Chi.index(grid.gx(), bins, i, j, level), sum, sign);
  }
}
