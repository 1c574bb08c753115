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
 * {@link CellCounts#forCover}, which reads only the grid points of a cover's cells, against the
 * counts of the whole grid: every cell and rectangle the bounds and verification of that cover read
 * has the same counts, for boxes (inside, crossing, past the edge, empty) and shapes, ranges on and
 * off the bins.
 */
public class CellCountsTests extends LuceneTestCase {

  public void testForCoverCountsTheCoverAsTheWholeGridDoes() {
    Random r = random();
    for (int iter = 0; iter < atLeast(300); iter++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 80);
      int width = RandomNumbers.randomIntBetween(r, 1, 80);
      int bins = RandomNumbers.randomIntBetween(r, 1, 20);
      ChiReference.Generated doc =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      Chi chi =
          Chi.build(doc.mask(), new ChiParams(RandomNumbers.randomIntBetween(r, 1, 24), bins));
      Region region = r.nextBoolean() ? box(r, width, height) : shape(r, width, height);
      ValueRange range = range(r, bins);
      BinEdges.Levels levels = BinEdges.of(dtype, bins).levels(range);
      CellCover cover = CellCover.of(chi.grid(), region);

      CellCounts whole = new CellCounts(chi.grid(), bins, levels).read(chi);
      CellCounts part = CellCounts.forCover(cover, bins, levels).read(chi);
      String what = doc.mask() + " " + region + " " + range + " on " + chi.grid();
      for (ChiGrid.Cells cells : cover.inside()) {
        assertSameCounts(what, whole, part, cells);
        if (!levels.isAligned()) { // verification bounds each inside cell on its own
          for (int cy = cells.ya(); cy < cells.yb(); cy++) {
            for (int cx = cells.xa(); cx < cells.xb(); cx++) {
              assertSameCounts(what, whole, part, new ChiGrid.Cells(cx, cx + 1, cy, cy + 1));
            }
          }
        }
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

  /** A range on the bins' edges or anywhere, empty included. */
  private static ValueRange range(Random r, int bins) {
    double lo = r.nextBoolean() ? (double) r.nextInt(bins + 1) / bins : r.nextDouble();
    double hi = r.nextBoolean() ? (double) r.nextInt(bins + 2) / bins : lo + r.nextDouble() / 2;
    return new ValueRange(lo, hi);
  }
}
