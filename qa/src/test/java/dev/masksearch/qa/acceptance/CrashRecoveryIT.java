package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.Rest;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * A node of the three-node cluster killed with SIGKILL ({@code kill -9} of its JVM: no shutdown, no
 * flush) while {@code _bulk} requests index masks into an index of three shards with one replica.
 * Ingest goes on through the surviving nodes, and every document is recorded once a response
 * acknowledges it; a batch whose request or items failed is sent again with the same ids until
 * acknowledged, so that every document ever sent is acknowledged in the end. The node starts again
 * on its data and recovers its copies while ingest continues; once the index is green it holds
 * exactly the acknowledged documents (count and ids), each primary and its replica hold as many,
 * and cp answers (filters, top-k, the scoring form, sorts) equal brute force over the acknowledged
 * masks. Progress is measured in acknowledged documents, never in time.
 */
public class CrashRecoveryIT extends ClusterTestCase {
  private static final String INDEX = "crash-recovery";
  private static final int MAX_SIDE = 64;
  private static final int BATCH = 10;

  @Test
  public void killedNodeDuringBulkIngestLosesNoAcknowledgedDocument() throws Exception {
    deleteIndex(INDEX);
    LocalCluster cluster = cluster();
    Corpus.createIndex(rest(), INDEX, 3, 1);
    cluster.awaitHealth("green", cluster.size(), INDEX);
    Writer writer = new Writer(new Random(getRandom().nextLong()));
    Thread thread = new Thread(writer, "crash-recovery-writer");
    thread.start();
    int victim = getRandom().nextInt(cluster.size());
    try {
      writer.awaitAcknowledged(150);
      Path console = cluster.nodeDirectory(victim).resolve("console.log");
      long logged = Files.size(console);
      writer.awaitInFlight();
      cluster.killNode(victim);
      assertFalse("node " + victim + " is dead", cluster.running(victim));
      // A SIGKILL, not a shutdown: OpenSearch logs "stopping ..." when it shuts down.
      byte[] all = Files.readAllBytes(console);
      String since =
          new String(all, (int) logged, all.length - (int) logged, StandardCharsets.ISO_8859_1);
      assertFalse(
          "node " + victim + " was shut down, not killed: " + since,
          since.contains("] stopping ..."));
      int atKill = writer.acknowledged.size();
      writer.awaitAcknowledged(
          writer.sendUpTo(writer.sent.get() + 150)); // through the two survivors
      cluster.awaitHealth("yellow", cluster.size() - 1, INDEX);
      cluster.startNode(victim);
      writer.awaitAcknowledged(
          writer.sendUpTo(writer.sent.get() + 100)); // while the node recovers its copies
      System.out.println(
          "[crash-recovery] node "
              + victim
              + " killed during a _bulk, after "
              + atKill
              + " acknowledged documents; "
              + writer.acknowledged.size()
              + " acknowledged when it had recovered; "
              + writer.retries.get()
              + " batches sent again (first failure: "
              + writer.firstFailure
              + ")");
    } finally {
      writer.stop();
      thread.join();
    }
    writer.rethrow();
    cluster.awaitHealth("green", cluster.size(), INDEX);
    ok("POST", "/" + INDEX + "/_refresh", null);

    Map<String, QaDoc> acknowledged = writer.acknowledged;
    assertEquals(
        "every document sent was acknowledged in the end", writer.sent.get(), acknowledged.size());
    assertEquals(
        "_count",
        acknowledged.size(),
        ok("GET", "/" + INDEX + "/_count", null).path("count").asInt());
    assertEquals(new TreeSet<>(acknowledged.keySet()), ids());
    assertCopiesAgree(acknowledged.size());
    // A few cp filters, a top-k, the scoring form and a sort, over the acknowledged masks.
    CpChecks checks = new CpChecks(rest(), INDEX, List.copyOf(acknowledged.values()));
    Random random = getRandom();
    for (int i = 0; i < 3; i++) {
      CpCase term = checks.telling(random, MAX_SIDE);
      checks.filter(term, CpChecks.randomOp(random), checks.threshold(random, term));
    }
    CpCase term = checks.telling(random, MAX_SIDE);
    checks.topK(term, 1 + random.nextInt(30));
    checks.scoring(term, 1 + random.nextInt(30));
    checks.sort(term, random.nextBoolean(), 100);
    assertGreen();
    deleteIndex(INDEX);
  }

  /**
   * Every shard copy is started, and each replica holds as many documents as its primary; all of
   * them sum up.
   */
  private static void assertCopiesAgree(int documents) {
    JsonNode shards =
        ok("GET", "/_cat/shards/" + INDEX + "?format=json&h=shard,prirep,state,docs,node", null);
    Map<String, Map<String, Integer>> byShard = new HashMap<>();
    for (JsonNode copy : shards) {
      assertEquals(copy.toString(), "STARTED", copy.path("state").asText());
      byShard
          .computeIfAbsent(copy.path("shard").asText(), s -> new HashMap<>())
          .put(copy.path("prirep").asText(), copy.path("docs").asInt());
    }
    assertEquals(shards.toString(), 3, byShard.size());
    int primaries = 0;
    for (Map.Entry<String, Map<String, Integer>> shard : byShard.entrySet()) {
      Map<String, Integer> copies = shard.getValue();
      assertEquals("shard " + shard.getKey() + ": " + shards, copies.get("p"), copies.get("r"));
      primaries += copies.get("p");
    }
    assertEquals("documents in the primaries", documents, primaries);
  }

