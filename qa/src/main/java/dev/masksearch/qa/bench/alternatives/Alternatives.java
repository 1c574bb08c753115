package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.cluster.Rest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The side-by-side benchmark of the plugin against what a user would do without it (issue 6), on
 * one OpenSearch node: the same masks indexed twice, into an index with the plugin's {@code mask}
 * fields and the masksearch codec ({@link PluginSystem}), and into a plain index that keeps the
 * masks as {@code binary} doc values (and the box as four integers), queried with painless scripts
 * that decode the bytes and count pixels ({@link PainlessSystem}); plus a brute-force scan in Java
 * over the raw masks in a flat file, the paper's baseline ({@link RawScan}), and PostGIS raster
 * ({@link PostGis}). {@link Loader} loads the images into each, {@link Workloads} makes the
 * queries.
 *
 * <p>This class is the runner: every workload runs on every system, every answer is checked against
 * the exact values of the raw-scan {@link Reference} ({@link AnswerCheck}: a disagreement is an
 * {@link AssertionError}), and the warm and cold runs are timed into a {@link Row} per workload,
 * which {@link AlternativesReport} writes up.
 *
 * <p>Used by {@link AlternativesBench} (the benchmark, {@code bin/bench alternatives}) and by the
 * smoke test {@code AlternativesIT} (a few hundred masks on the acceptance cluster).
 */
public final class Alternatives {
  public static final String PLUGIN_INDEX = "alt-masksearch";
  public static final String PLAIN_INDEX = "alt-binary";

  /** The name under which {@link Ingest} reports PostGIS's table. */
  public static final String POSTGIS_TABLE = "postgis";

  /**
   * Per workload: the query or queries (a session has 20), median latency and masks read per
   * system.
   */
  public record Row(
      String name,
      String group,
      int matches,
      Map<SystemKind, Double> medianMillis,
      Map<SystemKind, Double> coldMillis,
      Map<SystemKind, Long> masksRead,
      long masksTotal,
      double load) {}

  /** The machine's load average over the last minute, as the row's runs end. */
  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** A latency that stands for "did not finish within the statement timeout". */
  static final double TIMED_OUT = Double.POSITIVE_INFINITY;

  /** The latency of a system that does not run a workload. */
  static final double NOT_RUN = Double.NaN;

  /** Untimed runs of a workload before the timed ones, at most, and their budget in seconds. */
  private static final int WARMUP_RUNS = 50;

  private static final int WARMUP_SECONDS = 5;

  private final Rest rest;
  private final int count;
  private final RawMasks raw;
  private final Loader loader;
  private final Reference reference;
  private final Workloads workloads;
  private final PluginSystem plugin;
  private final PainlessSystem painless;
  private final RawScan rawScan;
  private final PostGis postgis;
  private final int postgisRuns;
  private final ColdStart cold;

  /**
   * @param rawFile where to keep the raw masks for the brute-force scan (deleted by {@link
   *     #close()})
   * @param dataDirectories the nodes' {@code path.data}, to split the plugin index's size into
   *     masks and CHI (may be empty: then the split is not reported)
   * @param postgis the PostGIS system, timed {@code postgisRuns} times per workload (its scans take
   *     seconds); null leaves it out (not loaded, every cell "not run")
   */
  Alternatives(
      Rest rest,
      IntFunction<BenchImage> images,
      int count,
      int maxSide,
      Path rawFile,
      List<Path> dataDirectories,
      PostGis postgis,
      int postgisRuns,
      String codec)
      throws IOException {
    this.rest = rest;
    this.count = count;
    this.raw = new RawMasks(rawFile, maxSide, count);
    this.loader = new Loader(rest, images, count, raw, postgis, dataDirectories, codec);
    this.reference = new Reference(raw);
    this.workloads = new Workloads(reference, raw);
    this.plugin = new PluginSystem(rest, count);
    this.painless = new PainlessSystem(rest, count, raw);
    this.rawScan = new RawScan(reference);
    this.postgis = postgis;
    this.postgisRuns = postgisRuns;
    this.cold = new ColdStart(rest, postgis);
  }

  /** Loads the images into every system, {@code batch} a {@code _bulk}; see {@link Loader#load}. */
  public Ingest ingest(int batch) throws IOException {
    return loader.load(batch);
  }

  /** Waits for the load's writes to reach the disks before anything is timed. */
  void settle() {
    cold.settle();
  }

  /** The workloads, after {@link #ingest}: see {@link Workloads}. */
  public List<List<Query>> workloads() {
    return workloads.all();
  }

  /** The top 25 over the whole mask, a query the bounds answer without a mask read. */
  Query topWholeMask() {
    return workloads.topWholeMask();
  }

  /** The 1% filter over each image's own box, which its box bin counts answer without a mask. */
  Query boxFilterOnePercent() {
    return workloads.boxFilterOnePercent();
  }

  Loader loader() {
    return loader;
  }

  Reference reference() {
    return reference;
  }

  RawMasks raw() {
    return raw;
  }

  PluginSystem plugin() {
    return plugin;
  }

  /** A workload's row in the table: its query's name, or the session's. */
  static String rowName(List<Query> workload) {
    return workload.size() == 1
        ? workload.get(0).name()
        : "exploration session (" + workload.size() + " queries, total)";
  }

