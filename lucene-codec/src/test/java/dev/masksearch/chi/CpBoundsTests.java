package dev.masksearch.chi;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Tests of {@link Chi#build} and {@link CpBounds}: bounds must always bracket the true CP (computed
 * here from the reference values with a 2-D prefix sum), and pin it exactly when the ROI is
 * grid-aligned and the range bin-aligned.
 */
public class CpBoundsTests extends LuceneTestCase {

  /** A built CHI and its parameters. */
  private record Built(ChiParams params, Chi chi, BinEdges edges) {}

  /** A 2-D prefix sum over "value in range" for one mask and one range. */
  private static int[] inRangePrefix(double[] values, int height, int width, double lv, double uv) {
    int[] p = new int[(height + 1) * (width + 1)];
    for (int y = 0; y < height; y++) {
      int rowSum = 0;
      for (int x = 0; x < width; x++) {
        double v = values[y * width + x];
        rowSum += lv <= v && v < uv ? 1 : 0;
        p[(y + 1) * (width + 1) + x + 1] = p[y * (width + 1) + x + 1] + rowSum;
      }
    }
    return p;
  }

  /** The true CP over a ROI, clipped here by hand (not with Roi.clip). */
  private static long refCp(int[] prefix, int height, int width, Roi roi) {
    int x1 = Math.clamp(roi.x1(), 0, width);
    int x2 = Math.clamp(roi.x2(), 0, width);
    int y1 = Math.clamp(roi.y1(), 0, height);
    int y2 = Math.clamp(roi.y2(), 0, height);
    if (x1 >= x2 || y1 >= y2) {
      return 0;
    }
    int w1 = width + 1;
    return prefix[y2 * w1 + x2]
        - prefix[y1 * w1 + x2]
        - prefix[y2 * w1 + x1]
        + prefix[y1 * w1 + x1];
  }

  /**
   * Whether the clipped ROI is empty or has every side on a multiple of step or on the mask's edge.
   */
  private static boolean roiAligned(Roi roi, int step, int height, int width) {
    int x1 = Math.clamp(roi.x1(), 0, width);
    int x2 = Math.clamp(roi.x2(), 0, width);
    int y1 = Math.clamp(roi.y1(), 0, height);
    int y2 = Math.clamp(roi.y2(), 0, height);
    if (x1 >= x2 || y1 >= y2) {
      return true;
    }
    return onLine(x1, step, width)
        && onLine(x2, step, width)
        && onLine(y1, step, height)
        && onLine(y2, step, height);
  }

  private static boolean onLine(int c, int step, int edge) {
    return c % step == 0 || c == edge;
  }

  /**
   * One ROI coordinate: grid lines, beside them, the edge, past it, negative, extreme, or random.
   */
  private static int coordinate(Random r, int step, int length, boolean aligned) {
    int lines = Math.ceilDiv(length, step);
    if (aligned) {
      return switch (r.nextInt(6)) {
        case 0 -> length;
        case 1 ->
            RandomPicks.randomFrom(
                r, new Integer[] {Integer.MIN_VALUE, -step, 0, Integer.MAX_VALUE, 65535});
        case 2 ->
            length
                + RandomNumbers.randomIntBetween(r, 1, 2 * step); // past the edge: clipped onto it
        default -> step * RandomNumbers.randomIntBetween(r, 0, lines);
      };
    }
    return switch (r.nextInt(6)) {
      case 0 ->
          step * RandomNumbers.randomIntBetween(r, 0, lines)
              + RandomPicks.randomFrom(r, new Integer[] {-1, 1});
      case 1 -> RandomNumbers.randomIntBetween(r, -3, 0);
      case 2 -> length + RandomNumbers.randomIntBetween(r, -2, 3);
      default -> RandomNumbers.randomIntBetween(r, -2, length + 2);
    };
  }

