package dev.masksearch.chi;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link CellCounts#forCover}, which reads only the corners of a cover's cells, against the counts
 * of the whole grid: every cell and rectangle the bounds and verification of that cover read has
 * the same counts, for boxes (inside, crossing, past the edge, empty) and shapes and ranges on the
 * bins, mask after mask read into the same table.
 */
public class CellCountsTests extends LuceneTestCase {

  public void testForCoverCountsTheCoverAsTheWholeGridDoes() {
    Random r = random();
    int iterations = atLeast(200);
    int compared = 0;
    for (int iter = 0; iter < iterations; iter++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 80);
      int width = RandomNumbers.randomIntBetween(r, 1, 80);
      int bins = RandomNumbers.randomIntBetween(r, 1, 20);
      ChiParams params = new ChiParams(RandomNumbers.randomIntBetween(r, 1, 24), bins);
      ChiGrid grid = new ChiGrid(params.gridStep(), width, height);
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
