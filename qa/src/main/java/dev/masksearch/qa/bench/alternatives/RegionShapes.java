package dev.masksearch.qa.bench.alternatives;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Filters over regions of other shapes against boxes of the same area, on the plugin's index of a
 * run: for each polygon, CP(saliency, region, [0.6, 1.01)) above the threshold that 1% of the
 * images pass, once with the polygon and once with a centred square of (about) its pixels. Answers
 * are checked against counts over the raw masks with the polygon rasterized here by ray casting;
 * the latencies are warm medians of the same run.
 */
public final class RegionShapes {
  private static final double LV = 0.6;
  private static final double UV = 1.01;

  /** One polygon and its box. */
  record Result(
      String name,
      long polygonPixels,
      long boxPixels,
      int matches,
      double polygonMillis,
      double boxMillis,
      long polygonRead,
      long boxRead) {}

  private RegionShapes() {}

  /** The polygons of the table (rings of x, y pairs), on a 224 x 224 mask. */
  public static final Map<String, double[][]> POLYGONS = polygons();

  private static Map<String, double[][]> polygons() {
    Map<String, double[][]> polygons = new LinkedHashMap<>();
    polygons.put(
        "concave pentagon", new double[][] {{30, 30, 190, 40, 120, 100, 200, 190, 40, 170}});
    polygons.put(
        "square with a square hole",
        new double[][] {
          {40, 40, 184, 40, 184, 184, 40, 184}, {80, 80, 144, 80, 144, 144, 80, 144}
        });
    double[] star = new double[20];
    for (int i = 0; i < 10; i++) {
      double r = i % 2 == 0 ? 100 : 40;
      double a = Math.PI / 2 + i * Math.PI / 5;
      star[2 * i] = 112 + r * Math.cos(a);
      star[2 * i + 1] = 112 - r * Math.sin(a);
    }
    polygons.put("ten-pointed star", new double[][] {star});
    return Collections.unmodifiableMap(polygons);
  }

  static List<Result> run(Rest rest, RawMasks raw, String index, int runs, Consumer<String> log) {
    List<Result> results = new ArrayList<>();
    int side = raw.width(0);
    for (Map.Entry<String, double[][]> polygon : POLYGONS.entrySet()) {
      boolean[] inPolygon = rayCast(polygon.getValue(), side, side);
      long pixels = 0;
      for (boolean in : inPolygon) {
        pixels += in ? 1 : 0;
      }
      int s = (int) Math.round(Math.sqrt(pixels));
      int x1 = (side - s) / 2;
      boolean[] inBox = new boolean[side * side];
      for (int y = x1; y < x1 + s; y++) {
        Arrays.fill(inBox, y * side + x1, y * side + x1 + s, true);
      }
      long[] polygonCounts = counts(raw, inPolygon);
      long[] boxCounts = counts(raw, inBox);
      double polygonThreshold = onePercent(polygonCounts);
      double boxThreshold = onePercent(boxCounts);
      Map<String, Object> polygonRoi = Map.of("polygon", rings(polygon.getValue()));
      List<Integer> boxRoi = List.of(x1, x1, x1 + s, x1 + s);
      List<Integer> expected = matching(polygonCounts, polygonThreshold);
      check(rest, index, polygonRoi, polygonThreshold, expected, polygon.getKey());
      check(rest, index, boxRoi, boxThreshold, matching(boxCounts, boxThreshold), "its box");
      Result result =
          new Result(
              polygon.getKey(),
              pixels,
              (long) s * s,
              expected.size(),
              millis(rest, index, polygonRoi, polygonThreshold, runs),
              millis(rest, index, boxRoi, boxThreshold, runs),
              read(rest, index, polygonRoi, polygonThreshold),
              read(rest, index, boxRoi, boxThreshold));
      log.accept(result.toString());
      results.add(result);
    }
    return results;
  }

