package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.carrotsearch.randomizedtesting.RandomizedTest;
import com.carrotsearch.randomizedtesting.annotations.ThreadLeakScope;
import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.Rest;
import dev.masksearch.qa.cluster.SharedCluster;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Memory accounting on a real node with a small heap ({@value #HEAP}), its own single-node cluster:
 * an index of 4096 x 4096 uint16 masks (smooth synthetic saliency and human maps, sent as 16-bit
 * PNGs), and queries that decode one or two of them per document. With the {@code masksearch}
 * breaker set so that one mask fits and two do not, a query over both masks of a document is a 429
 * naming the mask or pixel map that did not fit, never an OutOfMemoryError, while a query over one
 * answers exactly; so do concurrent one-mask queries (each exact or a clean 429). With the default
 * limit each query answers exactly or trips cleanly; with a raised limit the two-mask queries equal
 * brute force. Throughout, the node stays up, logs no OutOfMemoryError, keeps every document,
 * reports the trips in {@code _nodes/stats/breaker}, and its breaker holds nothing of a finished
 * search (only the derived-CHI cache's bytes).
 */
@ThreadLeakScope(ThreadLeakScope.Scope.NONE)
public class MemorySafetyIT extends RandomizedTest {
  private static final String HEAP = "512m";
  private static final int SIDE = 4096;
  private static final int DOCS = 6;
  private static final String INDEX = "big-masks";

  /**
   * Reading a 4096 x 4096 uint16 mask accounts 32 MB plus its tile directory and a few tiles
   * (MaskSearch20), a pixel map 16 MB: one mask and its map fit, two masks do not.
   */
  private static final String ONE_MASK_LIMIT = "60mb";

  private static final String RAISED_LIMIT = "320mb";

  private static LocalCluster node;
  private static List<SyntheticImage> images;

  // Unaligned with any CHI grid, so that bounds decide nothing exactly and every query reads masks.
  private static final Roi ROI = new Roi(101, 203, 3901, 3807);
  private static final double LV = 0.31;
  private static final double UV = 0.77;
  private static final double A = 0.4;
  private static final double B = 0.55;
  private static final String IOU = iou(A, B);

  /** IoU(saliency > a, human > b) in {@link #ROI}. */
  private static String iou(double a, double b) {
    return String.format(
        Locale.ROOT,
        "iou(saliency > %s, human > %s, [%d, %d, %d, %d])",
        a,
        b,
        ROI.x1(),
        ROI.y1(),
        ROI.x2(),
        ROI.y2());
  }

  @BeforeClass
  public static void startSmallNode() throws Exception {
    // The parent breaker counts the children's bytes, not the heap's (real usage counts garbage,
    // which after a few
    // 32 MB masks trips it on any request until a GC runs): only the masksearch breaker stands
    // between the
    // queries and an OutOfMemoryError, which is what this suite proves.
    node =
        SharedCluster.startSeparate(
            "small-heap", 1, HEAP, Map.of("indices.breaker.total.use_real_memory", "false"));
  }

  @AfterClass
  public static void stopSmallNode() throws IOException {
    if (node != null) {
      node.close();
      node = null;
    }
    images = null;
  }

  @Test
  public void breakerTripsCleanlyAndAnswersStayExact() throws Exception {
    index();
    JsonNode heap = rest().ok("GET", "/_nodes/stats/jvm", null).path("nodes").elements().next();
    long maxHeap = heap.path("jvm").path("mem").path("heap_max_in_bytes").asLong();
    assertEquals(
        "the default limit is 40% of the heap",
        0.4, (double) breaker().path("limit_size_in_bytes").asLong() / maxHeap, 0.01);

    setLimit(ONE_MASK_LIMIT);
    // Two masks of a document at once: over the limit, whatever the order of reading (the trip
    // names the second mask, or a pixel map if one is built first).
    Rest.Reply tripped = search(scriptScore(IOU));
    assertCleanTrip(tripped, false);
    assertEquals("nothing of a failed search stays reserved (the cache is empty)", 0, estimated());
    long trips = breaker().path("tripped").asLong();
    assertTrue("trips reported: " + breaker(), trips >= 1);
    // One mask at a time fits.
    assertCpScores(search(cpScoring()));
    assertEquals(0, estimated());
    // Concurrent one-mask queries share the breaker: each answers exactly or trips cleanly.
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Rest.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        replies.add(pool.submit(() -> search(cpScoring())));
      }
      for (Future<Rest.Reply> reply : replies) {
        Rest.Reply r = reply.get();
        if (r.ok()) {
          assertCpScores(r);
        } else {
          assertCleanTrip(r);
        }
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(0, estimated());
    assertNodeHealthy();

    // The default limit: the IoU needs two masks and four pixel maps, the sum of two IoUs eight
    // maps.
    setLimit(null);
    String twoIous = IOU + " + " + iou(B, A);
    for (String expr : List.of(IOU, twoIous)) {
      Rest.Reply reply = search(scriptScore(expr));
      if (reply.ok()) {
        assertScores(
            reply, expr.equals(IOU) ? iouValues(A, B) : sum(iouValues(A, B), iouValues(B, A)));
      } else {
        assertCleanTrip(reply, false);
      }
    }
    assertNodeHealthy();

    // Raised: both masks fit, and the answers equal brute force, as scores and as an exact sort.
    setLimit(RAISED_LIMIT);
    assertScores(search(scriptScore(IOU)), iouValues(A, B));
    Map<String, Double> iou = iouValues(A, B);
    JsonNode sorted =
        rest()
            .ok(
                "POST",
                "/" + INDEX + "/_search",
                Map.of(
                    "size",
                    DOCS,
                    "_source",
                    false,
                    "sort",
                    List.of(
                        Map.of("mask_expr", Map.of("expr", IOU, "order", "desc")),
                        Map.of("n", "asc"))))
            .path("hits")
            .path("hits");
    assertEquals(DOCS, sorted.size());
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode hit : sorted) {
      double value = hit.path("sort").get(0).asDouble();
      assertEquals("sort value of " + hit.path("_id"), iou.get(hit.path("_id").asText()), value, 0);
      assertTrue("descending", value <= previous);
      previous = value;
    }
    // What the derived-CHI cache keeps is all the breaker holds between searches, and later
    // searches add nothing.
    long cached = estimated();
    assertTrue("cache within its 64mb bound: " + cached, cached >= 0 && cached <= 64L << 20);
    setLimit(ONE_MASK_LIMIT);
    // Thresholds no earlier search used: the cached derived CHIs of IOU's predicates can decide
    // its value in every document (cells all on one side of a threshold where the ROI cuts them),
    // reading no mask; predicates nothing cached still need both masks of a document.
    assertCleanTrip(search(scriptScore(iou(0.45, 0.6))), false);
    assertCpScores(search(cpScoring()));
    assertEquals("only the cache's bytes stay", cached, estimated());
    assertTrue("more trips reported", breaker().path("tripped").asLong() > trips);
    setLimit(null);
    assertNodeHealthy();
  }

  /**
   * Indexes the masks one document per request (a 512 MB node parses and decodes two 4096 x 4096
   * PNGs each).
   */
  private void index() {
    Rest.Reply deleted = rest().call("DELETE", "/" + INDEX, null);
    assertTrue(deleted.body().toString(), deleted.ok() || deleted.status() == 404);
    rest()
        .ok(
            "PUT",
            "/" + INDEX,
            """
        {"settings": {"index.codec": "masksearch", "number_of_shards": 1, "number_of_replicas": 0,
                      "index.queries.cache.enabled": false, "index.search.concurrent_segment_search.mode": "none"},
         "mappings": {"properties": {"n": {"type": "integer"},
                      "saliency": {"type": "mask"}, "human": {"type": "mask"}}}}""");
    SyntheticDataset dataset = new SyntheticDataset(randomLong(), SIDE, SIDE, MaskDType.UINT16);
    images = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      SyntheticImage generated = dataset.image(i);
      SyntheticImage image =
          new SyntheticImage(
              i,
              generated.box(),
              generated.label(),
              generated.predicted(),
              generated.regime(),
              tenBits(generated.saliency()),
              tenBits(generated.human()));
      images.add(image);
      rest()
          .ok(
              "PUT",
              "/" + INDEX + "/_doc/" + i,
              Map.of(
                  "n",
                  i,
                  "saliency",
                  Map.of("png", png(image.saliency())),
                  "human",
                  Map.of("png", png(image.human()))));
    }
    rest().ok("POST", "/" + INDEX + "/_refresh", null);
  }

  /**
   * The mask at 1/1024 steps (codes rounded to multiples of 64), as a 10-bit model or sensor
   * output: a 16-bit PNG of it is about 2.5 MB rather than 20 (a node of this heap admits index
   * requests of up to 10% of it, 51 MB).
   */
  private static Mask tenBits(Mask mask) {
    byte[] raw = mask.rawBytes().clone();
    ByteBuffer codes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < raw.length; i += 2) {
      int code = codes.getShort(i) & 0xFFFF;
      codes.putShort(i, (short) Math.min(65535, (code + 32) / 64 * 64));
    }
    return Mask.of(MaskDType.UINT16, mask.height(), mask.width(), raw);
  }

  private static String png(Mask mask) {
    return Base64.getEncoder().encodeToString(PngMasks.encode(mask));
  }

  private static Map<String, Object> cpScoring() {
    return Map.of(
        "size",
        DOCS,
        "_source",
        false,
        "query",
        Map.of(
            "cp",
            Map.of(
                "field",
                "saliency",
                "roi",
                List.of(ROI.x1(), ROI.y1(), ROI.x2(), ROI.y2()),
                "range",
                List.of(LV, UV))));
  }

  private static Map<String, Object> scriptScore(String expr) {
    return Map.of(
        "size",
        DOCS,
        "_source",
        false,
        "query",
        Map.of(
            "script_score",
            Map.of(
                "query",
                Map.of("match_all", Map.of()),
                "script",
                Map.of("lang", "masksearch", "source", expr))));
  }

  private static Rest.Reply search(Map<String, Object> body) {
    return rest().call("POST", "/" + INDEX + "/_search", body);
  }

  private void assertCpScores(Rest.Reply reply) {
    Map<String, Double> expected = new HashMap<>();
    for (SyntheticImage image : images) {
      expected.put(
          Integer.toString(image.id()), CpReference.cp(image.saliency(), ROI, LV, UV, false));
    }
    assertScores(reply, expected);
  }

  /** Every document is a hit, with its exact value as its (float) score. */
  private static void assertScores(Rest.Reply reply, Map<String, Double> expected) {
    assertTrue(reply.status() + ": " + reply.body(), reply.ok());
    assertEquals(reply.body().toString(), 0, reply.body().path("_shards").path("failed").asInt());
    JsonNode hits = reply.body().path("hits").path("hits");
    assertEquals(DOCS, hits.size());
    for (JsonNode hit : hits) {
      String id = hit.path("_id").asText();
      assertEquals(
          "score of " + id,
          (float) (double) expected.get(id),
          (float) hit.path("_score").asDouble(),
          0f);
    }
  }

  /** A 429 whose reason names the breaker and the mask that did not fit. */
  private static void assertCleanTrip(Rest.Reply reply) {
    assertCleanTrip(reply, true);
  }

  /**
   * A 429 whose reason names the breaker and what did not fit: a mask, or ({@code maskOnly} false)
   * the map of the pixels where a predicate holds, 4096 x 4096, of a document.
   */
  private static void assertCleanTrip(Rest.Reply reply, boolean maskOnly) {
    String body = reply.body().toString();
    assertEquals(body, 429, reply.status());
    assertTrue(body, body.contains("circuit_breaking_exception"));
    boolean mask =
        body.contains("[masksearch] Data too large, data for [mask [")
            && body.contains("] 4096x4096 uint16 of document ");
    boolean pixels =
        body.contains("[masksearch] Data too large, data for [the pixels where [")
            && body.contains("] holds, 4096x4096, of document ");
    assertTrue(body, mask || (!maskOnly && pixels));
  }

  /**
   * Brute force: the IoU of {@code saliency > a} and {@code human > b} inside {@link #ROI}, per
   * document.
   */
  private static Map<String, Double> iouValues(double a, double b) {
    Map<String, Double> values = new HashMap<>();
    for (SyntheticImage image : images) {
      ByteBuffer s = ByteBuffer.wrap(image.saliency().rawBytes()).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer h = ByteBuffer.wrap(image.human().rawBytes()).order(ByteOrder.LITTLE_ENDIAN);
      long intersection = 0;
      long union = 0;
      for (int y = ROI.y1(); y < ROI.y2(); y++) {
        for (int x = ROI.x1(); x < ROI.x2(); x++) {
          int i = y * SIDE + x;
          boolean p = CpReference.value(image.saliency(), s, i) > a;
          boolean q = CpReference.value(image.human(), h, i) > b;
          intersection += p && q ? 1 : 0;
          union += p || q ? 1 : 0;
        }
      }
      values.put(Integer.toString(image.id()), union == 0 ? 0.0 : (double) intersection / union);
    }
    return values;
  }

  private static Map<String, Double> sum(Map<String, Double> x, Map<String, Double> y) {
    Map<String, Double> sum = new HashMap<>(x);
    y.forEach((id, v) -> sum.merge(id, v, Double::sum));
    return sum;
  }

  /**
   * Up, green, every document there, no OutOfMemoryError in its logs and no heap dump or JVM crash
   * file.
   */
  private static void assertNodeHealthy() throws IOException {
    assertTrue("the node process is alive", node.running(0));
    node.awaitHealth("green", 1);
    assertEquals(DOCS, rest().ok("GET", "/" + INDEX + "/_count", null).path("count").asInt());
    try (Stream<Path> files = Files.walk(node.nodeDirectory(0))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        assertFalse(
            "heap dump or crash file: " + file,
            name.endsWith(".hprof") || name.startsWith("hs_err"));
        if (name.endsWith(".log")) {
          try (Stream<String> lines =
              Files.lines(file, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            assertFalse(
                "OutOfMemoryError in " + file,
                lines.anyMatch(l -> l.contains("java.lang.OutOfMemoryError")));
          }
        }
      }
    }
  }

  private static JsonNode breaker() {
    return rest()
        .ok("GET", "/_nodes/stats/breaker", null)
        .path("nodes")
        .elements()
        .next()
        .path("breakers")
        .path("masksearch");
  }

  private static long estimated() {
    return breaker().path("estimated_size_in_bytes").asLong();
  }

  private static void setLimit(String limit) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("breaker.masksearch.limit", limit); // null: back to the default
    rest().ok("PUT", "/_cluster/settings", Map.of("persistent", settings));
  }

  private static Rest rest() {
    return node.rest();
  }
}
