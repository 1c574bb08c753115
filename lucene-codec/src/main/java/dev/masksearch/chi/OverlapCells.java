package dev.masksearch.chi;

/**
 * Bounds on how a document's mask overlaps a query mask, cell by cell from the document's CHI. For
 * a region R and the query's pixels S inside it (both laid on the document's grid), each cell c has
 * {@code a_c} pixels of R and {@code q_c} of S; the document's pixels in the counted range within
 * R's part of the cell, {@code d_c}, lie in {@code [L_c, U_c]} (the per-cell bounds of {@link
 * CpBounds}, from the CHI read whole by {@link CellCounts}), and the intersection {@code I_c} with
 * the query's pixels in {@code [max(0, d_c + q_c - a_c), min(d_c, q_c)]}.
 *
 * <p>IoU {@code I / (D + Q - I)} and Dice {@code 2I / (D + Q)} grow with I at a fixed D and shrink
 * with D at a fixed I. So per cell the most similar case is {@code d_c = clamp(q_c, L_c, U_c)} with
 * the largest intersection (each document pixel up to q_c adds to I and D alike; beyond, to D
 * only), and the least similar is {@code d_c = clamp(a_c - q_c, L_c, U_c)} with the smallest (each
 * pixel up to a_c - q_c adds to D only; beyond, to I and D alike). Cells choose independently, so
 * the sums give the best and worst (I, D) of any mask with this CHI: {@link #bounds}.
 */
public final class OverlapCells {
  private final ChiGrid grid;
  private final int[] cells; // (cx, cy) of each cell R touches
  private final long[] regionCovered; // a_c
  private final long[] queryCovered; // q_c
  private final long[] cellArea; // n_c
  private final long queryPixels; // Q
  private final CellCounts counts;

  /**
   * The cells of {@code region} and of the query's pixels {@code query} (inside the region), for a
   * CHI of {@code bins} stored levels and the counted range's {@code levels}.
   */
  public OverlapCells(CellCover region, CellCover query, int bins, BinEdges.Levels levels) {
    this.grid = region.grid();
    this.counts = new CellCounts(grid, bins, levels);
    int gx = grid.gx();
    long[] a = perCell(region);
    long[] q = perCell(query);
    int n = 0;
    for (long c : a) {
      n += c > 0 ? 1 : 0;
    }
    cells = new int[2 * n];
    regionCovered = new long[n];
    queryCovered = new long[n];
    cellArea = new long[n];
    int k = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] > 0) {
        int cx = i % gx;
        int cy = i / gx;
        cells[2 * k] = cx;
        cells[2 * k + 1] = cy;
        regionCovered[k] = a[i];
        queryCovered[k] = q[i];
        cellArea[k++] = grid.cellArea(cx, cy);
      }
    }
    this.queryPixels = query.area();
  }

  /** A region's covered pixels, per cell of the grid in row-major order. */
  private static long[] perCell(CellCover cover) {
    ChiGrid grid = cover.grid();
    int gx = grid.gx();
    long[] covered = new long[gx * grid.gy()];
    for (ChiGrid.Cells cells : cover.inside()) {
      for (int cy = cells.ya(); cy < cells.yb(); cy++) {
        for (int cx = cells.xa(); cx < cells.xb(); cx++) {
          covered[cy * gx + cx] = grid.cellArea(cx, cy);
        }
      }
    }
    for (int k = 0; k < cover.crossingCount(); k++) {
      covered[cover.crossingY(k) * gx + cover.crossingX(k)] = cover.covered(k);
    }
    return covered;
  }

  /** The cell counts of the mask {@code chi} reads, read whole (valid until the next read). */
  public CellSource counts(ChiLookup chi) {
    return counts.read(chi);
  }

  /** The query's pixels in the region, Q. */
  public long queryPixels() {
    return queryPixels;
  }

  /**
   * Sets {@code out} to the document's most similar case {@code out[0] = I, out[1] = D} and its
   * least similar {@code out[2] = I, out[3] = D}; reads the CHI once, in bulk.
   */
  public void bounds(ChiLookup chi, long[] out) {
    counts.read(chi);
    long bestI = 0;
    long bestD = 0;
    long worstI = 0;
    long worstD = 0;
    for (int k = 0; k < regionCovered.length; k++) {
      int cx = cells[2 * k];
      int cy = cells[2 * k + 1];
      long a = regionCovered[k];
      long q = queryCovered[k];
      long upper = Math.min(a, counts.overlapping(cx, cy));
      long lower = Math.max(0, counts.inner(cx, cy) - (cellArea[k] - a));
      long best = Math.clamp(q, lower, upper);
      bestI += Math.min(best, q);
      bestD += best;
      long worst = Math.clamp(a - q, lower, upper);
      worstI += Math.max(0, worst + q - a);
      worstD += worst;
    }
    out[0] = bestI;
    out[1] = bestD;
    out[2] = worstI;
    out[3] = worstD;
  }
}
