package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.bench.Args;
import dev.masksearch.qa.bench.alternatives.Alternatives.Row;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.PostgresServer;
import dev.masksearch.qa.data.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The benchmark against the alternatives (issue 6): starts one node of the real OpenSearch
 * distribution with the plugin installed, indexes {@code --count} synthetic images (two 224 x 224
 * uint8 masks each) into an index with the plugin and a plain one with binary doc values, and runs
 * the paper's workloads on the plugin, on painless scripts and as a Java scan of the raw masks,
 * checking that every answer agrees; prints a markdown report (and writes it to {@code --out} when
 * given).
 *
 * <p>Usage ({@code bin/bench alternatives} passes the zips): {@code AlternativesBench
 * --distribution opensearch.zip --plugin masksearch.zip [--count 5000] [--runs 3] [--heap 2g]
 * [--workdir target/bench-alternatives] [--out F] [--real-sample DIR] [--postgis-runs 0]
 * [--postgis-timeout 60] [--no-postgis] [--sweep-count 10000] [--jfr FILE] [--doc
 * docs/benchmarks.md] [--csv F] [--only regions|fixed-cost|workloads[,...] [--workloads TEXT]]
 * [--codec masksearch|masksearch_best_compression]}: {@code --doc} rewrites the document's section
 * marked {@code alternatives} ({@code real-sample} with {@code --real-sample}, which runs on that
 * directory instead of synthetic images, without the sweep); PostGIS gets its statement timeout per
 * workload and, with {@code --postgis-runs 0}, its checked run as the warm time; the CHI sweep
 * indexes the first {@code --sweep-count} images again per setting; {@code --jfr} records the
 * node's selective queries (the 1% filters and the top-25s by score; with {@code --only workloads},
 * after the table); {@code --workloads TEXT} keeps, with {@code --only workloads} only, the rows
 * whose names contain TEXT (and the selective queries among them for {@code --jfr}); {@code --only}
 * times one table alone after the same ingest, or several in the order given (each printed as it
 * ends; {@code --jfr} records right after the workloads table, so name that table last): the
 * regions of other shapes ({@link RegionShapes}), the fixed cost of a request ({@link FixedCost})
 * or the main table (workloads; what a point of the scaling curve needs, see {@link ScalingCurve});
 * {@code --no-postgis} leaves PostGIS out (not loaded, not run: at the largest scales); {@code
 * --csv} writes the main table's latencies as CSV for {@link ScalingCurve}; {@code --codec} is the
 * plugin index's {@code index.codec} (masks in best speed, the default, or best compression; the
 * CHI sweep, which measures CHI parameters, always indexes in best speed). The report's markdown
 * comes from {@link AlternativesReport}.
 */
public final class AlternativesBench {
  private AlternativesBench() {}

