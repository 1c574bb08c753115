package dev.masksearch.mask;

import java.util.Arrays;
import java.util.List;

/**
 * A region of any shape, constant for a query: the pixels it covers, held as row spans. Built from
 * polygons ({@link #ofPolygon}: a pixel is inside when its centre is, even–odd over all rings, so a
 * ring inside another is a hole) or from a mask ({@link #ofMask}: the pixels whose value is above a
 * threshold). Like a box, it lies in pixel coordinates from the top-left corner and is clipped to
 * each mask it is applied to; it holds no pixel beyond {@link Mask#MAX_SIDE} on either axis, where
 * no mask reaches.
 */
public final class Shape implements Region {
  /** The most row spans a shape may hold (12 bytes each), checked while it is built. */
  public static final int MAX_SPANS = 1 << 20;

  /** The most polygon points a shape may be built from. */
  public static final int MAX_POLYGON_POINTS = 10_000;

  /** The shape of no pixel. */
  public static final Shape EMPTY = new Shape(new int[0], 0);

  // Spans (y, x1, x2) in increasing order of y then x1, non-empty, disjoint and not touching.
  private final int[] spans;
  private final int count;
  private final long pixels;
  private final Roi bounds;
  private final int hash;

  private Shape(int[] spans, int count) {
    this.spans = spans;
    this.count = count;
    long pixels = 0;
    int x1 = Integer.MAX_VALUE;
    int x2 = 0;
    for (int s = 0; s < count; s++) {
      pixels += x2(s) - x1(s);
      x1 = Math.min(x1, x1(s));
      x2 = Math.max(x2, x2(s));
    }
    this.pixels = pixels;
    this.bounds = count == 0 ? new Roi(0, 0, 0, 0) : new Roi(x1, y(0), x2, y(count - 1) + 1);
    int h = 1;
    for (int i = 0; i < 3 * count; i++) {
      h = 31 * h + spans[i];
    }
    this.hash = h;
  }

  /**
   * The pixels inside the rings, each {@code [x0, y0, x1, y1, ...]} (closed implicitly), by the
   * even–odd rule over all rings together; see {@link Polygons}.
   *
   * @throws MaskFormatException for a malformed ring, too many points or too many spans
   */
  public static Shape ofPolygon(List<double[]> rings) {
    long points = 0;
    for (double[] ring : rings) {
      points += ring.length / 2;
    }
    if (points > MAX_POLYGON_POINTS) {
      throw new MaskFormatException(
          "a polygon region has " + points + " points, over the limit of " + MAX_POLYGON_POINTS);
    }
    Builder builder = new Builder();
    Polygons.evenOddSpans(rings, Mask.MAX_SIDE, Mask.MAX_SIDE, builder::add);
    return builder.build();
  }

  /** The pixels of {@code region} whose value is above {@code threshold}. */
  public static Shape ofMask(Mask region, double threshold) {
    return where(region, new ValueRange(Math.nextUp(threshold), Double.POSITIVE_INFINITY));
  }

  /** The pixels of {@code mask} whose value lies in {@code range}. */
  public static Shape where(Mask mask, ValueRange range) {
    Builder builder = new Builder();
    for (int y = 0; y < mask.height(); y++) {
      int from = -1;
      for (int x = 0; x <= mask.width(); x++) {
        double v = x < mask.width() ? mask.value(y, x) : Double.NaN;
        boolean in = range.lv() <= v && v < range.uv();
        if (in && from < 0) {
          from = x;
        } else if (!in && from >= 0) {
          builder.add(y, from, x);
          from = -1;
        }
      }
    }
    return builder.build();
  }

