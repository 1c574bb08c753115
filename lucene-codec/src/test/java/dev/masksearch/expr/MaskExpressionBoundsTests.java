package dev.masksearch.expr;

import dev.masksearch.mask.Roi;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * The pieces the expression bounds are built from: derived-mask CHIs ({@link DerivedChi}) against
 * brute-force counts, and interval arithmetic ({@link Intervals}) against the double operations it
 * bounds.
 */
public class MaskExpressionBoundsTests extends LuceneTestCase {

  private static boolean[] randomPixels(Random random, int width, int height) {
    boolean[] pixels = new boolean[width * height];
    switch (random.nextInt(4)) {
      case 0 -> java.util.Arrays.fill(pixels, random.nextBoolean()); // all equal
      case 1 -> { // a filled rectangle
        int x1 = random.nextInt(width), y1 = random.nextInt(height);
        int x2 = TestUtil.nextInt(random, x1, width), y2 = TestUtil.nextInt(random, y1, height);
        for (int y = y1; y < y2; y++) {
          for (int x = x1; x < x2; x++) {
            pixels[y * width + x] = true;
          }
        }
      }
      default -> {
        int density = random.nextInt(101);
        for (int i = 0; i < pixels.length; i++) {
          pixels[i] = random.nextInt(100) < density;
        }
      }
    }
    return pixels;
  }

  private static long count(boolean[] pixels, int width, int height, Roi roi) {
    Roi r = roi.clip(width, height);
    long n = 0;
    for (int y = r.y1(); y < r.y2(); y++) {
      for (int x = r.x1(); x < r.x2(); x++) {
        n += pixels[y * width + x] ? 1 : 0;
      }
    }
    return n;
  }

  private static boolean alignedCoordinate(int c, int length) {
    int clipped = Math.clamp(c, 0, length);
    return clipped % DerivedChi.STEP == 0 || clipped == length;
  }

  public void testDerivedChiBoundsAgainstBruteForce() {
    Random random = random();
    for (int iter = 0; iter < atLeast(200); iter++) {
      int width = TestUtil.nextInt(random, 1, random.nextBoolean() ? 40 : 140);
      int height = TestUtil.nextInt(random, 1, random.nextBoolean() ? 40 : 140);
      boolean[] pixels = randomPixels(random, width, height);
      DerivedChi chi = DerivedChi.of(pixels, width, height);
      assertTrue(chi.covers(width, height));
      assertFalse(chi.covers(width + 1, height));
      assertFalse(chi.covers(width, height + 1));
      assertTrue(chi.sizeInBytes() > 0);
      double[] out = new double[2];
      // the full region, and a region past every edge, are exact
      for (Roi full :
          new Roi[] {
            Roi.FULL, new Roi(-3, -7, width + 50, height + 1), new Roi(0, 0, width, height)
          }) {
        chi.bounds(full, out);
        long expected = count(pixels, width, height, full);
        assertEquals(full + " on " + width + "x" + height, expected, out[0], 0);
        assertEquals(full + " on " + width + "x" + height, expected, out[1], 0);
      }
      for (int q = 0; q < 50; q++) {
        Roi roi =
            switch (random.nextInt(4)) {
              case 0 -> { // grid-aligned (or clipped to an edge): exact
                int s = DerivedChi.STEP;
                int x1 = s * random.nextInt(6), y1 = s * random.nextInt(6);
                yield new Roi(x1, y1, x1 + s * random.nextInt(6), y1 + s * random.nextInt(6));
              }
              case 1 ->
                  new Roi(
                      random.nextInt(width + 10) - 5,
                      random.nextInt(height + 10) - 5,
                      random.nextInt(width + 10) - 5,
                      random.nextInt(height + 10) - 5); // maybe empty or inverted
              default -> {
                int[] r = ExpressionReference.rect(random, Math.max(width, height) + 10);
                yield new Roi(r[0], r[1], r[2], r[3]);
              }
            };
        chi.bounds(roi, out);
        long expected = count(pixels, width, height, roi);
        String message =
            roi + " on " + width + "x" + height + ": [" + out[0] + ", " + out[1] + "] true "
                + expected;
        assertTrue(message, out[0] <= expected);
        assertTrue(message, expected <= out[1]);
        assertTrue(message, out[0] >= 0 && out[1] <= (long) width * height);
        boolean aligned =
            alignedCoordinate(roi.x1(), width)
                && alignedCoordinate(roi.x2(), width)
                && alignedCoordinate(roi.y1(), height)
                && alignedCoordinate(roi.y2(), height);
        if (aligned || roi.clip(width, height).isEmpty()) {
          assertEquals("aligned: exact; " + message, expected, out[0], 0);
          assertEquals("aligned: exact; " + message, expected, out[1], 0);
        }
      }
    }
  }

