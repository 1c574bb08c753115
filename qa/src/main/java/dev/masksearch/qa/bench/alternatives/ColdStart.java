package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.cluster.Rest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Before a cold run: writes dirty pages and drops the operating system's page cache ({@code sync;
 * echo 3 > /proc/sys/vm/drop_caches}, root only), then empties the system's own caches:
 * OpenSearch's query, request and field-data caches ({@code POST /_cache/clear}) for the plugin and
 * painless, a restart of the PostgreSQL server (shared buffers, and a new session) for PostGIS. The
 * brute force has no cache of its own: its memory-mapped file is in the page cache.
 */
final class ColdStart {
  private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");
  private final Rest rest;
  private final PostGis postgis;
  private boolean dropped = true;

  ColdStart(Rest rest, PostGis postgis) {
    this.rest = rest;
    this.postgis = postgis;
  }

  void prepare(SystemKind system) {
    try {
      switch (system) {
        case PLUGIN, PAINLESS -> rest.ok("POST", "/_cache/clear", null);
        case POSTGIS -> postgis.restart(); // never asked when PostGIS is left out
        case BRUTE_FORCE -> {}
      }
      dropPageCache();
    } catch (IOException | java.sql.SQLException e) {
      throw new IllegalStateException(
          "before a cold run of " + system.title + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void dropPageCache() throws IOException, InterruptedException {
    new ProcessBuilder("sync").inheritIO().start().waitFor();
    try {
      Files.writeString(DROP_CACHES, "3");
    } catch (IOException
        | SecurityException notPermitted) { // not root, or a container without the right
      dropped = false;
    }
  }

  /**
   * False once dropping the page cache has failed (the cold runs then measure only the systems' own
   * caches).
   */
  boolean pageCacheDropped() {
    return dropped;
  }
}
