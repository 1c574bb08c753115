package dev.masksearch.chi;

/**
 * One mask's CHI read at the few levels a range needs, so that the count of any cell over the
 * overlapping or the inner bins is four array reads: what bounds that visit many cells per document
 * ({@link OverlapCells}, the second stage of a shape's bounds, of a constant box) read once per
 * document with one bulk look-up, instead of 16 look-ups per cell. The whole grid, or only the
 * corners of a cover's cells ({@link #forCover}). Not thread-safe: one per evaluator.
 */
public final class CellCounts implements CellSource {
  private final ChiGrid grid;
  private final int bins;
  private final int[] levels; // the distinct levels of the range: outer/inner from/to
  private final int outerFrom;
  private final int outerTo;
  private final int innerFrom;
  private final int innerTo;
  private final boolean noOverlapping;
  private final boolean noInner;
  private final boolean aligned;
  private final int[] indices; // the stored entries of the points read at every stored level
  private final long[] values;
  // where each point read lies in a level's table; null when every point is read (row by row)
  private final int[] positions;
  private final long[][] atLeast; // per level: (gx + 1) x (gy + 1) cumulative counts, borders 0
  private final int width; // gx + 1: a table's row

  /** The counts of {@code levels} on {@code grid}, for a CHI of {@code bins} stored levels. */
  public CellCounts(ChiGrid grid, int bins, BinEdges.Levels levels) {
    this(grid, bins, levels, distinctLevels(levels), null);
  }

  /**
   * The counts of every level 0 .. bins + 1 on {@code grid}, for {@link #atLeast}: what a
   * comparison of values (not of one range) reads.
   */
  public static CellCounts allLevels(ChiGrid grid, int bins) {
    int[] all = java.util.stream.IntStream.rangeClosed(0, bins + 1).toArray();
    return new CellCounts(grid, bins, new BinEdges.Levels(0, bins + 1, 0, bins + 1), all, null);
  }

  /**
   * The counts of {@code levels}, a range on the bins, at only the grid points that the cells of
   * {@code cover} are bounded by (the corners of each crossing cell and each inside rectangle):
   * what {@link CpBounds#computeRefined}, {@link CpBounds#exactCount} and {@link
   * CpBounds#countUntilAnswered} read for that cover, in one bulk read of the columns that per-cell
   * look-ups would open, each shared corner read once. The counts of other cells are undefined. (A
   * range off the bins has verification bound every inside cell, which would read the whole grid.)
   */
  public static CellCounts forCover(CellCover cover, int bins, BinEdges.Levels levels) {
    if (!levels.isAligned()) {
      throw new IllegalArgumentException("the corners of a cover serve a range on the bins only");
    }
    ChiGrid grid = cover.grid();
    int w = grid.gx() + 1;
    boolean[] needed = new boolean[w * (grid.gy() + 1)];
    for (ChiGrid.Cells cells : cover.inside()) {
      markCorners(needed, w, cells);
    }
    for (int k = 0; k < cover.crossingCount(); k++) {
      markCorners(needed, w, cover.crossingCell(k));
    }
    int[] positions = // row 0 and column 0 are the implied zero borders: never read
        java.util.stream.IntStream.range(w, needed.length)
            .filter(p -> needed[p] && p % w != 0)
            .toArray();
    return new CellCounts(grid, bins, levels, distinctLevels(levels), positions);
  }

  /**
   * About the most memory {@link #forCover} takes for {@code cover}: a table of every grid point at
   * the range's two levels and whether each is read, and each corner's position, entries and
   * values.
   */
  public static long bytesForCover(CellCover cover) {
    ChiGrid grid = cover.grid();
    long gridPoints = (long) (grid.gx() + 1) * (grid.gy() + 1);
    long corners = Math.min(gridPoints, 4L * (cover.crossingCount() + cover.inside().size()));
    return 128 + gridPoints * (1 + 2 * Long.BYTES) + corners * (4 + 2 * (4 + Long.BYTES));
  }

  private static void markCorners(boolean[] needed, int w, ChiGrid.Cells c) {
    needed[c.ya() * w + c.xa()] = true;
    needed[c.ya() * w + c.xb()] = true;
    needed[c.yb() * w + c.xa()] = true;
    needed[c.yb() * w + c.xb()] = true;
  }

  private static int[] distinctLevels(BinEdges.Levels levels) {
    return java.util.stream.IntStream.of(
            levels.outerFrom(), levels.outerTo(), levels.innerFrom(), levels.innerTo())
        .distinct()
        .toArray();
  }

