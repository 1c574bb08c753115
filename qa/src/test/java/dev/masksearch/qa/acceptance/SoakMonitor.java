package dev.masksearch.qa.acceptance;

import dev.masksearch.qa.cluster.NodeStats;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads every node's stats every couple of seconds while a load runs and closes an {@link Interval}
 * every {@code intervalNanos}: per node the last reading plus the lowest and highest heap seen in
 * the interval (the lowest is the heap right after a collection, near enough: under load the young
 * generation is collected every few seconds), and the load's latencies and live-set size. A failed
 * stats request is a logged error.
 */
final class SoakMonitor implements AutoCloseable {
  /** One node over one interval. */
  record NodeInterval(NodeStats last, long heapFloor, long heapPeak) {}

  /** One interval of the run. */
  record Interval(
      int number,
      double endSeconds,
      List<NodeInterval> nodes,
      LoadLog.Latencies latencies,
      int live,
      int versionsHeld) {}

  private final Rest rest;
  private final LoadLog log;
  private final DocHistory history;
  private final long intervalNanos;
  private final long start = System.nanoTime();
  private final List<Interval> intervals = new CopyOnWriteArrayList<>();
  private final Map<String, long[]> floorAndPeak = new LinkedHashMap<>(); // by node, this interval
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "soak-monitor");
            thread.setDaemon(true);
            return thread;
          });
  private List<NodeStats> last = List.of();
  private long intervalEnd;

  SoakMonitor(Rest rest, LoadLog log, DocHistory history, long intervalNanos, long sampleMillis) {
    this.rest = rest;
    this.log = log;
    this.history = history;
    this.intervalNanos = intervalNanos;
    this.intervalEnd = start + intervalNanos;
    timer.scheduleWithFixedDelay(this::sample, 0, sampleMillis, TimeUnit.MILLISECONDS);
  }

  private synchronized void sample() {
    try {
      last = NodeStats.read(rest);
      for (NodeStats node : last) {
        long[] fp = floorAndPeak.computeIfAbsent(node.node(), n -> new long[] {Long.MAX_VALUE, 0});
        fp[0] = Math.min(fp[0], node.heapUsed());
        fp[1] = Math.max(fp[1], node.heapUsed());
      }
    } catch (RuntimeException | AssertionError e) {
      log.error("_nodes/stats: " + e);
    }
    if (System.nanoTime() >= intervalEnd) {
      closeInterval();
      intervalEnd += intervalNanos;
    }
  }

  private void closeInterval() {
    List<NodeInterval> nodes = new ArrayList<>();
    for (NodeStats node : last) {
      long[] fp =
          floorAndPeak.getOrDefault(node.node(), new long[] {node.heapUsed(), node.heapUsed()});
      nodes.add(new NodeInterval(node, fp[0], fp[1]));
    }
    floorAndPeak.clear();
    intervals.add(
        new Interval(
            intervals.size() + 1,
            (System.nanoTime() - start) / 1e9,
            nodes,
            log.closeInterval(),
            history.liveCount(),
            history.versionsHeld()));
  }

  /** The closed intervals so far. */
  List<Interval> intervals() {
    return List.copyOf(intervals);
  }

  /**
   * Stops sampling; a partly run last interval is dropped (too short to compare with the others).
   */
  @Override
  public void close() throws InterruptedException {
    timer.shutdownNow();
    timer.awaitTermination(1, TimeUnit.MINUTES);
  }
}
