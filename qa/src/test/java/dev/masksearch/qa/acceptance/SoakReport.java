package dev.masksearch.qa.acceptance;

import dev.masksearch.qa.acceptance.LoadLog.Op;
import dev.masksearch.qa.acceptance.LoadLog.Percentiles;
import dev.masksearch.qa.acceptance.SoakMonitor.Interval;
import dev.masksearch.qa.acceptance.SoakMonitor.NodeInterval;
import dev.masksearch.qa.cluster.NodeStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The soak's report: {@code nodes.csv} (per interval and node: heap, old generation, collections,
 * breakers, segments), {@code latency.csv} (per interval and kind of request: count and
 * percentiles) and {@code report.md} (the summary, the whole run's latencies and a table over
 * time), and the heap-growth criterion.
 *
 * <p>Growth: per node, the lowest heap seen right after collections (the interval's floor) in the
 * last third of the intervals must be at most 1.25 times the lowest in the middle third plus 64
 * MiB, and so must the old generation after the last collection where the JVM reports it. A leak
 * raises the floor that collections come back to; caches filling up and the old generation's
 * sawtooth between collections do not, or stay within the tolerance. The first third is left out:
 * caches and the JIT warm up there. Runs of fewer than six intervals are too short to judge.
 */
final class SoakReport {
  static final long SLACK = 64L << 20;
  static final double FACTOR = 1.25;

  /** The growth verdict of one node. */
  record Growth(
      String node,
      long middleFloor,
      long lastFloor,
      long middleOld,
      long lastOld,
      boolean levelledOff) {
    String describe() {
      String old =
          middleOld < 0
              ? ""
              : f(", old generation after GC %s -> %s MB", mb(middleOld), mb(lastOld));
      return f(
          "%s: heap floor %s MB (middle third) -> %s MB (last third)%s: %s",
          node,
          mb(middleFloor),
          mb(lastFloor),
          old,
          levelledOff ? "levelled off" : "GREW beyond the tolerance");
    }
  }

  private SoakReport() {}

  /**
   * Per node, the growth verdict; empty when the run is too short to judge (fewer than six
   * intervals).
   */
  static List<Growth> growth(List<Interval> intervals) {
    int n = intervals.size();
    List<Growth> verdicts = new ArrayList<>();
    if (n < 6) {
      return verdicts;
    }
    List<Interval> middle = intervals.subList(n / 3, 2 * n / 3);
    List<Interval> last = intervals.subList(2 * n / 3, n);
    int nodes = intervals.get(0).nodes().size();
    for (int i = 0; i < nodes; i++) {
      int node = i;
      long middleFloor = lowest(middle, node, NodeInterval::heapFloor);
      long lastFloor = lowest(last, node, NodeInterval::heapFloor);
      long middleOld = lowest(middle, node, ni -> ni.last().oldAfterGc());
      long lastOld = lowest(last, node, ni -> ni.last().oldAfterGc());
      boolean reported = middleOld >= 0 && lastOld >= 0;
      boolean ok = within(middleFloor, lastFloor) && (!reported || within(middleOld, lastOld));
      verdicts.add(
          new Growth(
              intervals.get(0).nodes().get(node).last().node(),
              middleFloor,
              lastFloor,
              reported ? middleOld : -1,
              reported ? lastOld : -1,
              ok));
    }
    return verdicts;
  }

  private static boolean within(long middle, long last) {
    return last <= FACTOR * middle + SLACK;
  }

  private static long lowest(
      List<Interval> intervals, int node, ToLongFunction<NodeInterval> value) {
    return intervals.stream()
        .filter(iv -> iv.nodes().size() > node)
        .mapToLong(iv -> value.applyAsLong(iv.nodes().get(node)))
        .min()
        .orElse(-1);
  }

  /**
   * Writes the three files into {@code dir}; {@code header} and {@code outcome} are Markdown lines.
   */
  static void write(
      Path dir,
      List<String> header,
      List<String> outcome,
      List<Interval> intervals,
      LoadLog.Latencies wholeRun)
      throws IOException {
    Files.createDirectories(dir);
    List<String> nodesCsv =
        new ArrayList<>(
            List.of(
                "interval,end_s,node,heap_used_mb,heap_floor_mb,heap_peak_mb,"
                    + "heap_max_mb,old_used_mb,old_after_gc_mb,young_gcs,old_gcs,gc_ms,breaker_parent_mb,breaker_request_mb,"
                    + "breaker_in_flight_mb,breakers_tripped,segments,live_docs"));
    List<String> latencyCsv =
        new ArrayList<>(List.of("interval,end_s,op,count,p50_ms,p90_ms,p99_ms,max_ms"));
    for (Interval iv : intervals) {
      for (NodeInterval ni : iv.nodes()) {
        NodeStats s = ni.last();
        nodesCsv.add(
            f(
                "%d,%.0f,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%s,%s,%s,%d,%d,%d",
                iv.number(),
                iv.endSeconds(),
                s.node(),
                mb(s.heapUsed()),
                mb(ni.heapFloor()),
                mb(ni.heapPeak()),
                mb(s.heapMax()),
                mb(s.oldUsed()),
                s.oldAfterGc() < 0 ? "" : mb(s.oldAfterGc()),
                s.youngGcs(),
                s.oldGcs(),
                s.gcMillis(),
                mb(s.parentBreaker()),
                mb(s.requestBreaker()),
                mb(s.inFlightBreaker()),
                s.tripped(),
                s.segments(),
                iv.live()));
      }
      latencyCsv.add(csv(iv, "ALL_QUERIES", iv.latencies().queries()));
      iv.latencies().byOp().forEach((op, p) -> latencyCsv.add(csv(iv, op.name(), p)));
    }
    Files.write(dir.resolve("nodes.csv"), nodesCsv);
    Files.write(dir.resolve("latency.csv"), latencyCsv);

    List<String> md = new ArrayList<>(List.of("# Soak report", ""));
    md.addAll(header);
    md.add("");
    md.add("## Outcome");
    md.add("");
    md.addAll(outcome);
    md.add("");
    md.add(
        "## Latency over the whole run (ms, measured by the client, request to parsed response)");
    md.add("");
    md.add("| request | count | p50 | p90 | p99 | max |");
    md.add("|---|---:|---:|---:|---:|---:|");
    md.add(row("all queries", wholeRun.queries()));
    for (Map.Entry<Op, Percentiles> e : wholeRun.byOp().entrySet()) {
      md.add(row(e.getKey().name().toLowerCase(Locale.ROOT), e.getValue()));
    }
    md.add("");
    md.add("## Over time");
    md.add("");
    md.add(
        "Per node (in node order) the interval's heap floor and peak, the old generation after the last "
            + "collection, collections (young/old, cumulative), segments, and the request breaker; queries of all "
            + "forms together. Every number per interval is in `nodes.csv` and `latency.csv`.");
    md.add("");
    md.add(
        "| t (s) | live docs | queries | q p50 | q p99 | heap floor/peak MB | old after GC MB | GCs young/old | segments | request breaker KB |");
    md.add("|---:|---:|---:|---:|---:|---|---|---|---|---|");
    for (Interval iv : intervals) {
      md.add(
          f(
              "| %.0f | %d | %d | %.1f | %.1f | %s | %s | %s | %s | %s |",
              iv.endSeconds(),
              iv.live(),
              iv.latencies().queries().count(),
              iv.latencies().queries().p50(),
              iv.latencies().queries().p99(),
              join(iv, ni -> mb(ni.heapFloor()) + "/" + mb(ni.heapPeak())),
              join(iv, ni -> ni.last().oldAfterGc() < 0 ? "-" : mb(ni.last().oldAfterGc())),
              join(iv, ni -> ni.last().youngGcs() + "/" + ni.last().oldGcs()),
              join(iv, ni -> Long.toString(ni.last().segments())),
              join(iv, ni -> Long.toString(ni.last().requestBreaker() >> 10))));
    }
    Files.write(dir.resolve("report.md"), md);
  }

  private static String join(Interval iv, java.util.function.Function<NodeInterval, String> cell) {
    return String.join(" · ", iv.nodes().stream().map(cell).toList());
  }

  private static String row(String name, Percentiles p) {
    return f(
        "| %s | %d | %.1f | %.1f | %.1f | %.1f |",
        name, p.count(), p.p50(), p.p90(), p.p99(), p.max());
  }

  private static String csv(Interval iv, String op, Percentiles p) {
    return f(
        "%d,%.0f,%s,%d,%.2f,%.2f,%.2f,%.2f",
        iv.number(), iv.endSeconds(), op, p.count(), p.p50(), p.p90(), p.p99(), p.max());
  }

  static String mb(long bytes) {
    return f("%.0f", bytes / 1048576.0);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
