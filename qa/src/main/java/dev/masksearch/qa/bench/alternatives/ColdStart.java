package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.cluster.Rest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Before a cold run: writes dirty pages and drops the operating system's page cache ({@code sync;
 * echo 3 > /proc/sys/vm/drop_caches}, root only), then empties the system's own caches:
 * OpenSearch's query, request and field-data caches ({@code POST /_cache/clear}) for the plugin and
 * painless, a restart of the PostgreSQL server (shared buffers, and a new session) for PostGIS. The
 * brute force has no cache of its own: its memory-mapped file is in the page cache. Also lets the
 * disks settle after the load ({@link #settle}).
 */
final class ColdStart {
  private static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");
  private static final Path DISK_STATS = Path.of("/proc/diskstats");
  private static final int QUIET_SECONDS = 10;
  private static final int SETTLE_SECONDS = 300;
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

  /**
   * After the load: writes the dirty pages (tens of GB at the largest scales) and waits until the
   * disks have written nothing for {@value #QUIET_SECONDS} seconds, at most {@value
   * #SETTLE_SECONDS}, so that no timed run shares the disk with that writeback. (It did not explain
   * why the plugin's first workload after a load took 44-49 ms warm at 200,000 images against 30 ms
   * after a few minutes of other requests: run l of docs/benchmarks.md waited and was still slow.)
   */
  void settle() {
    try {
      sync();
      long last = sectorsWritten();
      int quiet = 0;
      for (int s = 0; s < SETTLE_SECONDS && quiet < QUIET_SECONDS; s++) {
        Thread.sleep(1000);
        long now = sectorsWritten();
        quiet = now == last ? quiet + 1 : 0;
        last = now;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("waiting for the disks to settle", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The sectors every disk has written since boot ({@code /proc/diskstats}; 0 without it). */
  private static long sectorsWritten() throws IOException {
    if (!Files.isReadable(DISK_STATS)) {
      return 0;
    }
    long sectors = 0;
    for (String line : Files.readAllLines(DISK_STATS)) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 9 && !f[2].startsWith("loop") && !f[2].startsWith("ram")) {
        sectors += Long.parseLong(f[9]); // major, minor, name, 4 fields of reads, then writes
      }
    }
    return sectors;
  }

  /** Writes the dirty pages of every file system ({@code sync}). */
  private static void sync() throws IOException, InterruptedException {
    new ProcessBuilder("sync").inheritIO().start().waitFor();
  }

  private void dropPageCache() throws IOException, InterruptedException {
    sync();
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
