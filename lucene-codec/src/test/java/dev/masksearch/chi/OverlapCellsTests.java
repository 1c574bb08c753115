package dev.masksearch.chi;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link OverlapCells} against the true overlap: for any mask, query mask, threshold and region,
 * the most and least similar cases it reports bracket the true IoU and Dice, the intersection and
 * count of each case are ones some mask with this CHI could have, and a threshold on a bin edge
 * with masks that are constant per cell pins the true value.
 */
public class OverlapCellsTests extends LuceneTestCase {

  public void testCasesBracketTheTrueSimilarity() {
    Random r = random();
    int pinned = 0;
    for (int iter = 0; iter < atLeast(400); iter++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 60);
      int width = RandomNumbers.randomIntBetween(r, 1, 60);
      int bins = RandomNumbers.randomIntBetween(r, 1, 20);
      ChiReference.Generated doc =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      ChiReference.Generated query =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      ChiParams params = new ChiParams(RandomNumbers.randomIntBetween(r, 1, 24), bins);
      Chi chi = Chi.build(doc.mask(), params);
      double threshold = r.nextBoolean() ? (double) r.nextInt(bins + 1) / bins : r.nextDouble();
      RandomRegions.Case region =
          r.nextInt(3) == 0 ? null : RandomRegions.shape(r, Math.max(width, height));
      ValueRange on = new ValueRange(threshold, Double.POSITIVE_INFINITY);
      Shape queryOn = Shape.where(query.mask(), on);
      if (region != null) {
        queryOn = queryOn.intersect(region.region());
      }
      CellCover regionCover = CellCover.of(chi.grid(), region == null ? Roi.FULL : region.region());
      OverlapCells cells =
          new OverlapCells(
              regionCover,
              CellCover.of(chi.grid(), queryOn),
              bins,
              BinEdges.of(dtype, bins).levels(on));
      long[] cases = new long[4];
      cells.bounds(chi, cases);

      long i = 0;
      long d = 0;
      long q = 0;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          if (region == null || region.inside().test(x, y)) {
            boolean a = doc.values()[y * width + x] >= threshold;
            boolean b = query.values()[y * width + x] >= threshold;
            d += a ? 1 : 0;
            q += b ? 1 : 0;
            i += a && b ? 1 : 0;
          }
        }
      }
      String what = doc.mask() + " like " + query.mask() + " at " + threshold + " in " + region;
      assertEquals(what, q, cells.queryPixels());
      for (int c = 0; c < 4; c += 2) { // each case is a possible (I, D)
        assertTrue(what, cases[c] >= 0 && cases[c] <= Math.min(cases[c + 1], q));
      }
      double iou = iou(i, d, q);
      double dice = dice(i, d, q);
      assertTrue(what + " iou " + iou, iou(cases[2], cases[3], q) <= iou);
      assertTrue(what + " iou " + iou, iou <= iou(cases[0], cases[1], q));
      assertTrue(what + " dice", dice(cases[2], cases[3], q) <= dice);
      assertTrue(what + " dice", dice <= dice(cases[0], cases[1], q));
      pinned += iou(cases[0], cases[1], q) == iou(cases[2], cases[3], q) ? 1 : 0;
    }
    assertTrue("some bounds should pin the similarity: " + pinned, pinned > 0);
  }

  /** {@link L1Cells} brackets the true sum of absolute differences, in any region. */
  public void testL1BoundsBracketTheTrueSum() {
    Random r = random();
    int tight = 0;
    for (int iter = 0; iter < atLeast(300); iter++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 50);
      int width = RandomNumbers.randomIntBetween(r, 1, 50);
      int bins = RandomNumbers.randomIntBetween(r, 1, 20);
      ChiReference.Generated doc =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      ChiReference.Generated query =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      Chi chi =
          Chi.build(doc.mask(), new ChiParams(RandomNumbers.randomIntBetween(r, 1, 24), bins));
      RandomRegions.Case region =
          r.nextInt(3) == 0 ? null : RandomRegions.shape(r, Math.max(width, height));
      L1Cells cells =
          new L1Cells(chi.grid(), bins, region == null ? Roi.FULL : region.region(), query.mask());
      long[] sums = new long[2];
      cells.bounds(chi, sums);
      double sum = 0;
      long area = 0;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          if (region == null || region.inside().test(x, y)) {
            sum += Math.abs(doc.values()[y * width + x] - query.values()[y * width + x]);
            area++;
          }
        }
      }
      String what = doc.mask() + " vs " + query.mask() + " in " + region + ", " + bins + " bins";
      assertEquals(what, area, cells.area());
      assertTrue(what + ": " + sums[0] + "/" + bins + " <= " + sum, sums[0] <= sum * bins + 1e-6);
      assertTrue(what + ": " + sum + " <= " + sums[1] + "/" + bins, sum * bins <= sums[1] + 1e-6);
      tight += sums[1] - sums[0] < area * bins / 4 ? 1 : 0;
    }
    assertTrue("the bounds should be tight for some masks: " + tight, tight > 0);
  }

  public void testBinaryMasksOnTheGridArePinned() {
    // two 64 x 64 masks made of whole 16-pixel cells: every cell all on or all off
    byte[] a = new byte[64 * 64];
    byte[] b = new byte[64 * 64];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        a[y * 64 + x] = (byte) (x < 32 ? 255 : 0);
        b[y * 64 + x] = (byte) (y < 48 ? 255 : 0);
      }
    }
    Mask doc = Mask.of(MaskDType.UINT8, 64, 64, a);
    Mask query = Mask.of(MaskDType.UINT8, 64, 64, b);
    Chi chi = Chi.build(doc, new ChiParams(16, 20));
    ValueRange on = new ValueRange(0.5, Double.POSITIVE_INFINITY);
    OverlapCells cells =
        new OverlapCells(
            CellCover.of(chi.grid(), Roi.FULL),
            CellCover.of(chi.grid(), Shape.where(query, on)),
            20,
            BinEdges.of(MaskDType.UINT8, 20).levels(on));
    long[] cases = new long[4];
    cells.bounds(chi, cases);
    // I = 32 x 48, D = 32 x 64, Q = 64 x 48: both cases are the truth
    assertArrayEquals(new long[] {1536, 2048, 1536, 2048}, cases);
  }

  private static double iou(long i, long d, long q) {
    return d + q - i == 0 ? 0 : (double) i / (d + q - i);
  }

  private static double dice(long i, long d, long q) {
    return d + q == 0 ? 0 : 2.0 * i / (d + q);
  }
}
