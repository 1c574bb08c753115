package dev.masksearch.qa.bench.alternatives;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.bench.Workload;
import dev.masksearch.qa.cluster.Rest;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The side-by-side benchmark of the plugin against what a user would do without it (issue 6), on one OpenSearch
 * node: the same synthetic masks indexed twice, into an index with the plugin's {@code mask} fields and the
 * masksearch codec, and into a plain index that keeps the masks as {@code binary} doc values (and the box as four
 * integers), queried with painless scripts that decode the bytes and count pixels; plus a brute-force scan in Java
 * over the raw masks in a flat file (the paper's baseline). Every workload runs on every system and every answer is
 * checked against the brute-force values: a disagreement is an {@link AssertionError}.
 *
 * <p>Used by {@link AlternativesBench} (the benchmark, {@code bin/bench alternatives}) and by the smoke test
 * {@code AlternativesIT} (a few hundred masks on the acceptance cluster).
 */
public final class Alternatives {
  public static final String PLUGIN_INDEX = "alt-masksearch";
  public static final String PLAIN_INDEX = "alt-binary";
  static final int SIDE = SyntheticDataset.DEFAULT_SIDE;
  static final int PIXELS = SIDE * SIDE;

  /** One image of a run: its two uint8 masks (row-major, {@code width} x {@code height}) and its box. */
  public record BenchImage(int width, int height, byte[] saliency, byte[] human, int[] box) {}

  /** The synthetic images of {@code data} (224 x 224 saliency and human-attention maps). */
  public static java.util.function.IntFunction<BenchImage> synthetic(SyntheticDataset data) {
    return i -> {
      SyntheticImage image = data.image(i);
      if (image.saliency().dtype() != MaskDType.UINT8 || image.saliency().width() != SIDE) {
        throw new IllegalArgumentException("the benchmark takes 224 x 224 uint8 masks, not " + image.saliency());
      }
      Roi box = image.box();
      return new BenchImage(SIDE, SIDE, image.saliency().rawBytes(), image.human().rawBytes(),
          new int[] {box.x1(), box.y1(), box.x2(), box.y2()});
    };
  }
  static final Roi PAPER_ROI = Workload.PAPER_ROI;
  static final double IOU_THRESHOLD = 0.8;
  static final int K = 25;

  /** The systems compared, in report order. */
  public enum SystemKind {
    PLUGIN("masksearch plugin"), PAINLESS("painless over binary doc values"), BRUTE_FORCE("Java scan of raw masks"),
    POSTGIS("PostGIS raster");

    final String title;

    SystemKind(String title) {
      this.title = title;
    }
  }

  enum Kind { FILTER_GT, FILTER_LT, TOP_DESC, TOP_ASC, IOU_ASC }

  /**
   * One query: CP(saliency, roi or the document's box, [lv, uv)) (normalized by the ROI's area or not) compared with
   * a threshold, or the top k of it in either direction; or the bottom k by IoU(saliency > 0.8, human > 0.8).
   */
  record Query(String name, Kind kind, Roi roi, double lv, double uv, boolean normalize, double threshold) {
    boolean filter() {
      return kind == Kind.FILTER_GT || kind == Kind.FILTER_LT;
    }

    boolean perDocument() {
      return roi == null;
    }

    Query withThreshold(double t) {
      return new Query(name, kind, roi, lv, uv, normalize, t);
    }

    int lo() {
      return (int) (MaskDType.UINT8.codeRange(lv, uv) >>> 32);
    }

    int hi() {
      return (int) MaskDType.UINT8.codeRange(lv, uv);
    }
  }

  /** One hit of a top-k answer: the image and the value the system gave it. */
  record Hit(int id, double value) {}

  /** A system's answer: the matching ids (ascending) of a filter, or the hits of a top k in order. */
  record Answer(List<Integer> ids, List<Hit> hits, long masksRead) {}

  /** Per workload: the query or queries (a session has 20), median latency and masks read per system. */
  public record Row(String name, String group, int matches, Map<SystemKind, Double> medianMillis,
      Map<SystemKind, Double> coldMillis, Map<SystemKind, Long> masksRead, long masksTotal) {}

  /** A latency that stands for "did not finish within the statement timeout". */
  static final double TIMED_OUT = Double.POSITIVE_INFINITY;

  /** Sizes and ingest figures (per index, and {@link #POSTGIS_TABLE} for PostGIS's table). */
  public record Ingest(int images, long rawMaskBytes, Map<String, Long> storeBytes, long compressedMaskBytes,
      long chiBytes, Map<String, Double> imagesPerSecond, Map<String, Double> mergeSeconds,
      Map<String, Long> pluginFiles, Map<String, Long> plainFiles) {}

  private final Rest rest;
  private final java.util.function.IntFunction<BenchImage> images;
  private final int count;
  private final int maxSide;
  private final RawMasks raw;
  private final int[][] boxes;
  private final int[] widths;
  private final int[] heights;
  private long rawBytes;
  private final List<Path> dataDirectories;
  private final Base64.Encoder base64 = Base64.getEncoder();
  private final PostGis postgis;
  private final int postgisRuns;
  private final ColdStart cold;

  /**
   * @param rawFile where to keep the raw masks for the brute-force scan (deleted by {@link #close()})
   * @param dataDirectories the nodes' {@code path.data}, to split the plugin index's size into masks and CHI (may
   *     be empty: then the split is not reported)
   * @param postgis the PostGIS system, timed {@code postgisRuns} times per workload (its scans take seconds)
   */
  Alternatives(Rest rest, java.util.function.IntFunction<BenchImage> images, int count, int maxSide, Path rawFile,
      List<Path> dataDirectories, PostGis postgis, int postgisRuns) throws IOException {
    this.rest = rest;
    this.images = images;
    this.count = count;
    this.maxSide = maxSide;
    this.raw = new RawMasks(rawFile, maxSide * maxSide, 2); // a slot per mask, the mask at its start
    this.boxes = new int[count][];
    this.widths = new int[count];
    this.heights = new int[count];
    this.dataDirectories = dataDirectories;
    this.postgis = postgis;
    this.postgisRuns = postgisRuns;
    this.cold = new ColdStart(rest, postgis);
  }

  /** The name under which {@link Ingest} reports PostGIS's table. */
  public static final String POSTGIS_TABLE = "postgis";

  // ---------------------------------------------------------------- ingest

  static final String PLUGIN_MAPPING = """
      {"settings": {"index.codec": "masksearch", "index.derived_source.enabled": true, "number_of_shards": 1,
                    "number_of_replicas": 0, "refresh_interval": "-1", "max_result_window": 1000000,
                    "index.compound_format": false, "index.use_compound_file": false},
       "mappings": {"properties": {"saliency": {"type": "mask"}, "human": {"type": "mask"},
                                   "bbox": {"type": "mask_roi"}}}}""";

  // Without the plugin: masks as binary doc values (doc_values must be asked for), kept out of _source (which
  // would store them a second time as base64), the box as four integers.
  private static final String PLAIN_MAPPING = """
      {"settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1",
                    "max_result_window": 1000000, "index.compound_format": false, "index.use_compound_file": false},
       "mappings": {"_source": {"excludes": ["saliency", "human"]},
                    "properties": {"saliency": {"type": "binary", "doc_values": true},
                                   "human": {"type": "binary", "doc_values": true},
                                   "w": {"type": "integer"}, "h": {"type": "integer"},
                                   "bx1": {"type": "integer"}, "by1": {"type": "integer"},
                                   "bx2": {"type": "integer"}, "by2": {"type": "integer"}}}}""";

  /** Generates the images, indexes them into both indices (timing each index's {@code _bulk}s) and the raw file. */
  public Ingest ingest(int batch) throws IOException {
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      Rest.Reply deleted = rest.call("DELETE", "/" + index, null);
      if (!deleted.ok() && deleted.status() != 404) {
        throw new IllegalStateException("DELETE " + index + ": " + deleted.body());
      }
    }
    rest.ok("PUT", "/" + PLUGIN_INDEX, PLUGIN_MAPPING);
    rest.ok("PUT", "/" + PLAIN_INDEX, PLAIN_MAPPING);
    long pluginNanos = 0;
    long plainNanos = 0;
    StringBuilder plugin = new StringBuilder();
    StringBuilder plain = new StringBuilder();
    for (int i = 0; i < count; i++) {
      BenchImage image = images.apply(i);
      if (image.width() > maxSide || image.height() > maxSide) {
        throw new IllegalArgumentException("image " + i + " is larger than " + maxSide + " pixels a side");
      }
      widths[i] = image.width();
      heights[i] = image.height();
      rawBytes += 2L * image.width() * image.height();
      raw.append(Arrays.copyOf(image.saliency(), maxSide * maxSide), Arrays.copyOf(image.human(), maxSide * maxSide));
      int[] box = image.box();
      boxes[i] = box;
      String s = base64.encodeToString(image.saliency());
      String h = base64.encodeToString(image.human());
      String action = "{\"index\":{\"_id\":\"" + i + "\"}}\n";
      plugin.append(action).append(pluginDocument(s, h, box, image.width(), image.height())).append('\n');
      plain.append(action).append("{\"saliency\":\"").append(s).append("\",\"human\":\"").append(h)
          .append("\",\"w\":").append(image.width()).append(",\"h\":").append(image.height())
          .append(",\"bx1\":").append(box[0]).append(",\"by1\":").append(box[1]).append(",\"bx2\":")
          .append(box[2]).append(",\"by2\":").append(box[3]).append("}\n");
      if ((i + 1) % batch == 0 || i + 1 == count) {
        pluginNanos += bulk(PLUGIN_INDEX, plugin);
        plainNanos += bulk(PLAIN_INDEX, plain);
      }
    }
    raw.map();
    Map<String, Double> perSecond = new LinkedHashMap<>();
    double postgisSeconds = loadPostGis();
    Map<String, Double> merge = new LinkedHashMap<>();
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      long t0 = System.nanoTime();
      rest.ok("POST", "/" + index + "/_refresh", null);
      long refreshed = System.nanoTime() - t0;
      perSecond.put(index, count / (((index.equals(PLUGIN_INDEX) ? pluginNanos : plainNanos) + refreshed) / 1e9));
      t0 = System.nanoTime();
      rest.ok("POST", "/" + index + "/_forcemerge?max_num_segments=1", null);
      merge.put(index, (System.nanoTime() - t0) / 1e9);
      rest.ok("POST", "/" + index + "/_refresh", null); // searches (and _segments) see the merged segment only
      JsonNode counted = rest.ok("GET", "/" + index + "/_count", null);
      if (counted.path("count").asInt() != count) {
        throw new AssertionError(index + " holds " + counted.path("count") + " documents, not " + count);
      }
    }
    // Sizes of the live segments only: right after a force merge a node may still keep the previous commit's files
    // (its safe commit) on disk, which would count every mask twice.
    Map<String, Long> byExtension = filesByExtension(PLUGIN_INDEX);
    Map<String, Long> plainByExtension = filesByExtension(PLAIN_INDEX);
    Map<String, Long> store = new LinkedHashMap<>();
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      long bytes = 0;
      for (JsonNode shard : rest.ok("GET", "/" + index + "/_segments", null).path("indices").path(index)
          .path("shards")) {
        for (JsonNode copy : shard) {
          if (copy.path("routing").path("primary").asBoolean()) {
            for (JsonNode segment : copy.path("segments")) {
              if (segment.path("search").asBoolean()) {
                bytes += segment.path("size_in_bytes").asLong();
              }
            }
          }
        }
      }
      store.put(index, bytes);
    }
    perSecond.put(POSTGIS_TABLE, count / postgisSeconds);
    store.put(POSTGIS_TABLE, postgisBytes());
    long compressed = byExtension.getOrDefault("mskr", 0L);
    long chi = byExtension.getOrDefault("mskc", 0L) + byExtension.getOrDefault("mskm", 0L);
    return new Ingest(count, rawBytes, store, compressed, chi, perSecond, merge, byExtension, plainByExtension);
  }

  private double loadPostGis() throws IOException {
    try {
      return postgis.load(raw, boxes, widths, heights, count);
    } catch (java.sql.SQLException e) {
      throw new IOException("loading PostGIS: " + e.getMessage(), e);
    }
  }

  private long postgisBytes() throws IOException {
    try {
      return postgis.tableBytes();
    } catch (java.sql.SQLException e) {
      throw new IOException(e);
    }
  }

  /** The plugin index's document: both masks (base64 uint8) and the box. */
  static String pluginDocument(String saliency, String human, int[] box, int width, int height) {
    return "{\"saliency\":" + maskJson(saliency, width, height) + ",\"human\":" + maskJson(human, width, height)
        + ",\"bbox\":[" + box[0] + "," + box[1] + "," + box[2] + "," + box[3] + "]}";
  }

  /** The plugin index's document of image {@code i}, from the raw file. */
  String pluginDocument(int i) {
    return pluginDocument(rawBase64(i, 0), rawBase64(i, 1), boxes[i], widths[i], heights[i]);
  }

  /** Base64 of image {@code i}'s mask {@code plane} (0 saliency, 1 human) from the raw file. */
  private String rawBase64(int i, int plane) {
    byte[] mask = new byte[maxSide * maxSide];
    raw.read(i, plane, mask);
    return base64.encodeToString(Arrays.copyOf(mask, widths[i] * heights[i]));
  }

  private static String maskJson(String data, int width, int height) {
    return "{\"shape\":[" + height + "," + width + "],\"dtype\":\"uint8\",\"data\":\"" + data + "\"}";
  }

  long bulk(String index, StringBuilder body) {
    long t0 = System.nanoTime();
    JsonNode response = rest.ok("POST", "/" + index + "/_bulk", body.toString());
    long nanos = System.nanoTime() - t0;
    if (response.path("errors").asBoolean()) {
      throw new IllegalStateException("_bulk into " + index + " failed: "
          + response.toString().substring(0, Math.min(1000, response.toString().length())));
    }
    body.setLength(0);
    return nanos;
  }

  /** Bytes of the index's files by extension (Lucene's: .dvd doc values, .fdt stored fields...), over the nodes' data directories (empty if none given). */
  Map<String, Long> filesByExtension(String index) throws IOException {
    String uuid = rest.ok("GET", "/" + index + "/_settings", null).path(index).path("settings").path("index")
        .path("uuid").asText();
    java.util.Set<String> live = new java.util.HashSet<>(); // segment names, e.g. "_2p"
    rest.ok("GET", "/" + index + "/_segments", null).path("indices").path(index).path("shards")
        .forEach(shard -> shard.forEach(copy -> copy.path("segments").properties().forEach(segment -> {
          if (segment.getValue().path("search").asBoolean()) {
            live.add(segment.getKey());
          }
        })));
    Map<String, Long> sizes = new HashMap<>();
    for (Path dir : dataDirectories) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String path = file.toString();
          int dot = path.lastIndexOf('.');
          String name = file.getFileName().toString();
          int end = name.indexOf('_', 1) > 0 && name.indexOf('_', 1) < name.indexOf('.') ? name.indexOf('_', 1)
              : name.indexOf('.');
          boolean liveSegment = end > 0 && live.contains(name.substring(0, end));
          if (path.contains("/" + uuid + "/") && path.contains("/index/") && dot > path.lastIndexOf('/')
              && liveSegment) {
            sizes.merge(path.substring(dot + 1), Files.size(file), Long::sum);
          }
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return sizes;
  }

  // ---------------------------------------------------------------- workloads

  /** The paper's workloads at 1%, 10% and 50% selectivity (thresholds from the data), top-k both ways, IoU. */
  public List<List<Query>> workloads() {
    List<List<Query>> workloads = new ArrayList<>();
    Query constant = new Query("", Kind.FILTER_GT, PAPER_ROI, 0.6, 1.01, false, 0);
    Query box = new Query("", Kind.FILTER_GT, null, 0.85, 1.01, true, 0);
    for (double selectivity : new double[] {0.01, 0.1, 0.5}) {
      String pct = Math.round(selectivity * 100) + "%";
      workloads.add(List.of(atSelectivity(rename(constant, "filter, constant ROI, " + pct), selectivity)));
      workloads.add(List.of(atSelectivity(rename(box, "filter, per-image box, " + pct), selectivity)));
    }
    workloads.add(List.of(new Query("top-25 desc, diffuse attention", Kind.TOP_DESC, full(), 0.2, 0.6, false, 0)));
    workloads.add(List.of(new Query("top-25 desc, constant ROI", Kind.TOP_DESC, PAPER_ROI, 0.6, 1.01, false, 0)));
    workloads.add(List.of(new Query("top-25 asc, salient share of box", Kind.TOP_ASC, null, 0.85, 1.01, true, 0)));
    workloads.add(List.of(new Query("top-25 asc, IoU(saliency > 0.8, human > 0.8)", Kind.IOU_ASC, full(), 0, 0,
        false, 0)));
    workloads.add(session());
    return workloads;
  }

  /**
   * An exploration session of 20 related queries, as a user refines a question: images whose model looks away from
   * the object (the salient share of the box under a threshold the user tightens and loosens), then the images with
   * most salient pixels in a central region at a few selectivities, then top 25s over shifted regions and over
   * refined value ranges.
   */
  List<Query> session() {
    List<Query> queries = new ArrayList<>();
    for (double t : new double[] {0.02, 0.05, 0.1, 0.08, 0.06}) {
      queries.add(new Query("share of box < " + t, Kind.FILTER_LT, null, 0.85, 1.01, true, t));
    }
    for (double s : new double[] {0.01, 0.02, 0.05, 0.03, 0.04}) {
      queries.add(atSelectivity(new Query("central salient pixels, top " + s, Kind.FILTER_GT, PAPER_ROI, 0.8, 1.01,
          false, 0), s));
    }
    for (Roi roi : new Roi[] {new Roi(40, 40, 184, 184), new Roi(60, 60, 200, 200), new Roi(0, 0, 112, 224),
        new Roi(112, 0, 224, 224), new Roi(56, 56, 168, 168)}) {
      queries.add(new Query("top-25 in " + roi, Kind.TOP_DESC, roi, 0.8, 1.01, false, 0));
    }
    double[][] ranges = {{0.2, 0.6}, {0.3, 0.6}, {0.3, 0.7}, {0.4, 0.7}, {0.5, 0.9}};
    for (double[] r : ranges) {
      queries.add(new Query("top-25 in [" + r[0] + ", " + r[1] + ")", Kind.TOP_DESC, full(), r[0], r[1], false, 0));
    }
    return queries;
  }

  /** The whole of every image. */
  private Roi full() {
    return new Roi(0, 0, maxSide, maxSide);
  }

  private static Query rename(Query q, String name) {
    return new Query(name, q.kind(), q.roi(), q.lv(), q.uv(), q.normalize(), q.threshold());
  }

  /**
   * The query with a threshold between two distinct values of the data such that about {@code selectivity} of the
   * images lie above it (a midpoint, so no system's rounding at the boundary can change the answer).
   */
  Query atSelectivity(Query q, double selectivity) {
    double[] values = bruteValues(q).clone();
    Arrays.sort(values);
    int at = (int) Math.min(values.length - 1, Math.floor((1 - selectivity) * values.length));
    double below = values[Math.max(0, at - 1)];
    double above = values[at];
    if (below == above) { // step up to the next distinct value, or down when the tie runs to the top
      int next = at;
      while (next < values.length && values[next] == below) {
        next++;
      }
      if (next < values.length) {
        above = values[next];
      } else {
        int previous = at;
        while (previous >= 0 && values[previous] == above) {
          previous--;
        }
        below = previous >= 0 ? values[previous] : above - 1; // every image at the maximum matches
      }
    }
    return q.withThreshold((below + above) / 2);
  }

  // ---------------------------------------------------------------- the brute force (and the reference)

  private final Map<Query, double[]> reference = new HashMap<>();

  /** Every image's exact value for the query, by reading its raw masks (single thread). */
  double[] bruteValues(Query q) {
    return bruteValues(q, count);
  }

  /** {@link #bruteValues(Query)} over the first {@code count} images. */
  double[] bruteValues(Query q, int count) {
    double[] values = new double[count];
    byte[] s = new byte[maxSide * maxSide];
    byte[] h = new byte[maxSide * maxSide];
    if (q.kind() == Kind.IOU_ASC) {
      int t = firstCodeAbove(IOU_THRESHOLD);
      for (int i = 0; i < count; i++) {
        raw.read(i, 0, s);
        raw.read(i, 1, h);
        int inter = 0;
        int union = 0;
        for (int p = 0, n = widths[i] * heights[i]; p < n; p++) {
          boolean a = (s[p] & 0xFF) >= t;
          boolean b = (h[p] & 0xFF) >= t;
          inter += a & b ? 1 : 0;
          union += a | b ? 1 : 0;
        }
        values[i] = union == 0 ? 0 : (double) inter / union;
      }
      return values;
    }
    int lo = q.lo();
    int hi = q.hi();
    for (int i = 0; i < count; i++) {
      int[] r = q.perDocument() ? boxes[i] : new int[] {q.roi().x1(), q.roi().y1(), q.roi().x2(), q.roi().y2()};
      int x1 = Math.max(0, r[0]);
      int y1 = Math.max(0, r[1]);
      int w = widths[i];
      int x2 = Math.min(w, r[2]);
      int y2 = Math.min(heights[i], r[3]);
      raw.read(i, 0, s);
      long n = 0;
      for (int y = y1; y < y2; y++) {
        for (int x = x1, at = y * w + x1; x < x2; x++, at++) {
          int p = s[at] & 0xFF;
          n += p >= lo && p < hi ? 1 : 0;
        }
      }
      long area = (long) Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
      values[i] = q.normalize() ? (area == 0 ? 0 : (double) n / area) : n;
    }
    return values;
  }

  /** The smallest uint8 code whose value (p / 255) is above {@code t}: the pixels of {@code mask > t}. */
  static int firstCodeAbove(double t) {
    int p = 0;
    while (p <= 255 && MaskDType.UINT8.value(p) <= t) {
      p++;
    }
    return p;
  }

  private Answer brute(Query q) {
    double[] values = bruteValues(q);
    long read = q.kind() == Kind.IOU_ASC ? 2L * count : count;
    if (q.filter()) {
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (q.kind() == Kind.FILTER_GT ? values[i] > q.threshold() : values[i] < q.threshold()) {
          ids.add(i);
        }
      }
      return new Answer(ids, null, read);
    }
    Integer[] order = new Integer[count];
    Arrays.setAll(order, i -> i);
    boolean desc = q.kind() == Kind.TOP_DESC;
    Arrays.sort(order, (a, b) -> {
      int c = Double.compare(values[a], values[b]);
      return c != 0 ? (desc ? -c : c) : Integer.compare(a, b);
    });
    List<Hit> hits = new ArrayList<>();
    for (int i = 0; i < Math.min(K, count); i++) {
      hits.add(new Hit(order[i], values[order[i]]));
    }
    return new Answer(null, hits, read);
  }

  // ---------------------------------------------------------------- the plugin

  Answer plugin(String index, Query q, boolean profile) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("_source", false);
    body.put("track_total_hits", false);
    if (profile) {
      body.put("profile", true);
    }
    switch (q.kind()) {
      case FILTER_GT, FILTER_LT -> {
        Map<String, Object> cp = cp(q);
        cp.put(q.kind() == Kind.FILTER_GT ? "gt" : "lt", q.threshold());
        body.put("size", count);
        body.put("query", Map.of("bool", Map.of("filter", List.of(Map.of("cp", cp)))));
      }
      case TOP_DESC -> {
        Map<String, Object> cp = cp(q);
        cp.put("k", K);
        body.put("size", K);
        body.put("query", Map.of("cp", cp));
      }
      case TOP_ASC -> {
        Map<String, Object> cp = cp(q);
        cp.put("order", "asc");
        body.put("size", K);
        body.put("sort", List.of(Map.of("cp", cp)));
      }
      case IOU_ASC -> {
        body.put("size", K);
        body.put("sort", List.of(Map.of("mask_expr", Map.of(
            "expr", "iou(saliency > " + IOU_THRESHOLD + ", human > " + IOU_THRESHOLD + ")", "order", "asc"))));
      }
    }
    JsonNode response = search(index, body);
    long read = profile ? sum(response.path("profile"), "cp_masks_read") : -1;
    if (profile && q.kind() != Kind.FILTER_GT && q.kind() != Kind.FILTER_LT && q.kind() != Kind.TOP_DESC) {
      read = -1; // sorts are not profiled as queries: no counters
    }
    return answer(q, response, read);
  }

  private static Map<String, Object> cp(Query q) {
    Map<String, Object> cp = new LinkedHashMap<>();
    cp.put("field", "saliency");
    cp.put("roi", q.perDocument() ? Map.of("field", "bbox")
        : List.of(q.roi().x1(), q.roi().y1(), q.roi().x2(), q.roi().y2()));
    cp.put("range", List.of(q.lv(), q.uv()));
    cp.put("normalize", q.normalize());
    return cp;
  }

  private static long sum(JsonNode node, String key) {
    long total = 0;
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        total += field.getKey().equals(key) ? field.getValue().asLong() : sum(field.getValue(), key);
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        total += sum(child, key);
      }
    }
    return total;
  }

  // ---------------------------------------------------------------- painless over binary doc values

  /** Counts the pixels of the saliency bytes in the region (the document's box or params) and range. */
  private static final String PAINLESS_CP = """
      def b = doc['saliency'].value;
      byte[] a = b.bytes; int off = b.offset;
      int x1; int y1; int x2; int y2;
      if (params.box) {
        x1 = (int) doc['bx1'].value; y1 = (int) doc['by1'].value; x2 = (int) doc['bx2'].value; y2 = (int) doc['by2'].value;
      } else {
        x1 = params.x1; y1 = params.y1; x2 = params.x2; y2 = params.y2;
      }
      int w = (int) doc['w'].value; int h = (int) doc['h'].value;
      if (x1 < 0) { x1 = 0; } if (y1 < 0) { y1 = 0; } if (x2 > w) { x2 = w; } if (y2 > h) { y2 = h; }
      int lo = params.lo; int hi = params.hi;
      long n = 0;
      for (int y = y1; y < y2; y++) {
        int row = off + y * w;
        for (int i = row + x1; i < row + x2; i++) {
          int p = a[i] & 255;
          if (p >= lo && p < hi) { n++; }
        }
      }
      long area = x2 > x1 && y2 > y1 ? (long) (x2 - x1) * (y2 - y1) : 0;
      double v = params.norm ? (area == 0 ? 0.0 : n / (double) area) : (double) n;
      """;

  private static final String PAINLESS_IOU = """
      def s = doc['saliency'].value; def h = doc['human'].value;
      byte[] a = s.bytes; int ao = s.offset; byte[] c = h.bytes; int co = h.offset;
      int t = params.t; int n = (int) doc['w'].value * (int) doc['h'].value;
      int inter = 0; int union = 0;
      for (int i = 0; i < n; i++) {
        boolean x = (a[ao + i] & 255) >= t;
        boolean z = (c[co + i] & 255) >= t;
        if (x && z) { inter++; }
        if (x || z) { union++; }
      }
      return union == 0 ? 0.0 : inter / (double) union;
      """;

  private Answer painless(Query q) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("_source", false);
    body.put("track_total_hits", false);
    Map<String, Object> params = new LinkedHashMap<>();
    String source;
    if (q.kind() == Kind.IOU_ASC) {
      params.put("t", firstCodeAbove(IOU_THRESHOLD));
      source = PAINLESS_IOU;
    } else {
      params.put("box", q.perDocument());
      Roi roi = q.perDocument() ? new Roi(0, 0, 0, 0) : q.roi();
      params.put("x1", roi.x1());
      params.put("y1", roi.y1());
      params.put("x2", roi.x2());
      params.put("y2", roi.y2());
      params.put("lo", q.lo());
      params.put("hi", q.hi());
      params.put("norm", q.normalize());
      params.put("t", q.threshold());
      source = PAINLESS_CP + (q.filter()
          ? (q.kind() == Kind.FILTER_GT ? "return v > params.t;" : "return v < params.t;")
          : "return v;");
    }
    Map<String, Object> script = Map.of("lang", "painless", "source", source, "params", params);
    switch (q.kind()) {
      case FILTER_GT, FILTER_LT -> {
        body.put("size", count);
        body.put("query", Map.of("bool", Map.of("filter", List.of(Map.of("script", Map.of("script", script))))));
      }
      case TOP_DESC -> {
        body.put("size", K);
        body.put("query", Map.of("script_score", Map.of("query", Map.of("match_all", Map.of()), "script", script)));
      }
      case TOP_ASC, IOU_ASC -> {
        body.put("size", K);
        body.put("sort", List.of(Map.of("_script", Map.of("type", "number", "script", script, "order", "asc"))));
      }
    }
    long read = q.kind() == Kind.IOU_ASC ? 2L * count : count;
    return answer(q, search(PLAIN_INDEX, body), read);
  }

  // ---------------------------------------------------------------- common

  private JsonNode search(String index, Map<String, Object> body) {
    return rest.ok("POST", "/" + index + "/_search?request_cache=false", body);
  }

  private static Answer answer(Query q, JsonNode response, long read) {
    if (response.path("_shards").path("failed").asInt() > 0) {
      throw new AssertionError(q.name() + ": shard failures: " + response.path("_shards"));
    }
    JsonNode hits = response.path("hits").path("hits");
    if (q.filter()) {
      List<Integer> ids = new ArrayList<>();
      for (JsonNode hit : hits) {
        ids.add(hit.path("_id").asInt());
      }
      ids.sort(null);
      return new Answer(ids, null, read);
    }
    boolean sorted = q.kind() == Kind.TOP_ASC || q.kind() == Kind.IOU_ASC;
    List<Hit> list = new ArrayList<>();
    for (JsonNode hit : hits) {
      list.add(new Hit(hit.path("_id").asInt(),
          sorted ? hit.path("sort").path(0).asDouble() : hit.path("_score").asDouble()));
    }
    return new Answer(null, list, read);
  }

  private Answer run(SystemKind system, Query q, boolean profile) {
    return switch (system) {
      case PLUGIN -> plugin(PLUGIN_INDEX, q, profile);
      case PAINLESS -> painless(q);
      case BRUTE_FORCE -> brute(q);
      case POSTGIS -> postgis.run(q);
    };
  }

  /** Checks {@code got} against the brute-force values; throws an AssertionError naming the first difference. */
  private void check(SystemKind system, Query q, Answer got) {
    check(system.title, q, got, reference.computeIfAbsent(q, this::bruteValues));
  }

  /** The largest side of any image (the raw file's slot is its square). */
  int maxSide() {
    return maxSide;
  }

  /** Checks {@code got} against the exact values {@code ref} of every image; {@code who} names the system. */
  static void check(String who, Query q, Answer got, double[] ref) {
    int count = ref.length;
    String where = who + ", " + q.name() + ": ";
    if (q.filter()) {
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (q.kind() == Kind.FILTER_GT ? ref[i] > q.threshold() : ref[i] < q.threshold()) {
          expected.add(i);
        }
      }
      if (!expected.equals(got.ids())) {
        TreeSet<Integer> missing = new TreeSet<>(expected);
        missing.removeAll(got.ids());
        TreeSet<Integer> extra = new TreeSet<>(got.ids());
        extra.removeAll(expected);
        throw new AssertionError(where + got.ids().size() + " matches, expected " + expected.size()
            + "; missing " + head(missing) + ", extra " + head(extra));
      }
      return;
    }
    double[] sortedRef = ref.clone();
    Arrays.sort(sortedRef);
    boolean desc = q.kind() == Kind.TOP_DESC;
    int k = Math.min(K, count);
    if (got.hits().size() != k) {
      throw new AssertionError(where + got.hits().size() + " hits, expected " + k);
    }
    for (int i = 0; i < k; i++) {
      Hit hit = got.hits().get(i);
      double expected = desc ? sortedRef[count - 1 - i] : sortedRef[i];
      // Scores are floats: compare every value at float precision.
      if ((float) hit.value() != (float) expected || (float) ref[hit.id()] != (float) hit.value()) {
        throw new AssertionError(where + "hit " + i + " is image " + hit.id() + " with value " + hit.value()
            + "; its exact value is " + ref[hit.id()] + " and the " + i + "th value is " + expected);
      }
    }
  }

  private static String head(TreeSet<Integer> ids) {
    return ids.stream().limit(10).toList() + (ids.size() > 10 ? "..." : "");
  }

  /**
   * Runs every workload on every system: once to check the answers (and, for the plugin, with profiling to count
   * the masks read), then {@code runs} timed warm runs each (for PostGIS {@code postgisRuns}, and when that is 0
   * the checked run's time), then one cold run
   * after {@link ColdStart#prepare}; returns a row per workload with median warm and cold latencies. A PostGIS
   * statement past its timeout makes that system's latencies {@link #TIMED_OUT} for the workload.
   */
  public List<Row> run(List<List<Query>> workloads, int runs, java.util.function.Consumer<String> progress) {
    List<Row> rows = new ArrayList<>();
    for (List<Query> workload : workloads) {
      String name = workload.size() == 1 ? workload.get(0).name() : "exploration session (" + workload.size()
          + " queries, total)";
      Map<SystemKind, Double> medians = new LinkedHashMap<>();
      Map<SystemKind, Double> colds = new LinkedHashMap<>();
      Map<SystemKind, Long> read = new LinkedHashMap<>();
      int matches = 0;
      long total = 0;
      for (Query q : workload) {
        total += q.kind() == Kind.IOU_ASC ? 2L * count : count;
      }
      for (SystemKind system : SystemKind.values()) {
        long masks = 0;
        try {
          long start = System.nanoTime();
          for (Query q : workload) { // warm-up and check
            Answer answer = run(system, q, false);
            checkBudget(system, start, name);
            check(system, q, answer);
            if (system == SystemKind.PLUGIN) {
              Answer profiled = run(system, q, true);
              check(system, q, profiled);
              masks = masks < 0 || profiled.masksRead() < 0 ? -1 : masks + profiled.masksRead();
              if (workload.size() == 1) {
                matches = q.filter() ? answer.ids().size() : answer.hits().size();
              }
            }
          }
          if (system != SystemKind.PLUGIN) {
            masks = total; // the others read every mask the query names
          }
          double checkedMillis = (System.nanoTime() - start) / 1e6;
          double[] times = new double[system == SystemKind.POSTGIS ? Math.min(runs, postgisRuns) : runs];
          for (int r = 0; r < times.length; r++) {
            times[r] = timeMillis(system, workload);
          }
          // No timed run for PostGIS: its checked run is the warm one (the previous workload read the whole table).
          medians.put(system, times.length == 0 ? checkedMillis : median(times));
          cold.prepare(system);
          colds.put(system, timeMillis(system, workload));
        } catch (PostGis.TimedOut e) {
          medians.put(system, TIMED_OUT);
          colds.put(system, TIMED_OUT);
          masks = total;
        }
        read.put(system, masks);
        progress.accept(String.format(Locale.ROOT, "%-45s %-32s %10.1f ms warm %10.1f ms cold", name, system.title,
            medians.get(system), colds.get(system)));
      }
      rows.add(new Row(name, workload.size() == 1 ? "single" : "session", matches, medians, colds, read, total));
    }
    return rows;
  }

  private double timeMillis(SystemKind system, List<Query> workload) {
    long t0 = System.nanoTime();
    for (Query q : workload) {
      run(system, q, false);
      checkBudget(system, t0, q.name());
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /** PostGIS gets its statement timeout for a whole workload (a session is 20 statements), not per statement. */
  private void checkBudget(SystemKind system, long start, String name) {
    if (system == SystemKind.POSTGIS && System.nanoTime() - start > postgis.timeoutSeconds() * 1_000_000_000L) {
      throw new PostGis.TimedOut(name);
    }
  }

  static double median(double[] times) {
    double[] sorted = times.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Whether the cold runs started with an empty page cache (false when dropping it was not permitted). */
  public boolean pageCacheDropped() {
    return cold.pageCacheDropped();
  }

  /** Median latency of a query that reads no mask (match_all, 25 hits, no source) on each index: the floor. */
  public Map<String, Double> floorMillis(int runs) {
    Map<String, Double> floor = new LinkedHashMap<>();
    Map<String, Object> body = Map.of("size", K, "_source", false, "track_total_hits", false,
        "query", Map.of("match_all", Map.of()));
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      search(index, body);
      double[] times = new double[Math.max(5, runs)];
      for (int r = 0; r < times.length; r++) {
        long t0 = System.nanoTime();
        search(index, body);
        times[r] = (System.nanoTime() - t0) / 1e6;
      }
      floor.put(index, median(times));
    }
    return floor;
  }

  /** Deletes both indices and the raw file. */
  public void close() throws IOException {
    raw.close();
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      rest.call("DELETE", "/" + index, null);
    }
  }

  public int count() {
    return count;
  }
}
