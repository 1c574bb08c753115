package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.Rest;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.Test;

/**
 * Time limits and cancellation on the real cluster, with searches that verify every document: a
 * mask expression of many value tests over two masks per document, in a region off the CHI grid, so
 * that bounds decide little and each document costs its masks and a pixel map per test. The search
 * {@code timeout} gives {@code timed_out} and a part of the hits, with fewer documents decided or
 * read (profile counters) than the index holds; a search cancelled through the task API, or by
 * {@code search.cancel_after_time_interval}, fails with a task-cancelled error and leaves no search
 * task running. Untimed, the same searches equal brute force. Nothing here measures time: each
 * search is long enough to be stopped part-way, and the assertions are on what it returned.
 *
 * <p>Each search uses thresholds of its own, so that no derived-mask CHI from an earlier one
 * decides its documents.
 */
public class CancellationIT extends ClusterTestCase {
  private static final String INDEX = "cancellation";
  private static final int SIDE = 512;
  private static final int DOCS = 240;
  private static final Roi ROI = new Roi(13, 29, 493, 467);
  private static final int TESTS = 8;

  private static List<SyntheticImage> images;

  /** Without replicas this index would turn the cluster red when a later suite stops a node. */
  @AfterClass
  public static void deleteTheIndex() {
    if (images != null) {
      deleteIndex(INDEX);
      images = null;
    }
  }

