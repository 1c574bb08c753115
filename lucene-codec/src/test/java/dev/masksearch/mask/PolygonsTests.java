package dev.masksearch.mask;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link Polygons} against a per-pixel reference: a ray from the pixel's centre to the right, and
 * the centre inside when an odd number of edges (of all rings; of any one ring for the union) cross
 * it strictly to its right (with the same half-open rule for which edges meet the centre's row).
 * Random polygons: concave, self-crossing, several rings (holes), on integer and half-integer
 * coordinates (centres on edges and vertices), partly or wholly outside the mask.
 */
public class PolygonsTests extends LuceneTestCase {

  public void testRandomPolygonsMatchThePerPixelRule() {
    Random random = random();
    for (int iter = 0; iter < 300 * RANDOM_MULTIPLIER; iter++) {
      int height = 1 + random.nextInt(30);
      int width = 1 + random.nextInt(30);
      List<double[]> rings = new ArrayList<>();
      for (int r = 1 + random.nextInt(3); r > 0; r--) {
        double[] ring = new double[2 * (3 + random.nextInt(6))];
        for (int i = 0; i < ring.length; i++) {
          int side = i % 2 == 0 ? width : height;
          ring[i] =
              switch (random.nextInt(3)) {
                case 0 -> random.nextInt(side + 1); // on pixel corners
                case 1 -> random.nextInt(side + 1) + 0.5; // through centres
                default -> random.nextDouble() * (side + 10) - 5; // anywhere, outside too
              };
        }
        rings.add(ring);
      }
      Mask evenOdd = Polygons.rasterize(rings, height, width, Polygons.Fill.EVEN_ODD);
      Mask union = Polygons.rasterize(rings, height, width, Polygons.Fill.UNION);
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          boolean inside = RandomRegions.insidePolygon(rings, x + 0.5, y + 0.5);
          assertEquals(x + "," + y, inside ? 255 : 0, evenOdd.code(y * width + x));
          boolean inAny = false;
          for (double[] ring : rings) {
            inAny |= RandomRegions.insidePolygon(List.of(ring), x + 0.5, y + 0.5);
          }
          assertEquals(x + "," + y, inAny ? 255 : 0, union.code(y * width + x));
        }
      }
    }
  }

  public void testKnownShapes() {
    // a 4 x 3 rectangle on pixel corners covers exactly its 12 pixels
    Mask box =
        Polygons.rasterize(
            List.of(new double[] {1, 1, 5, 1, 5, 4, 1, 4}), 6, 7, Polygons.Fill.UNION);
    assertEquals(12, box.countPixels(Roi.FULL, new ValueRange(0.5, 1.01)));
    assertEquals(12, box.countPixels(new Roi(1, 1, 5, 4), new ValueRange(0.5, 1.01)));
    // a hole: even-odd, the inner ring takes its pixels out; COCO's union keeps them
    List<double[]> square =
        List.of(new double[] {0, 0, 6, 0, 6, 6, 0, 6}, new double[] {2, 2, 4, 2, 4, 4, 2, 4});
    Mask ring = Polygons.rasterize(square, 6, 6, Polygons.Fill.EVEN_ODD);
    assertEquals(36 - 4, ring.countPixels(Roi.FULL, new ValueRange(0.5, 1.01)));
    Mask whole = Polygons.rasterize(square, 6, 6, Polygons.Fill.UNION);
    assertEquals(36, whole.countPixels(Roi.FULL, new ValueRange(0.5, 1.01)));
    // two squares sharing an edge: each pixel covered by exactly one
    Mask left =
        Polygons.rasterize(
            List.of(new double[] {0, 0, 2.5, 0, 2.5, 3, 0, 3}), 3, 5, Polygons.Fill.UNION);
    Mask right =
        Polygons.rasterize(
            List.of(new double[] {2.5, 0, 5, 0, 5, 3, 2.5, 3}), 3, 5, Polygons.Fill.UNION);
    for (int i = 0; i < 15; i++) {
      assertEquals(255, left.code(i) + right.code(i));
    }
  }

  public void testBadRingsAreRefused() {
    expectThrows(
        MaskFormatException.class,
        () -> Polygons.rasterize(List.of(new double[] {0, 0, 1, 1}), 2, 2, Polygons.Fill.UNION));
    expectThrows(
        MaskFormatException.class,
        () -> Polygons.rasterize(List.of(new double[] {0, 0, 1, 1, 2}), 2, 2, Polygons.Fill.UNION));
    expectThrows(
        MaskFormatException.class,
        () ->
            Polygons.rasterize(
                List.of(new double[] {0, 0, 1, Double.NaN, 2, 2}), 2, 2, Polygons.Fill.UNION));
  }
}
