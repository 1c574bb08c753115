package dev.masksearch.mask;

import java.util.Arrays;
import java.util.List;

/**
 * Rasterizes polygons into binary masks with one rule: a pixel is inside a ring when its centre
 * {@code (x + 0.5, y + 0.5)} is, by the even–odd rule (the doubly wound parts of a self-crossing
 * ring are outside). A centre exactly on an edge is inside on the ring's left and top side and
 * outside on its right and bottom side, as a half-open box is; so two rings that share an edge
 * never both cover a pixel. Coordinates are pixels, x the column and y the row; parts outside the
 * mask are cut off. Several rings combine by a {@link Fill} rule: their union (COCO's: an object's
 * polygons are its parts, and pycocotools merges their masks), or the even–odd rule over all rings
 * together (a ring inside another is a hole).
 *
 * <p>(pycocotools rasterizes each polygon by upsampling its edges, so at the border its mask of a
 * polygon may differ from this one.)
 */
public final class Polygons {
  private Polygons() {}

  /** How several rings combine. */
  public enum Fill {
    /** Inside any ring (COCO's polygons of one object). */
    UNION,
    /** Inside an odd number of the rings' edges (holes). */
    EVEN_ODD
  }

  /**
   * The mask of the rings, each {@code [x0, y0, x1, y1, ...]} (COCO's flat form, closed
   * implicitly), combined by {@code fill}: uint8, 255 inside.
   *
   * @throws MaskFormatException for a ring of an odd count of numbers or fewer than three points,
   *     or a coordinate that is not finite
   */
  public static Mask rasterize(List<double[]> rings, int height, int width, Fill fill) {
    if (fill == Fill.EVEN_ODD) {
      return evenOdd(rings, height, width);
    }
    Mask.checkShape(height, width);
    byte[] union = new byte[height * width];
    for (double[] ring : rings) {
      byte[] one = evenOdd(List.of(ring), height, width).rawBytes();
      for (int i = 0; i < union.length; i++) {
        union[i] |= one[i];
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, union);
  }

  /** Every ring's edges together, even–odd, into a mask. */
  private static Mask evenOdd(List<double[]> rings, int height, int width) {
    Mask.checkShape(height, width);
    byte[] raw = new byte[height * width];
    evenOddSpans(
        rings,
        height,
        width,
        (y, from, to) -> Arrays.fill(raw, y * width + from, y * width + to, (byte) 255));
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }

  /** Receives the pixels {@code [x1, x2)} of row {@code y} that a polygon covers. */
  @FunctionalInterface
  public interface SpanSink {
    void span(int y, int x1, int x2);
  }

  /**
   * The pixels inside every ring's edges together by the even–odd rule, within rows {@code [0,
   * height)} and columns {@code [0, width)}, as non-empty spans in increasing order of row, then
   * column (spans of one row may touch, never overlap). Only the rows between the rings' extreme
   * points are visited.
   *
   * @throws MaskFormatException as {@link #rasterize} does
   */
  public static void evenOddSpans(List<double[]> rings, int height, int width, SpanSink sink) {
    int edges = 0;
    double top = Double.POSITIVE_INFINITY;
    double bottom = Double.NEGATIVE_INFINITY;
    for (double[] ring : rings) {
      if (ring.length % 2 != 0 || ring.length < 6) {
        throw new MaskFormatException(
            "a polygon ring needs an even count of coordinates, at least three points; got "
                + ring.length
                + " numbers");
      }
      for (int i = 0; i < ring.length; i++) {
        if (!Double.isFinite(ring[i])) {
          throw new MaskFormatException("a polygon coordinate is not a finite number: " + ring[i]);
        }
        if (i % 2 == 1) {
          top = Math.min(top, ring[i]);
          bottom = Math.max(bottom, ring[i]);
        }
      }
      edges += ring.length / 2;
    }
    if (edges == 0) {
      return;
    }
    double[] crossings = new double[edges];
    int firstRow = (int) Math.clamp(Math.floor(top), 0, height);
    int endRow = (int) Math.clamp(Math.ceil(bottom) + 1, 0, height);
    for (int y = firstRow; y < endRow; y++) {
      double yc = y + 0.5;
      int n = 0;
      for (double[] ring : rings) {
        int points = ring.length / 2;
        for (int p = 0; p < points; p++) {
          double xa = ring[2 * p];
          double ya = ring[2 * p + 1];
          int q = (p + 1) % points;
          double xb = ring[2 * q];
          double yb = ring[2 * q + 1];
          if ((ya > yc) != (yb > yc)) { // the edge crosses the row's centre line (half-open)
            crossings[n++] = xa + (yc - ya) * (xb - xa) / (yb - ya);
          }
        }
      }
      Arrays.sort(crossings, 0, n);
      for (int k = 0; k + 1 < n; k += 2) {
        // centres x + 0.5 in [crossings[k], crossings[k + 1])
        int from = (int) Math.clamp(Math.ceil(crossings[k] - 0.5), 0, width);
        int to = (int) Math.clamp(Math.ceil(crossings[k + 1] - 0.5), 0, width);
        if (from < to) {
          sink.span(y, from, to);
        }
      }
    }
  }
}
