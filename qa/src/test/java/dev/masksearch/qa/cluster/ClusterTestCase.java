package dev.masksearch.qa.cluster;

import com.carrotsearch.randomizedtesting.RandomizedTest;
import com.carrotsearch.randomizedtesting.annotations.ThreadLeakScope;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Base of the acceptance suites that run against the real distribution ({@link SharedCluster}).
 * Randomized (seeded, reproducible with {@code -Dtests.seed}); thread-leak checks are off because
 * the cluster, its REST client and their threads outlive each suite by design.
 */
@ThreadLeakScope(ThreadLeakScope.Scope.NONE)
public abstract class ClusterTestCase extends RandomizedTest {

  @org.junit.Before
  public void allNodesUp() throws Exception {
    cluster().startStoppedNodes();
  }

  protected static LocalCluster cluster() {
    return SharedCluster.get();
  }

  protected static Rest rest() {
    return cluster().rest();
  }

  protected static JsonNode ok(String method, String path, Object body) {
    return rest().ok(method, path, body);
  }

  protected static Rest.Reply call(String method, String path, Object body) {
    return rest().call(method, path, body);
  }

  /** Deletes the index if it exists (a test's indices are its own; a rerun starts clean). */
  protected static void deleteIndex(String index) {
    Rest.Reply reply = call("DELETE", "/" + index, null);
    if (!reply.ok() && reply.status() != 404) {
      throw new AssertionError("DELETE " + index + " -> " + reply.status() + ": " + reply.body());
    }
  }

  /** The cluster must be green with every node after each suite's work. */
  protected static void assertGreen() {
    cluster().awaitHealth("green", cluster().size());
  }
}