  /**
   * A ROI for a grid of this step: aligned, unaligned, partly aligned, one pixel, empty or the
   * whole plane.
   */
  private static Roi randomRoi(Random r, int step, int height, int width) {
    switch (r.nextInt(12)) {
      case 0:
        {
          int x = RandomNumbers.randomIntBetween(r, -1, width);
          int y = RandomNumbers.randomIntBetween(r, -1, height);
          return new Roi(x, y, x + 1, y + 1); // one pixel (or none, at -1 and at the edge)
        }
      case 1:
        {
          int x = coordinate(r, step, width, r.nextBoolean());
          int y = coordinate(r, step, height, r.nextBoolean());
          return new Roi(
              x, y, x - r.nextInt(2), y + coordinate(r, step, height, false)); // empty or inverted
        }
      case 2:
        return Roi.FULL;
      default:
        {
          // Each side independently aligned or not; mostly all aligned, so exactness is checked
          // often.
          boolean allAligned = r.nextInt(5) < 2;
          int x1 = coordinate(r, step, width, allAligned || r.nextBoolean());
          int x2 = coordinate(r, step, width, allAligned || r.nextBoolean());
          int y1 = coordinate(r, step, height, allAligned || r.nextBoolean());
          int y2 = coordinate(r, step, height, allAligned || r.nextBoolean());
          if (r.nextInt(8) != 0) { // mostly ordered, sometimes inverted
            return new Roi(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2));
          }
          return new Roi(x1, y1, x2, y2);
        }
    }
  }

  /**
   * Query ranges for a mask: specials, aligned to some CHI's bins, beside edges, random, and at
   * pixel values.
   */
  private static List<double[]> ranges(Random r, double[] values, List<Built> chis, int count) {
    List<double[]> out = new ArrayList<>();
    double[][] fixed = {
      {0, 0},
      {0, 1},
      {0, 1.5},
      {-1, 2},
      {0, 1.0},
      {1.0, 1.5},
      {1.0, 1.0},
      {0.5, 0.25},
      {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY},
      {0.8, 1.0},
      {-0.0, Double.MIN_VALUE}
    };
    for (int i = 0; i < 4; i++) {
      out.add(RandomPicks.randomFrom(r, fixed));
    }
    while (out.size() < count) {
      int bins = chis.get(r.nextInt(chis.size())).params().bins();
      int b = RandomNumbers.randomIntBetween(r, 0, bins);
      int c = RandomNumbers.randomIntBetween(r, b, bins);
      double lv = (double) b / bins;
      double uv = (double) c / bins;
      switch (r.nextInt(8)) {
        case 0, 1, 2 -> { // aligned, with the variants the spec allows at each end
          if (r.nextInt(4) == 0) {
            lv =
                RandomPicks.randomFrom(r, new Double[] {-0.5, 0.0, -0.0, Double.NEGATIVE_INFINITY});
          }
          if (r.nextInt(3) == 0) {
            uv =
                RandomPicks.randomFrom(
                    r, new Double[] {1.0, 1.5, Math.nextUp(1.0), Double.POSITIVE_INFINITY});
          }
        }
        case 3 -> { // just beside an edge
          if (r.nextBoolean()) {
            lv = r.nextBoolean() ? Math.nextUp(lv) : Math.nextDown(lv);
          } else {
            uv = r.nextBoolean() ? Math.nextUp(uv) : Math.nextDown(uv);
          }
        }
        case 4 -> { // at pixel values, or just beside them
          lv = values[r.nextInt(values.length)];
          uv = values[r.nextInt(values.length)];
          if (lv > uv) {
            double t = lv;
            lv = uv;
            uv = t;
          }
          uv = r.nextBoolean() ? uv : Math.nextUp(uv);
          lv = r.nextInt(3) == 0 ? Math.nextDown(lv) : lv;
        }
        case 5 -> { // lv == uv or lv > uv
          uv = r.nextBoolean() ? lv : lv - r.nextDouble();
        }
        default -> { // random
          lv = r.nextDouble() * 1.2 - 0.1;
          uv = lv + r.nextDouble() * 0.6;
        }
      }
      out.add(new double[] {lv, uv});
    }
    return out;
  }

  /** A step: mostly small or moderate, up to 64. */
  private static int randomStep(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> RandomNumbers.randomIntBetween(r, 1, 4);
      case 1 -> RandomNumbers.randomIntBetween(r, 5, 16);
      default -> RandomNumbers.randomIntBetween(r, 1, 64);
    };
  }

  private static int randomBins(Random r) {
    return r.nextInt(10) == 0
        ? RandomNumbers.randomIntBetween(r, 65, 255)
        : RandomNumbers.randomIntBetween(r, 1, 64);
  }

  private static int randomSide(Random r) {
    return switch (r.nextInt(10)) {
      case 0, 1, 2 -> RandomNumbers.randomIntBetween(r, 1, 8);
      case 3, 4, 5, 6 -> RandomNumbers.randomIntBetween(r, 1, 80);
      default -> RandomNumbers.randomIntBetween(r, 80, 300);
    };
  }

  /**
   * The main property test: over many masks, CHI parameters, ranges and ROIs, lower <= CP <= upper
   * always, and lower == CP == upper whenever the ROI is grid-aligned and the range bin-aligned.
   */
  public void testBoundsBracketTrueCount() {
    Random r = random();
    int masks = atLeast(600);
    long cases = 0;
    long exactCases = 0;
    long tighter = 0;
    long looser = 0;
    long nonEmptyExact = 0;
    for (int m = 0; m < masks; m++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = randomSide(r);
      int width = randomSide(r);
      int[] bins = new int[3];
      List<Built> chis = new ArrayList<>();
      for (int i = 0; i < bins.length; i++) {
        bins[i] = randomBins(r);
      }
      ChiReference.Generated g =
          ChiReference.mask(r, dtype, height, width, r.nextInt(ChiReference.KINDS), bins);
      for (int b : bins) {
        ChiParams params = new ChiParams(randomStep(r), b);
        while (!fits(
            params, height, width)) { // CHI size is capped per mask; coarsen the grid until it fits
          params = new ChiParams(params.gridStep() * 2, b);
        }
        chis.add(new Built(params, Chi.build(g.mask(), params), BinEdges.of(dtype, b)));
      }
      CpBounds bounds = new CpBounds();
      CpBounds refined = new CpBounds();
      CpBounds planned = new CpBounds();
      CpBounds outer = new CpBounds();
      for (double[] range : ranges(r, g.values(), chis, 24)) {
        double lv = range[0];
        double uv = range[1];
        ValueRange vr = new ValueRange(lv, uv);
        int[] prefix = inRangePrefix(g.values(), height, width, lv, uv);
        for (Built built : chis) {
          int step = built.params().gridStep();
          BinEdges.Levels levels = built.edges().levels(vr);
          boolean rangeAligned = ChiReference.rangeAligned(lv, uv, built.params().bins());
          for (int q = 0; q < 100; q++) {
            Roi roi = randomRoi(r, step, height, width);
            long cp = refCp(prefix, height, width, roi);
            bounds.compute(built.chi().grid(), built.chi(), roi, levels);
            long area = roi.clip(width, height).area();
            boolean exact = rangeAligned && roiAligned(roi, step, height, width);
            cases++;
            if (bounds.lower > cp
                || cp > bounds.upper
                || bounds.lower < 0
                || bounds.upper > area
                || (exact && bounds.lower != bounds.upper)) {
              fail(describe(g.mask(), built.params(), roi, vr, levels, cp, bounds, exact));
            }
            if (exact) {
              exactCases++;
              nonEmptyExact += cp > 0 ? 1 : 0;
            }
            // A compiled plan (the ring's sides bounded apart) brackets the count, never looser
            // than MaskSearch's bounds (the ring as one) nor tighter than the per-cell ones.
            new BoundsPlan(built.chi().grid(), built.params().bins(), roi, levels)
                .evaluate(built.chi(), planned);
            refined.computeRefined(built.chi().grid(), built.chi(), roi, levels);
            if (planned.lower < bounds.lower
                || planned.upper > bounds.upper
                || planned.lower > cp
                || cp > planned.upper
                || planned.lower > refined.lower
                || planned.upper < refined.upper) {
              fail(
                  "plan "
                      + planned.lower
                      + ".."
                      + planned.upper
                      + " for "
                      + describe(g.mask(), built.params(), roi, vr, levels, cp, bounds, exact));
            }
            // The outer rectangle alone (the first stage of per-document boxes) brackets the true
            // count and follows its formula: the aligned rectangle around the ROI, whose bounds are
            // its CHI counts, less the pixels outside the ROI.
            outer.computeOuter(built.chi().grid(), built.chi(), roi, levels);
            long expectedUpper = 0;
            long expectedLower = 0;
            if (area > 0) {
              Roi around = cellsAround(roi, step, width, height);
              CpBounds aroundCounts =
                  new CpBounds().compute(built.chi().grid(), built.chi(), around, levels);
              expectedUpper = Math.min(aroundCounts.upper, area);
              expectedLower = Math.max(aroundCounts.lower - (around.area() - area), 0);
            }
            if (outer.lower > cp
                || cp > outer.upper
                || outer.lower != expectedLower
                || outer.upper != expectedUpper) {
              fail(
                  "outer "
                      + outer.lower
                      + ".."
                      + outer.upper
                      + " for "
                      + describe(g.mask(), built.params(), roi, vr, levels, cp, bounds, exact));
            }
            looser += outer.upper - outer.lower > bounds.upper - bounds.lower ? 1 : 0;
            // The per-cell second stage never loosens the first and still brackets the true count.
            refined.computeRefined(built.chi().grid(), built.chi(), roi, levels);
            if (refined.lower < bounds.lower
                || refined.upper > bounds.upper
                || refined.lower > cp
                || cp > refined.upper) {
              fail(
                  "refined "
                      + refined.lower
                      + ".."
                      + refined.upper
                      + " for "
                      + describe(g.mask(), built.params(), roi, vr, levels, cp, bounds, exact));
            }
            tighter += refined.upper - refined.lower < bounds.upper - bounds.lower ? 1 : 0;
            // Verification (for a fifth of the ROIs: it visits every cell): exact, reading pixels
            // only in cells the CHI leaves open, inside the ROI for a range off the bins, within
            // the cells it touches for one on them (a crossing cell's uncovered side when
            // cheaper), and none when the bounds are exact.
            if (q % 5 != 0) {
              continue;
            }
            Roi touched =
                levels.isAligned()
                    ? cellsAround(roi, step, width, height)
                    : roi.clip(width, height);
            long[] read = new long[1];
            long verified;
            try {
              verified =
                  CpBounds.exactCount(
                      built.chi(),
                      CellCover.of(built.chi().grid(), roi),
                      levels,
                      (x1, y1, x2, y2) -> {
                        assertTrue(x1 >= touched.x1() && x2 <= touched.x2() && x1 < x2);
                        assertTrue(y1 >= touched.y1() && y2 <= touched.y2() && y1 < y2);
                        assertEquals("within one cell", x1 / step, (x2 - 1) / step);
                        assertEquals("within one cell", y1 / step, (y2 - 1) / step);
                        read[0] += (long) (x2 - x1) * (y2 - y1);
                        return refCp(prefix, height, width, new Roi(x1, y1, x2, y2));
                      });
            } catch (java.io.IOException e) {
              throw new AssertionError(e);
            }
            if (verified != cp) {
              fail(
                  "verified "
                      + verified
                      + " for "
                      + describe(g.mask(), built.params(), roi, vr, levels, cp, bounds, exact));
            }
            if (refined.isExact()) {
              assertEquals("pixels read where the per-cell bounds are exact", 0, read[0]);
            }
          }
        }
        // Spot-check the fast exact count against the same reference.
        Roi roi = randomRoi(r, chis.get(0).params().gridStep(), height, width);
        assertEquals(refCp(prefix, height, width, roi), g.mask().countPixels(roi, vr));
      }
    }
    // The generators must really exercise the exact case, with non-zero counts, not only the
    // inequalities.
    assertTrue("exact cases " + exactCases + " of " + cases, exactCases > cases / 10);
    assertTrue("non-empty exact cases " + nonEmptyExact, nonEmptyExact > exactCases / 10);
    assertTrue("the per-cell stage should tighten some bounds: " + tighter, tighter > cases / 100);
    assertTrue("the inner rectangle should tighten some bounds: " + looser, looser > cases / 100);
    if (VERBOSE) {
      System.out.println(
          "bounds cases: "
              + cases
              + ", exact: "
              + exactCases
              + ", exact non-zero: "
              + nonEmptyExact);
    }
  }

  /**
   * Regions of any shape (polygons with holes, self-touching, outside the mask, one pixel; mask
   * regions of other sizes): the plan's and the per-cell bounds bracket the reference count, the
   * per-cell stage never loosens the plan, a region aligned to the grid with an aligned range is
   * exact, and verification equals the reference, reading only pixels the region covers in cells
   * the CHI leaves open.
   */
  public void testShapeBoundsBracketAndVerifyExactly() throws IOException {
    Random r = random();
    long cases = 0;
    long readCases = 0;
    for (int m = 0; m < atLeast(150); m++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 90);
      int width = RandomNumbers.randomIntBetween(r, 1, 90);
      int bins = randomBins(r);
      ChiReference.Generated g =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      ChiParams params = new ChiParams(randomStep(r), bins);
      while (!fits(params, height, width)) {
        params = new ChiParams(params.gridStep() * 2, bins);
      }
      Chi chi = Chi.build(g.mask(), params);
      ChiGrid grid = chi.grid();
      BinEdges edges = BinEdges.of(dtype, bins);
      for (int q = 0; q < 8; q++) {
        RandomRegions.Case region = RandomRegions.shape(r, Math.max(width, height));
        CellCover cover = CellCover.of(grid, region.region());
        assertEquals(region.toString(), region.area(width, height), cover.area());
        for (double[] range : ranges(r, g.values(), List.of(new Built(params, chi, edges)), 6)) {
          ValueRange vr = new ValueRange(range[0], range[1]);
          BinEdges.Levels levels = edges.levels(vr);
          long cp = 0;
          for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
              double v = g.values()[y * width + x];
              cp += region.inside().test(x, y) && vr.lv() <= v && v < vr.uv() ? 1 : 0;
            }
          }
          String what = region + " on " + g.mask() + " step " + params.gridStep() + " " + vr;
          BoundsPlan plan = new BoundsPlan(cover, bins, levels);
          CpBounds planned = plan.evaluate(chi, new CpBounds());
          long[] blockLower = new long[2];
          long[] blockUpper = new long[2];
          plan.evaluateBlock( // a block of two equal masks: each row as evaluate() says
              entry -> new int[] {(int) chi.entry(entry), (int) chi.entry(entry)},
              2,
              blockLower,
              blockUpper);
          for (int row = 0; row < 2; row++) {
            assertEquals(what + " block row " + row, planned.lower, blockLower[row]);
            assertEquals(what + " block row " + row, planned.upper, blockUpper[row]);
          }
          CpBounds refined =
              new CpBounds().computeRefined(CellSource.of(chi.grid(), chi, levels), cover);
          CpBounds fromTables = new CpBounds().computeRefined(plan.cellCounts(chi), cover);
          assertEquals(what + " plan's second stage", refined.lower, fromTables.lower);
          assertEquals(what + " plan's second stage", refined.upper, fromTables.upper);
          assertTrue(
              what + " plan " + planned.lower + ".." + planned.upper + " cp " + cp,
              planned.lower <= cp && cp <= planned.upper);
          assertTrue(what + " refined", refined.lower <= cp && cp <= refined.upper);
          assertTrue(
              what + " refined looser than the plan",
              refined.lower >= planned.lower && refined.upper <= planned.upper);
          if (cover.crossingCount() == 0 && ChiReference.rangeAligned(vr.lv(), vr.uv(), bins)) {
            assertEquals(what + " aligned", cp, planned.lower);
            assertEquals(what + " aligned", cp, planned.upper);
          }
          long[] read = new long[1];
          long[] readFromTables = new long[1];
          long fromCounts =
              CpBounds.exactCount(
                  plan.cellCounts(chi), cover, counting(g.values(), width, vr, readFromTables));
          assertEquals(what + " verified from the plan's counts", cp, fromCounts);
          long verified =
              CpBounds.exactCount(
                  chi,
                  cover,
                  levels,
                  (x1, y1, x2, y2) -> {
                    long n = 0;
                    for (int y = y1; y < y2; y++) {
                      for (int x = x1; x < x2; x++) {
                        assertTrue(
                            what + " read outside the region at " + x + "," + y,
                            region.inside().test(x, y));
                        double v = g.values()[y * width + x];
                        n += vr.lv() <= v && v < vr.uv() ? 1 : 0;
                        read[0]++;
                      }
                    }
                    return n;
                  });
          assertEquals(what, cp, verified);
          long threshold = refined.lower - 1 + r.nextInt((int) (refined.upper - refined.lower) + 3);
          CpBounds.Question open = (lower, upper) -> lower <= threshold && threshold < upper;
          CpBounds answered =
              CpBounds.countUntilAnswered(
                  plan.cellCounts(chi),
                  cover,
                  counting(g.values(), width, vr, new long[1]),
                  open,
                  new CpBounds());
          String answer = what + " > " + threshold + ": " + answered.lower + ".." + answered.upper;
          assertFalse(answer + " still open", open.isOpen(answered.lower, answered.upper));
          assertTrue(answer + " cp " + cp, answered.lower <= cp && cp <= answered.upper);
          assertTrue(
              answer + " looser than the refined bounds",
              answered.lower >= refined.lower && answered.upper <= refined.upper);
          if (refined.isExact()) {
            assertEquals(what + " read where the bounds are exact", 0, read[0]);
          }
          readCases += read[0] > 0 ? 1 : 0;
          cases++;
        }
      }
    }
    assertTrue(
        "some verifications should read pixels: " + readCases + " of " + cases,
        readCases > 0 && readCases < cases);
  }

  private static boolean fits(ChiParams params, int height, int width) {
    try {
      params.checkFits(height, width);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String describe(
      Mask mask,
      ChiParams params,
      Roi roi,
      ValueRange range,
      BinEdges.Levels levels,
      long cp,
      CpBounds b,
      boolean exact) {
    return mask
        + " step="
        + params.gridStep()
        + " bins="
        + params.bins()
        + " roi="
        + roi
        + " clipped="
        + roi.clip(mask.width(), mask.height())
        + " range="
        + range
        + " "
        + levels
        + ": true CP "
        + cp
        + ", bounds ["
        + b.lower
        + ", "
        + b.upper
        + "]"
        + (exact ? " (expected exact)" : "");
  }

  /**
   * Every stored CHI entry equals a brute-force count of the pixels up-left of its grid point with
   * bin >= level.
   */
  public void testChiEntriesMatchBruteForce() {
    Random r = random();
    int masks = atLeast(60);
    for (int m = 0; m < masks; m++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 40);
      int width = RandomNumbers.randomIntBetween(r, 1, 40);
      int bins = randomBins(r);
      int step = RandomNumbers.randomIntBetween(r, 1, 45);
      ChiReference.Generated g =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      Chi chi = Chi.build(g.mask(), new ChiParams(step, bins));
      ChiGrid grid = chi.grid();
      int gx = (width + step - 1) / step;
      int gy = (height + step - 1) / step;
      assertEquals(gx, grid.gx());
      assertEquals(gy, grid.gy());
      assertEquals(bins, chi.bins());
      assertEquals(gx * gy * bins, chi.counts().length);
      int[] pixelBins = new int[g.values().length];
      for (int i = 0; i < pixelBins.length; i++) {
        pixelBins[i] = ChiReference.bin(g.values()[i], bins);
      }
      for (int j = 1; j <= gy; j++) {
        int yEnd = Math.min(j * step, height);
        assertEquals(yEnd, grid.lineY(j));
        for (int i = 1; i <= gx; i++) {
          int xEnd = Math.min(i * step, width);
          assertEquals(xEnd, grid.lineX(i));
          // Histogram of the up-left rectangle, then its suffix sums are the cumulative levels.
          int[] hist = new int[bins + 2];
          for (int y = 0; y < yEnd; y++) {
            for (int x = 0; x < xEnd; x++) {
              hist[pixelBins[y * width + x]]++;
            }
          }
          int atLeast = 0;
          for (int level = bins; level >= 1; level--) {
            atLeast += hist[level];
            if (chi.count(i, j, level) != atLeast) {
              fail(
                  g.mask()
                      + " step="
                      + step
                      + " bins="
                      + bins
                      + " entry ("
                      + i
                      + ", "
                      + j
                      + ", "
                      + level
                      + ") is "
                      + chi.count(i, j, level)
                      + ", expected "
                      + atLeast);
            }
          }
        }
      }
    }
  }

  /**
   * When the ROI is grid-aligned, the bounds are exactly the counts of the inner and the
   * overlapping bins (no looser), checked by brute force over pixel bins.
   */
  public void testAlignedRoiBoundsAreBinCounts() {
    Random r = random();
    int masks = atLeast(60);
    CpBounds bounds = new CpBounds();
    for (int m = 0; m < masks; m++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 50);
      int width = RandomNumbers.randomIntBetween(r, 1, 50);
      int bins = randomBins(r);
      int step = RandomNumbers.randomIntBetween(r, 1, 20);
      ChiReference.Generated g =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      Chi chi = Chi.build(g.mask(), new ChiParams(step, bins));
      BinEdges edges = BinEdges.of(dtype, bins);
      for (int q = 0; q < 100; q++) {
        double lv = BinEdgesTests.randomBound(r, dtype, bins);
        double uv = BinEdgesTests.randomBound(r, dtype, bins);
        BinEdges.Levels levels = edges.levels(new ValueRange(lv, uv));
        Roi roi =
            new Roi(
                coordinate(r, step, width, true), coordinate(r, step, height, true),
                coordinate(r, step, width, true), coordinate(r, step, height, true));
        Roi c = roi.clip(width, height);
        long inner = 0;
        long outer = 0;
        if (!c.isEmpty() && !levels.isEmpty()) {
          for (int y = c.y1(); y < c.y2(); y++) {
            for (int x = c.x1(); x < c.x2(); x++) {
              int b = ChiReference.bin(g.values()[y * width + x], bins);
              inner += levels.innerFrom() <= b && b < levels.innerTo() ? 1 : 0;
              outer += levels.outerFrom() <= b && b < levels.outerTo() ? 1 : 0;
            }
          }
        }
        bounds.compute(chi.grid(), chi, roi, levels);
        String where = g.mask() + " step=" + step + " bins=" + bins + " roi=" + roi + " " + levels;
        assertEquals(where, inner, bounds.lower);
        assertEquals(where, outer, bounds.upper);
      }
    }
  }

  /**
   * Pixels of [x1, x2) x [y1, y2) whose reference bin lies in [from, to); 0 for an empty rectangle.
   */
  private static long binCount(
      int[] pixelBins, int width, int x1, int x2, int y1, int y2, int from, int to) {
    long n = 0;
    for (int y = y1; y < y2; y++) {
      for (int x = x1; x < x2; x++) {
        int b = pixelBins[y * width + x];
        n += from <= b && b < to ? 1 : 0;
      }
    }
    return n;
  }

  /**
   * The bounds are exactly the documented MaskSearch formula (so they are as tight as specified,
   * not merely sound): with R the clipped ROI, R_out the smallest grid rectangle around it and R_in
   * the largest inside it (grid lines at multiples of step and at the mask's edges), upper =
   * min(C(R_out, outer), C(R_in, outer) + |R| - |R_in|) and lower = max(C(R_out, inner) - (|R_out|
   * - |R|), C(R_in, inner), 0). Rectangles and bin counts are computed here by brute force.
   */
  public void testBoundsFollowDocumentedFormula() {
    Random r = random();
    int masks = atLeast(80);
    CpBounds bounds = new CpBounds();
    for (int m = 0; m < masks; m++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, 40);
      int width = RandomNumbers.randomIntBetween(r, 1, 40);
      int bins = randomBins(r);
      int step = RandomNumbers.randomIntBetween(r, 1, 16);
      ChiReference.Generated g =
          ChiReference.mask(
              r, dtype, height, width, r.nextInt(ChiReference.KINDS), new int[] {bins});
      Chi chi = Chi.build(g.mask(), new ChiParams(step, bins));
      BinEdges edges = BinEdges.of(dtype, bins);
      int[] pixelBins = new int[g.values().length];
      for (int i = 0; i < pixelBins.length; i++) {
        pixelBins[i] = ChiReference.bin(g.values()[i], bins);
      }
      for (int q = 0; q < 200; q++) {
        BinEdges.Levels lv =
            edges.levels(
                new ValueRange(
                    BinEdgesTests.randomBound(r, dtype, bins),
                    BinEdgesTests.randomBound(r, dtype, bins)));
        Roi roi = randomRoi(r, step, height, width);
        bounds.compute(chi.grid(), chi, roi, lv);
        int x1 = Math.clamp(roi.x1(), 0, width);
        int x2 = Math.clamp(roi.x2(), 0, width);
        int y1 = Math.clamp(roi.y1(), 0, height);
        int y2 = Math.clamp(roi.y2(), 0, height);
        long expectedLower = 0;
        long expectedUpper = 0;
        if (x1 < x2 && y1 < y2 && !lv.isEmpty()) {
          // Outer: round the start down and the end up to a grid line; inner: the reverse. Lines
          // stop at the edge.
          int ox1 = x1 / step * step;
          int oy1 = y1 / step * step;
          int ox2 = Math.min(Math.ceilDiv(x2, step) * step, width);
          int oy2 = Math.min(Math.ceilDiv(y2, step) * step, height);
          int ix1 = Math.min(Math.ceilDiv(x1, step) * step, width);
          int iy1 = Math.min(Math.ceilDiv(y1, step) * step, height);
          int ix2 = x2 == width ? width : x2 / step * step;
          int iy2 = y2 == height ? height : y2 / step * step;
          boolean innerEmpty = ix1 >= ix2 || iy1 >= iy2;
          long area = (long) (x2 - x1) * (y2 - y1);
          long outerArea = (long) (ox2 - ox1) * (oy2 - oy1);
          long innerArea = innerEmpty ? 0 : (long) (ix2 - ix1) * (iy2 - iy1);
          long outOuter =
              binCount(pixelBins, width, ox1, ox2, oy1, oy2, lv.outerFrom(), lv.outerTo());
          long outInner =
              binCount(pixelBins, width, ox1, ox2, oy1, oy2, lv.innerFrom(), lv.innerTo());
          long inOuter =
              innerEmpty
                  ? 0
                  : binCount(pixelBins, width, ix1, ix2, iy1, iy2, lv.outerFrom(), lv.outerTo());
          long inInner =
              innerEmpty
                  ? 0
                  : binCount(pixelBins, width, ix1, ix2, iy1, iy2, lv.innerFrom(), lv.innerTo());
          expectedUpper = Math.min(outOuter, inOuter + area - innerArea);
          expectedLower = Math.max(Math.max(outInner - (outerArea - area), inInner), 0);
        }
        String where = g.mask() + " step=" + step + " bins=" + bins + " roi=" + roi + " " + lv;
        assertEquals(where, expectedLower, bounds.lower);
        assertEquals(where, expectedUpper, bounds.upper);
      }
    }
  }

  /**
   * ChiParams accepts step 1 with 256 bins, but for a 4096 x 2048 mask the CHI would hold 8.4M x
   * 257 cell counts, more than an int index can address: Chi.build must reject that with a clear
   * IllegalArgumentException rather than crash on int overflow (it throws
   * NegativeArraySizeException from {@code new int[gx * gy * binSlots]}).
   */
  public void testOversizedChiIsRejectedClearly() {
    Mask mask = Mask.of(MaskDType.UINT8, 2048, 4096, new byte[2048 * 4096]);
    expectThrows(
        IllegalArgumentException.class,
        () -> Chi.build(mask, new ChiParams(1, ChiParams.MAX_BINS)));
  }

  /** Hand-worked examples, so a failure is easy to read. */
  public void testSmallExamples() {
    // 4x4 uint8, step 2, 4 bins: column x has value x / 3 (0, 1/3, 2/3, 1).
    byte[] data = new byte[16];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        data[y * 4 + x] = (byte) (x * 85);
      }
    }
    Mask mask = Mask.of(MaskDType.UINT8, 4, 4, data);
    Chi chi = Chi.build(mask, new ChiParams(2, 4));
    BinEdges edges = BinEdges.of(MaskDType.UINT8, 4);
    CpBounds b = new CpBounds();

    // Whole mask, values >= 0.5: columns 2 and 3, 8 pixels, exact.
    b.compute(chi.grid(), chi, Roi.FULL, edges.levels(new ValueRange(0.5, 1.5)));
    assertEquals(8, b.lower);
    assertEquals(8, b.upper);
    assertTrue(b.isExact());
    // [1.0, 1.5): only column 3, exact thanks to the top bin.
    b.compute(chi.grid(), chi, new Roi(0, 0, 4, 4), edges.levels(new ValueRange(1.0, 1.5)));
    assertEquals(4, b.lower);
    assertEquals(4, b.upper);
    // [0.5, 1.0): column 2 only.
    b.compute(chi.grid(), chi, new Roi(0, 0, 4, 4), edges.levels(new ValueRange(0.5, 1.0)));
    assertEquals(4, b.lower);
    assertEquals(4, b.upper);
    // Unaligned ROI x in [1, 3), y in [0, 4): true count of [0.5, 1.5) is column 2 = 4 pixels;
    // bounds bracket it.
    b.compute(chi.grid(), chi, new Roi(1, 0, 3, 4), edges.levels(new ValueRange(0.5, 1.5)));
    assertTrue(b.lower <= 4 && 4 <= b.upper);
    assertFalse(b.isExact());
    // Empty ROI and empty range.
    b.compute(chi.grid(), chi, new Roi(2, 0, 2, 4), edges.levels(new ValueRange(0, 1.5)));
    assertEquals(0, b.upper);
    b.compute(chi.grid(), chi, Roi.FULL, edges.levels(new ValueRange(0.7, 0.7)));
    assertEquals(0, b.upper);
    assertTrue(b.isExact());
  }

  /** The cells of a {@code step} grid that {@code roi}, clipped to the mask, touches. */
  private static Roi cellsAround(Roi roi, int step, int width, int height) {
    Roi c = roi.clip(width, height);
    return new Roi(
        c.x1() / step * step,
        c.y1() / step * step,
        Math.min(width, Math.ceilDiv(c.x2(), step) * step),
        Math.min(height, Math.ceilDiv(c.y2(), step) * step));
  }

  /**
   * A crossing cell whose count the CHI gives (a range on the bins) is verified from its cheaper
   * side: the columns left of a part that reaches the cell's right edge, or the rows above one that
   * reaches its bottom, when they are fewer than the part's; never the side right of or below a
   * part. The count is the same as the part's own.
   */
  public void testCrossingCellsReadTheirCheaperSide() throws IOException {
    // 8x8 uint8 checkerboard of 0 and 255, step 4: every cell has 8 pixels of [0.5, 1.5), so the
    // bounds of a cell the ROI crosses do not meet
    byte[] data = new byte[64];
    for (int i = 0; i < 64; i++) {
      data[i] = (byte) (((i / 8 + i % 8) & 1) * 255);
    }
    Mask mask = Mask.of(MaskDType.UINT8, 8, 8, data);
    Chi chi = Chi.build(mask, new ChiParams(4, 4));
    ValueRange onBins = new ValueRange(0.5, 1.5);
    assertEquals(
        List.of(new Roi(0, 0, 1, 4), new Roi(0, 4, 1, 8)), // columns left of the part
        verifiedReads(mask, chi, new Roi(1, 0, 8, 8), onBins));
    assertEquals(
        List.of(new Roi(0, 0, 4, 1), new Roi(4, 0, 8, 1)), // one row above, not three rows
        verifiedReads(mask, chi, new Roi(0, 1, 8, 8), onBins));
    assertEquals(
        List.of(new Roi(0, 3, 4, 4), new Roi(4, 3, 8, 4)), // the part: one row, not three
        verifiedReads(mask, chi, new Roi(0, 3, 8, 8), onBins));
    assertEquals(
        List.of(new Roi(3, 0, 4, 4), new Roi(3, 4, 4, 8)), // the part: one column, not three
        verifiedReads(mask, chi, new Roi(3, 0, 8, 8), onBins));
    assertEquals(
        List.of(new Roi(0, 0, 3, 4), new Roi(0, 4, 3, 8)), // a part at the left: itself
        verifiedReads(mask, chi, new Roi(0, 0, 3, 8), onBins));
    assertEquals(
        List.of(new Roi(0, 0, 4, 3), new Roi(4, 0, 8, 3)), // a part at the top: itself
        verifiedReads(mask, chi, new Roi(0, 0, 8, 3), onBins));
    // a range off the bins leaves the cell's own count open: the part itself
    ValueRange off = new ValueRange(0.6, 1.5);
    assertFalse(BinEdges.of(MaskDType.UINT8, 4).levels(off).isAligned());
    assertTrue(BinEdges.of(MaskDType.UINT8, 4).levels(onBins).isAligned());
    assertEquals(
        List.of(new Roi(1, 0, 4, 4), new Roi(1, 4, 4, 8)),
        verifiedReads(mask, chi, new Roi(1, 0, 8, 8), off));
  }

  /**
   * The rectangles {@link CpBounds#exactCount} reads to verify {@code roi} on {@code mask} (a CHI
   * of 4 bins), after checking its count against the mask's own.
   */
  private static List<Roi> verifiedReads(Mask mask, Chi chi, Roi roi, ValueRange range)
      throws IOException {
    List<Roi> reads = new ArrayList<>();
    BinEdges.Levels levels = BinEdges.of(MaskDType.UINT8, 4).levels(range);
    long count =
        CpBounds.exactCount(
            chi,
            CellCover.of(chi.grid(), roi),
            levels,
            (x1, y1, x2, y2) -> {
              Roi read = new Roi(x1, y1, x2, y2);
              reads.add(read);
              return mask.countPixels(read, range);
            });
    assertEquals(mask.countPixels(roi, range), count);
    return reads;
  }

  /** All-equal masks: every aligned query is exact, and the count is all or nothing. */
  public void testConstantMasks() {
    Random r = random();
    for (MaskDType dtype : MaskDType.values()) {
      for (int code :
          new int[] {0, dtype.maxCode(), RandomNumbers.randomIntBetween(r, 0, dtype.maxCode())}) {
        int height = RandomNumbers.randomIntBetween(r, 1, 70);
        int width = RandomNumbers.randomIntBetween(r, 1, 70);
        int[] codes = new int[height * width];
        java.util.Arrays.fill(codes, code);
        Mask mask = Mask.of(dtype, height, width, ChiReference.rawBytes(dtype, codes));
        double v = ChiReference.value(dtype, code);
        int bins = RandomNumbers.randomIntBetween(r, 1, 64);
        int step = RandomNumbers.randomIntBetween(r, 1, 64);
        Chi chi = Chi.build(mask, new ChiParams(step, bins));
        BinEdges edges = BinEdges.of(dtype, bins);
        int b = ChiReference.bin(v, bins);
        // The pixel's own bin as a range: [b / bins, (b + 1) / bins), or [1, 1.5) for the top bin.
        ValueRange own =
            b == bins
                ? new ValueRange(1.0, 1.5)
                : new ValueRange((double) b / bins, (double) (b + 1) / bins);
        CpBounds bounds = new CpBounds().compute(chi.grid(), chi, Roi.FULL, edges.levels(own));
        assertEquals(mask + " value " + v, (long) height * width, bounds.lower);
        assertEquals((long) height * width, bounds.upper);
        // Everything except that bin: nothing.
        ValueRange below = new ValueRange(-1, own.lv());
        bounds.compute(chi.grid(), chi, Roi.FULL, edges.levels(below));
        assertEquals(0, bounds.upper);
      }
    }
  }

  /**
   * ChiParams accepts 256 bins, but a pixel of value 1.0 must then be in bin 256; with a uint8,
   * uint16 or float16 mask the CHI files it under bin 0 (see BinEdgesTests#testBinOfAtMaxBins), so
   * the bounds for [1.0, 1.5) exclude a pixel that is in range.
   */
  public void testValueOneWithMaxBins() {
    for (MaskDType dtype : MaskDType.values()) {
      int[] codes = {dtype.maxCode(), 0}; // 1.0 and 0.0
      Mask mask = Mask.of(dtype, 1, 2, ChiReference.rawBytes(dtype, codes));
      Chi chi = Chi.build(mask, new ChiParams(1, ChiParams.MAX_BINS));
      BinEdges edges = BinEdges.of(dtype, ChiParams.MAX_BINS);
      assertEquals(1, mask.countPixels(Roi.FULL, new ValueRange(1.0, 1.5)));
      CpBounds bounds =
          new CpBounds().compute(chi.grid(), chi, Roi.FULL, edges.levels(new ValueRange(1.0, 1.5)));
      assertEquals(dtype + ": lower bound of CP = 1", 1, bounds.lower);
      assertEquals(dtype + ": upper bound of CP = 1", 1, bounds.upper);
      bounds.compute(
          chi.grid(), chi, Roi.FULL, edges.levels(new ValueRange(0, 1.0 / ChiParams.MAX_BINS)));
      assertEquals(dtype + ": upper bound of CP = 1 over [0, 1/256)", 1, bounds.upper);
    }
  }

  /** Pixels counted from the values of a mask, {@code read[0]} counting the pixels read. */
  private static CpBounds.Pixels counting(double[] values, int width, ValueRange vr, long[] read) {
    return (x1, y1, x2, y2) -> {
      long n = 0;
      for (int y = y1; y < y2; y++) {
        for (int x = x1; x < x2; x++) {
          double v = values[y * width + x];
          n += vr.lv() <= v && v < vr.uv() ? 1 : 0;
          read[0]++;
        }
      }
      return n;
    };
  }
}
