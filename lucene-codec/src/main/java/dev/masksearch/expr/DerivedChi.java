package dev.masksearch.expr;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.chi.CellCover;
import dev.masksearch.chi.CellSource;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiLookup;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Roi;

/**
 * The CHI of one derived binary mask (a predicate's result over a document's masks): the number of
 * pixels where it holds in {@code [0, lineX(i)) x [0, lineY(j))} for every pair of grid lines, a
 * CHI of one level. Its bounds are {@link CpBounds}' over the region, exact when the region is
 * aligned.
 */
final class DerivedChi implements ChiLookup {
  /**
   * The grid step: the engine's default, since a domain spans masks of several fields, each with
   * its own step.
   */
  static final int STEP = ChiParams.DEFAULT_GRID_STEP;

  /** The one level a derived mask has: the pixels where the predicate holds. */
  private static final BinEdges.Levels HOLDS = new BinEdges.Levels(1, 2, 1, 2);

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
        cumulative[j * (gx + 1) + i] =
            cell
                + at(cumulative, gx, i - 1, j)
                + at(cumulative, gx, i, j - 1)
                - at(cumulative, gx, i - 1, j - 1);
      }
    }
    return new DerivedChi(grid, cumulative);
  }

  /** Whether it was built over this domain (a document's masks do not change within a segment). */
  boolean covers(int width, int height) {
    return grid.width() == width && grid.height() == height;
  }

  /** The grid it was built on. */
  ChiGrid grid() {
    return grid;
  }

  /**
   * Lower and upper bound of the count in {@code roi}, into {@code out[0..1]}; thread-safe (entries
   * are shared).
   */
  void bounds(Roi roi, double[] out) {
    CpBounds bounds = new CpBounds().compute(grid, this, roi, HOLDS);
    out[0] = bounds.lower;
    out[1] = bounds.upper;
  }

  /** The same for a region of any shape laid on this CHI's grid (per-cell bounds). */
  void bounds(CellCover cover, double[] out) {
    CpBounds bounds = new CpBounds().computeRefined(CellSource.of(grid, this, HOLDS), cover);
    out[0] = bounds.lower;
    out[1] = bounds.upper;
  }

  @Override
  public long count(int i, int j, int level) {
    return at(cumulative, grid.gx(), i, j); // level is 1: the only one
  }

  @Override
  public long entry(int index) {
    throw new UnsupportedOperationException("a derived CHI is read by grid point");
  }

  @Override
  public int bins() {
    return 1;
  }

  long sizeInBytes() {
    // The array and this object, plus the cache's entry: boxed doc id, map node, grid record (about
    // 104 bytes).
    return 4L * cumulative.length + 104;
  }

  private static int at(int[] cumulative, int gx, int i, int j) {
    return cumulative[j * (gx + 1) + i];
  }
}
