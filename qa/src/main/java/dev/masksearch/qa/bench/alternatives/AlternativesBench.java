package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.bench.Args;
import dev.masksearch.qa.bench.alternatives.Alternatives.Ingest;
import dev.masksearch.qa.bench.alternatives.Alternatives.Row;
import dev.masksearch.qa.bench.alternatives.Alternatives.Query;
import dev.masksearch.qa.bench.alternatives.Alternatives.SystemKind;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.PostgresServer;
import dev.masksearch.qa.data.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark against the alternatives (issue 6): starts one node of the real OpenSearch distribution with the
 * plugin installed, indexes {@code --count} synthetic images (two 224 x 224 uint8 masks each) into an index with the
 * plugin and a plain one with binary doc values, and runs the paper's workloads on the plugin, on painless scripts
 * and as a Java scan of the raw masks, checking that every answer agrees; prints a markdown report (and writes it to
 * {@code --out} when given).
 *
 * <p>Usage ({@code bin/bench alternatives} passes the zips): {@code AlternativesBench --distribution opensearch.zip
 * --plugin masksearch.zip [--count 5000] [--runs 3] [--heap 2g] [--workdir target/bench-alternatives] [--out F]
 * [--real-sample DIR] [--postgis-runs 0] [--postgis-timeout 60] [--sweep-count 10000] [--jfr FILE] [--doc docs/benchmarks.md]}:
 * {@code --doc} rewrites the document's section marked {@code alternatives} ({@code real-sample} with
 * {@code --real-sample}, which runs on that directory instead of synthetic images, without the sweep); PostGIS gets its statement timeout
 * per workload and, with {@code --postgis-runs 0}, its checked run as the warm time; the CHI sweep indexes the
 * first {@code --sweep-count} images again per setting; {@code --jfr} records the node's selective queries.
 */
public final class AlternativesBench {
  private AlternativesBench() {}

  public static void main(String[] args) throws Exception {
    String realSample = Args.stringArg(args, "--real-sample", null);
    RealSampleImages real = realSample == null ? null : new RealSampleImages(Path.of(realSample));
    int count = real != null ? real.count() : Args.intArg(args, "--count", 5_000);
    int maxSide = real != null ? RealSampleImages.MAX_SIDE : Alternatives.SIDE;
    String what = real != null ? String.format(Locale.ROOT, "The real sample: %,d images with a box, their `%s` "
        + "model mask as saliency and `%s` human mask (%,d masks, 8-bit, 48 to 512 px a side)", count,
        RealSampleImages.MODEL, RealSampleImages.HUMAN, 2 * count)
        : String.format(Locale.ROOT, "%,d images (%,d masks of 224 x 224 uint8)", count, 2 * count);
    int runs = Args.intArg(args, "--runs", 3);
    int postgisRuns = Args.intArg(args, "--postgis-runs", 0);
    int postgisTimeout = Args.intArg(args, "--postgis-timeout", 60);
    int sweepImages = Math.min(count, Args.intArg(args, "--sweep-count", 10_000));
    Path distribution = Path.of(required(args, "--distribution"));
    Path plugin = Path.of(required(args, "--plugin"));
    Path workdir = Path.of(Args.stringArg(args, "--workdir", "target/bench-alternatives")).toAbsolutePath();
    String heap = Args.stringArg(args, "--heap", "2g");
    String out = Args.stringArg(args, "--out", null);
    System.err.println("starting PostgreSQL with PostGIS and one OpenSearch node (" + heap + " heap) under " + workdir
        + " ...");
    try (PostgresServer postgres = PostgresServer.start(workdir.resolve("postgres"));
        LocalCluster node = LocalCluster.start(distribution, plugin, workdir.resolve("cluster"), 1, heap);
        PostGis postgis = new PostGis(postgres, maxSide, postgisTimeout)) {
      Thread stop = new Thread(() -> { // Ctrl-C must not leave the servers running
        try {
          node.close();
          postgres.close();
        } catch (java.io.IOException e) {
          e.printStackTrace();
        }
      }, "stop-bench-servers");
      Runtime.getRuntime().addShutdownHook(stop);
      Alternatives bench = new Alternatives(node.rest(), real != null ? real::image
          : Alternatives.synthetic(new SyntheticDataset(42)), count, maxSide, workdir.resolve("raw-masks.u8"), node.dataDirectories(), postgis, postgisRuns);
      try {
        System.err.printf(Locale.ROOT, "indexing %,d images into both indices and PostGIS ...%n", count);
        Ingest ingest = bench.ingest(100);
        List<Row> rows = bench.run(bench.workloads(), runs, System.err::println);
        Map<String, Double> floor = bench.floorMillis(runs);
        String jfr = Args.stringArg(args, "--jfr", null);
        if (jfr != null) {
          profile(node, bench, Path.of(jfr).toAbsolutePath());
        }
        List<ChiSweep.Result> sweep = real != null ? List.of() : ChiSweep.run(node.rest(), bench, sweepImages, SWEEP,
            sweepQueries(bench), runs, System.err::println);
        String report = report(what, ingest, rows, runs, postgisRuns, postgisTimeout, bench.pageCacheDropped())
            + String.format(Locale.ROOT, "%nRequest floor (match_all, 25 hits, no `_source`; no mask read): plugin "
                + "index %.1f ms, plain index %.1f ms.%n", floor.get(Alternatives.PLUGIN_INDEX),
                floor.get(Alternatives.PLAIN_INDEX))
            + sweepReport(sweep, sweepImages, runs);
        System.out.print(report);
        if (out != null) {
          Files.writeString(Path.of(out), report);
        }
        String doc = Args.stringArg(args, "--doc", null);
        if (doc != null) {
          MarkedSection.replace(Path.of(doc), real != null ? "real-sample" : "alternatives", report);
        }
      } finally {
        bench.close();
      }
    }
  }

