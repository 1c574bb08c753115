package dev.masksearch.chi;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * The first-stage bounds of one constant region and level bracket on one grid, compiled into signed
 * sums of CHI entries: what {@link CpBounds} derives per document (clipping, grid lines,
 * inclusion–exclusion, implied borders) is done once, and each document costs one read per distinct
 * entry. A scan over masks of one size reuses one plan.
 *
 * <p>With {@code I} the cells a region covers whole and {@code X} the cells it crosses ({@link
 * CellCover}), split into groups {@code X_g}, {@code a_g} the pixels of X_g the region covers and
 * {@code n_g} all pixels of X_g:
 *
 * <pre>
 * upper = C(I, overlapping bins) + sum_g min( C(X_g, overlapping bins), a_g )
 * lower = C(I, inner bins)       + sum_g max( C(X_g, inner bins) - (n_g - a_g), 0 )
 * </pre>
 *
 * For a box, I is its inner rectangle and X the ring up to its outer one, grouped by side (the left
 * and right columns, then the top and bottom rows between them): never looser than MaskSearch's
 * bounds, which take the ring as one group ({@link CpBounds#compute}), and tighter where the
 * salient pixels near the box lie on some sides only. A shape's crossing cells fall into {@link
 * #GROUPS} groups by the share of the cell it covers. Summed over many cells, the entries of
 * neighbouring cells of a sum cancel: a region's sums keep only the entries at the corners of I and
 * of each group.
 */
public final class BoundsPlan {
  // The sums: the inside cells over overlapping / inner bins, then each group of crossing cells
  // likewise (CROSSING_OVERLAPPING + 2 * group, CROSSING_INNER + 2 * group).
  private static final int INSIDE_OVERLAPPING = 0;
  private static final int INSIDE_INNER = 1;
  private static final int CROSSING_OVERLAPPING = 2;
  private static final int CROSSING_INNER = 3;

  /**
   * A shape's crossing cells are bounded in groups of like coverage (a quarter of the cell each):
   * slivers, whose count the covered pixels cap, apart from nearly covered cells, whose count the
   * CHI caps. Per-group minima are never looser than one for all and leave the second stage far
   * fewer documents, for a few more entries a document.
   */
  static final int GROUPS = 4;

  /** A box's crossing cells are bounded by side ({@link #sides}). */
  private static final int SIDES = 4;

  final ChiGrid grid;
  private final CellCover cover;
  private final int bins;
  private final boolean empty;
  private final long area;
  private final int sums; // 2 + 2 * groups
  private final long[] groupCovered;
  private final long[] groupUncovered;
  private final int[] entries;
  private final int[] coefficients; // one per sum per entry
  private final long[] constants;
  private final long[] evaluated; // scratch: one document's sums
  private final boolean[] fed; // per sum: whether an entry or a constant adds to it
  // per sum: the first sum with the same constant and coefficients (a range on the bins has equal
  // inner and overlapping sums), which a block computes for both
  private final int[] source;
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
    ChiGrid.Cells outer = cover.outer();
    int groups = outer != null ? SIDES : GROUPS;
    this.sums = 2 + 2 * groups;
    this.constants = new long[this.sums];
    this.evaluated = new long[this.sums];
    this.groupCovered = new long[groups];
    this.groupUncovered = new long[groups];
    ChiGrid.Cells[] sides = outer == null ? null : sides(outer, cover.inside());
    int[] group = new int[cover.crossingCount()];
    for (int k = 0; k < cover.crossingCount(); k++) {
      group[k] =
          sides != null
              ? sideOf(sides, cover.crossingX(k), cover.crossingY(k))
              : (int) (cover.covered(k) * groups / (cover.cellArea(k) + 1));
      groupCovered[group[k]] += cover.covered(k);
      groupUncovered[group[k]] += cover.cellArea(k) - cover.covered(k);
    }
    Contributions sums = new Contributions();
    if (!empty) {
      for (ChiGrid.Cells cells : cover.inside()) {
        addRect(sums, INSIDE_OVERLAPPING, 1, cells, levels.outerFrom(), levels.outerTo());
        addRect(sums, INSIDE_INNER, 1, cells, levels.innerFrom(), levels.innerTo());
      }
      if (sides != null) { // a box: four rectangles whatever its size
        for (int g = 0; g < sides.length; g++) {
          addRect(
              sums,
              CROSSING_OVERLAPPING + 2 * g,
              1,
              sides[g],
              levels.outerFrom(),
              levels.outerTo());
          addRect(sums, CROSSING_INNER + 2 * g, 1, sides[g], levels.innerFrom(), levels.innerTo());
        }
      } else {
        for (int k = 0; k < cover.crossingCount(); k++) {
          ChiGrid.Cells cell = cover.crossingCell(k);
          int g = 2 * group[k];
          addRect(sums, CROSSING_OVERLAPPING + g, 1, cell, levels.outerFrom(), levels.outerTo());
          addRect(sums, CROSSING_INNER + g, 1, cell, levels.innerFrom(), levels.innerTo());
        }
      }
    }
    // one entry per CHI position, with a coefficient per sum; those that cancel to zero dropped
    long[] sorted = sums.sorted();
    int[] entries = new int[0];
    int[] coefficients = new int[0];
    int size = 0;
    int n = this.sums;
    for (int i = 0; i < sorted.length; ) {
      int entry = (int) (sorted[i] >>> Contributions.SUM_BITS);
      int[] c = new int[n];
      boolean any = false;
      for (; i < sorted.length && (int) (sorted[i] >>> Contributions.SUM_BITS) == entry; i++) {
        c[(int) (sorted[i] >>> 1 & Contributions.SUM_MASK)] += (sorted[i] & 1) == 1 ? 1 : -1;
      }
      for (int v : c) {
        any |= v != 0;
      }
      if (any) {
        if (size == entries.length) {
          entries = Arrays.copyOf(entries, Math.max(16, 2 * size));
          coefficients = Arrays.copyOf(coefficients, n * entries.length);
        }
        entries[size] = entry;
        System.arraycopy(c, 0, coefficients, n * size++, n);
      }
    }
    this.size = size;
    this.entries = Arrays.copyOf(entries, size);
    this.coefficients = Arrays.copyOf(coefficients, n * size);
    this.values = new long[size];
    this.fed = new boolean[this.sums];
    this.source = new int[this.sums];
    for (int q = 0; q < this.sums; q++) {
      fed[q] = constants[q] != 0;
      for (int k = 0; k < size; k++) {
        fed[q] |= this.coefficients[this.sums * k + q] != 0;
      }
      source[q] = q;
      for (int p = 0; p < q && source[q] == q; p++) {
        if (sameSum(p, q)) {
          source[q] = p;
        }
      }
    }
  }

  /** Whether sums p and q have the same constant and coefficients. */
  private boolean sameSum(int p, int q) {
    if (constants[p] != constants[q]) {
      return false;
    }
    for (int k = 0; k < size; k++) {
      if (coefficients[sums * k + p] != coefficients[sums * k + q]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A box's ring (its outer rectangle less the inside one) as the rectangles of its sides: the
   * columns left and right of the inside rectangle, top to bottom, then the rows above and below it
   * (each at most a cell wide, empty where the box's edge is on a grid line); the outer rectangle
   * alone when nothing is inside.
   */
  private static ChiGrid.Cells[] sides(ChiGrid.Cells outer, List<ChiGrid.Cells> inside) {
    if (inside.isEmpty()) {
      return new ChiGrid.Cells[] {outer};
    }
    ChiGrid.Cells in = inside.getFirst();
    return new ChiGrid.Cells[] {
      new ChiGrid.Cells(outer.xa(), in.xa(), outer.ya(), outer.yb()),
      new ChiGrid.Cells(in.xb(), outer.xb(), outer.ya(), outer.yb()),
      new ChiGrid.Cells(in.xa(), in.xb(), outer.ya(), in.ya()),
      new ChiGrid.Cells(in.xa(), in.xb(), in.yb(), outer.yb())
    };
  }

  /** The side whose rectangle holds cell (cx, cy) of a box's ring. */
  private static int sideOf(ChiGrid.Cells[] sides, int cx, int cy) {
    for (int g = 0; g < sides.length; g++) {
      ChiGrid.Cells side = sides[g];
      if (cx >= side.xa() && cx < side.xb() && cy >= side.ya() && cy < side.yb()) {
        return g;
      }
    }
    throw new AssertionError("cell " + cx + "," + cy + " is on no side of the ring");
  }

  /**
   * About the most memory building a plan for {@code region} on {@code grid} takes, cover included:
   * what a caller reserves first (a shape on a fine grid touches many cells).
   */
  public static long bytesToBuild(ChiGrid grid, Region region) {
    long cover = CellCover.bytesToBuild(grid, region);
    if (!(region instanceof Shape)) { // a box: its sums come from five rectangles
      return cover;
    }
    // per cell: 16 contributions of 8 bytes with their sorted copy and growth (384), the plan's
    // entries (about 4 a cell) with a coefficient per sum and a value (4 * (4 + 4 * 10 + 8)), and
    // the cell counts a second stage reads at up to 4 levels (80)
    return cover + (long) grid.gx() * grid.gy() * (4 + 384 + 208 + 80); // 4: a crossing's group
  }

  /**
   * CHI positions with a sum and a sign, packed as {@code entry << SUM_BITS | sum << 1 | positive}.
   */
  private static final class Contributions {
    static final int SUM_BITS = 5; // sums 0 .. 15 and the sign
    static final int SUM_MASK = 15;
    private long[] packed = new long[64];
    private int size;

    void add(int entry, int sum, int sign) {
      if (size == packed.length) {
        packed = Arrays.copyOf(packed, 2 * size);
      }
      packed[size++] = (long) entry << SUM_BITS | sum << 1 | (sign > 0 ? 1 : 0);
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
    long[] sums = evaluated;
    System.arraycopy(constants, 0, sums, 0, this.sums);
    int n = this.sums;
    for (int k = 0, c = 0; k < size; k++, c += n) {
      long v = values[k];
      for (int q = 0; q < n; q++) {
        sums[q] += coefficients[c + q] * v;
      }
    }
    out.upper = upper(sums);
    out.lower = lower(sums);
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
      blockSums = new long[sums][rows];
    }
    for (int q = 0; q < sums; q++) {
      if (source[q] == q && (fed[q] || q == INSIDE_OVERLAPPING || q == INSIDE_INNER)) {
        Arrays.fill(blockSums[q], 0, rows, constants[q]);
      }
    }
    for (int k = 0; k < size; k++) {
      int[] column = columns.column(entries[k]);
      for (int q = 0; q < sums; q++) {
        int c = coefficients[sums * k + q];
        if (c != 0 && source[q] == q) {
          long[] sum = blockSums[q];
          for (int r = 0; r < rows; r++) {
            sum[r] += (long) c * column[r];
          }
        }
      }
    }
    // upper() and lower() a sum at a time; a sum nothing feeds is zero, so its term is too
    System.arraycopy(blockSums[source[INSIDE_OVERLAPPING]], 0, upper, 0, rows);
    System.arraycopy(blockSums[source[INSIDE_INNER]], 0, lower, 0, rows);
    for (int g = 0; g < groupCovered.length; g++) {
      if (fed[CROSSING_OVERLAPPING + 2 * g]) {
        long[] sum = blockSums[source[CROSSING_OVERLAPPING + 2 * g]];
        long covered = groupCovered[g];
        for (int r = 0; r < rows; r++) {
          upper[r] += Math.min(sum[r], covered);
        }
      }
      if (fed[CROSSING_INNER + 2 * g]) {
        long[] sum = blockSums[source[CROSSING_INNER + 2 * g]];
        long uncovered = groupUncovered[g];
        for (int r = 0; r < rows; r++) {
          lower[r] += Math.max(sum[r] - uncovered, 0);
        }
      }
    }
  }

  /** The upper bound from a document's sums. */
  private long upper(long[] sums) {
    long upper = sums[INSIDE_OVERLAPPING];
    for (int g = 0; g < groupCovered.length; g++) {
      upper += Math.min(sums[CROSSING_OVERLAPPING + 2 * g], groupCovered[g]);
    }
    return upper;
  }

  /** The lower bound from a document's sums. */
  private long lower(long[] sums) {
    long lower = sums[INSIDE_INNER];
    for (int g = 0; g < groupUncovered.length; g++) {
      lower += Math.max(sums[CROSSING_INNER + 2 * g] - groupUncovered[g], 0);
    }
    return lower;
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
