package dev.masksearch.chi;

/**
 * One mask's cells, each counted at the few levels a range needs: what a CHI stored as one record
 * of cell histograms per document yields in one pass over the record ({@link Reader}), so that the
 * second stage and verification add up a rectangle's cells instead of first building tables of
 * cumulative grid points and looking their corners up ({@link CellCounts}). A rectangle costs one
 * add a cell and level; the second stage's rectangles are the few inside ones and the crossing
 * cells. Not thread-safe: one per evaluator.
 */
public final class CellLevelCounts implements CellSource {
  /** Fills a mask's per-cell counts, as the CHI's per-document records hold them. */
  @FunctionalInterface
  public interface Reader {
    /**
     * Writes to {@code out[c * n + k]} the pixels of cell c (numbered row by row) whose bin is at
     * least {@code levels[k]}, for the n levels, each from 1 to the CHI's bins.
     */
    void readCells(int[] levels, int n, int[] out) throws java.io.IOException;
  }

  // a level's slot among the stored ones, or one of these two
  private static final int AREA = -1; // level 0: every pixel of the cell
  private static final int NONE = -2; // past the top bin: no pixel

  private final ChiGrid grid;
  private final int[] stored; // the range's distinct levels from 1 to bins: what the reader fills
  private final int outerFrom;
  private final int outerTo;
  private final int innerFrom;
  private final int innerTo;
  private final boolean aligned;
  private final boolean noOverlapping;
  private final boolean noInner;
  private final int[] counts; // cell c's count at stored level k: counts[c * stored.length + k]

  /** The counts of {@code levels} on {@code grid}, for a CHI of {@code bins} bins. */
  public CellLevelCounts(ChiGrid grid, int bins, BinEdges.Levels levels) {
    this.grid = grid;
    this.stored =
        java.util.stream.IntStream.of(
                levels.outerFrom(), levels.outerTo(), levels.innerFrom(), levels.innerTo())
            .filter(level -> level >= 1 && level <= bins)
            .distinct()
            .toArray();
    this.outerFrom = slot(levels.outerFrom());
    this.outerTo = slot(levels.outerTo());
    this.innerFrom = slot(levels.innerFrom());
    this.innerTo = slot(levels.innerTo());
    this.aligned = levels.isAligned();
    this.noOverlapping = levels.outerFrom() >= levels.outerTo();
    this.noInner = levels.innerFrom() >= levels.innerTo();
    this.counts = new int[Math.multiplyExact(cells(grid), stored.length)];
  }

  /**
   * About the most memory the counts of a range's levels (at most four a cell) on {@code grid}
   * take.
   */
  public static long bytesFor(ChiGrid grid) {
    return 128 + 4L * Integer.BYTES * cells(grid);
  }

  private static int cells(ChiGrid grid) {
    return Math.multiplyExact(grid.gx(), grid.gy());
  }

  private int slot(int level) {
    if (level == 0) {
      return AREA;
    }
    for (int k = 0; k < stored.length; k++) {
      if (stored[k] == level) {
        return k;
      }
    }
    return NONE;
  }

  /** Reads the current mask's counts from {@code reader}; returns this. */
  public CellLevelCounts read(Reader reader) throws java.io.IOException {
    if (stored.length > 0) {
      reader.readCells(stored, stored.length, counts);
    }
    return this;
  }

  @Override
  public long overlapping(ChiGrid.Cells cells) {
    return noOverlapping ? 0 : sum(cells, outerFrom) - sum(cells, outerTo);
  }

  @Override
  public long inner(ChiGrid.Cells cells) {
    return noInner ? 0 : sum(cells, innerFrom) - sum(cells, innerTo);
  }

  @Override
  public boolean aligned() {
    return aligned;
  }

  /** The pixels of the rectangle's cells at a level's slot. */
  private long sum(ChiGrid.Cells cells, int slot) {
    if (slot == AREA) {
      return grid.area(cells);
    }
    if (slot == NONE) {
      return 0;
    }
    int n = stored.length;
    int gx = grid.gx();
    long sum = 0;
    for (int cy = cells.ya(); cy < cells.yb(); cy++) {
      for (int i = (cy * gx + cells.xa()) * n + slot, end = i + (cells.xb() - cells.xa()) * n;
          i < end;
          i += n) {
        sum += counts[i];
      }
    }
    return sum;
  }
}
