package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.Rest;
import dev.masksearch.qa.cluster.SharedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * Clients query while others index, delete and refresh, for a bounded time. Documents are never changed in
 * place, so even mid-load every hit can be checked: a filter hit must satisfy the filter and a top-k hit's score
 * must be its exact value. Afterwards every answer equals brute force over the surviving documents.
 */
public class ConcurrencyIT extends ClusterTestCase {
  private static final int MAX_SIDE = 64;

  @Test
  public void queriesStayExactWhileDocumentsComeAndGo() throws Exception {
    String index = "concurrent";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 3, 1);
    Map<String, QaDoc> everIndexed = new ConcurrentHashMap<>(); // immutable documents, by id
    Map<String, QaDoc> live = new ConcurrentHashMap<>(); // acknowledged and not deleted
    List<QaDoc> initial = Corpus.generate(getRandom(), "init-", 200, MAX_SIDE);
    Corpus.index(rest(), index, initial);
    initial.forEach(d -> {
      everIndexed.put(d.id(), d);
      live.put(d.id(), d);
    });

    long seconds = SharedCluster.heavy() ? 180 : 20;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    AtomicInteger queries = new AtomicInteger();
    AtomicInteger deletes = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    List<Future<?>> tasks = new ArrayList<>();
    long seed = getRandom().nextLong();
    for (int q = 0; q < 3; q++) {
      Random random = new Random(seed + q);
      tasks.add(pool.submit(() -> {
        while (System.nanoTime() < deadline) {
          query(rest(), index, random, everIndexed, errors);
          queries.incrementAndGet();
        }
      }));
    }
    Random indexRandom = new Random(seed + 100);
    tasks.add(pool.submit(() -> {
      for (int batch = 0; System.nanoTime() < deadline; batch++) {
        List<QaDoc> docs = Corpus.generate(indexRandom, "b" + batch + "-", 10, MAX_SIDE);
        docs.forEach(d -> everIndexed.put(d.id(), d));
        Corpus.index(rest(), index, docs); // fails the task (reported below) on any item error
        docs.forEach(d -> live.put(d.id(), d));
      }
    }));
    Random deleteRandom = new Random(seed + 200);
    tasks.add(pool.submit(() -> {
      while (System.nanoTime() < deadline) {
        if (live.size() < 150) { // keep a working set: deletes outpace bulk indexing
          Thread.sleep(20);
          continue;
        }
        List<String> ids = new ArrayList<>(live.keySet());
        String id = ids.get(deleteRandom.nextInt(ids.size()));
        Rest.Reply reply = rest().call("DELETE", "/" + index + "/_doc/" + id, null);
        if (!reply.ok()) {
          errors.add("delete " + id + " -> " + reply.status() + ": " + reply.body());
        }
        live.remove(id);
        deletes.incrementAndGet();
      }
      return null;
    }));
    pool.shutdown();
    try {
      for (Future<?> task : tasks) {
        try {
          task.get(seconds + 300, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          errors.add("task failed: " + e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertTrue("errors under load: " + errors, errors.isEmpty());
    assertTrue("the clients ran no query", queries.get() > 0);
    System.out.printf(java.util.Locale.ROOT, "%d queries, %d documents indexed, %d deleted, %d live%n",
        queries.get(), everIndexed.size(), deletes.get(), live.size());

    ok("POST", "/" + index + "/_refresh", null);
    assertEquals(live.size(), ok("GET", "/" + index + "/_count", null).path("count").asInt());
    new CpChecks(rest(), index, live.values()).randomized(getRandom(), 10, MAX_SIDE);
    assertGreen();
    deleteIndex(index);
  }

  /** A random filter or top-k; every hit is checked against the document it names. */
  private static void query(Rest rest, String index, Random random, Map<String, QaDoc> docs,
      ConcurrentLinkedQueue<String> errors) {
    CpCase term = CpCase.random(random, MAX_SIDE, Corpus.MASK_FIELDS);
    boolean filter = random.nextBoolean();
    String op = CpChecks.randomOp(random);
    double threshold = term.normalize() ? random.nextDouble() : random.nextInt(500);
    Object query = filter ? Map.of("cp", term.with(op, threshold)) : Map.of("cp", term.with("k", 10));
    Rest.Reply reply = rest.call("POST", "/" + index + "/_search", Map.of("size", 50, "_source", false, "query", query));
    if (!reply.ok() || reply.body().path("_shards").path("failed").asInt() > 0) {
      errors.add(query + " -> " + reply.status() + ": " + reply.body());
      return;
    }
    for (JsonNode hit : reply.body().path("hits").path("hits")) {
      QaDoc doc = docs.get(hit.path("_id").asText());
      Double value = doc == null ? null : term.expected(doc);
      if (value == null) {
        errors.add(query + " returned " + hit.path("_id").asText() + ", which has no value for it");
      } else if (filter && !CpChecks.compare(value, op, threshold)) {
        errors.add(query + " returned " + doc.id() + " with value " + value);
      } else if (!filter && value.floatValue() != (float) hit.path("_score").asDouble()) {
        errors.add(query + " scored " + doc.id() + " " + hit.path("_score") + ", exact value " + value);
      }
    }
  }
}