  private static synchronized void ensureIndex() {
    if (images != null) {
      return;
    }
    deleteIndex(INDEX);
    ok(
        "PUT",
        "/" + INDEX,
        """
        {"settings": {"index.codec": "masksearch", "number_of_shards": 3, "number_of_replicas": 0,
                      "index.queries.cache.enabled": false},
         "mappings": {"properties": {"n": {"type": "integer"},
                      "saliency": {"type": "mask"}, "human": {"type": "mask"}}}}""");
    SyntheticDataset dataset = new SyntheticDataset(randomLong(), SIDE, SIDE, MaskDType.UINT8);
    List<SyntheticImage> generated = new ArrayList<>();
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < DOCS; i++) {
      SyntheticImage image = dataset.image(i);
      generated.add(image);
      bulk.append("{\"index\": {\"_id\": \"")
          .append(i)
          .append("\"}}\n")
          .append(
              Rest.toJson(
                  Map.of(
                      "n",
                      i,
                      "saliency",
                      Map.of("png", png(image.saliency())),
                      "human",
                      Map.of("png", png(image.human())))))
          .append('\n');
      if (bulk.length() > 4 << 20 || i == DOCS - 1) {
        JsonNode reply = ok("POST", "/" + INDEX + "/_bulk", bulk.toString());
        assertFalse(reply.toString(), reply.path("errors").asBoolean());
        bulk.setLength(0);
      }
    }
    ok("POST", "/" + INDEX + "/_refresh", null);
    images = generated;
  }

  private static String png(Mask mask) {
    return Base64.getEncoder().encodeToString(PngMasks.encode(mask));
  }

  /**
   * A sum of {@value #TESTS} counts of the pixels of the region where both maps pass a threshold,
   * the thresholds starting at {@code first}: {@code 2 x TESTS} value tests and as many
   * intersections per document.
   */
  private static String expression(double first) {
    List<String> terms = new ArrayList<>();
    for (double t : thresholds(first)) {
      terms.add(
          String.format(
              Locale.ROOT,
              "cp(saliency > %s & human > %s, [%d, %d, %d, %d])",
              t,
              t,
              ROI.x1(),
              ROI.y1(),
              ROI.x2(),
              ROI.y2()));
    }
    return String.join(" + ", terms);
  }

  private static double[] thresholds(double first) {
    double[] t = new double[TESTS];
    for (int i = 0; i < TESTS; i++) {
      t[i] = Math.round((first + 0.1 * i) * 1000) / 1000.0;
    }
    return t;
  }

  /** Brute force of {@link #expression} per document id. */
  private static Map<String, Long> values(double first) {
    double[] thresholds = thresholds(first);
    Map<String, Long> values = new HashMap<>();
    for (SyntheticImage image : images) {
      ByteBuffer s = ByteBuffer.wrap(image.saliency().rawBytes());
      ByteBuffer h = ByteBuffer.wrap(image.human().rawBytes());
      long sum = 0;
      for (int y = ROI.y1(); y < ROI.y2(); y++) {
        for (int x = ROI.x1(); x < ROI.x2(); x++) {
          double sv = CpReference.value(image.saliency(), s, y * SIDE + x);
          double hv = CpReference.value(image.human(), h, y * SIDE + x);
          for (double t : thresholds) {
            sum += sv > t && hv > t ? 1 : 0;
          }
        }
      }
      values.put(Integer.toString(image.id()), sum);
    }
    return values;
  }

  private static Map<String, Object> filter(String expr, long threshold) {
    return Map.of("mask_expr", Map.of("expr", expr, "gt", threshold));
  }

  private static long median(Map<String, Long> values) {
    return values.values().stream().sorted().toList().get(values.size() / 2);
  }

  @Test
  public void timeoutGivesPartialResultsThatAreExactOtherwise() {
    ensureIndex();
    double first = 0.05;
    String expr = expression(first);
    Map<String, Long> values = values(first);
    long threshold = median(values);
    // First with a timeout, while no derived CHI of these tests exists.
    JsonNode timed =
        ok(
            "POST",
            "/" + INDEX + "/_search",
            Map.of(
                "timeout",
                "100ms",
                "profile",
                true,
                "track_total_hits",
                true,
                "size",
                DOCS,
                "_source",
                false,
                "query",
                filter(expr, threshold)));
    assertTrue("timed out: " + timed.path("_shards"), timed.path("timed_out").asBoolean());
    Set<String> expected = new TreeSet<>();
    values.forEach(
        (id, v) -> {
          if (v > threshold) {
            expected.add(id);
          }
        });
    Set<String> partial = ids(timed);
    assertTrue("partial hits are hits: " + partial, expected.containsAll(partial));
    assertTrue(
        "partial: " + partial.size() + " of " + expected.size(), partial.size() < expected.size());
    ProfileCounters stopped = ProfileCounters.of(timed);
    assertTrue(
        "documents decided or read before the timeout: " + stopped,
        stopped.decidedByBounds() + stopped.masksRead() < DOCS);

    JsonNode full =
        ok(
            "POST",
            "/" + INDEX + "/_search",
            Map.of(
                "profile",
                true,
                "track_total_hits",
                true,
                "size",
                DOCS,
                "_source",
                false,
                "query",
                filter(expr, threshold)));
    assertFalse(full.path("timed_out").asBoolean());
    assertEquals(expected, ids(full));
    ProfileCounters all = ProfileCounters.of(full);
    assertEquals(
        "every document decided or read, once: " + all,
        DOCS,
        all.decidedByBounds() + all.masksRead());
    // Not "most": the timed run above has left derived CHIs for the documents it read, which now
    // decide them.
    assertTrue("documents needed their masks: " + all, all.masksRead() > 0);
    assertGreen();
  }

  @Test
  public void cancelledThroughTheTaskApi() throws Exception {
    ensureIndex();
    Map<String, Object> search = scoreEvery(expression(0.06));
    CompletableFuture<Rest.Reply> running =
        CompletableFuture.supplyAsync(() -> call("POST", "/" + INDEX + "/_search", search));
    String task = null;
    while (task == null && !running.isDone()) {
      JsonNode tasks = ok("GET", "/_tasks?actions=*search*&detailed", null);
      for (JsonNode node : tasks.path("nodes")) {
        for (JsonNode t : node.path("tasks")) {
          if (t.path("action").asText().equals("indices:data/read/search")
              && t.path("description").asText().contains("indices[" + INDEX + "]")) {
            task = t.path("node").asText() + ":" + t.path("id").asText();
          }
        }
      }
      Thread.sleep(10);
    }
    assertTrue("the search ran long enough to be found", task != null);
    JsonNode cancelled = ok("POST", "/_tasks/" + task + "/_cancel", null);
    assertTrue(
        cancelled.toString(), cancelled.toString().contains(task.substring(task.indexOf(':') + 1)));
    assertCancelled(running.get(5, TimeUnit.MINUTES));
    assertNoSearchTasks();
    assertGreen();
  }

  @Test
  public void cancelledAfterTheClusterTimeInterval() {
    ensureIndex();
    ok(
        "PUT",
        "/_cluster/settings",
        Map.of("transient", Map.of("search.cancel_after_time_interval", "300ms")));
    try {
      assertCancelled(call("POST", "/" + INDEX + "/_search", scoreEvery(expression(0.07))));
    } finally {
      Map<String, Object> reset = new HashMap<>();
      reset.put("search.cancel_after_time_interval", null);
      ok("PUT", "/_cluster/settings", Map.of("transient", reset));
    }
    assertNoSearchTasks();
    assertGreen();
  }

  /** A search that reads every document's masks: the expression as the score of every document. */
  private static Map<String, Object> scoreEvery(String expr) {
    return Map.of(
        "size",
        10,
        "_source",
        false,
        "track_total_hits",
        true,
        "query",
        Map.of(
            "script_score",
            Map.of(
                "query",
                Map.of("match_all", Map.of()),
                "script",
                Map.of("lang", "masksearch", "source", expr))));
  }

  /**
   * A cancelled search: an error whose reason says the task was cancelled, or partial results with
   * such failures.
   */
  private static void assertCancelled(Rest.Reply reply) {
    String body = reply.body().toString();
    assertTrue(
        body,
        body.contains("task_cancelled_exception") || body.contains("cancelled task with reason"));
    if (reply.ok()) {
      assertTrue("shards failed: " + body, reply.body().path("_shards").path("failed").asInt() > 0);
      assertTrue(body, reply.body().path("hits").path("total").path("value").asLong() < DOCS);
    }
  }

  private static void assertNoSearchTasks() {
    JsonNode tasks = ok("GET", "/_tasks?actions=*search*&detailed", null);
    for (JsonNode node : tasks.path("nodes")) {
      for (JsonNode t : node.path("tasks")) {
        assertFalse("still running: " + t, t.path("description").asText().contains(INDEX));
      }
    }
  }

  private static Set<String> ids(JsonNode reply) {
    Set<String> ids = new TreeSet<>();
    reply.path("hits").path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
    return ids;
  }
}
