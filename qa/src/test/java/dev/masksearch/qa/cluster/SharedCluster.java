package dev.masksearch.qa.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The one three-node cluster that every {@code *IT} of a Maven run shares (starting real nodes is
 * the slow part). Started on first use, stopped when the test JVM exits. Tests leave it with all
 * nodes up and green; each test works in its own indices.
 */
public final class SharedCluster {
  public static final int NODES = 3;
  private static LocalCluster cluster;
  private static RuntimeException
      startFailure; // reported to every later suite instead of starting again

  private SharedCluster() {}

  public static synchronized LocalCluster get() {
    if (startFailure != null) {
      throw startFailure;
    }
    if (cluster == null) {
      try {
        cluster =
            LocalCluster.start(
                path("qa.distribution"), path("qa.plugin"), path("qa.workdir"), NODES);
      } catch (IOException e) {
        throw startFailure = new UncheckedIOException("the qa cluster did not start", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw startFailure = new IllegalStateException(e);
      } catch (RuntimeException e) {
        throw startFailure = e;
      } catch (AssertionError e) {
        throw startFailure = new IllegalStateException("the qa cluster did not start", e);
      }
      LocalCluster started = cluster;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException e) {
                      e.printStackTrace();
                    }
                  },
                  "stop-qa-cluster"));
    }
    return cluster;
  }

  /**
   * Starts a cluster of its own, not the shared one, from the same distribution and plugin, in a
   * sibling of the shared cluster's directory named after {@code name} (e.g. a node with a small
   * heap), with more node settings; the caller closes it.
   */
  public static LocalCluster startSeparate(
      String name, int size, String heap, java.util.Map<String, String> settings)
      throws IOException, InterruptedException {
    Path shared = path("qa.workdir");
    return LocalCluster.start(
        path("qa.distribution"),
        path("qa.plugin"),
        shared.resolveSibling(shared.getFileName() + "-" + name),
        size,
        heap,
        settings);
  }

  /**
   * Whether the heavier run was asked for ({@code -Dqa.heavy=true}): more documents, longer load
   * phases.
   */
  public static boolean heavy() {
    return Boolean.parseBoolean(System.getProperty("qa.heavy", "false"));
  }

  private static Path path(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank() || value.startsWith("${")) {
      throw new IllegalStateException(
          "system property "
              + property
              + " is not set: run the *IT suites through "
              + "Maven (mvn verify -pl qa -am), which resolves the distribution and the plugin zip");
    }
    return Path.of(value);
  }
}
