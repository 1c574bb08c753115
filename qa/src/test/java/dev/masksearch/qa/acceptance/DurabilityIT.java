package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.SharedCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * One index of six shards and a replica on the three-node cluster: answers equal brute force while
 * a node is down (and while documents change without it), after it rejoins, after every node
 * restarts, and in a new index restored from a snapshot in an {@code fs} repository.
 */
public class DurabilityIT extends ClusterTestCase {
  private static final int MAX_SIDE = 90;

  @Test
  public void answersSurviveNodeLossFullRestartAndSnapshotRestore() throws Exception {
    String index = "durable";
    String restored = "durable-restored";
    deleteIndex(index);
    deleteIndex(restored);
    LocalCluster cluster = cluster();
    Corpus.createIndex(rest(), index, 6, 1);
    int count = SharedCluster.heavy() ? 3_000 : 400;
    List<QaDoc> docs = new ArrayList<>(Corpus.generate(getRandom(), "d", count, MAX_SIDE));
    Corpus.index(rest(), index, docs);
    cluster.awaitHealth("green", cluster.size());
    checks(index, docs);

    // One node down: its primaries' replicas take over; answers stay exact, and documents still
    // change.
    int lost = getRandom().nextInt(cluster.size());
    cluster.stopNode(lost);
    cluster.awaitHealth("yellow", cluster.size() - 1, index);
    checks(index, docs);
    List<QaDoc> added = Corpus.generate(getRandom(), "while-down-", 40, MAX_SIDE);
    Corpus.index(rest(), index, added);
    docs.addAll(added);
    for (QaDoc gone : new ArrayList<>(docs.subList(0, 25))) {
      ok("DELETE", "/" + index + "/_doc/" + gone.id(), null);
      docs.remove(gone);
    }
    ok("POST", "/" + index + "/_refresh", null);
    checks(index, docs);
    cluster.startNode(lost);
    cluster.awaitHealth("green", cluster.size());
    checks(index, docs);

    // Every node restarts: every document and every answer survives.
    ok("POST", "/" + index + "/_flush", null);
    cluster.restartAll();
    cluster.awaitHealth("green", cluster.size());
    assertEquals(docs.size(), ok("GET", "/" + index + "/_count", null).path("count").asInt());
    checks(index, docs);

    // Snapshot to an fs repository and restore into a new index: the same answers.
    ok(
        "PUT",
        "/_snapshot/qa-fs",
        Map.of("type", "fs", "settings", Map.of("location", cluster.repository().toString())));
    JsonNode snapshot =
        ok(
            "PUT",
            "/_snapshot/qa-fs/durable-1?wait_for_completion=true",
            Map.of("indices", index, "include_global_state", false));
    assertEquals("SUCCESS", snapshot.path("snapshot").path("state").asText());
    ok(
        "POST",
        "/_snapshot/qa-fs/durable-1/_restore?wait_for_completion=true",
        Map.of(
            "indices",
            index,
            "rename_pattern",
            index,
            "rename_replacement",
            restored,
            "include_global_state",
            false));
    cluster.awaitHealth("green", cluster.size());
    assertEquals(docs.size(), ok("GET", "/" + restored + "/_count", null).path("count").asInt());
    checks(restored, docs);

    ok("DELETE", "/_snapshot/qa-fs/durable-1", null);
    ok("DELETE", "/_snapshot/qa-fs", null);
    deleteIndex(index);
    deleteIndex(restored);
  }

  private void checks(String index, List<QaDoc> docs) {
    new CpChecks(rest(), index, docs)
        .randomized(getRandom(), SharedCluster.heavy() ? 12 : 4, MAX_SIDE);
  }
}