  private CellCounts(
      ChiGrid grid, int bins, BinEdges.Levels levels, int[] distinct, int[] positions) {
    this.grid = grid;
    this.bins = bins;
    this.levels = distinct;
    this.outerFrom = slot(levels.outerFrom());
    this.outerTo = slot(levels.outerTo());
    this.innerFrom = slot(levels.innerFrom());
    this.innerTo = slot(levels.innerTo());
    this.noOverlapping = levels.outerFrom() >= levels.outerTo();
    this.noInner = levels.innerFrom() >= levels.innerTo();
    this.aligned = levels.isAligned();
    this.positions = positions;
    this.width = grid.gx() + 1;
    int gx = grid.gx();
    int gy = grid.gy();
    int stored = 0;
    for (int level : this.levels) {
      stored += level >= 1 && level <= bins ? 1 : 0;
    }
    int points = positions == null ? gx * gy : positions.length;
    this.indices = new int[stored * points];
    this.values = new long[indices.length];
    this.atLeast = new long[this.levels.length][(gx + 1) * (gy + 1)];
    int k = 0;
    for (int l = 0; l < this.levels.length; l++) {
      int level = this.levels[l];
      if (level == 0) { // every pixel: the area up to each point
        for (int j = 1; j <= gy; j++) {
          for (int i = 1; i <= gx; i++) {
            atLeast[l][j * (gx + 1) + i] = (long) grid.lineX(i) * grid.lineY(j);
          }
        }
      } else if (level <= bins && positions != null) {
        for (int position : positions) {
          indices[k++] = Chi.index(gx, bins, position % (gx + 1), position / (gx + 1), level);
        }
      } else if (level <= bins) {
        for (int j = 1; j <= gy; j++) {
          for (int i = 1; i <= gx; i++) {
            indices[k++] = Chi.index(gx, bins, i, j, level);
          }
        }
      } // past the top bin: no pixel, zeros
    }
  }

  private int slot(int level) {
    for (int l = 0; l < levels.length; l++) {
      if (levels[l] == level) {
        return l;
      }
    }
    throw new AssertionError(level);
  }

  /** Reads the current mask's entries; returns this. */
  public CellCounts read(ChiLookup chi) {
    chi.entries(indices, indices.length, values);
    int gx = grid.gx();
    int gy = grid.gy();
    int k = 0;
    for (int l = 0; l < levels.length; l++) {
      if (levels[l] >= 1 && levels[l] <= bins && positions != null) {
        long[] table = atLeast[l];
        for (int position : positions) {
          table[position] = values[k++];
        }
      } else if (levels[l] >= 1 && levels[l] <= bins) {
        long[] table = atLeast[l];
        for (int j = 1; j <= gy; j++) {
          System.arraycopy(values, k, table, j * (gx + 1) + 1, gx);
          k += gx;
        }
      }
    }
    return this;
  }

  /** The pixels of cell (cx, cy) in the overlapping bins. */
  public long overlapping(int cx, int cy) {
    return overlapping(cx, cx + 1, cy, cy + 1);
  }

  /** The pixels of cell (cx, cy) in the inner bins. */
  public long inner(int cx, int cy) {
    return inner(cx, cx + 1, cy, cy + 1);
  }

  /**
   * The pixels of cell (cx, cy) whose bin is at least {@code level} (0 .. bins + 1), for counts
   * made with {@link #allLevels}, where slot and level coincide.
   */
  public long atLeast(int cx, int cy, int level) {
    return rect(cx, cx + 1, cy, cy + 1, level);
  }

  @Override
  public boolean aligned() {
    return aligned;
  }

  @Override
  public long overlapping(ChiGrid.Cells c) {
    return overlapping(c.xa(), c.xb(), c.ya(), c.yb());
  }

  @Override
  public long inner(ChiGrid.Cells c) {
    return inner(c.xa(), c.xb(), c.ya(), c.yb());
  }

  private long overlapping(int xa, int xb, int ya, int yb) {
    return noOverlapping ? 0 : rect(xa, xb, ya, yb, outerFrom) - rect(xa, xb, ya, yb, outerTo);
  }

  private long inner(int xa, int xb, int ya, int yb) {
    return noInner ? 0 : rect(xa, xb, ya, yb, innerFrom) - rect(xa, xb, ya, yb, innerTo);
  }

  private long rect(int xa, int xb, int ya, int yb, int slot) {
    long[] t = atLeast[slot];
    int w = width;
    return t[yb * w + xb] - t[yb * w + xa] - t[ya * w + xb] + t[ya * w + xa];
  }
}