  /** The pixels of this shape inside {@code region}. */
  public Shape intersect(Region region) {
    Builder builder = new Builder();
    switch (region) {
      case Roi box -> {
        for (int s = 0; s < count; s++) {
          int x1 = Math.max(x1(s), box.x1());
          int x2 = Math.min(x2(s), box.x2());
          if (y(s) >= box.y1() && y(s) < box.y2() && x1 < x2) {
            builder.add(y(s), x1, x2);
          }
        }
      }
      case Shape other -> {
        int t = 0;
        for (int s = 0; s < count; s++) { // both in row, then column order: one merge pass
          while (t < other.count
              && (other.y(t) < y(s) || (other.y(t) == y(s) && other.x2(t) <= x1(s)))) {
            t++;
          }
          for (int u = t; u < other.count && other.y(u) == y(s) && other.x1(u) < x2(s); u++) {
            int x1 = Math.max(x1(s), other.x1(u));
            int x2 = Math.min(x2(s), other.x2(u));
            if (x1 < x2) {
              builder.add(y(s), x1, x2);
            }
          }
        }
      }
    }
    return builder.build();
  }

  /** The number of row spans. */
  public int spanCount() {
    return count;
  }

  /** The row of span {@code s}. */
  public int y(int s) {
    return spans[3 * s];
  }

  /** The first column of span {@code s}. */
  public int x1(int s) {
    return spans[3 * s + 1];
  }

  /** The column after the last of span {@code s}. */
  public int x2(int s) {
    return spans[3 * s + 2];
  }

  /**
   * The first span in row {@code y} that ends after column {@code x}, or else the first of a later
   * row (the span count when there is none): spans of a row are ordered by both ends.
   */
  public int firstSpanFrom(int y, int x) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (y(mid) < y || (y(mid) == y && x2(mid) <= x)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * {@link #firstSpanFrom(int, int)} for a row and column at or after those of span {@code from} (a
   * scan down the rows of a window): a few steps forward from it, a search when the row has more
   * spans than that.
   */
  public int firstSpanFrom(int from, int y, int x) {
    int s = from;
    for (int steps = 0; s < count && (y(s) < y || (y(s) == y && x2(s) <= x)); s++) {
      if (++steps == 8) {
        return firstSpanFrom(y, x);
      }
    }
    return s;
  }

  /** The smallest box holding every pixel of the shape (empty for an empty shape). */
  public Roi bounds() {
    return bounds;
  }

  /** The pixels of the shape, before clipping to a mask. */
  public long pixels() {
    return pixels;
  }

  @Override
  public long area(int width, int height) {
    if (bounds.x2() <= width && bounds.y2() <= height) {
      return pixels;
    }
    long area = 0;
    for (int s = 0; s < count && y(s) < height; s++) {
      area += Math.max(0, Math.min(x2(s), width) - x1(s));
    }
    return area;
  }

  @Override
  public long countPixels(Mask mask, ValueRange range) {
    long count = 0;
    for (int s = 0; s < this.count && y(s) < mask.height(); s++) {
      int x2 = Math.min(x2(s), mask.width());
      if (x1(s) < x2) {
        count += mask.countPixels(new Roi(x1(s), y(s), x2, y(s) + 1), range);
      }
    }
    return count;
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof Shape other
            && count == other.count
            && hash == other.hash
            && Arrays.equals(spans, 0, 3 * count, other.spans, 0, 3 * count));
  }

  /** Computed once: a shape is a key per document in the maps of an expression's evaluation. */
  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "shape(" + pixels + " pixels in " + bounds + ")";
  }

  /** Collects spans in increasing order, joining touching ones and checking the limit. */
  private static final class Builder {
    private int[] spans = new int[48];
    private int count;

    void add(int y, int x1, int x2) {
      if (count > 0 && y(count - 1) == y && spans[3 * count - 1] >= x1) {
        spans[3 * count - 1] = Math.max(spans[3 * count - 1], x2);
        return;
      }
      if (count == MAX_SPANS) {
        throw new MaskFormatException(
            "a region has more than " + MAX_SPANS + " row spans, over the limit");
      }
      if (3 * count == spans.length) {
        spans = Arrays.copyOf(spans, Math.min(2 * spans.length, 3 * MAX_SPANS));
      }
      spans[3 * count] = y;
      spans[3 * count + 1] = x1;
      spans[3 * count + 2] = x2;
      count++;
    }

    private int y(int s) {
      return spans[3 * s];
    }

    Shape build() {
      return new Shape(Arrays.copyOf(spans, 3 * count), count);
    }
  }
}