  /**
   * A derived CHI whose pixels all hold (or none) bounds a region by its area (or 0) wherever it
   * is.
   */
  public void testDerivedChiOfConstantMasks() {
    int width = TestUtil.nextInt(random(), 1, 100);
    int height = TestUtil.nextInt(random(), 1, 100);
    boolean[] all = new boolean[width * height];
    java.util.Arrays.fill(all, true);
    DerivedChi full = DerivedChi.of(all, width, height);
    DerivedChi none = DerivedChi.of(new boolean[width * height], width, height);
    double[] out = new double[2];
    for (int q = 0; q < 100; q++) {
      int[] r = ExpressionReference.rect(random(), 110);
      Roi roi = new Roi(r[0], r[1], r[2], r[3]);
      long area = roi.clip(width, height).area();
      full.bounds(roi, out);
      assertTrue(
          roi + ": " + out[0] + ".." + out[1] + " area " + area, out[0] <= area && area <= out[1]);
      none.bounds(roi, out);
      assertEquals(0, out[0], 0);
      assertEquals(0, out[1], 0);
    }
  }

  private static double[] randomInterval(Random random) {
    double a;
    double b;
    switch (random.nextInt(6)) {
      case 0 -> { // counts
        a = random.nextInt(100);
        b = a + random.nextInt(100);
      }
      case 1 -> { // a point
        a = b = random.nextInt(7) - 3;
      }
      case 2 -> { // around zero
        a = -random.nextDouble() * 10;
        b = random.nextDouble() * 10;
      }
      case 3 -> { // touching zero
        a = random.nextBoolean() ? 0 : -random.nextDouble();
        b = a == 0 ? random.nextDouble() * 3 : 0;
      }
      case 4 -> { // unbounded on one or both sides
        a = random.nextBoolean() ? Double.NEGATIVE_INFINITY : -random.nextDouble() * 5;
        b = random.nextBoolean() ? Double.POSITIVE_INFINITY : random.nextDouble() * 5;
      }
      default -> {
        a = random.nextGaussian() * 1e3;
        b = a + Math.abs(random.nextGaussian()) * 1e3;
      }
    }
    return new double[] {a, b};
  }

  private static double pick(Random random, double[] interval) {
    double lo = interval[0];
    double hi = interval[1];
    switch (random.nextInt(5)) {
      case 0:
        if (Double.isFinite(lo)) {
          return lo;
        }
        break;
      case 1:
        if (Double.isFinite(hi)) {
          return hi;
        }
        break;
      case 2:
        if (lo <= 0 && hi >= 0) {
          return random.nextBoolean() ? 0.0 : -0.0;
        }
        break;
      default:
        break;
    }
    double l = Double.isFinite(lo) ? lo : (Double.isFinite(hi) ? hi - 1e6 : -1e6);
    double h = Double.isFinite(hi) ? hi : l + 1e6;
    double v = l + (h - l) * random.nextDouble();
    return Math.clamp(v, l, h);
  }

  public void testIntervalsHoldEveryResult() {
    Random random = random();
    for (int iter = 0; iter < atLeast(2000); iter++) {
      char op = "+-*/".charAt(random.nextInt(4));
      double[] a = randomInterval(random);
      double[] b = randomInterval(random);
      double[] bounds = Intervals.apply(op, a, b);
      assertTrue(bounds[0] <= bounds[1]);
      for (int j = 0; j < 20; j++) {
        double x = pick(random, a);
        double y = pick(random, b);
        double r = Intervals.apply(op, x, y);
        String message =
            x + " " + op + " " + y + " = " + r + " with [" + a[0] + ", " + a[1] + "] " + op + " ["
                + b[0] + ", " + b[1] + "] = [" + bounds[0] + ", " + bounds[1] + "]";
        if (Double.isNaN(r)) {
          // undefined (a division by zero): the bounds may not decide anything
          assertTrue(
              message,
              bounds[0] == Double.NEGATIVE_INFINITY && bounds[1] == Double.POSITIVE_INFINITY);
        } else {
          assertTrue(message, bounds[0] <= r && r <= bounds[1]);
        }
      }
    }
  }

  public void testScalarOperations() {
    assertEquals(5, Intervals.apply('+', 2, 3), 0);
    assertEquals(-1, Intervals.apply('-', 2, 3), 0);
    assertEquals(6, Intervals.apply('*', 2, 3), 0);
    assertEquals(2 / 3.0, Intervals.apply('/', 2, 3), 0);
    assertTrue(Double.isNaN(Intervals.apply('/', 2, 0)));
    assertTrue(Double.isNaN(Intervals.apply('/', 0, -0.0)));
    double[] full = Intervals.apply('/', new double[] {1, 2}, new double[] {0, 3});
    assertEquals(Double.NEGATIVE_INFINITY, full[0], 0);
    assertEquals(Double.POSITIVE_INFINITY, full[1], 0);
    double[] product = Intervals.apply('*', new double[] {-2, 3}, new double[] {-5, 4});
    assertEquals(-15, product[0], 0);
    assertEquals(12, product[1], 0);
    double[] infTimesZero =
        Intervals.apply('*', new double[] {0, 0}, new double[] {1, Double.POSITIVE_INFINITY});
    assertEquals(Double.NEGATIVE_INFINITY, infTimesZero[0], 0);
    assertEquals(Double.POSITIVE_INFINITY, infTimesZero[1], 0);
  }
}