  private static Set<String> ids() {
    JsonNode reply =
        ok(
            "POST",
            "/" + INDEX + "/_search",
            Map.of(
                "size",
                10_000,
                "_source",
                false,
                "track_total_hits",
                true,
                "query",
                Map.of("match_all", Map.of())));
    Set<String> ids = new TreeSet<>();
    reply.path("hits").path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
    return ids;
  }

  /**
   * Indexes batches of {@value #BATCH} random documents through {@code _bulk} until stopped,
   * sending each batch's unacknowledged documents again (same ids, same content) until every one is
   * acknowledged: a request without a response, a refused request and failed items alike. Stops
   * only between batches, so nothing it sent is left unacknowledged.
   */
  private static final class Writer implements Runnable {
    private final Random random;
    final Map<String, QaDoc> acknowledged = new ConcurrentHashMap<>();
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    volatile String firstFailure = "no failure";
    private volatile boolean stop;

    /**
     * Sends no new batch once this many documents were sent (a bound on the index, however fast the
     * machine).
     */
    private volatile int budget = 10_000;

    private volatile Throwable failure;

    Writer(Random random) {
      this.random = random;
    }

    @Override
    public void run() {
      try {
        for (int batch = 0; !stop; batch++) {
          if (sent.get() >= budget) {
            Thread.sleep(10);
            continue;
          }
          Map<String, QaDoc> pending = new LinkedHashMap<>();
          for (QaDoc doc : Corpus.generate(random, "c" + batch + "-", BATCH, MAX_SIDE)) {
            pending.put(doc.id(), doc);
          }
          sent.addAndGet(pending.size());
          for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) {
              retries.incrementAndGet();
              Thread.sleep(
                  Math.min(
                      1000, 50L * attempt)); // a cluster electing a manager or promoting replicas
            }
            if (attempt > 2000) {
              throw new AssertionError("a batch was never acknowledged: " + firstFailure);
            }
            send(pending);
          }
        }
      } catch (Throwable t) {
        failure = t;
      }
    }

    /** One {@code _bulk} of the pending documents; removes those acknowledged. */
    private void send(Map<String, QaDoc> pending) {
      StringBuilder bulk = new StringBuilder();
      for (QaDoc doc : pending.values()) {
        bulk.append("{\"index\": {\"_id\": \"")
            .append(doc.id())
            .append("\"}}\n")
            .append(Rest.toJson(doc.json()))
            .append('\n');
      }
      Rest.Reply reply;
      inFlight.incrementAndGet();
      try {
        reply = call("POST", "/" + INDEX + "/_bulk", bulk.toString());
      } catch (UncheckedIOException e) {
        failed("no response: " + e.getCause());
        return;
      } finally {
        inFlight.decrementAndGet();
      }
      if (!reply.ok()) {
        failed(reply.status() + " " + reply.body());
        return;
      }
      for (JsonNode item : reply.body().path("items")) {
        JsonNode result = item.path("index");
        int status = result.path("status").asInt();
        String id = result.path("_id").asText();
        if (status == 200 || status == 201) {
          acknowledged.put(id, pending.remove(id));
        } else if (status == 400) {
          throw new AssertionError("a valid document refused: " + result);
        } else {
          failed(status + " " + result.path("error"));
        }
      }
    }

    private void failed(String what) {
      if (firstFailure.equals("no failure")) {
        firstFailure = what.length() > 500 ? what.substring(0, 500) : what;
      }
    }

    /**
     * Waits until at least {@code count} documents are acknowledged (fails if the writer failed).
     */
    void awaitAcknowledged(int count) throws InterruptedException {
      long deadline =
          System.nanoTime() + TimeUnit.MINUTES.toNanos(10); // a hang guard, not a timing assertion
      while (acknowledged.size() < count) {
        rethrow();
        assertTrue(
            "the writer made no progress to "
                + count
                + " documents (at "
                + acknowledged.size()
                + "; "
                + firstFailure
                + ")",
            System.nanoTime() < deadline);
        Thread.sleep(20);
      }
    }

    /** Waits until a {@code _bulk} request is on its way (so that the kill falls during one). */
    void awaitInFlight() throws InterruptedException {
      while (inFlight.get() == 0) {
        rethrow();
        Thread.sleep(1);
      }
    }

    /**
     * Sends batches until {@code count} documents were sent (whole batches: a multiple of {@value
     * #BATCH}).
     */
    int sendUpTo(int count) {
      int rounded = Math.ceilDiv(count, BATCH) * BATCH;
      budget = rounded;
      return rounded;
    }

    void stop() {
      stop = true;
    }

    void rethrow() {
      if (failure != null) {
        throw new AssertionError("the writer failed", failure);
      }
    }
  }
}