  public static void main(String[] args) throws Exception {
    Args options =
        Args.parse(
            args,
            Set.of(
                "--real-sample",
                "--count",
                "--codec",
                "--runs",
                "--postgis-runs",
                "--postgis-timeout",
                "--sweep-count",
                "--distribution",
                "--plugin",
                "--workdir",
                "--heap",
                "--out",
                "--only",
                "--doc",
                "--csv",
                "--jfr",
                "--workloads"),
            Set.of("--no-postgis"),
            0);
    String realSample = options.string("--real-sample", null);
    RealSampleImages real = realSample == null ? null : new RealSampleImages(Path.of(realSample));
    int count = real != null ? real.count() : options.integer("--count", 5_000);
    int maxSide = real != null ? RealSampleImages.MAX_SIDE : BenchImage.SYNTHETIC_SIDE;
    String what =
        real != null
            ? String.format(
                Locale.ROOT,
                "The real sample: %,d images with a box, their `%s` "
                    + "model mask as saliency and `%s` human mask (%,d masks, 8-bit, 48 to 512 px a side)",
                count,
                RealSampleImages.MODEL,
                RealSampleImages.HUMAN,
                2 * count)
            : String.format(
                Locale.ROOT, "%,d images (%,d masks of 224 x 224 uint8)", count, 2 * count);
    String codec = options.string("--codec", Loader.DEFAULT_CODEC);
    if (!List.of(Loader.DEFAULT_CODEC, Loader.BEST_COMPRESSION_CODEC).contains(codec)) {
      throw new IllegalArgumentException("--codec: " + codec + " is not a MaskSearch codec");
    }
    if (!codec.equals(Loader.DEFAULT_CODEC)) {
      what += ", plugin index with `\"index.codec\": \"" + codec + "\"`";
    }
    int runs = options.integer("--runs", 3);
    int postgisRuns = options.integer("--postgis-runs", 0);
    int postgisTimeout = options.integer("--postgis-timeout", 60);
    int sweepImages = Math.min(count, options.integer("--sweep-count", 10_000));
    Path distribution = Path.of(required(options, "--distribution"));
    Path plugin = Path.of(required(options, "--plugin"));
    Path workdir =
        Path.of(options.string("--workdir", "target/bench-alternatives")).toAbsolutePath();
    String heap = options.string("--heap", "2g");
    String out = options.string("--out", null);
    String only = options.string("--only", null);
    List<String> tables = only == null ? List.of() : List.of(only.split(",", -1));
    if (only != null
        && (!List.of("regions", "fixed-cost", "workloads").containsAll(tables)
            || tables.stream().distinct().count() < tables.size()
            || real != null
            || options.string("--doc", null) != null)) {
      throw new IllegalArgumentException(
          "--only regions|fixed-cost|workloads (or several, comma-separated, each once) times those tables of"
              + " the synthetic images alone: no --real-sample or --doc");
    }
    if (options.string("--workloads", null) != null && !tables.contains("workloads")) {
      throw new IllegalArgumentException("--workloads chooses rows of --only workloads alone");
    }
    if (options.string("--jfr", null) != null && only != null && !tables.contains("workloads")) {
      throw new IllegalArgumentException("--jfr records the workloads: not with --only " + only);
    }
    boolean withPostgis = !options.flag("--no-postgis");
    String csv = options.string("--csv", null);
    System.err.println(
        (withPostgis ? "starting PostgreSQL with PostGIS and " : "starting ")
            + "one OpenSearch node ("
            + heap
            + " heap) under "
            + workdir
            + " ...");
    // null resources (PostGIS left out) are skipped by try-with-resources
    try (PostgresServer postgres =
            withPostgis ? PostgresServer.start(workdir.resolve("postgres")) : null;
        LocalCluster node =
            LocalCluster.start(distribution, plugin, workdir.resolve("cluster"), 1, heap);
        PostGis postgis = withPostgis ? new PostGis(postgres, maxSide, postgisTimeout) : null) {
      Thread stop =
          new Thread(
              () -> { // Ctrl-C must not leave the servers running
                try {
                  node.close();
                  if (postgres != null) {
                    postgres.close();
                  }
                } catch (java.io.IOException e) {
                  e.printStackTrace();
                }
              },
              "stop-bench-servers");
      Runtime.getRuntime().addShutdownHook(stop);
      Alternatives bench =
          new Alternatives(
              node.rest(),
              real != null ? real::image : BenchImage.synthetic(new SyntheticDataset(42)),
              count,
              maxSide,
              workdir.resolve("raw-masks.u8"),
              node.dataDirectories(),
              postgis,
              postgisRuns,
              codec);
      try {
        System.err.printf(
            Locale.ROOT,
            "indexing %,d images into both indices%s ...%n",
            count,
            withPostgis ? " and PostGIS" : "");
        Ingest ingest = bench.ingest(100);
        bench.settle();
        if (only != null) { // these tables alone, on the same data, in the order given
          String described = what;
          StringBuilder report = new StringBuilder();
          for (String table : tables) { // each printed and written as it ends
            String done =
                switch (table) {
                  case "workloads" ->
                      workloadsAlone(
                          options,
                          bench,
                          node,
                          runs,
                          count,
                          csv,
                          rows ->
                              AlternativesReport.report(
                                  described,
                                  ingest,
                                  rows,
                                  runs,
                                  postgisRuns,
                                  postgisTimeout,
                                  bench.pageCacheDropped()));
                  case "regions" ->
                      RegionShapes.report(
                          RegionShapes.run(
                              node.rest(),
                              bench.raw(),
                              Alternatives.PLUGIN_INDEX,
                              runs,
                              System.err::println),
                          count);
                  default -> FixedCost.report(FixedCost.measure(node.rest(), bench), count);
                };
            if (!report.isEmpty()) {
              done = System.lineSeparator() + done; // a table's caption never joins the one above
            }
            System.out.print(done);
            write(out, report.append(done).toString());
          }
          return;
        }
        List<Row> rows = bench.run(bench.workloads(), runs, System.err::println);
        List<RegionShapes.Result> shapes =
            real != null
                ? List.of()
                : RegionShapes.run(
                    node.rest(), bench.raw(), Alternatives.PLUGIN_INDEX, runs, System.err::println);
        String fixedCost = FixedCost.report(FixedCost.measure(node.rest(), bench), count);
        String jfr = options.string("--jfr", null);
        if (jfr != null) {
          profile(node, bench, "", Path.of(jfr).toAbsolutePath());
        }
        List<ChiSweep.Result> sweep =
            real != null
                ? List.of()
                : ChiSweep.run(
                    node.rest(),
                    bench,
                    sweepImages,
                    SWEEP,
                    sweepQueries(bench),
                    runs,
                    System.err::println);
        String report =
            AlternativesReport.report(
                    what, ingest, rows, runs, postgisRuns, postgisTimeout, bench.pageCacheDropped())
                + fixedCost
                + RegionShapes.report(shapes, count)
                + AlternativesReport.sweepReport(sweep, sweepImages, runs);
        System.out.print(report);
        write(out, report);
        write(csv, AlternativesReport.csv(count, rows));
        String doc = options.string("--doc", null);
        if (doc != null) {
          MarkedSection.replace(
              Path.of(doc), real != null ? "real-sample" : "alternatives", report);
        }
      } finally {
        bench.close();
      }
    }
  }

