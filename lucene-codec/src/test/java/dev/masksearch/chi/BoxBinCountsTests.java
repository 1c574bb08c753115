package dev.masksearch.chi;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.RandomMasks;
import java.util.Random;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.BytesRef;

/** Tests of {@link BoxBinCounts}: bounds against a brute-force count, and what a reader rejects. */
public class BoxBinCountsTests extends LuceneTestCase {

  /**
   * For random masks, boxes (empty, one pixel, past the edge) and ranges: the counts bound CP, and
   * equal it for ranges of whole bins; read from inside a larger array as doc values hand them out.
   */
  public void testBoundsEqualBruteForce() throws CorruptIndexException {
    Random random = random();
    BoxBinCounts counts = new BoxBinCounts();
    for (int iter = 0; iter < atLeast(300); iter++) {
      MaskDType dtype = MaskDType.values()[random.nextInt(MaskDType.values().length)];
      int height = TestUtil.nextInt(random, 1, random.nextInt(10) == 0 ? 300 : 40);
      int width = TestUtil.nextInt(random, 1, random.nextInt(10) == 0 ? 300 : 40);
      Mask mask = RandomMasks.mask(random, dtype, height, width);
      int bins = TestUtil.nextInt(random, 1, random.nextBoolean() ? 20 : 256);
      Roi box =
          new Roi(
              TestUtil.nextInt(random, -5, width + 5),
              TestUtil.nextInt(random, -5, height + 5),
              TestUtil.nextInt(random, -5, width + 5),
              TestUtil.nextInt(random, -5, height + 5));
      byte[] encoded = BoxBinCounts.encode(mask, box, bins);
      byte[] padded = new byte[encoded.length + 10];
      int offset = random.nextInt(5);
      System.arraycopy(encoded, 0, padded, offset, encoded.length);
      counts.read(new BytesRef(padded, offset, encoded.length), bins, "f");
      assertEquals(box.clip(width, height).area(), counts.area());
      double lv =
          random.nextBoolean() ? random.nextInt(bins + 1) / (double) bins : random.nextDouble();
      double uv = random.nextBoolean() ? 1.5 : lv + random.nextDouble();
      ValueRange range = new ValueRange(lv, uv);
      BinEdges.Levels levels = BinEdges.of(dtype, bins).levels(range);
      CpBounds bounds = new CpBounds();
      counts.bound(levels, box.clip(width, height).area(), bounds);
      long exact = mask.countPixels(box, range);
      String what = dtype + " " + width + "x" + height + " " + box + " " + range + " bins=" + bins;
      assertTrue(what + ": " + bounds.lower + " > " + exact, bounds.lower <= exact);
      assertTrue(what + ": " + bounds.upper + " < " + exact, exact <= bounds.upper);
      if (levels.isAligned()) {
        assertEquals(what, exact, bounds.lower);
        assertEquals(what, exact, bounds.upper);
      }
    }
  }

  /**
   * Version 0's bytes, frozen: values written today must read the same forever (a 2 x 2 uint8 mask
   * of codes 0, 128, 230, 255 at 4 bins: bins 0, 2, 3 and 4 hold one pixel each).
   */
  public void testVersion0BytesAreFrozen() throws CorruptIndexException {
    Mask mask = Mask.of(MaskDType.UINT8, 2, 2, new byte[] {0, (byte) 128, (byte) 230, (byte) 255});
    byte[] frozen = {0, 4, 0, 1, 4, 3, 3, 2, 1};
    assertArrayEquals(frozen, BoxBinCounts.encode(mask, new Roi(-1, -1, 9, 9), 4));
    BoxBinCounts counts = new BoxBinCounts().read(new BytesRef(frozen), 4, "f");
    long[] atLeast = new long[6];
    for (int l = 0; l < atLeast.length; l++) {
      atLeast[l] = counts.atLeast(l);
    }
    assertArrayEquals(new long[] {4, 3, 3, 2, 1, 0}, atLeast);
  }

  /** Boxes of 100, 10,000 and 90,000 pixels: levels of 1, 2 and 4 bytes, each read back exactly. */
  public void testLevelWidths() throws CorruptIndexException {
    int bins = 20;
    int[] sides = {10, 100, 300};
    int[] widths = {1, 2, 4};
    for (int k = 0; k < sides.length; k++) {
      Mask mask = RandomMasks.mask(random(), MaskDType.UINT8, sides[k], sides[k]);
      byte[] encoded = BoxBinCounts.encode(mask, Roi.FULL, bins);
      assertEquals(4 + (bins + 1) * widths[k], encoded.length);
      BoxBinCounts counts = new BoxBinCounts().read(new BytesRef(encoded), bins, "f");
      BinEdges edges = BinEdges.of(MaskDType.UINT8, bins);
      for (int level = 0; level <= bins + 1; level++) {
        long expected = 0;
        for (int i = 0; i < sides[k] * sides[k]; i++) {
          expected += edges.binOf(mask.code(i)) >= level ? 1 : 0;
        }
        assertEquals("side " + sides[k] + " level " + level, expected, counts.atLeast(level));
      }
    }
  }

  /** A value of another version, bin count or width, or of the wrong length, is corrupt. */
  public void testMalformedValuesAreCorrupt() {
    Mask mask = RandomMasks.mask(random(), MaskDType.UINT8, 30, 30);
    byte[] good = BoxBinCounts.encode(mask, new Roi(0, 0, 20, 20), 20);
    BoxBinCounts counts = new BoxBinCounts();
    expectThrows(CorruptIndexException.class, () -> counts.read(new BytesRef(good), 10, "f"));
    for (int at : new int[] {0, 3}) {
      byte[] bad = good.clone();
      bad[at] = (byte) (at == 0 ? 1 : 3); // version 1, width 3
      expectThrows(CorruptIndexException.class, () -> counts.read(new BytesRef(bad), 20, "f"));
    }
    for (int length : new int[] {0, 3, good.length - 1}) {
      expectThrows(
          CorruptIndexException.class, () -> counts.read(new BytesRef(good, 0, length), 20, "f"));
    }
    byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
    expectThrows(CorruptIndexException.class, () -> counts.read(new BytesRef(longer), 20, "f"));
  }
}
