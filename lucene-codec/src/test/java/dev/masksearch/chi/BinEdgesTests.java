package dev.masksearch.chi;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.ValueRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Tests of {@link BinEdges}: code binning and level brackets, against value-based binning from
 * {@link ChiReference}.
 */
public class BinEdgesTests extends LuceneTestCase {

  private static final MaskDType[] SMALL_DTYPES = {
    MaskDType.UINT8, MaskDType.UINT16, MaskDType.FLOAT16
  };

  /** Reference bins of every code of a dtype with at most 65,536 codes. */
  private static int[] refBins(MaskDType dtype, int bins) {
    int[] out = new int[dtype.maxCode() + 1];
    for (int c = 0; c < out.length; c++) {
      out[c] = ChiReference.bin(ChiReference.value(dtype, c), bins);
    }
    return out;
  }

  private static void assertBinsOfAllCodes(MaskDType dtype, int bins) {
    BinEdges edges = BinEdges.of(dtype, bins);
    assertEquals(bins, edges.bins());
    for (int c = 0; c <= dtype.maxCode(); c++) {
      int expected = ChiReference.bin(ChiReference.value(dtype, c), bins);
      int actual = edges.binOf(c);
      if (expected != actual) {
        fail(
            dtype
                + " bins="
                + bins
                + " code "
                + c
                + " value "
                + ChiReference.value(dtype, c)
                + ": expected bin "
                + expected
                + ", binOf gave "
                + actual);
      }
    }
  }

  /** Every code of uint8, uint16 and float16 lands in the bin its value belongs to. */
  public void testBinOfExhaustive() {
    Random r = random();
    for (MaskDType dtype : SMALL_DTYPES) {
      List<Integer> binCounts = new ArrayList<>();
      for (int bins = 1; bins <= 64; bins++) {
        binCounts.add(bins);
      }
      binCounts.add(255); // largest count a byte table holds without wrapping
      for (int i = 0; i < 5; i++) {
        binCounts.add(RandomNumbers.randomIntBetween(r, 65, 254));
      }
      for (int bins : binCounts) {
        // uint16 has 65,536 codes: all bin counts up to 16, then a random subset, to keep the test
        // fast.
        if (dtype == MaskDType.UINT16 && bins > 16 && r.nextInt(4) != 0) {
          continue;
        }
        assertBinsOfAllCodes(dtype, bins);
      }
    }
  }

  /**
   * ChiParams allows up to 256 bins, so bin indices run to 256 (the top bin, value 1.0). The
   * code-to-bin table of uint8/uint16/float16 stores bins in a byte, where 256 wraps to 0: value
   * 1.0 is put in bin 0.
   */
  public void testBinOfAtMaxBins() {
    int bins = ChiParams.MAX_BINS;
    for (MaskDType dtype : MaskDType.values()) {
      BinEdges edges = BinEdges.of(dtype, bins);
      assertEquals(
          dtype + ": bin of 1.0 with " + bins + " bins", bins, edges.binOf(dtype.maxCode()));
    }
    for (MaskDType dtype : SMALL_DTYPES) {
      assertBinsOfAllCodes(dtype, bins);
    }
  }

  /** float32 has a billion codes: check random codes and every code at or next to a bin edge. */
  public void testBinOfFloat32() {
    Random r = random();
    MaskDType dtype = MaskDType.FLOAT32;
    int rounds = atLeast(40);
    for (int round = 0; round < rounds; round++) {
      int bins =
          round < 2 ? ChiParams.MAX_BINS : RandomNumbers.randomIntBetween(r, 1, ChiParams.MAX_BINS);
      BinEdges edges = BinEdges.of(dtype, bins);
      List<Integer> probes = new ArrayList<>(List.of(0, 1, dtype.maxCode(), dtype.maxCode() - 1));
      for (int b = 0; b <= bins; b++) {
        int edge = ChiReference.firstCodeAtLeast(dtype, (double) b / bins);
        for (int d = -2; d <= 2; d++) {
          probes.add(edge + d);
        }
        probes.add(
            Float.floatToRawIntBits(
                (float) b / bins)); // the nearest float, on either side of the edge
      }
      for (int i = 0; i < 2000; i++) {
        probes.add(RandomNumbers.randomIntBetween(r, 0, dtype.maxCode()));
        probes.add(Float.floatToRawIntBits(r.nextFloat())); // uniform in value rather than in code
      }
      for (int c : probes) {
        if (c < 0 || c > dtype.maxCode()) {
          continue;
        }
        double v = ChiReference.value(dtype, c);
        int expected = ChiReference.bin(v, bins);
        if (edges.binOf(c) != expected) {
          fail(
              "float32 bins="
                  + bins
                  + " code "
                  + Integer.toHexString(c)
                  + " value "
                  + v
                  + ": expected "
                  + expected
                  + ", got "
                  + edges.binOf(c));
        }
      }
    }
  }

