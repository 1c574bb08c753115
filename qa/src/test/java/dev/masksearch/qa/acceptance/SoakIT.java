package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertTrue;

import com.carrotsearch.randomizedtesting.RandomizedContext;
import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.NodeStats;
import dev.masksearch.qa.cluster.SharedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * Mixed load on the three-node cluster ({@link MixedLoad}): queries of every form, bulk indexing,
 * partial updates of metadata and masks, and deletes, for 20 seconds in the default run (the smoke
 * form), three minutes with {@code -Dqa.heavy=true}, and N minutes with {@code -Dqa.soak.minutes=N}
 * (the soak). Meanwhile every hit is checked against the version of the document it names and whole
 * answers are checked on an index that does not change; node stats and latencies are recorded per
 * interval into {@code qa/target/soak/} ({@link SoakReport}).
 *
 * <p>Asserted: no unexpected request error or wrong answer during the load (the bad requests sent
 * on purpose must be refused with a 400), no breaker tripped, heap that levels off ({@link
 * SoakReport#growth}, when the run has at least six intervals), and at the end every answer of
 * every form equals brute force over the surviving documents, each at the revision last written.
 * Latency is reported, not asserted.
 */
public class SoakIT extends ClusterTestCase {

  @Test
  public void mixedLoadStaysExactAndLevelsOff() throws Exception {
    String flag = System.getProperty("qa.soak.minutes", "");
    double minutes = flag.isBlank() ? 0 : Double.parseDouble(flag);
    boolean soak = minutes > 0;
    long loadNanos =
        soak ? (long) (minutes * 60e9) : TimeUnit.SECONDS.toNanos(SharedCluster.heavy() ? 180 : 20);
    int maxSide = soak ? 96 : 64;
    int liveCap = soak ? 600 : 200;
    long intervalNanos =
        Math.clamp(loadNanos / 12, TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(30));
    String index = "soak";
    String fixedIndex = "soak-fixed";
    deleteIndex(index);
    deleteIndex(fixedIndex);
    Corpus.createIndex(rest(), index, 3, 1);
    Corpus.createIndex(rest(), fixedIndex, 2, 1);
    List<QaDoc> fixed = Corpus.generate(getRandom(), "f", 150, maxSide);
    Corpus.index(rest(), fixedIndex, fixed);
    DocHistory history = new DocHistory();
    LoadLog log = new LoadLog();

    List<String> header = header(minutes, loadNanos, intervalNanos, maxSide, liveCap);
    List<SoakMonitor.Interval> intervals;
    compilationRate("10000/1m");
    try (SoakMonitor monitor = new SoakMonitor(rest(), log, history, intervalNanos, 2000)) {
      new MixedLoad(rest(), index, fixedIndex, fixed, history, log, maxSide, liveCap)
          .run(getRandom().nextLong(), loadNanos);
      intervals = monitor.intervals();
    } finally {
      compilationRate(null);
    }
    header.add(f("- Load average at the end: %s.", loadAverage()));

    List<String> outcome = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Map<LoadLog.Op, LoadLog.Percentiles> counts = log.wholeRun().byOp();
    outcome.add(
        f(
            "- Requests: %s.",
            String.join(
                ", ",
                counts.entrySet().stream()
                    .map(
                        e ->
                            e.getValue().count() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
                    .toList())));
    outcome.add(
        f(
            "- Bad requests sent on purpose and refused with a 400 naming the problem: %d.",
            log.refused()));
    outcome.add(
        f(
            "- Unexpected errors and wrong answers during the load: %d.%s",
            log.errorCount(),
            log.errors().isEmpty()
                ? ""
                : " First: `" + log.errors().get(0).replace('`', '\'') + "`"));
    if (log.errorCount() > 0) {
      failures.add(log.errorCount() + " errors under load, e.g. " + log.errors());
    }
    if (!counts.containsKey(LoadLog.Op.CP_FILTER) || !counts.containsKey(LoadLog.Op.UPDATE_MASKS)) {
      failures.add("the load did not run every kind of request: " + counts.keySet());
    }
    growth(intervals, outcome, failures);
    breakers(outcome, failures);
    finalExactness(index, fixedIndex, fixed, history, maxSide, soak, outcome, failures);
    Path dir = Path.of(System.getProperty("qa.soak.report", "target/soak"));
    SoakReport.write(dir, header, outcome, intervals, log.wholeRun());
    System.out.println("soak report: " + dir.toAbsolutePath().resolve("report.md"));
    outcome.forEach(System.out::println);
    assertTrue(String.join("\n", failures), failures.isEmpty());
    assertGreen();
    deleteIndex(index);
    deleteIndex(fixedIndex);
  }

  /**
   * Every masksearch expression with other constants is a new script to OpenSearch, and a node
   * compiles at most 75 new scripts per context in five minutes by default: far fewer than this
   * load sends. Null restores the default.
   */
  private static void compilationRate(String rate) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("script.context.aggs.max_compilations_rate", rate);
    settings.put("script.context.field.max_compilations_rate", rate);
    ok("PUT", "/_cluster/settings", Map.of("persistent", settings));
  }

  private static void growth(
      List<SoakMonitor.Interval> intervals, List<String> outcome, List<String> failures) {
    List<SoakReport.Growth> verdicts = SoakReport.growth(intervals);
    if (verdicts.isEmpty()) {
      outcome.add(
          f(
              "- Heap growth: not judged, %d intervals are too few (six or more needed).",
              intervals.size()));
    }
    for (SoakReport.Growth growth : verdicts) {
      outcome.add("- Heap growth, " + growth.describe() + ".");
      if (!growth.levelledOff()) {
        failures.add("heap grew: " + growth.describe());
      }
    }
  }

  /** No breaker tripped; once requests stop, nothing stays charged to the request breaker. */
  private static void breakers(List<String> outcome, List<String> failures)
      throws InterruptedException {
    List<NodeStats> stats = NodeStats.read(rest());
    for (int wait = 0; wait < 20 && stats.stream().anyMatch(s -> s.requestBreaker() > 0); wait++) {
      Thread.sleep(500); // responses of the last requests may still be on their way
      stats = NodeStats.read(rest());
    }
    long tripped = stats.stream().mapToLong(NodeStats::tripped).sum();
    outcome.add(
        f(
            "- Breakers: tripped %d times; at rest the request breaker holds %s bytes, in-flight requests %s bytes.",
            tripped,
            stats.stream().map(s -> Long.toString(s.requestBreaker())).toList(),
            stats.stream().map(s -> Long.toString(s.inFlightBreaker())).toList()));
    if (tripped > 0) {
      failures.add("a breaker tripped: " + stats);
    }
    if (stats.stream().anyMatch(s -> s.requestBreaker() > 0)) {
      failures.add("the request breaker still holds bytes at rest: " + stats);
    }
  }

  /**
   * After the load: the index holds exactly the survivors at their last revisions, and every form
   * is exact.
   */
  private static void finalExactness(
      String index,
      String fixedIndex,
      List<QaDoc> fixed,
      DocHistory history,
      int maxSide,
      boolean soak,
      List<String> outcome,
      List<String> failures) {
    try {
      ok("POST", "/" + index + "/_refresh", null);
      Map<String, Integer> expectedRevs = new HashMap<>();
      List<QaDoc> survivors = new ArrayList<>();
      for (DocHistory.Current current : history.survivors()) {
        expectedRevs.put(current.id(), current.rev());
        survivors.add(current.doc());
      }
      JsonNode hits =
          ok(
                  "POST",
                  "/" + index + "/_search",
                  Map.of(
                      "size",
                      10_000,
                      "_source",
                      false,
                      "docvalue_fields",
                      List.of("rev"),
                      "query",
                      Map.of("match_all", Map.of())))
              .path("hits")
              .path("hits");
      Map<String, Integer> actualRevs = new HashMap<>();
      hits.forEach(
          hit ->
              actualRevs.put(
                  hit.path("_id").asText(), hit.path("fields").path("rev").path(0).asInt(-1)));
      if (!expectedRevs.equals(actualRevs)) {
        throw new AssertionError(
            "the index holds other documents or revisions than written: expected "
                + expectedRevs.size()
                + " documents, found "
                + actualRevs.size());
      }
      int rounds = soak ? 20 : 5;
      new CpChecks(rest(), index, survivors).randomized(getRandom(), rounds, maxSide);
      new ExprChecks(rest(), index, survivors, getRandom()).randomized(rounds / 2, 1);
      new CpChecks(rest(), fixedIndex, fixed).randomized(getRandom(), 2, maxSide);
      outcome.add(
          f(
              "- Final exactness: %d surviving documents, each at its last revision (%d updated at least once); "
                  + "%d random cp terms (filter, top-k, scoring, sort) and %d expressions (filter, sort, script_fields, "
                  + "aggregations) equal brute force.",
              survivors.size(),
              expectedRevs.values().stream().filter(rev -> rev > 0).count(),
              rounds,
              rounds / 2));
    } catch (AssertionError | RuntimeException e) {
      outcome.add("- Final exactness FAILED: `" + e.getMessage() + "`");
      failures.add("final exactness: " + e);
    }
  }

  private static List<String> header(
      double minutes, long loadNanos, long intervalNanos, int maxSide, int liveCap) {
    List<NodeStats> nodes = NodeStats.read(rest());
    List<String> header = new ArrayList<>();
    header.add(
        f(
            "- Run: %s, %s of load (%s), seed %s.",
            Instant.now().truncatedTo(ChronoUnit.SECONDS),
            f("%.1f min", loadNanos / 60e9),
            minutes > 0
                ? "-Dqa.soak.minutes=" + minutes
                : SharedCluster.heavy() ? "-Dqa.heavy=true" : "the smoke form",
            RandomizedContext.current().getRunnerSeedAsString()));
    header.add(
        f(
            "- Cluster: %d nodes, heap %s MB each; index `soak` (3 shards, 1 replica) with %d to %d live "
                + "documents, masks up to %dx%d; index `soak-fixed` (2 shards, 1 replica, 150 documents) unchanged.",
            nodes.size(),
            SoakReport.mb(nodes.get(0).heapMax()),
            liveCap / 2,
            liveCap,
            maxSide,
            maxSide));
    header.add(
        f(
            "- Clients: 3 query clients, 1 exactness client on `soak-fixed`, 1 indexer, 1 updater, 1 deleter; "
                + "node stats every 2 s, intervals of %d s.",
            TimeUnit.NANOSECONDS.toSeconds(intervalNanos)));
    header.add(
        f(
            "- Machine: %d cores, load average at the start: %s. Shared with other work: latencies are noisy.",
            Runtime.getRuntime().availableProcessors(), loadAverage()));
    return header;
  }

  private static String loadAverage() {
    try {
      return String.join(
          " ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
