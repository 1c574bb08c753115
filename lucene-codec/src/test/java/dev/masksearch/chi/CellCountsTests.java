package dev.masksearch.chi;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The cell sources that read a part of the CHI, or read it cell by cell ({@link CellLevelCounts}),
 * against the counts of the whole grid. {@link CellCounts#forCover}, which reads only the corners
 * of a cover's cells: every cell and rectangle the bounds and verification of that cover read has
 * the same counts, for boxes (inside, crossing, past the edge, empty) and shapes and ranges on the
 * bins, mask after mask read into the same table.
 */
public class CellCountsTests extends LuceneTestCase {

  public void testForCoverCountsTheCoverAsTheWholeGridDoes() {
    Random r = random();
    int iterations = atLeast(200);
    int compared = 0;
    for (int iter = 0; iter < iterations; iter++) {
      Masks masks = Masks.random(r);
      MaskDType dtype = masks.dtype();
      int height = masks.height();
      int width = masks.width();
      int bins = masks.params().bins();
      ChiParams params = masks.params();
      ChiGrid grid = masks.grid();
      Region region = r.nextBoolean() ? box(r, width, height) : shape(r, width, height);
      // a range on the bins' edges, empty and past the top bin included
      int from = r.nextInt(bins + 2);
      ValueRange range =
          new ValueRange(
              (double) from / bins, (double) RandomNumbers.randomIntBetween(r, 0, bins + 2) / bins);
      BinEdges.Levels levels = BinEdges.of(dtype, bins).levels(range);
      CellCover cover = CellCover.of(grid, region);
      if (!levels.isAligned()) { // an edge a dtype's codes cannot hold
        expectThrows(
            IllegalArgumentException.class, () -> CellCounts.forCover(cover, bins, levels));
        continue;
      }
      compared++;
      CellCounts part = CellCounts.forCover(cover, bins, levels);
      for (int doc = 0; doc < 3; doc++) { // one table, read mask after mask
        ChiReference.Generated mask =
            ChiReference.mask(
                r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
        Chi chi = Chi.build(mask.mask(), params);
        CellCounts whole = new CellCounts(grid, bins, levels).read(chi);
        part.read(chi);
        String what = mask.mask() + " " + region + " " + range + " on " + grid;
        for (ChiGrid.Cells cells : cover.inside()) {
          assertSameCounts(what, whole, part, cells);
        }
        for (int k = 0; k < cover.crossingCount(); k++) {
          assertSameCounts(what, whole, part, cover.crossingCell(k));
        }
        CpBounds expected = new CpBounds().computeRefined(whole, cover);
        CpBounds actual = new CpBounds().computeRefined(part, cover);
        assertEquals(what, expected.lower, actual.lower);
        assertEquals(what, expected.upper, actual.upper);
      }
    }
    assertTrue(compared + " of " + iterations + " ranges on the bins", compared > iterations / 2);
  }

  /**
   * {@link CellLevelCounts}, each cell read at the range's levels and added up per rectangle,
   * counts every rectangle of the grid (each cell, each row, the whole grid, a random one) and a
   * cover's refined bounds as the cumulative table does, for ranges on and off the bins, mask after
   * mask read into the same counts.
   */
  public void testCellLevelCountsCountAsTheWholeGridDoes() throws Exception {
    Random r = random();
    for (int iter = 0, iterations = atLeast(200); iter < iterations; iter++) {
      Masks masks = Masks.random(r);
      int bins = masks.params().bins();
      ChiGrid grid = masks.grid();
      ValueRange range = // on the bins' edges, empty, past the top bin, or anywhere
          r.nextBoolean()
              ? new ValueRange(
                  (double) r.nextInt(bins + 2) / bins,
                  (double) RandomNumbers.randomIntBetween(r, 0, bins + 2) / bins)
              : new ValueRange(r.nextDouble() * 1.2 - 0.1, r.nextDouble() * 1.2 - 0.1);
      BinEdges.Levels levels = BinEdges.of(masks.dtype(), bins).levels(range);
      CellLevelCounts cells = new CellLevelCounts(grid, bins, levels);
      CellCounts all = CellCounts.allLevels(grid, bins);
      for (int doc = 0; doc < 3; doc++) {
        ChiReference.Generated mask =
            ChiReference.mask(
                r,
                masks.dtype(),
                masks.height(),
                masks.width(),
                r.nextInt(ChiReference.KINDS),
                new int[] {bins});
        Chi chi = Chi.build(mask.mask(), masks.params());
        CellCounts whole = new CellCounts(grid, bins, levels).read(chi);
        all.read(chi);
        cells.read( // as a record's reader: each cell at each level asked for
            (asked, n, out) -> {
              for (int c = 0; c < grid.gx() * grid.gy(); c++) {
                for (int k = 0; k < n; k++) {
                  out[c * n + k] = (int) all.atLeast(c % grid.gx(), c / grid.gx(), asked[k]);
                }
              }
            });
        String what = mask.mask() + " " + range + " on " + grid;
        assertEquals(what, whole.aligned(), cells.aligned());
        List<ChiGrid.Cells> rectangles = new ArrayList<>();
        rectangles.add(new ChiGrid.Cells(0, grid.gx(), 0, grid.gy()));
        for (int cy = 0; cy < grid.gy(); cy++) {
          rectangles.add(new ChiGrid.Cells(0, grid.gx(), cy, cy + 1));
          for (int cx = 0; cx < grid.gx(); cx++) {
            rectangles.add(new ChiGrid.Cells(cx, cx + 1, cy, cy + 1));
          }
        }
        int xa = r.nextInt(grid.gx() + 1);
        int ya = r.nextInt(grid.gy() + 1);
        rectangles.add( // possibly empty
            new ChiGrid.Cells(
                xa,
                RandomNumbers.randomIntBetween(r, xa, grid.gx()),
                ya,
                RandomNumbers.randomIntBetween(r, ya, grid.gy())));
        for (ChiGrid.Cells rectangle : rectangles) {
          assertEquals(
              what + " " + rectangle, whole.overlapping(rectangle), cells.overlapping(rectangle));
          assertEquals(what + " " + rectangle, whole.inner(rectangle), cells.inner(rectangle));
        }
        Region region =
            r.nextBoolean()
                ? box(r, masks.width(), masks.height())
                : shape(r, masks.width(), masks.height());
        CellCover cover = CellCover.of(grid, region);
        CpBounds expected = new CpBounds().computeRefined(whole, cover);
        CpBounds actual = new CpBounds().computeRefined(cells, cover);
        assertEquals(what + " " + region, expected.lower, actual.lower);
        assertEquals(what + " " + region, expected.upper, actual.upper);
        // verification, which bounds each inside cell apart for a range off the bins
        int maskWidth = masks.width();
        CpBounds.Pixels pixels =
            (x1, y1, x2, y2) -> {
              long count = 0;
              for (int y = y1; y < y2; y++) {
                for (int x = x1; x < x2; x++) {
                  double v = mask.values()[y * maskWidth + x];
                  count += range.lv() <= v && v < range.uv() ? 1 : 0;
                }
              }
              return count;
            };
        long exact = CpBounds.exactCount(whole, cover, pixels);
        assertEquals(what + " " + region, exact, CpBounds.exactCount(cells, cover, pixels));
        long threshold = RandomNumbers.randomIntBetween(r, -1, (int) cover.area());
        CpBounds.Question countAbove = (lower, upper) -> lower <= threshold && threshold < upper;
        CpBounds answered =
            CpBounds.countUntilAnswered(cells, cover, pixels, countAbove, new CpBounds());
        assertTrue(what + " " + region, answered.lower <= exact && exact <= answered.upper);
        assertFalse(what + " " + region, countAbove.isOpen(answered.lower, answered.upper));
      }
    }
  }

  public void testForCoverServesRangesOnTheBinsOnly() {
    ChiGrid grid = new ChiGrid(16, 64, 64);
    BinEdges.Levels offTheBins = BinEdges.of(MaskDType.FLOAT32, 10).levels(new ValueRange(0.33, 1));
    assertFalse(offTheBins.isAligned());
    expectThrows(
        IllegalArgumentException.class,
        () -> CellCounts.forCover(CellCover.of(grid, new Roi(5, 5, 40, 40)), 10, offTheBins));
  }

  private static void assertSameCounts(
      String what, CellCounts whole, CellCounts part, ChiGrid.Cells cells) {
    assertEquals(what + " " + cells, whole.overlapping(cells), part.overlapping(cells));
    assertEquals(what + " " + cells, whole.inner(cells), part.inner(cells));
  }

  /** Masks of one dtype and size up to 80 x 80, and a CHI's parameters for them. */
  private record Masks(MaskDType dtype, int height, int width, ChiParams params) {
    static Masks random(Random r) {
      return new Masks(
          RandomPicks.randomFrom(r, MaskDType.values()),
          RandomNumbers.randomIntBetween(r, 1, 80),
          RandomNumbers.randomIntBetween(r, 1, 80),
          new ChiParams(
              RandomNumbers.randomIntBetween(r, 1, 24), RandomNumbers.randomIntBetween(r, 1, 20)));
    }

    ChiGrid grid() {
      return new ChiGrid(params.gridStep(), width, height);
    }
  }

  /** A box anywhere near the mask: inside, crossing or past its edges, possibly empty. */
  private static Roi box(Random r, int width, int height) {
    int x1 = RandomNumbers.randomIntBetween(r, -5, width + 5);
    int y1 = RandomNumbers.randomIntBetween(r, -5, height + 5);
    return new Roi(
        x1,
        y1,
        x1 + RandomNumbers.randomIntBetween(r, 0, width + 5),
        y1 + RandomNumbers.randomIntBetween(r, 0, height + 5));
  }

  private static Region shape(Random r, int width, int height) {
    return RandomRegions.shape(r, Math.max(width, height)).region();
  }
}
