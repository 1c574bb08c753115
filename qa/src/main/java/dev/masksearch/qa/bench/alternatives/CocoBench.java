package dev.masksearch.qa.bench.alternatives;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.RleMasks;
import dev.masksearch.qa.bench.Args;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.Rest;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Instance masks as COCO stores them, on one node of the real distribution (issue 16): the real
 * sample's {@code coco/instances.json}, each image copied {@code --copies} times, indexed three
 * times: with the plugin from COCO's RLE strings, with the plugin from PNG files of the same masks,
 * and without it (binary doc values, for painless). Reports the ingest rate of both encodings
 * (instances per second, the same node, one after the other), the bytes per instance mask on disk,
 * and per-object queries (nested) against the painless script a user would write, their answers
 * checked equal, as medians of warm runs beside the machine's load.
 *
 * <p>Usage ({@code bin/bench coco}): {@code CocoBench --distribution opensearch.zip --plugin
 * masksearch.zip [--real-sample DIR] [--copies 5] [--runs 5] [--heap 2g] [--workdir DIR]}
 */
public final class CocoBench {
  private static final String RLE = "coco-rle";
  private static final String PNG = "coco-png";
  private static final String PAINLESS = "coco-painless";

  /** The share of its own box an object's mask covers, per object, as a user writes it. */
  private static final String SHARE_SCRIPT =
      """
      def b = doc['objects.mask'].value;
      byte[] a = b.bytes; int off = b.offset;
      int w = (int) doc['objects.w'].value;
      int x1 = (int) doc['objects.bx1'].value; int y1 = (int) doc['objects.by1'].value;
      int x2 = (int) doc['objects.bx2'].value; int y2 = (int) doc['objects.by2'].value;
      long n = 0;
      for (int y = y1; y < y2; y++) {
        int row = off + y * w;
        for (int i = row + x1; i < row + x2; i++) {
          if ((a[i] & 255) >= 128) { n++; }
        }
      }
      long area = (long) (x2 - x1) * (y2 - y1);
      double v = area == 0 ? 0.0 : n / (double) area;
      """;

  private CocoBench() {}

  /** One annotation, decoded: its image's index, category, mask and half-open box. */
  private record Instance(int image, String category, Mask mask, int[] box) {}

