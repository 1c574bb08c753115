package dev.masksearch.chi;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import java.io.IOException;
import java.util.Arrays;

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
   * Sets this to the bounds of CP over {@code roi} and the level bracket of a range; returns this:
   * the outer rectangle's terms ({@link #computeOuter}), then the inner rectangle's.
   */
  public CpBounds compute(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    computeOuter(grid, chi, roi, levels);
    Roi r = roi.clip(grid.width(), grid.height());
    if (r.isEmpty() || levels.isEmpty()) {
      return this;
    }
    ChiGrid.Cells inner = grid.inner(r);
    long innerArea = grid.area(inner);
    if (inner.isEmpty() || innerArea == r.area()) { // or R aligned: R_out = R_in, counted already
      return this;
    }
    long innerOverlapping = rect(grid, chi, inner, levels.outerFrom(), levels.outerTo());
    long innerInside =
        levels.isAligned()
            ? innerOverlapping
            : rect(grid, chi, inner, levels.innerFrom(), levels.innerTo());
    upper = Math.min(upper, innerOverlapping + r.area() - innerArea);
    lower = Math.max(lower, innerInside);
    return this;
  }

  /**
   * The outer rectangle's terms of {@link #compute}'s bounds alone: half its CHI look-ups, as tight
   * where R is aligned to the grid, looser otherwise. The first stage of regions that differ per
   * document, which pay those look-ups on every document, while the second stage ({@link
   * #computeRefined}) tightens the few left open.
   */
  public CpBounds computeOuter(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    Roi r = roi.clip(grid.width(), grid.height());
    if (r.isEmpty() || levels.isEmpty()) {
      lower = upper = 0;
      return this;
    }
    ChiGrid.Cells outer = grid.outer(r);
    long area = r.area();
    long outerOverlapping = rect(grid, chi, outer, levels.outerFrom(), levels.outerTo());
    long outerInside =
        levels.isAligned()
            ? outerOverlapping
            : rect(grid, chi, outer, levels.innerFrom(), levels.innerTo());
    upper = Math.min(outerOverlapping, area);
    lower = Math.max(outerInside - (grid.area(outer) - area), 0);
    return this;
  }

  /**
   * Like {@link #compute}, but bounds the pixels between the inner and outer rectangles cell by
   * cell (see {@link #computeRefined(CellSource, CellCover)}).
   */
  public CpBounds computeRefined(ChiGrid grid, ChiLookup chi, Roi roi, BinEdges.Levels levels) {
    if (levels.isEmpty()) {
      lower = upper = 0;
      return this;
    }
    return computeRefined(CellSource.of(grid, chi, levels), CellCover.of(grid, roi));
  }

  /**
   * The tightest bounds the CHI supports for a region of any shape: its whole cells exactly as the
   * CHI counts them (over the overlapping and the inner bins), and each crossing cell c that the
   * region covers by a_c of its n_c pixels adding {@code min(a_c, C(c, overlapping))} to the upper
   * bound and {@code max(0, C(c, inner) - (n_c - a_c))} to the lower one. Never looser than the
   * first stage ({@link #compute}, {@link BoundsPlan}): a second stage for documents the first
   * leaves undecided, still far cheaper than reading the mask.
   */
  public CpBounds computeRefined(CellSource counts, CellCover cover) {
    upper = 0;
    lower = 0;
    for (ChiGrid.Cells cells : cover.inside()) {
      long overlapping = counts.overlapping(cells);
      upper += overlapping;
      lower += inner(counts, cells, overlapping);
    }
    for (int k = 0; k < cover.crossingCount(); k++) {
      ChiGrid.Cells cell = cover.crossingCell(k);
      long overlapping = counts.overlapping(cell);
      upper += crossingUpper(cover, k, overlapping);
      lower += crossingLower(cover, k, inner(counts, cell, overlapping));
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

    /**
     * The pixels of {@code shape} in rows {@code [y1, y2)} and columns {@code [x1, x2)} (within the
     * mask) whose value lies in the range; by default one rectangle per span, which storages that
     * decode a rectangle at a time override to decode it once.
     */
    default long count(Shape shape, int x1, int y1, int x2, int y2) throws IOException {
      long count = 0;
      int s = shape.firstSpanFrom(y1, x1);
      for (int y = y1; y < y2; y++) {
        for (s = shape.firstSpanFrom(s, y, x1);
            s < shape.spanCount() && shape.y(s) == y && shape.x1(s) < x2;
            s++) {
          count += count(Math.max(shape.x1(s), x1), y, Math.min(shape.x2(s), x2), y + 1);
        }
      }
      return count;
    }
  }

  /**
   * The exact CP count over a region, reading the mask only where the CHI leaves it open: the whole
   * cells come from the CHI when the range is aligned to the bins, and every other cell whose
   * per-cell bounds ({@link #computeRefined}) meet adds that count; only the remaining cells are
   * counted from {@code pixels}, and only their pixels inside the region (or, for a range on the
   * bins, a crossing cell's uncovered side where cheaper: {@link CellCover#countCrossing}). For
   * near-binary masks most crossing cells are all background or all foreground and are decided this
   * way.
   */
  public static long exactCount(CellSource counts, CellCover cover, Pixels pixels)
      throws IOException {
    ChiGrid grid = cover.grid();
    long count = 0;
    for (ChiGrid.Cells cells : cover.inside()) {
      if (counts.aligned()) {
        count += counts.overlapping(cells);
        continue;
      }
      for (int cy = cells.ya(); cy < cells.yb(); cy++) {
        for (int cx = cells.xa(); cx < cells.xb(); cx++) {
          ChiGrid.Cells cell = new ChiGrid.Cells(cx, cx + 1, cy, cy + 1);
          long upper = counts.overlapping(cell);
          long lower = counts.inner(cell);
          count += lower == upper ? lower : countCell(grid, cx, cy, pixels);
        }
      }
    }
    for (int k = 0; k < cover.crossingCount(); k++) {
      ChiGrid.Cells cell = cover.crossingCell(k);
      long overlapping = counts.overlapping(cell);
      long upper = crossingUpper(cover, k, overlapping);
      long lower = crossingLower(cover, k, inner(counts, cell, overlapping));
      count +=
          lower == upper ? lower : cover.countCrossing(k, pixels, wholeCell(counts, overlapping));
    }
    return count;
  }

  /**
   * The rectangle's count in the inner bins, given its count in the overlapping ones: the same
   * count for a range on the bins, not read twice.
   */
  private static long inner(CellSource counts, ChiGrid.Cells cells, long overlapping) {
    return counts.aligned() ? overlapping : counts.inner(cells);
  }

  /**
   * A cell's whole count in the range, given its count in the overlapping bins: exact for a range
   * on the bins, else unknown (-1).
   */
  private static long wholeCell(CellSource counts, long overlapping) {
    return counts.aligned() ? overlapping : -1;
  }

  /** A crossing cell's upper bound: its covered pixels, or its count in the overlapping bins. */
  private static long crossingUpper(CellCover cover, int k, long overlapping) {
    return Math.min(cover.covered(k), overlapping);
  }

  /** A crossing cell's lower bound: its count in the inner bins less its uncovered pixels. */
  private static long crossingLower(CellCover cover, int k, long inner) {
    long uncovered = cover.cellArea(k) - cover.covered(k);
    return Math.max(0, inner - uncovered);
  }

  private static long countCell(ChiGrid grid, int cx, int cy, Pixels pixels) throws IOException {
    return pixels.count(grid.lineX(cx), grid.lineY(cy), grid.lineX(cx + 1), grid.lineY(cy + 1));
  }

  /** A question about a count that its bounds may already answer. */
  @FunctionalInterface
  public interface Question {
    /** Whether counts in {@code [lower, upper]} do not all give the same answer. */
    boolean isOpen(long lower, long upper);
  }

  /**
   * About the most memory {@link #countUntilAnswered} takes for a region: its list of open cells,
   * every crossing cell and, for a range off the bins, every cell inside. What a caller reserves.
   */
  public static long bytesToAnswer(CellCover cover, boolean aligned) {
    long cells = cover.crossingCount();
    if (!aligned) {
      for (ChiGrid.Cells inside : cover.inside()) {
        cells += (long) (inside.xb() - inside.xa()) * (inside.yb() - inside.ya());
      }
    }
    return 64 + 48 * cells; // a reference, three counts, an order and a sort key each
  }

  /**
   * Bounds that answer {@code question}: the per-cell bounds of {@link #computeRefined}, then the
   * open cells counted from {@code pixels}, widest bounds first, each replacing its bounds by its
   * count, until the bounds answer the question (at worst the exact count). A filter that verifies
   * a mask so reads only the cells its threshold needs. Cells of about the same width (the same
   * power of two) are read in grid order, so that a tile of a fine grid serves its cells in turn.
   * Sets and returns {@code out}.
   */
  public static CpBounds countUntilAnswered(
      CellSource counts, CellCover cover, Pixels pixels, Question question, CpBounds out)
      throws IOException {
    ChiGrid grid = cover.grid();
    OpenCells open = new OpenCells();
    long lower = 0;
    long upper = 0;
    for (ChiGrid.Cells cells : cover.inside()) {
      if (counts.aligned()) {
        long count = counts.overlapping(cells);
        lower += count;
        upper += count;
        continue;
      }
      for (int cy = cells.ya(); cy < cells.yb(); cy++) {
        for (int cx = cells.xa(); cx < cells.xb(); cx++) {
          ChiGrid.Cells cell = new ChiGrid.Cells(cx, cx + 1, cy, cy + 1);
          long cellLower = counts.inner(cell);
          long cellUpper = counts.overlapping(cell);
          lower += cellLower;
          upper += cellUpper;
          open.add(-1 - (cy * grid.gx() + cx), cellLower, cellUpper, -1);
        }
      }
    }
    for (int k = 0; k < cover.crossingCount(); k++) {
      ChiGrid.Cells cell = cover.crossingCell(k);
      long overlapping = counts.overlapping(cell);
      long cellLower = crossingLower(cover, k, inner(counts, cell, overlapping));
      long cellUpper = crossingUpper(cover, k, overlapping);
      lower += cellLower;
      upper += cellUpper;
      open.add(k, cellLower, cellUpper, wholeCell(counts, overlapping));
    }
    int[] order = open.widestFirst();
    for (int i = 0; i < order.length && question.isOpen(lower, upper); i++) {
      int cell = order[i];
      int ref = open.ref(cell);
      long count =
          ref >= 0
              ? cover.countCrossing(ref, pixels, open.wholeCell(cell))
              : countCell(grid, (-1 - ref) % grid.gx(), (-1 - ref) / grid.gx(), pixels);
      lower += count - open.lower(cell);
      upper -= open.upper(cell) - count;
    }
    out.lower = lower;
    out.upper = upper;
    return out;
  }

  /**
   * The cells whose bounds do not meet, each as a reference (a crossing cell's index, or {@code -1
   * - (cy * gx + cx)} for a cell inside the region), its bounds and its whole count when known.
   */
  private static final class OpenCells {
    private int[] refs = new int[16];
    private long[] values = new long[48]; // lower, upper, whole cell
    private int size;

    void add(int ref, long lower, long upper, long wholeCell) {
      if (lower == upper) {
        return;
      }
      if (size == refs.length) {
        refs = Arrays.copyOf(refs, 2 * size);
        values = Arrays.copyOf(values, 6 * size);
      }
      refs[size] = ref;
      values[3 * size] = lower;
      values[3 * size + 1] = upper;
      values[3 * size++ + 2] = wholeCell;
    }

    int ref(int i) {
      return refs[i];
    }

    long lower(int i) {
      return values[3 * i];
    }

    long upper(int i) {
      return values[3 * i + 1];
    }

    long wholeCell(int i) {
      return values[3 * i + 2];
    }

    /**
     * The cells by decreasing power of two of their bounds' width, in the order added (grid order)
     * within one.
     */
    int[] widestFirst() {
      long[] keys = new long[size]; // -(log2 width) then position
      for (int i = 0; i < size; i++) {
        long log2 = 63 - Long.numberOfLeadingZeros(upper(i) - lower(i));
        keys[i] = -log2 << 32 | i;
      }
      Arrays.sort(keys);
      int[] order = new int[size];
      for (int i = 0; i < size; i++) {
        order[i] = (int) keys[i];
      }
      return order;
    }
  }

  /** {@link #exactCount(CellSource, CellCover, Pixels)} looking the CHI up cell by cell. */
  public static long exactCount(
      ChiLookup chi, CellCover cover, BinEdges.Levels levels, Pixels pixels) throws IOException {
    if (levels.isEmpty()) {
      return 0;
    }
    return exactCount(CellSource.of(cover.grid(), chi, levels), cover, pixels);
  }

  /** Pixels of an aligned rectangle with level in [from, to). */
  static long rect(ChiGrid grid, ChiLookup chi, ChiGrid.Cells c, int from, int to) {
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
