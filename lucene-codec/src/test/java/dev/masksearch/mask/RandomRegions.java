package dev.masksearch.mask;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random regions of every kind with a plain per-pixel reference for each, written from the rule
 * alone: a polygon pixel is inside when a ray from its centre to the right crosses an odd number of
 * edges of all rings; a mask region's pixel is inside when it lies in the region mask and its value
 * is above the threshold; a box's when it lies in the box.
 */
public final class RandomRegions {
  private RandomRegions() {}

  /** A region and its reference. */
  public record Case(Region region, Inside inside, String description) {
    /** The region's pixels inside a {@code width x height} mask, by the reference. */
    public long area(int width, int height) {
      long area = 0;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          area += inside.test(x, y) ? 1 : 0;
        }
      }
      return area;
    }

    @Override
    public String toString() {
      return description;
    }
  }

  /** Whether pixel (x, y) is in the region. */
  @FunctionalInterface
  public interface Inside {
    boolean test(int x, int y);
  }

  /** A random polygon or mask region over masks of about {@code extent} pixels a side. */
  public static Case shape(Random random, int extent) {
    return switch (random.nextInt(8)) {
      case 0 -> { // one pixel, as a unit square on pixel corners
        int x = random.nextInt(extent);
        int y = random.nextInt(extent);
        yield polygon(List.of(new double[] {x, y, x + 1, y, x + 1, y + 1, x, y + 1}), "one pixel");
      }
      case 1 -> { // a square with a square hole
        int x = random.nextInt(extent);
        int y = random.nextInt(extent);
        int s = 4 + random.nextInt(extent);
        int h = 1 + random.nextInt(s / 2);
        yield polygon(
            List.of(
                new double[] {x, y, x + s, y, x + s, y + s, x, y + s},
                new double[] {x + h, y + h, x + s - h, y + h, x + s - h, y + s - h}),
            "square with a hole");
      }
      case 2 -> { // two triangles touching at one vertex (self-touching)
        double cx = random.nextInt(extent) + 0.5;
        double cy = random.nextInt(extent);
        double d = 2 + random.nextInt(extent / 2 + 1);
        yield polygon(
            List.of(
                new double[] {
                  cx, cy, cx - d, cy - d, cx + d, cy - d, cx, cy, cx + d, cy + d, cx - d, cy + d
                }),
            "bow tie");
      }
      case 3 -> polygon(List.of(ring(random, -3 * extent, -2 * extent)), "outside");
      case 4, 5 -> {
        List<double[]> rings = new ArrayList<>();
        for (int r = 1 + random.nextInt(3); r > 0; r--) {
          rings.add(ring(random, -extent / 4, extent + extent / 4));
        }
        yield polygon(rings, "random rings");
      }
      default -> maskRegion(random, extent);
    };
  }

  /** A polygon region from rings {@code [x0, y0, x1, y1, ...]}, even–odd over all. */
  public static Case polygon(List<double[]> rings, String what) {
    StringBuilder text = new StringBuilder(what).append(" polygon");
    for (double[] ring : rings) {
      text.append(' ').append(java.util.Arrays.toString(ring));
    }
    return new Case(
        Shape.ofPolygon(rings), (x, y) -> insidePolygon(rings, x + 0.5, y + 0.5), text.toString());
  }

  /** Concave and self-crossing rings on corners, centres and anywhere in {@code [lo, hi]}. */
  private static double[] ring(Random random, int lo, int hi) {
    double[] ring = new double[2 * (3 + random.nextInt(8))];
    for (int i = 0; i < ring.length; i++) {
      ring[i] =
          switch (random.nextInt(3)) {
            case 0 -> lo + random.nextInt(hi - lo + 1);
            case 1 -> lo + random.nextInt(hi - lo + 1) + 0.5;
            default -> lo + random.nextDouble() * (hi - lo);
          };
    }
    return ring;
  }

  /** A region given as a mask of its own size and dtype, above a threshold. */
  private static Case maskRegion(Random random, int extent) {
    int height = 1 + random.nextInt(extent + 10);
    int width = 1 + random.nextInt(extent + 10);
    float[] values = new float[height * width];
    int blob = random.nextInt(4);
    for (int i = 0; i < values.length; i++) {
      values[i] =
          switch (blob) {
            case 0 -> random.nextFloat();
            case 1 -> random.nextInt(3) == 0 ? 1f : 0f;
            case 2 -> 0f; // empty
            default -> ((i % width) / 7 + (i / width) / 5) % 2; // stripes
          };
    }
    Mask mask;
    if (random.nextBoolean()) {
      mask = Mask.ofFloats(height, width, values);
    } else {
      byte[] codes = new byte[values.length];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = (byte) Math.round(values[i] * 255);
      }
      mask = Mask.of(MaskDType.UINT8, height, width, codes);
    }
    double threshold = random.nextInt(4) == 0 ? 0.5 : random.nextDouble();
    Mask region = mask;
    return new Case(
        Shape.ofMask(region, threshold),
        (x, y) -> x < region.width() && y < region.height() && region.value(y, x) > threshold,
        "mask region " + region + " > " + threshold);
  }

  /** Even–odd by a ray to the right of the point. */
  public static boolean insidePolygon(List<double[]> rings, double px, double py) {
    boolean inside = false;
    for (double[] ring : rings) {
      int points = ring.length / 2;
      for (int p = 0; p < points; p++) {
        int q = (p + 1) % points;
        double xa = ring[2 * p];
        double ya = ring[2 * p + 1];
        double xb = ring[2 * q];
        double yb = ring[2 * q + 1];
        if ((ya > py) != (yb > py) && xa + (py - ya) * (xb - xa) / (yb - ya) > px) {
          inside = !inside;
        }
      }
    }
    return inside;
  }
}