  /**
   * The main table alone (what a point of the scaling curve needs), its rows those whose names
   * contain {@code --workloads}; writes {@code --csv} and records {@code --jfr} after it.
   */
  private static String workloadsAlone(
      Args options,
      Alternatives bench,
      LocalCluster node,
      int runs,
      int count,
      String csv,
      java.util.function.Function<List<Row>, String> reportOf)
      throws Exception {
    String named = options.string("--workloads", "");
    List<List<Query>> workloads =
        bench.workloads().stream().filter(w -> Alternatives.rowName(w).contains(named)).toList();
    if (workloads.isEmpty()) {
      throw new IllegalArgumentException("--workloads " + named + ": no workload's name has it");
    }
    List<Row> rows = bench.run(workloads, runs, System.err::println);
    write(csv, AlternativesReport.csv(count, rows));
    String jfr = options.string("--jfr", null);
    if (jfr != null) { // before any table after it: give the profiled table last
      profile(node, bench, named, Path.of(jfr).toAbsolutePath());
    }
    return reportOf.apply(rows);
  }

  /** How long {@link #profile} runs each workload, at least. */
  private static final long PROFILE_NANOS = 20_000_000_000L;

  /**
   * Records the node with Java Flight Recorder while the plugin answers the selective workloads
   * whose names contain {@code named} for 20 seconds each (at least 50 times), and prints its
   * hottest methods (the file stays for {@code jfr view} / JDK Mission Control).
   */
  private static void profile(LocalCluster node, Alternatives bench, String named, Path file)
      throws Exception {
    Path recording =
        Path.of(
            "/tmp", "masksearch-bench-" + ProcessHandle.current().pid() + ".jfr"); // node-writable
    node.jcmd(0, "JFR.start", "name=bench", "settings=profile");
    for (Query q : sweepQueries(bench)) {
      if (!q.name().contains(named)) {
        continue;
      }
      // at least 50 times and 20 seconds: about 2,000 samples of a search thread at JFR's 10 ms
      long end = System.nanoTime() + PROFILE_NANOS;
      for (int i = 0; i < 50 || System.nanoTime() < end; i++) {
        bench.plugin().answer(Alternatives.PLUGIN_INDEX, q, false);
      }
    }
    node.jcmd(0, "JFR.stop", "name=bench", "filename=" + recording);
    Files.move(recording, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Process view =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jfr").toString(),
                "view",
                "--width",
                "160",
                "hot-methods",
                file.toString())
            .redirectErrorStream(true)
            .start();
    System.err.println(
        new String(view.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    view.waitFor();
  }

  /**
   * The CHI settings of the sweep: the default (32 px, 20 bins) and the smaller and finer
   * neighbours.
   */
  static final List<ChiSweep.Config> SWEEP =
      List.of(
          new ChiSweep.Config(32, 20),
          new ChiSweep.Config(32, 10),
          new ChiSweep.Config(56, 20),
          new ChiSweep.Config(56, 10),
          new ChiSweep.Config(16, 20));

  /**
   * The sweep's queries: the selective filters and top-k of the main table (profiled: sorts have no
   * counters).
   */
  static List<Query> sweepQueries(Alternatives bench) {
    return bench.workloads().stream()
        .filter(w -> w.size() == 1)
        .map(w -> w.get(0))
        .filter(q -> q.name().endsWith(", 1%") || q.name().startsWith("top-25 desc"))
        .toList();
  }

  /** Writes {@code text} to {@code file}, unless it is null. */
  private static void write(String file, String text) throws java.io.IOException {
    if (file != null) {
      Files.writeString(Path.of(file), text);
    }
  }

  private static String required(Args options, String name) {
    String value = options.string(name, null);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required (bin/bench alternatives passes it)");
    }
    return value;
  }
}
