package dev.masksearch.mask;

import java.util.List;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/** {@link Shape} against the per-pixel references of {@link RandomRegions}. */
public class ShapeTests extends LuceneTestCase {

  public void testShapesCoverWhatTheReferenceSays() {
    Random random = random();
    for (int iter = 0; iter < 300 * RANDOM_MULTIPLIER; iter++) {
      int extent = 1 + random.nextInt(60);
      RandomRegions.Case c = RandomRegions.shape(random, extent);
      Shape shape = (Shape) c.region();
      int width = 1 + random.nextInt(2 * extent);
      int height = 1 + random.nextInt(2 * extent);
      assertEquals(c.toString(), c.area(width, height), shape.area(width, height));
      // every span is inside by the reference, and spans are ordered, disjoint and apart
      long pixels = 0;
      for (int s = 0; s < shape.spanCount(); s++) {
        assertTrue(shape.x1(s) < shape.x2(s));
        if (s > 0) {
          assertTrue(
              shape.y(s) > shape.y(s - 1)
                  || (shape.y(s) == shape.y(s - 1) && shape.x1(s) > shape.x2(s - 1)));
        }
        for (int x = shape.x1(s); x < shape.x2(s); x++) {
          assertTrue(c + " at " + x + "," + shape.y(s), c.inside().test(x, shape.y(s)));
        }
        pixels += shape.x2(s) - shape.x1(s);
      }
      assertEquals(pixels, shape.pixels());
      Roi b = shape.bounds();
      assertEquals(pixels, shape.area(b.x2(), b.y2()));
      // CP over the shape equals counting the reference's pixels
      Mask mask = Mask.ofFloats(height, width, randomValues(random, height * width));
      ValueRange range = new ValueRange(random.nextDouble() / 2, 0.5 + random.nextDouble());
      long expected = 0;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          double v = mask.value(y, x);
          expected += c.inside().test(x, y) && range.lv() <= v && v < range.uv() ? 1 : 0;
        }
      }
      assertEquals(c.toString(), expected, shape.countPixels(mask, range));
    }
  }

  public void testIntersectionsHoldThePixelsInBoth() {
    Random random = random();
    for (int iter = 0; iter < 100 * RANDOM_MULTIPLIER; iter++) {
      int extent = 1 + random.nextInt(50);
      RandomRegions.Case a = RandomRegions.shape(random, extent);
      RandomRegions.Case b =
          random.nextBoolean()
              ? RandomRegions.shape(random, extent)
              : box(
                  random.nextInt(extent) - 5,
                  random.nextInt(extent) - 5,
                  random.nextInt(2 * extent),
                  random.nextInt(2 * extent));
      Shape both = ((Shape) a.region()).intersect(b.region());
      int side = 2 * extent + 10;
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          boolean expected = a.inside().test(x, y) && b.inside().test(x, y);
          assertEquals(a + " & " + b + " at " + x + "," + y, expected, contains(both, x, y));
        }
      }
    }
  }

  /** A scan down a window's rows from span to span visits what a search per row finds. */
  public void testScanningFromASpanFindsWhatASearchFinds() {
    Random random = random();
    for (int iter = 0; iter < 200; iter++) {
      int extent = 1 + random.nextInt(80);
      RandomRegions.Case c = RandomRegions.shape(random, extent);
      if (!(c.region() instanceof Shape shape)) {
        continue;
      }
      int x1 = random.nextInt(extent + 2) - 1;
      int x2 = x1 + random.nextInt(extent + 2);
      int y1 = random.nextInt(extent + 2) - 1;
      int y2 = y1 + random.nextInt(extent + 2);
      int s = shape.firstSpanFrom(y1, x1);
      for (int y = y1; y < y2; y++) {
        s = shape.firstSpanFrom(s, y, x1);
        assertEquals(c.description() + " row " + y, shape.firstSpanFrom(y, x1), s);
        while (s < shape.spanCount() && shape.y(s) == y && shape.x1(s) < x2) {
          s++;
        }
      }
    }
  }

  private static RandomRegions.Case box(int x1, int y1, int x2, int y2) {
    Roi box = new Roi(x1, y1, x2, y2);
    return new RandomRegions.Case(
        box, (x, y) -> x >= x1 && x < x2 && y >= y1 && y < y2, box.toString());
  }

  private static boolean contains(Shape shape, int x, int y) {
    int s = shape.firstSpanFrom(y, x);
    return s < shape.spanCount() && shape.y(s) == y && shape.x1(s) <= x;
  }

  public void testEqualShapesAreEqual() {
    Shape a = Shape.ofPolygon(List.of(new double[] {1, 1, 5, 1, 5, 4, 1, 4}));
    byte[] codes = new byte[6 * 7];
    for (int y = 1; y < 4; y++) {
      for (int x = 1; x < 5; x++) {
        codes[y * 7 + x] = (byte) 200;
      }
    }
    Shape b = Shape.ofMask(Mask.of(MaskDType.UINT8, 6, 7, codes), 0.5);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals(12, a.pixels());
    assertEquals(new Roi(1, 1, 5, 4), a.bounds());
    assertNotEquals(a, Shape.ofMask(Mask.of(MaskDType.UINT8, 6, 7, codes), 0.9));
    assertEquals(0, Shape.ofMask(Mask.of(MaskDType.UINT8, 6, 7, codes), 0.9).pixels());
  }

  public void testShapesStopAtTheLargestMask() {
    // a huge polygon holds no pixel past MAX_SIDE, so its spans stay bounded
    Shape huge =
        Shape.ofPolygon(List.of(new double[] {-1e9, -1e9, 1e9, -1e9, 1e9, 1e9, -1e9, 1e9}));
    assertEquals((long) Mask.MAX_SIDE * Mask.MAX_SIDE, huge.pixels());
    assertEquals(Mask.MAX_SIDE, huge.spanCount());
  }

  public void testLimitsAreCheckedBeforeBuilding() {
    double[] ring = new double[2 * (Shape.MAX_POLYGON_POINTS + 1)];
    for (int i = 0; i < ring.length; i += 2) {
      ring[i] = i % 7;
      ring[i + 1] = i % 5;
    }
    MaskFormatException e =
        expectThrows(MaskFormatException.class, () -> Shape.ofPolygon(List.of(ring)));
    assertTrue(e.getMessage(), e.getMessage().contains("over the limit"));
    // a comb of 600 teeth over every row: 2.4 million spans
    double[] comb = new double[2 * 4 * 600];
    for (int t = 0; t < 600; t++) {
      double[] tooth = {4 * t, 4100, 4 * t, 0, 4 * t + 2, 0, 4 * t + 2, 4100};
      System.arraycopy(tooth, 0, comb, 8 * t, 8);
    }
    e = expectThrows(MaskFormatException.class, () -> Shape.ofPolygon(List.of(comb)));
    assertTrue(e.getMessage(), e.getMessage().contains("row spans, over the limit"));
    expectThrows(
        MaskFormatException.class, () -> Shape.ofPolygon(List.of(new double[] {1, 2, 3, 4})));
    expectThrows(
        MaskFormatException.class,
        () -> Shape.ofPolygon(List.of(new double[] {1, 2, 3, 4, Double.NaN, 1})));
  }

  private static float[] randomValues(Random random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = random.nextInt(4) == 0 ? 1f : random.nextFloat();
    }
    return values;
  }
}