  /**
   * Runs every workload on every system: once to check the answers (and, for the plugin, with
   * profiling to count the masks read), then warm-up runs ({@link #warmUp}; not PostGIS), then
   * {@code runs} timed warm runs each (for PostGIS {@code postgisRuns}, and when that is 0 the
   * checked run's time), then as many cold runs (PostGIS: one), each after {@link
   * ColdStart#prepare}; returns a row per workload with median warm and cold latencies. A PostGIS
   * statement past its timeout makes that system's latencies {@link #TIMED_OUT} for the workload.
   */
  public List<Row> run(List<List<Query>> workloads, int runs, Consumer<String> progress) {
    List<Row> rows = new ArrayList<>();
    for (List<Query> workload : workloads) {
      String name = rowName(workload);
      Map<SystemKind, Double> medians = new LinkedHashMap<>();
      Map<SystemKind, Double> colds = new LinkedHashMap<>();
      Map<SystemKind, Long> read = new LinkedHashMap<>();
      int matches = 0;
      long total = 0;
      for (Query q : workload) {
        total += q.masks(count);
      }
      for (SystemKind system : SystemKind.values()) {
        long masks = 0;
        if (system == SystemKind.POSTGIS
            && (postgis == null || workload.get(0).kind() == Query.Kind.LIKE_TOP)) {
          // left out, or like: a query raster per statement is not built
          medians.put(system, NOT_RUN);
          colds.put(system, NOT_RUN);
          read.put(system, total);
          continue;
        }
        try {
          long start = System.nanoTime();
          for (Query q : workload) { // warm-up and check
            Answer answer = run(system, q, false);
            checkBudget(system, start, name);
            check(system, q, answer);
            if (system == SystemKind.PLUGIN) {
              Answer profiled = run(system, q, true);
              check(system, q, profiled);
              masks = masks < 0 || profiled.masksRead() < 0 ? -1 : masks + profiled.masksRead();
              if (workload.size() == 1) {
                matches = q.filter() ? answer.ids().size() : answer.hits().size();
              }
            }
          }
          if (system != SystemKind.PLUGIN) {
            masks = total; // the others read every mask the query names
          }
          double checkedMillis = (System.nanoTime() - start) / 1e6;
          if (system != SystemKind.POSTGIS) {
            warmUp(system, workload);
          }
          double[] times =
              new double[system == SystemKind.POSTGIS ? Math.min(runs, postgisRuns) : runs];
          for (int r = 0; r < times.length; r++) {
            times[r] = timeMillis(system, workload);
          }
          // No timed run for PostGIS: its checked run is the warm one (the previous workload read
          // the whole table).
          medians.put(system, times.length == 0 ? checkedMillis : median(times));
          // as many cold runs as warm ones (PostGIS: one), each after emptying the caches
          double[] coldTimes =
              new double[system == SystemKind.POSTGIS ? 1 : Math.max(1, times.length)];
          for (int r = 0; r < coldTimes.length; r++) {
            cold.prepare(system);
            coldTimes[r] = timeMillis(system, workload);
          }
          colds.put(system, median(coldTimes));
        } catch (PostGis.TimedOut e) {
          medians.put(system, TIMED_OUT);
          colds.put(system, TIMED_OUT);
          masks = total;
        }
        read.put(system, masks);
        progress.accept(
            String.format(
                Locale.ROOT,
                "%-45s %-32s %10.1f ms warm %10.1f ms cold",
                name,
                system.title,
                medians.get(system),
                colds.get(system)));
      }
      rows.add(
          new Row(
              name,
              workload.size() == 1 ? "single" : "session",
              matches,
              medians,
              colds,
              read,
              total,
              loadAverage()));
    }
    return rows;
  }

  private Answer run(SystemKind system, Query q, boolean profile) {
    return switch (system) {
      case PLUGIN -> plugin.answer(PLUGIN_INDEX, q, profile);
      case PAINLESS -> painless.answer(q);
      case BRUTE_FORCE -> rawScan.answer(q);
      case POSTGIS -> postgis.run(q);
    };
  }

  /**
   * Checks {@code got} against the reference's values; throws an AssertionError naming the first
   * difference.
   */
  private void check(SystemKind system, Query q, Answer got) {
    AnswerCheck.check(system.title, q, got, reference.exact(q));
  }

  /**
   * Untimed runs of a workload before its timed ones: up to {@value #WARMUP_RUNS}, within {@value
   * #WARMUP_SECONDS} s (at least one). One checked run is not enough for the plugin, whose requests
   * take milliseconds: the JIT compiles a workload's own paths (verification, per-document boxes)
   * over its first runs (a new range's first run took 11 ms, its next ones 4-7 ms, then 4 ms; at
   * 200,000 images the 1% constant-ROI filter took 44-49 ms after 10 runs and 30 ms after other
   * requests had run for minutes). Painless and the scan run the same budget (for them one or two
   * runs of a second or more).
   */
  private void warmUp(SystemKind system, List<Query> workload) {
    long start = System.nanoTime();
    for (int r = 0;
        r < WARMUP_RUNS && (r == 0 || System.nanoTime() - start < WARMUP_SECONDS * 1_000_000_000L);
        r++) {
      timeMillis(system, workload);
    }
  }

  private double timeMillis(SystemKind system, List<Query> workload) {
    long t0 = System.nanoTime();
    for (Query q : workload) {
      run(system, q, false);
      checkBudget(system, t0, q.name());
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  /**
   * PostGIS gets its statement timeout for a whole workload (a session is 20 statements), not per
   * statement.
   */
  private void checkBudget(SystemKind system, long start, String name) {
    if (system == SystemKind.POSTGIS
        && System.nanoTime() - start > postgis.timeoutSeconds() * 1_000_000_000L) {
      throw new PostGis.TimedOut(name);
    }
  }

  static double median(double[] times) {
    double[] sorted = times.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /**
   * Whether the cold runs started with an empty page cache (false when dropping it was not
   * permitted).
   */
  public boolean pageCacheDropped() {
    return cold.pageCacheDropped();
  }

  /** Deletes both indices and the raw file. */
  public void close() throws IOException {
    raw.close();
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      rest.call("DELETE", "/" + index, null);
    }
  }
}