  public void testCachedAndParamsValidated() {
    assertSame(BinEdges.of(MaskDType.UINT8, 16), BinEdges.of(MaskDType.UINT8, 16));
    assertNotSame(BinEdges.of(MaskDType.UINT8, 16), BinEdges.of(MaskDType.UINT16, 16));
    assertEquals(16, BinEdges.of(MaskDType.FLOAT16, 16).bins());
    for (int bad : new int[] {0, -1, ChiParams.MAX_BINS + 1}) {
      expectThrows(IllegalArgumentException.class, () -> new ChiParams(8, bad));
    }
    for (int bad : new int[] {0, -1, 4097}) {
      expectThrows(IllegalArgumentException.class, () -> new ChiParams(bad, 8));
    }
    ChiParams p = new ChiParams(4096, ChiParams.MAX_BINS);
    assertEquals(ChiParams.MAX_BINS, p.bins());
  }

  /**
   * Query bounds worth trying: edges of this bin count and their neighbours, code values and
   * theirs, specials.
   */
  static double randomBound(Random r, MaskDType dtype, int bins) {
    double edge = (double) RandomNumbers.randomIntBetween(r, 0, bins) / bins;
    double v = ChiReference.value(dtype, RandomNumbers.randomIntBetween(r, 0, dtype.maxCode()));
    return switch (r.nextInt(9)) {
      case 0, 1 -> edge;
      case 2 -> Math.nextUp(edge);
      case 3 -> Math.nextDown(edge);
      case 4 -> v;
      case 5 -> r.nextBoolean() ? Math.nextUp(v) : Math.nextDown(v);
      case 6 ->
          RandomPicks.randomFrom(
              r,
              new Double[] {
                -0.0,
                0.0,
                1.0,
                1.5,
                -1.0,
                Math.nextUp(1.0),
                Math.nextDown(1.0),
                Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY,
                0.8
              });
      default -> r.nextDouble() * 1.2 - 0.1;
    };
  }

  /**
   * The level bracket of a range is sound (inner bins hold only in-range codes, every in-range code
   * is in an outer bin), tight (the only outer bins not fully inside are the two end bins), empty
   * exactly when no code is in range, and exact for aligned ranges. Checked at every code for
   * uint8, uint16 and float16.
   */
  public void testLevelsExhaustive() {
    Random r = random();
    for (MaskDType dtype : SMALL_DTYPES) {
      int rounds = dtype == MaskDType.UINT16 ? 20 : 60;
      for (int round = 0; round < rounds; round++) {
        int bins =
            r.nextInt(5) == 0
                ? RandomNumbers.randomIntBetween(r, 65, 255)
                : RandomNumbers.randomIntBetween(r, 1, 64);
        int[] refBins = refBins(dtype, bins);
        BinEdges edges = BinEdges.of(dtype, bins);
        boolean[] binNonEmpty = new boolean[bins + 1];
        for (int b : refBins) {
          binNonEmpty[b] = true;
        }
        boolean noEmptyBin = true;
        for (boolean ne : binNonEmpty) {
          noEmptyBin &= ne;
        }
        int ranges = dtype == MaskDType.UINT16 ? 20 : 50;
        for (int q = 0; q < ranges; q++) {
          double lv = randomBound(r, dtype, bins);
          double uv = randomBound(r, dtype, bins);
          checkLevels(
              dtype, bins, refBins, edges.levels(new ValueRange(lv, uv)), lv, uv, noEmptyBin);
        }
      }
    }
  }

  private static void checkLevels(
      MaskDType dtype,
      int bins,
      int[] refBins,
      BinEdges.Levels levels,
      double lv,
      double uv,
      boolean noEmptyBin) {
    String where = dtype + " bins=" + bins + " [" + lv + ", " + uv + ") " + levels;
    assertTrue(
        where,
        0 <= levels.innerFrom()
            && levels.innerFrom() <= levels.innerTo()
            && levels.innerTo() <= bins + 1);
    assertTrue(where, 0 <= levels.outerFrom() && levels.outerTo() <= bins + 1);
    boolean anyInRange = false;
    boolean aligned = ChiReference.rangeAligned(lv, uv, bins);
    for (int c = 0; c < refBins.length; c++) {
      double v = ChiReference.value(dtype, c);
      boolean in = lv <= v && v < uv;
      anyInRange |= in;
      int b = refBins[c];
      boolean inner = levels.innerFrom() <= b && b < levels.innerTo();
      boolean outer = levels.outerFrom() <= b && b < levels.outerTo();
      if (inner && !in) {
        fail(where + ": code " + c + " (bin " + b + ") is in an inner bin but not in range");
      }
      if (in && !outer) {
        fail(where + ": code " + c + " (bin " + b + ") is in range but not in an outer bin");
      }
      if (outer && !inner && b != levels.outerFrom() && b != levels.outerTo() - 1) {
        fail(where + ": bin " + b + " is a partial bin but not at an end of the bracket");
      }
      if (aligned && in != inner) {
        fail(
            where
                + ": aligned range but code "
                + c
                + " (bin "
                + b
                + ") in range="
                + in
                + ", inner="
                + inner);
      }
      if (levels.isAligned() && in != outer) {
        // isAligned() promises exact counts, so in-range must coincide with the (equal) bin
        // brackets.
        fail(
            where
                + ": isAligned() but code "
                + c
                + " (bin "
                + b
                + ") in range="
                + in
                + ", outer="
                + outer);
      }
    }
    assertEquals(where, !anyInRange, levels.isEmpty());
    if (aligned && anyInRange && noEmptyBin) {
      assertTrue(where, levels.isAligned());
    }
  }

