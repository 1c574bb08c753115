package dev.masksearch.chi;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;

/**
 * The Cumulative Histogram Index of one mask, in memory: for every grid point {@code (i, j)} with
 * {@code 1 <= i <= gx, 1 <= j <= gy} and every level {@code 1 <= l <= bins}, the number of pixels
 * in {@code [0, x_i) x [0, y_j)} whose bin is at least l. Points on the top and left edges and
 * level 0 are implied (0 and the area), so they are not stored.
 */
public final class Chi implements ChiLookup {
  private final ChiGrid grid;
  private final int levels;
  private final int[] counts;

  private Chi(ChiGrid grid, int levels, int[] counts) {
    this.grid = grid;
    this.levels = levels;
    this.counts = counts;
  }

  /** Builds the CHI of a mask in one pass over its pixels. */
  public static Chi build(Mask mask, ChiParams params) {
    ChiGrid grid = new ChiGrid(params.gridStep(), mask.width(), mask.height());
    return fromCells(grid, params.bins(), cellHistograms(mask, params));
  }

  /**
   * The CHI whose cells hold {@code cells}, {@code bins + 1} counts a cell (as {@link
   * #cellHistograms} lays them).
   */
  public static Chi fromCells(ChiGrid grid, int bins, int[] cells) {
    int gx = grid.gx();
    int gy = grid.gy();
    int binSlots = bins + 1;
    // Suffix over bins, then a 2-D prefix over cells: entry(i, j, l) = sum of cells left of i and
    // above j, bins >= l.
    int[] counts = new int[gx * gy * bins];
    for (int j = 1; j <= gy; j++) {
      for (int i = 1; i <= gx; i++) {
        int cell = ((j - 1) * gx + (i - 1)) * binSlots;
        int suffix = 0;
        for (int l = bins; l >= 1; l--) {
          suffix += cells[cell + l];
          int left = i > 1 ? counts[index(gx, bins, i - 1, j, l)] : 0;
          int up = j > 1 ? counts[index(gx, bins, i, j - 1, l)] : 0;
          int diag = i > 1 && j > 1 ? counts[index(gx, bins, i - 1, j - 1, l)] : 0;
          counts[index(gx, bins, i, j, l)] = suffix + left + up - diag;
        }
      }
    }
    return new Chi(grid, bins, counts);
  }

  /**
   * The cell histograms of the first tier ({@link ChiParams#firstTier}) from those of {@code
   * params} on {@code grid}: each coarse cell sums the fine cells it covers and each coarse bin the
   * fine bins it joins, exactly as {@link #cellHistograms} would count the mask at the first tier's
   * parameters.
   */
  public static int[] coarsen(int[] cells, ChiGrid grid, ChiParams params) {
    ChiParams first = params.firstTier();
    int cellFactor = first.gridStep() / params.gridStep();
    int binFactor = params.bins() / first.bins();
    int fineSlots = params.bins() + 1;
    int coarseSlots = first.bins() + 1;
    int coarseGx = ChiGrid.cells(grid.width(), first.gridStep());
    int[] coarse = new int[coarseGx * ChiGrid.cells(grid.height(), first.gridStep()) * coarseSlots];
    for (int cy = 0; cy < grid.gy(); cy++) {
      for (int cx = 0; cx < grid.gx(); cx++) {
        int from = (cy * grid.gx() + cx) * fineSlots;
        int to = ((cy / cellFactor) * coarseGx + cx / cellFactor) * coarseSlots;
        for (int s = 0; s < fineSlots; s++) {
          coarse[to + s / binFactor] += cells[from + s];
        }
      }
    }
    return coarse;
  }

  /**
   * The cell histograms (as {@link #cellHistograms} lays them) of the mask whose CHI {@code chi}
   * reads on {@code grid}: what a merge that copies CHIs rebuilds another layout from.
   */
  public static int[] cellHistograms(ChiGrid grid, ChiLookup chi) {
    int bins = chi.bins();
    int slots = bins + 1;
    int[] cells = new int[grid.gx() * grid.gy() * slots];
    for (int cy = 0; cy < grid.gy(); cy++) {
      for (int cx = 0; cx < grid.gx(); cx++) {
        ChiGrid.Cells cell = new ChiGrid.Cells(cx, cx + 1, cy, cy + 1);
        int base = (cy * grid.gx() + cx) * slots;
        for (int s = 0; s < slots; s++) {
          cells[base + s] = Math.toIntExact(CpBounds.rect(grid, chi, cell, s, s + 1));
        }
      }
    }
    return cells;
  }

  /**
   * Each cell's histogram over the bins 0 .. bins (bins + 1 slots a cell, cells row by row): what
   * the CHI sums, in one pass over the pixels; throws unless the mask fits {@code params} ({@link
   * ChiParams#checkFits}).
   */
  public static int[] cellHistograms(Mask mask, ChiParams params) {
    params.checkFits(mask.height(), mask.width());
    int step = params.gridStep();
    int gx = ChiGrid.cells(mask.width(), step);
    int binSlots = params.bins() + 1;
    BinEdges edges = BinEdges.of(mask.dtype(), params.bins());
    // a row's cells one span at a time (no division per pixel; one byte a pixel read straight from
    // the array)
    int[] cells = new int[gx * ChiGrid.cells(mask.height(), step) * binSlots];
    int width = mask.width();
    byte[] bytes = mask.dtype() == MaskDType.UINT8 ? mask.rawBytes() : null;
    for (int y = 0; y < mask.height(); y++) {
      int rowBase = y * width;
      int cellRow = (y / step) * gx;
      for (int cx = 0, x0 = 0; x0 < width; cx++, x0 += step) {
        int base = (cellRow + cx) * binSlots;
        int end = rowBase + Math.min(x0 + step, width);
        if (bytes != null) {
          for (int i = rowBase + x0; i < end; i++) {
            cells[base + edges.binOf(bytes[i] & 0xFF)]++;
          }
        } else {
          for (int i = rowBase + x0; i < end; i++) {
            cells[base + edges.binOf(mask.code(i))]++;
          }
        }
      }
    }
    return cells;
  }

  /**
   * The position of entry (i, j, level) in {@link #counts()}: row-major over points, levels
   * innermost.
   */
  public static int index(int gx, int levels, int i, int j, int level) {
    return ((j - 1) * gx + (i - 1)) * levels + (level - 1);
  }

  @Override
  public long count(int i, int j, int level) {
    return counts[index(grid.gx(), levels, i, j, level)];
  }

  @Override
  public long entry(int index) {
    return counts[index];
  }

  @Override
  public int bins() {
    return levels;
  }

  public ChiGrid grid() {
    return grid;
  }

  /** The stored entries, laid out as {@link #index}; do not modify. */
  public int[] counts() {
    return counts;
  }
}