  public static void main(String[] args) throws Exception {
    Args options =
        Args.parse(
            args,
            Set.of(
                "--real-sample",
                "--copies",
                "--runs",
                "--workdir",
                "--distribution",
                "--plugin",
                "--heap"),
            Set.of(),
            0);
    Path sample = Path.of(options.string("--real-sample", "../shared/data/real-sample"));
    int copies = options.integer("--copies", 5);
    int runs = options.integer("--runs", 5);
    Path workdir = Path.of(options.string("--workdir", "target/bench-coco")).toAbsolutePath();
    JsonNode coco = new ObjectMapper().readTree(sample.resolve("coco/instances.json").toFile());
    List<JsonNode> images = new ArrayList<>();
    coco.get("images").forEach(images::add);
    Map<Long, Integer> imageIndex = new HashMap<>();
    for (int i = 0; i < images.size(); i++) {
      imageIndex.put(images.get(i).get("id").asLong(), i);
    }
    Map<Long, String> categories = new HashMap<>();
    coco.get("categories")
        .forEach(c -> categories.put(c.get("id").asLong(), c.get("name").asText()));
    List<List<Instance>> byImage = new ArrayList<>();
    images.forEach(i -> byImage.add(new ArrayList<>()));
    List<String> rleCounts = new ArrayList<>();
    for (JsonNode a : coco.get("annotations")) {
      int image = imageIndex.get(a.get("image_id").asLong());
      JsonNode rle = a.get("segmentation");
      Mask mask =
          RleMasks.decode(
              rle.get("size").get(0).asInt(),
              rle.get("size").get(1).asInt(),
              rle.get("counts").asText(),
              MaskLimits.FORMAT);
      JsonNode b = a.get("bbox");
      int[] box = {
        b.get(0).asInt(),
        b.get(1).asInt(),
        b.get(0).asInt() + b.get(2).asInt(),
        b.get(1).asInt() + b.get(3).asInt()
      };
      byImage
          .get(image)
          .add(new Instance(image, categories.get(a.get("category_id").asLong()), mask, box));
      rleCounts.add(rle.get("counts").asText());
    }
    int objects = coco.get("annotations").size() * copies;
    System.err.printf(
        Locale.ROOT,
        "%,d images x %d copies, %,d instance masks; starting one node under %s ...%n",
        images.size(),
        copies,
        objects,
        workdir);
    try (LocalCluster node =
        LocalCluster.start(
            Path.of(options.string("--distribution", null)),
            Path.of(options.string("--plugin", null)),
            workdir.resolve("cluster"),
            1,
            options.string("--heap", "2g"))) {
      Rest rest = node.rest();
      createIndices(rest);
      Map<String, Double> seconds = new LinkedHashMap<>();
      for (String index : List.of(RLE, PNG, PAINLESS)) {
        List<byte[]> bodies = bulkBodies(index, images, byImage, copies);
        long start = System.nanoTime();
        for (byte[] body : bodies) {
          JsonNode reply =
              rest.ok("POST", "/" + index + "/_bulk", new String(body, StandardCharsets.UTF_8));
          if (reply.path("errors").asBoolean()) {
            throw new IllegalStateException(index + ": " + reply);
          }
        }
        rest.ok("POST", "/" + index + "/_refresh", null);
        seconds.put(index, (System.nanoTime() - start) / 1e9);
        rest.ok("POST", "/" + index + "/_forcemerge?max_num_segments=1", null);
        rest.ok("POST", "/" + index + "/_refresh", null);
        System.err.printf(
            Locale.ROOT, "%s: %,.0f instances/s%n", index, objects / seconds.get(index));
      }
      IndexFiles files = new IndexFiles(rest, node.dataDirectories());
      Map<String, Long> rleFiles = files.byExtension(RLE);
      Map<String, Long> pngFiles = files.byExtension(PNG);
      Map<String, Long> rawFiles = files.byExtension(PAINLESS);
      long rawBytes = 0;
      for (List<Instance> list : byImage) {
        for (Instance instance : list) {
          rawBytes += (long) instance.mask().pixelCount() * copies;
        }
      }
      long rleChars = rleCounts.stream().mapToLong(String::length).sum() * copies;

      StringBuilder report = new StringBuilder();
      report.append(
          String.format(
              Locale.ROOT,
              "%,d images (the real sample's %,d, %d copies), %,d instance masks of %,.0f pixels on average;"
                  + " one node, 2 GB heap; load average %.1f before the queries%n%n",
              images.size() * copies,
              images.size(),
              copies,
              objects,
              rawBytes / (double) objects,
              ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
      report.append(
          "| index | masks sent as | ingest, instances/s | mask bytes on disk per instance |\n|---|---|---:|---:|\n");
      report.append(
          row(
              "plugin",
              "COCO RLE strings",
              objects / seconds.get(RLE),
              maskBytes(rleFiles) / (double) objects));
      report.append(
          row(
              "plugin",
              "8-bit PNG",
              objects / seconds.get(PNG),
              maskBytes(pngFiles) / (double) objects));
      report.append(
          row(
              "binary doc values (painless)",
              "raw bytes, base64",
              objects / seconds.get(PAINLESS),
              rawFiles.getOrDefault("dvd", 0L) / (double) objects));
      report.append(
          String.format(
              Locale.ROOT,
              "%nFor scale: a raw instance mask is %,.0f bytes on average, COCO's RLE string %,.0f characters.%n%n",
              rawBytes / (double) objects,
              rleChars / (double) objects));

      report.append(
          "| per-object query (nested) | objects matched | plugin, ms | painless, ms | plugin vs painless |\n|---|---:|---:|---:|---:|\n");
      for (double share : new double[] {0.3, 0.9}) {
        boolean below = share < 0.5;
        Map<String, Object> cp =
            Map.of(
                "cp",
                Map.of(
                    "field",
                    "objects.mask",
                    "roi",
                    Map.of("field", "objects.box"),
                    "range",
                    List.of(0.5, 1.01),
                    "normalize",
                    true,
                    below ? "lt" : "gt",
                    share));
        Map<String, Object> script =
            Map.of(
                "script",
                Map.of(
                    "script",
                    Map.of(
                        "source",
                        SHARE_SCRIPT + (below ? "return v < params.t;" : "return v > params.t;"),
                        "params",
                        Map.of("t", share))));
        Set<String> plugin = new TreeSet<>();
        Set<String> painless = new TreeSet<>();
        double pluginMs = median(rest, RLE, nested(cp, true), runs, plugin, 10_000);
        double painlessMs = median(rest, PAINLESS, nested(script, true), runs, painless, 10_000);
        if (!plugin.equals(painless)) {
          throw new AssertionError(
              "answers differ for share "
                  + share
                  + ": "
                  + plugin.size()
                  + " vs "
                  + painless.size());
        }
        Set<String> pluginImages = new TreeSet<>();
        Set<String> painlessImages = new TreeSet<>();
        double pluginCountMs = median(rest, RLE, nested(cp, false), runs, pluginImages, 0);
        double painlessCountMs =
            median(rest, PAINLESS, nested(script, false), runs, painlessImages, 0);
        if (!pluginImages.equals(painlessImages)) {
          throw new AssertionError(
              "image counts differ for share "
                  + share
                  + ": "
                  + pluginImages
                  + " vs "
                  + painlessImages);
        }
        String name =
            String.format(
                Locale.ROOT,
                "an object's mask covers %s %.0f%% of its box",
                below ? "under" : "over",
                100 * share);
        report.append(
            String.format(
                Locale.ROOT,
                "| %s: the images and their matching objects (inner hits) | %,d objects | %.1f | %.1f"
                    + " | **%.1fx** |%n| %s: the count of images only | | %.1f | %.1f | **%.1fx** |%n",
                name,
                plugin.stream().filter(m -> !m.startsWith("total ")).count(),
                pluginMs,
                painlessMs,
                painlessMs / pluginMs,
                name,
                pluginCountMs,
                painlessCountMs,
                painlessCountMs / pluginCountMs));
      }
      report.append(
          String.format(
              Locale.ROOT,
              "%nLoad average after the queries: %.1f (2 cores).%n",
              ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
      System.out.println(report);
    }
  }

  private static String row(String index, String as, double rate, double bytes) {
    return String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f |%n", index, as, rate, bytes);
  }

  /** The mask format's files: stored masks, CHI and meta. */
  private static long maskBytes(Map<String, Long> files) {
    return files.getOrDefault("mskr", 0L)
        + files.getOrDefault("mskc", 0L)
        + files.getOrDefault("mskm", 0L);
  }

  private static Map<String, Object> nested(Map<String, Object> query, boolean innerHits) {
    return Map.of(
        "nested",
        innerHits
            ? Map.of(
                "path",
                "objects",
                "query",
                query,
                "inner_hits",
                Map.of("size", 100, "_source", false))
            : Map.of("path", "objects", "query", query));
  }

  /**
   * The median warm time of a search over {@code runs} (after one warm-up), collecting its total
   * hits ({@code "total N"}) and the matched objects as {@code image/offset}.
   */
  private static double median(
      Rest rest, String index, Map<String, Object> query, int runs, Set<String> matched, int size) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("size", size);
    body.put("_source", false);
    body.put("track_total_hits", true);
    body.put("query", query);
    String path = "/" + index + "/_search?request_cache=false";
    JsonNode first = rest.ok("POST", path, body);
    matched.add("total " + first.path("hits").path("total").path("value").asLong());
    for (JsonNode hit : first.path("hits").path("hits")) {
      for (JsonNode inner : hit.path("inner_hits").path("objects").path("hits").path("hits")) {
        matched.add(hit.get("_id").asText() + "/" + inner.path("_nested").path("offset").asInt());
      }
    }
    double[] ms = new double[runs];
    for (int r = 0; r < runs; r++) {
      long start = System.nanoTime();
      rest.ok("POST", path, body);
      ms[r] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(ms);
    return ms[runs / 2];
  }

  private static void createIndices(Rest rest) {
    Map<String, Object> settings =
        Map.of("index.codec", "masksearch", "number_of_shards", 1, "number_of_replicas", 0);
    Map<String, Object> pluginObjects =
        Map.of(
            "type",
            "nested",
            "properties",
            Map.of(
                "category", Map.of("type", "keyword"),
                "mask", Map.of("type", "mask"),
                "box", Map.of("type", "mask_roi")));
    for (String index : List.of(RLE, PNG)) {
      rest.call("DELETE", "/" + index, null);
      rest.ok(
          "PUT",
          "/" + index,
          Map.of(
              "settings",
              settings,
              "mappings",
              Map.of("properties", Map.of("objects", pluginObjects))));
    }
    rest.call("DELETE", "/" + PAINLESS, null);
    Map<String, Object> integer = Map.of("type", "integer");
    rest.ok(
        "PUT",
        "/" + PAINLESS,
        Map.of(
            "settings",
            Map.of("number_of_shards", 1, "number_of_replicas", 0),
            "mappings",
            Map.of(
                "_source",
                Map.of("excludes", List.of("objects.mask")),
                "properties",
                Map.of(
                    "objects",
                    Map.of(
                        "type",
                        "nested",
                        "properties",
                        Map.of(
                            "category", Map.of("type", "keyword"),
                            "mask", Map.of("type", "binary", "doc_values", true),
                            "w", integer,
                            "bx1", integer,
                            "by1", integer,
                            "bx2", integer,
                            "by2", integer))))));
  }

  /** The {@code _bulk} bodies of an index, about 5 MB each, encoded before the clock starts. */
  private static List<byte[]> bulkBodies(
      String index, List<JsonNode> images, List<List<Instance>> byImage, int copies)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    Base64.Encoder base64 = Base64.getEncoder();
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int copy = 0; copy < copies; copy++) {
      for (int i = 0; i < images.size(); i++) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Instance instance : byImage.get(i)) {
          Map<String, Object> object = new LinkedHashMap<>();
          object.put("category", instance.category());
          int[] b = instance.box();
          Mask m = instance.mask();
          switch (index) {
            case RLE -> {
              object.put(
                  "mask",
                  Map.of(
                      "rle",
                      Map.of(
                          "size", List.of(m.height(), m.width()), "counts", RleMasks.encode(m))));
              object.put("box", List.of(b[0], b[1], b[2], b[3]));
            }
            case PNG -> {
              object.put("mask", Map.of("png", base64.encodeToString(PngMasks.encode(m))));
              object.put("box", List.of(b[0], b[1], b[2], b[3]));
            }
            default -> {
              object.put("mask", base64.encodeToString(m.rawBytes()));
              object.put("w", m.width());
              object.put("bx1", b[0]);
              object.put("by1", b[1]);
              object.put("bx2", b[2]);
              object.put("by2", b[3]);
            }
          }
          objects.add(object);
        }
        String id = images.get(i).get("id").asText() + "-" + copy;
        body.write(("{\"index\":{\"_id\":\"" + id + "\"}}\n").getBytes(StandardCharsets.UTF_8));
        body.write(json.writeValueAsBytes(Map.of("objects", objects)));
        body.write('\n');
        if (body.size() > 5 << 20) {
          bodies.add(body.toByteArray());
          body.reset();
        }
      }
    }
    if (body.size() > 0) {
      bodies.add(body.toByteArray());
    }
    return bodies;
  }
}
