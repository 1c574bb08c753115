package dev.masksearch.qa.acceptance;

import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.SharedCluster;
import java.util.List;
import org.junit.Test;

/**
 * Every form of the {@code cp} query on the real distribution, over documents in every encoding,
 * sizes from one pixel up, boxes past the edge and empty, against brute force: one shard, and six
 * shards with a replica across the three nodes, after several refreshes (many segments), deletions
 * and a force merge.
 */
public class CpExactnessIT extends ClusterTestCase {
  private static final int MAX_SIDE = 120;

  @Test
  public void oneShard() {
    check("cp-one-shard", 1, 0);
  }

  @Test
  public void sixShardsOneReplica() {
    check("cp-six-shards", 6, 1);
  }

  private void check(String index, int shards, int replicas) {
    deleteIndex(index);
    Corpus.createIndex(rest(), index, shards, replicas);
    int count = SharedCluster.heavy() ? 2_000 : 300;
    List<QaDoc> docs = Corpus.generate(getRandom(), "d", count, MAX_SIDE);
    // Several bulk requests with refreshes between them: several segments per shard.
    for (int from = 0; from < count; from += count / 4) {
      Corpus.index(rest(), index, docs.subList(from, Math.min(count, from + count / 4)));
    }
    awaitGreen(index);
    CpChecks checks = new CpChecks(rest(), index, docs);
    checks.randomized(getRandom(), 12, MAX_SIDE);

    List<QaDoc> deleted = docs.subList(0, count / 5);
    for (QaDoc doc : deleted) {
      ok("DELETE", "/" + index + "/_doc/" + doc.id(), null);
    }
    ok("POST", "/" + index + "/_refresh", null);
    List<QaDoc> surviving = docs.subList(count / 5, count);
    new CpChecks(rest(), index, surviving).randomized(getRandom(), 6, MAX_SIDE);

    ok("POST", "/" + index + "/_forcemerge?max_num_segments=1", null);
    ok("POST", "/" + index + "/_refresh", null);
    new CpChecks(rest(), index, surviving).randomized(getRandom(), 6, MAX_SIDE);
    deleteIndex(index);
  }

  private static void awaitGreen(String index) {
    ok("GET", "/_cluster/health/" + index + "?wait_for_status=green&timeout=120s", null);
  }
}