  /**
   * The same properties for float32, at sampled codes: around each edge, around the range's ends,
   * and random.
   */
  public void testLevelsFloat32Sampled() {
    Random r = random();
    MaskDType dtype = MaskDType.FLOAT32;
    int rounds = atLeast(30);
    for (int round = 0; round < rounds; round++) {
      int bins = RandomNumbers.randomIntBetween(r, 1, ChiParams.MAX_BINS);
      BinEdges edges = BinEdges.of(dtype, bins);
      List<Integer> edgeProbes = new ArrayList<>();
      for (int b = 0; b <= bins; b++) {
        int e = ChiReference.firstCodeAtLeast(dtype, (double) b / bins);
        edgeProbes.add(e - 1);
        edgeProbes.add(e);
        edgeProbes.add(e + 1);
      }
      for (int q = 0; q < 50; q++) {
        double lv = randomBound(r, dtype, bins);
        double uv = randomBound(r, dtype, bins);
        BinEdges.Levels levels = edges.levels(new ValueRange(lv, uv));
        String where = "float32 bins=" + bins + " [" + lv + ", " + uv + ") " + levels;
        List<Integer> probes = new ArrayList<>(edgeProbes);
        int lo = ChiReference.firstCodeAtLeast(dtype, lv);
        int hi = ChiReference.firstCodeAtLeast(dtype, uv);
        for (int d = -1; d <= 1; d++) {
          probes.add(lo + d);
          probes.add(hi + d);
        }
        for (int i = 0; i < 200; i++) {
          probes.add(RandomNumbers.randomIntBetween(r, 0, dtype.maxCode()));
        }
        boolean aligned = ChiReference.rangeAligned(lv, uv, bins);
        for (int c : probes) {
          if (c < 0 || c > dtype.maxCode()) {
            continue;
          }
          double v = ChiReference.value(dtype, c);
          boolean in = lv <= v && v < uv;
          int b = ChiReference.bin(v, bins);
          boolean inner = levels.innerFrom() <= b && b < levels.innerTo();
          boolean outer = levels.outerFrom() <= b && b < levels.outerTo();
          assertFalse(where + " code " + c, inner && !in);
          assertFalse(where + " code " + c, in && !outer);
          assertFalse(
              where + " code " + c,
              outer && !inner && b != levels.outerFrom() && b != levels.outerTo() - 1);
          assertFalse(where + " code " + c, aligned && in != inner);
        }
        // lo < hi means some code is in range (the code lo itself).
        assertEquals(where, lo >= hi, levels.isEmpty());
      }
    }
  }

  public void testLevelsOfSimpleRanges() {
    for (MaskDType dtype : MaskDType.values()) {
      for (int bins : new int[] {1, 4, 10, 64}) {
        BinEdges edges = BinEdges.of(dtype, bins);
        // Everything, including 1.0: all bins 0 .. bins.
        assertEquals(
            new BinEdges.Levels(0, bins + 1, 0, bins + 1), edges.levels(new ValueRange(0, 1.5)));
        assertEquals(
            new BinEdges.Levels(0, bins + 1, 0, bins + 1), edges.levels(new ValueRange(-1, 2)));
        // [0, 1.0) excludes exactly the top bin.
        assertEquals(new BinEdges.Levels(0, bins, 0, bins), edges.levels(new ValueRange(0, 1.0)));
        // [1.0, 1.5): only the top bin.
        assertEquals(
            new BinEdges.Levels(bins, bins + 1, bins, bins + 1),
            edges.levels(new ValueRange(1.0, 1.5)));
        // Empty ranges.
        assertTrue(edges.levels(new ValueRange(0, 0)).isEmpty());
        assertTrue(edges.levels(new ValueRange(0.5, 0.25)).isEmpty());
        assertTrue(edges.levels(new ValueRange(1.5, 2)).isEmpty());
        assertTrue(edges.levels(new ValueRange(-1, 0)).isEmpty());
        assertTrue(edges.levels(new ValueRange(1.0, 1.0)).isEmpty());
        assertTrue(edges.levels(new ValueRange(0, 1.5)).isAligned());
      }
      // A range strictly inside one bin has no inner bin and one outer bin.
      BinEdges.Levels inside = BinEdges.of(dtype, 4).levels(new ValueRange(0.3, 0.4));
      assertEquals(1, inside.outerFrom());
      assertEquals(2, inside.outerTo());
      assertEquals(inside.innerFrom(), inside.innerTo());
      assertFalse(inside.isAligned());
      assertFalse(inside.isEmpty());
    }
  }
}