  /**
   * Records the node with Java Flight Recorder while the plugin answers the selective workloads 50 times each, and
   * prints its hottest methods (the file stays for {@code jfr view} / JDK Mission Control).
   */
  private static void profile(LocalCluster node, Alternatives bench, Path file) throws Exception {
    Path recording = Path.of("/tmp", "masksearch-bench-" + ProcessHandle.current().pid() + ".jfr"); // node-writable
    node.jcmd(0, "JFR.start", "name=bench", "settings=profile");
    for (Query q : sweepQueries(bench)) {
      for (int i = 0; i < 50; i++) {
        bench.plugin(Alternatives.PLUGIN_INDEX, q, false);
      }
    }
    node.jcmd(0, "JFR.stop", "name=bench", "filename=" + recording);
    Files.move(recording, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Process view = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(), "view",
        "--width", "160", "hot-methods", file.toString()).redirectErrorStream(true).start();
    System.err.println(new String(view.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    view.waitFor();
  }

  /** The CHI settings of the sweep: the default (32 px, 20 bins) and the smaller and finer neighbours. */
  static final List<ChiSweep.Config> SWEEP = List.of(new ChiSweep.Config(32, 20), new ChiSweep.Config(32, 10),
      new ChiSweep.Config(56, 20), new ChiSweep.Config(56, 10), new ChiSweep.Config(16, 20));

  /** The sweep's queries: the selective filters and top-k of the main table (profiled: sorts have no counters). */
  static List<Query> sweepQueries(Alternatives bench) {
    return bench.workloads().stream().filter(w -> w.size() == 1).map(w -> w.get(0))
        .filter(q -> q.name().endsWith(", 1%") || q.name().startsWith("top-25 desc")).toList();
  }

  private static String required(String[] args, String name) {
    String value = Args.stringArg(args, name, null);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required (bin/bench alternatives passes it)");
    }
    return value;
  }

  /** The markdown report: latencies and ratios per workload, sizes, ingest, and the targets. */
  static String report(String what, Ingest ingest, List<Row> rows, int runs, int postgisRuns, int postgisTimeout,
      boolean pageCacheDropped) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%s, one node, one shard, "
        + "request cache off. Each cell: **warm** median of %d runs (PostGIS: %s) / **cold** (one run after %s). "
        + "PostGIS statement timeout %d s per workload.%n%n", what, runs, postgisRuns == 0
            ? "one run, the checked one; the previous workload read the whole table" : Math.min(runs, postgisRuns),
        pageCacheDropped ? "dropping the page cache and the system's own caches"
            : "clearing the systems' own caches; the page cache could NOT be dropped (not root)", postgisTimeout));
    md.append("| workload | matches | plugin ms | plugin masks read |");
    for (SystemKind system : OTHERS) {
      md.append(' ').append(system.title).append(" ms | vs plugin |");
    }
    md.append("\n|---|---:|---:|---:|").append("---:|---:|".repeat(OTHERS.size())).append('\n');
    Map<SystemKind, Double> lowest = new java.util.EnumMap<>(SystemKind.class);
    for (Row row : rows) {
      long read = row.masksRead().get(SystemKind.PLUGIN);
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |", row.name(),
          row.group().equals("single") ? String.format(Locale.ROOT, "%,d", row.matches()) : "-",
          pair(row, SystemKind.PLUGIN, postgisTimeout),
          read < 0 ? "n/a (sort)" : String.format(Locale.ROOT, "%.2f%%", 100.0 * read / row.masksTotal())));
      for (SystemKind system : OTHERS) {
        md.append(' ').append(pair(row, system, postgisTimeout)).append(" | ")
            .append(ratio(row.medianMillis(), system, postgisTimeout)).append(" / ")
            .append(ratio(row.coldMillis(), system, postgisTimeout)).append(" |");
        if (selective(row.name())) {
          double warm = row.medianMillis().get(system);
          lowest.merge(system, (Double.isInfinite(warm) ? postgisTimeout * 1000.0 : warm)
              / row.medianMillis().get(SystemKind.PLUGIN), Math::min);
        }
      }
      md.append('\n');
    }
    md.append("\nPainless, the brute force and PostGIS read every mask the query names (100%). `>T s`: the statement "
        + "did not finish within the timeout (the ratio is then a lower bound).\n\n");
    long rawBytes = ingest.rawMaskBytes();
    md.append("| store | bytes | of raw masks | ingest, images/s | force merge, s |\n|---|---:|---:|---:|---:|\n");
    md.append(String.format(Locale.ROOT, "| raw masks (flat file) | %,d | 100%% | | |%n", rawBytes));
    md.append(sizeRow("plugin (`mask`, masksearch codec, derived source)", ingest, Alternatives.PLUGIN_INDEX));
    md.append(sizeRow("plain (`binary` doc values, masks out of `_source`)", ingest, Alternatives.PLAIN_INDEX));
    md.append(sizeRow("PostGIS (8BUI rasters, default TOAST, `COPY` + `VACUUM ANALYZE`)", ingest,
        Alternatives.POSTGIS_TABLE));
    double chiShare = ingest.compressedMaskBytes() == 0 ? Double.NaN
        : 100.0 * ingest.chiBytes() / ingest.compressedMaskBytes();
    md.append(String.format(Locale.ROOT, "%nPlugin index: compressed masks (`.mskr`) %,d bytes, CHI (`.mskc` + "
        + "`.mskm`) %,d bytes: **CHI = %.1f%% of the compressed masks**.%n%n", ingest.compressedMaskBytes(),
        ingest.chiBytes(), chiShare));
    md.append("Files by extension (bytes): plugin index " + top(ingest.pluginFiles()) + "; plain index "
        + top(ingest.plainFiles()) + ".\n\n");
    md.append("Targets (selective = the 1% filters and the top-25s, session excluded; warm): ");
    md.append(target("vs painless", lowest.get(SystemKind.PAINLESS), 100)).append("; ");
    md.append(target("vs brute force", lowest.get(SystemKind.BRUTE_FORCE), 20)).append("; ");
    md.append(String.format(Locale.ROOT, "CHI at most 5%% of the compressed masks: %s (%.1f%%); lowest vs PostGIS: "
        + "%.0fx.%n", chiShare <= 5 ? "met" : "missed", chiShare, lowest.getOrDefault(SystemKind.POSTGIS, 0.0)));
    return md.toString();
  }

  private static final List<SystemKind> OTHERS = List.of(SystemKind.PAINLESS, SystemKind.BRUTE_FORCE,
      SystemKind.POSTGIS);

  private static String target(String what, Double lowest, int goal) {
    return String.format(Locale.ROOT, "%s at least %dx: %s (lowest %.0fx)", what, goal,
        lowest != null && lowest >= goal ? "met" : "missed", lowest == null ? 0 : lowest);
  }

  private static String sizeRow(String title, Ingest ingest, String key) {
    Double merge = ingest.mergeSeconds().get(key);
    long bytes = ingest.storeBytes().get(key);
    return String.format(Locale.ROOT, "| %s | %,d | %.1f%% | %.0f | %s |%n", title, bytes,
        100.0 * bytes / ingest.rawMaskBytes(), ingest.imagesPerSecond().get(key),
        merge == null ? "" : String.format(Locale.ROOT, "%.1f", merge));
  }

  /** "warm / cold" milliseconds of a system, {@code >T s} for a timeout. */
  private static String pair(Row row, SystemKind system, int timeoutSeconds) {
    return millis(row.medianMillis().get(system), timeoutSeconds) + " / "
        + millis(row.coldMillis().get(system), timeoutSeconds);
  }

  private static String millis(double ms, int timeoutSeconds) {
    if (Double.isInfinite(ms)) {
      return String.format(Locale.ROOT, ">%d s", timeoutSeconds);
    }
    return String.format(Locale.ROOT, ms < 100 ? "%.1f" : "%,.0f", ms);
  }

  private static String ratio(Map<SystemKind, Double> millis, SystemKind system, int timeoutSeconds) {
    double r = millis.get(system) / millis.get(SystemKind.PLUGIN);
    return Double.isInfinite(r) ? String.format(Locale.ROOT, ">%.0fx", timeoutSeconds * 1000.0
        / millis.get(SystemKind.PLUGIN)) : r < 10 ? String.format(Locale.ROOT, "%.1fx", r)
        : String.format(Locale.ROOT, "%.0fx", r);
  }

  /** The sweep's table: per CHI setting, size against compressed masks, masks read and latency per query. */
  static String sweepReport(List<ChiSweep.Result> sweep, int images, int runs) {
    if (sweep.isEmpty()) {
      return "";
    }
    List<String> names = new ArrayList<>(sweep.get(0).masksRead().keySet());
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "%n#### CHI parameters on the node (first %,d "
        + "images, %,d masks; masks read of the %,d saliency masks / warm median of %d runs)%n%n", images,
        2 * images, images, runs));
    md.append("| grid_step | bins | CHI bytes / mask | CHI / compressed masks |");
    names.forEach(n -> md.append(' ').append(n).append(" |"));
    md.append("\n|---:|---:|---:|---:|").append("---:|".repeat(names.size())).append('\n');
    for (ChiSweep.Result r : sweep) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %,.0f | %.1f%% |", r.config().gridStep(), r.config().bins(),
          r.chiBytes() / (2.0 * images), 100.0 * r.chiBytes() / r.maskBytes()));
      for (String n : names) {
        md.append(String.format(Locale.ROOT, " %.2f%% / %s ms |", 100.0 * r.masksRead().get(n) / images,
            millis(r.millis().get(n), 0)));
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static String top(java.util.Map<String, Long> files) {
    return files.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
        .map(e -> String.format(Locale.ROOT, "`.%s` %,d", e.getKey(), e.getValue()))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private static boolean selective(String workload) {
    return workload.endsWith(", 1%") || workload.startsWith("top-25");
  }
}