  /** The markdown table of the results. */
  static String report(List<Result> results, int images) {
    if (results.isEmpty()) {
      return "";
    }
    StringBuilder md =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%nRegions of other shapes (plugin only; CP(saliency, region, [0.6, 1.01)) above the"
                    + " threshold 1%% of the %,d images pass; warm medians of at least 5 runs after 5; a centred square of"
                    + " about the polygon's pixels beside it):%n%n"
                    + "| region | pixels | matches | polygon ms | masks read | square ms | masks read"
                    + " | polygon / square |%n|---|---:|---:|---:|---:|---:|---:|---:|%n",
                images));
    for (Result r : results) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d (square %,d) | %,d | %.1f | %.2f%% | %.1f | %.2f%% | %.2f |%n",
              r.name(),
              r.polygonPixels(),
              r.boxPixels(),
              r.matches(),
              r.polygonMillis(),
              100.0 * r.polygonRead() / images,
              r.boxMillis(),
              100.0 * r.boxRead() / images,
              r.polygonMillis() / r.boxMillis()));
    }
    return md.toString();
  }

  private static long[] counts(RawMasks raw, boolean[] region) {
    long codes = MaskDType.UINT8.codeRange(LV, UV);
    int lo = (int) (codes >>> 32);
    int hi = (int) codes;
    long[] counts = new long[raw.count()];
    byte[] s = new byte[region.length];
    for (int i = 0; i < counts.length; i++) {
      raw.read(i, 0, s);
      long n = 0;
      for (int p = 0; p < s.length; p++) {
        int v = s[p] & 0xFF;
        n += region[p] && v >= lo && v < hi ? 1 : 0;
      }
      counts[i] = n;
    }
    return counts;
  }

  /** A threshold halfway between distinct counts with about 1% of the images above it. */
  private static double onePercent(long[] counts) {
    long[] sorted = counts.clone();
    Arrays.sort(sorted);
    int at = (int) Math.floor(0.99 * sorted.length);
    long above = sorted[Math.min(at, sorted.length - 1)];
    long below = above;
    for (int i = at; i >= 0; i--) {
      if (sorted[i] < above) {
        below = sorted[i];
        break;
      }
    }
    return below == above ? above - 0.5 : (below + above) / 2.0;
  }

  private static List<Integer> matching(long[] counts, double threshold) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > threshold) {
        ids.add(i);
      }
    }
    return ids;
  }

  private static Map<String, Object> body(Object roi, double threshold, boolean profile, int size) {
    Map<String, Object> cp = new LinkedHashMap<>();
    cp.put("field", "saliency");
    cp.put("roi", roi);
    cp.put("range", List.of(LV, UV));
    cp.put("gt", threshold);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("_source", false);
    body.put("track_total_hits", false);
    body.put("size", size);
    if (profile) {
      body.put("profile", true);
    }
    body.put("query", Map.of("bool", Map.of("filter", List.of(Map.of("cp", cp)))));
    return body;
  }

  private static void check(
      Rest rest, String index, Object roi, double threshold, List<Integer> expected, String what) {
    JsonNode hits =
        NodeSearch.search(rest, index, body(roi, threshold, false, 10_000))
            .path("hits")
            .path("hits");
    List<Integer> got = new ArrayList<>();
    hits.forEach(h -> got.add(h.path("_id").asInt()));
    got.sort(null);
    if (!got.equals(expected)) {
      throw new AssertionError(
          what + ": got " + got.size() + " matches, expected " + expected.size());
    }
  }

  /**
   * The warm median: five runs first, since a region's code paths (a shape's spans, its plan) are
   * not among those the run's other workloads have compiled already, then at least five timed. Each
   * run raises the threshold by a thousandth of a pixel (the same documents pass: counts are
   * whole), so that the node's query cache, which keeps a filter seen five times, never answers
   * one.
   */
  private static double millis(Rest rest, String index, Object roi, double threshold, int runs) {
    int run = 0;
    for (int warm = 0; warm < 5; warm++) {
      NodeSearch.search(rest, index, body(roi, threshold + ++run * 1e-3, false, 10_000));
    }
    double[] times = new double[Math.max(5, runs)];
    for (int r = 0; r < times.length; r++) {
      Map<String, Object> body = body(roi, threshold + ++run * 1e-3, false, 10_000);
      long t0 = System.nanoTime();
      NodeSearch.search(rest, index, body);
      times[r] = (System.nanoTime() - t0) / 1e6;
    }
    return Alternatives.median(times);
  }

  private static long read(Rest rest, String index, Object roi, double threshold) {
    JsonNode profile =
        NodeSearch.search(rest, index, body(roi, threshold, true, 10_000)).path("profile");
    return sum(profile);
  }

  private static long sum(JsonNode node) {
    long total = 0;
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        total +=
            field.getKey().equals("cp_masks_read")
                ? field.getValue().asLong()
                : sum(field.getValue());
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        total += sum(child);
      }
    }
    return total;
  }

  private static List<List<List<Double>>> rings(double[][] rings) {
    List<List<List<Double>>> out = new ArrayList<>();
    for (double[] ring : rings) {
      List<List<Double>> points = new ArrayList<>();
      for (int i = 0; i < ring.length; i += 2) {
        points.add(List.of(ring[i], ring[i + 1]));
      }
      out.add(points);
    }
    return out;
  }

  /** Pixels whose centre a ray to the right shows inside an odd number of edges. */
  private static boolean[] rayCast(double[][] rings, int height, int width) {
    boolean[] inside = new boolean[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double px = x + 0.5;
        double py = y + 0.5;
        boolean in = false;
        for (double[] ring : rings) {
          for (int p = 0, n = ring.length / 2; p < n; p++) {
            int q = (p + 1) % n;
            double xa = ring[2 * p], ya = ring[2 * p + 1], xb = ring[2 * q], yb = ring[2 * q + 1];
            if ((ya > py) != (yb > py) && xa + (py - ya) * (xb - xa) / (yb - ya) > px) {
              in = !in;
            }
          }
        }
        inside[y * width + x] = in;
      }
    }
    return inside;
  }
}
