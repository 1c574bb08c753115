package dev.masksearch.qa.bench;

import dev.masksearch.qa.bench.Alternatives.Ingest;
import dev.masksearch.qa.bench.Alternatives.Row;
import dev.masksearch.qa.bench.Alternatives.SystemKind;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.data.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark against the alternatives (issue 6): starts one node of the real OpenSearch distribution with the
 * plugin installed, indexes {@code --count} synthetic images (two 224 x 224 uint8 masks each) into an index with the
 * plugin and a plain one with binary doc values, and runs the paper's workloads on the plugin, on painless scripts
 * and as a Java scan of the raw masks, checking that every answer agrees; prints a markdown report (and writes it to
 * {@code --out} when given).
 *
 * <p>Usage ({@code bin/bench alternatives} passes the zips): {@code AlternativesBench --distribution opensearch.zip
 * --plugin masksearch.zip [--count 5000] [--runs 3] [--heap 2g] [--workdir target/bench-alternatives] [--out F]}.
 */
public final class AlternativesBench {
  private AlternativesBench() {}

  public static void main(String[] args) throws Exception {
    int count = Args.intArg(args, "--count", 5_000);
    int runs = Args.intArg(args, "--runs", 3);
    Path distribution = Path.of(required(args, "--distribution"));
    Path plugin = Path.of(required(args, "--plugin"));
    Path workdir = Path.of(Args.stringArg(args, "--workdir", "target/bench-alternatives")).toAbsolutePath();
    String heap = Args.stringArg(args, "--heap", "2g");
    String out = Args.stringArg(args, "--out", null);
    System.err.println("starting one OpenSearch node (" + heap + " heap) under " + workdir + " ...");
    try (LocalCluster node = LocalCluster.start(distribution, plugin, workdir.resolve("cluster"), 1, heap)) {
      Thread stopNode = new Thread(() -> { // Ctrl-C must not leave the node running
        try {
          node.close();
        } catch (java.io.IOException e) {
          e.printStackTrace();
        }
      }, "stop-bench-node");
      Runtime.getRuntime().addShutdownHook(stopNode);
      Alternatives bench = new Alternatives(node.rest(), new SyntheticDataset(42), count,
          workdir.resolve("raw-masks.u8"), node.dataDirectories());
      try {
        System.err.printf(Locale.ROOT, "indexing %,d images into both indices ...%n", count);
        Ingest ingest = bench.ingest(100);
        List<Row> rows = bench.run(bench.workloads(), runs, System.err::println);
        String report = report(ingest, rows, count, runs) + String.format(Locale.ROOT,
            "%nRequest floor (match_all, 25 hits, no `_source`; no mask read): plugin index %.1f ms, plain index "
                + "%.1f ms.%n", bench.floorMillis(runs).get(Alternatives.PLUGIN_INDEX),
            bench.floorMillis(runs).get(Alternatives.PLAIN_INDEX));
        System.out.print(report);
        if (out != null) {
          Files.writeString(Path.of(out), report);
        }
      } finally {
        bench.close();
      }
    }
  }

  private static String required(String[] args, String name) {
    String value = Args.stringArg(args, name, null);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required (bin/bench alternatives passes it)");
    }
    return value;
  }

  /** The markdown report: latencies and ratios per workload, sizes, ingest, and the targets. */
  static String report(Ingest ingest, List<Row> rows, int count, int runs) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%,d images (%,d masks of 224 x 224 uint8), one node, one shard, "
        + "warm, median of %d runs, request cache off%n%n", count, 2 * count, runs));
    md.append("| workload | matches | plugin ms | plugin masks read | painless ms | vs plugin | "
        + "brute force ms | vs plugin |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    double minPainless = Double.MAX_VALUE;
    double minBrute = Double.MAX_VALUE;
    for (Row row : rows) {
      double plugin = row.medianMillis().get(SystemKind.PLUGIN);
      double painless = row.medianMillis().get(SystemKind.PAINLESS);
      double brute = row.medianMillis().get(SystemKind.BRUTE_FORCE);
      long read = row.masksRead().get(SystemKind.PLUGIN);
      md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %.0f | %.0fx | %.0f | %.0fx |%n", row.name(),
          row.group().equals("single") ? String.format(Locale.ROOT, "%,d", row.matches()) : "-", plugin,
          read < 0 ? "n/a (sort)" : String.format(Locale.ROOT, "%.2f%%", 100.0 * read / row.masksTotal()),
          painless, painless / plugin, brute, brute / plugin));
      if (selective(row.name())) {
        minPainless = Math.min(minPainless, painless / plugin);
        minBrute = Math.min(minBrute, brute / plugin);
      }
    }
    md.append("\nPainless and the brute force read every mask the query names (100%).\n\n");
    long plugin = ingest.storeBytes().get(Alternatives.PLUGIN_INDEX);
    long plain = ingest.storeBytes().get(Alternatives.PLAIN_INDEX);
    md.append("| index | bytes (live segments) | of raw masks | ingest, images/s | force merge, s |\n|---|---:|---:|---:|---:|\n");
    md.append(String.format(Locale.ROOT, "| raw masks (flat file) | %,d | 100%% | | |%n", ingest.rawMaskBytes()));
    md.append(String.format(Locale.ROOT, "| plugin (`mask`, masksearch codec, derived source) | %,d | %.1f%% | %.0f | "
        + "%.1f |%n", plugin, 100.0 * plugin / ingest.rawMaskBytes(), ingest.imagesPerSecond().get(
            Alternatives.PLUGIN_INDEX), ingest.mergeSeconds().get(Alternatives.PLUGIN_INDEX)));
    md.append(String.format(Locale.ROOT, "| plain (`binary` doc values, masks out of `_source`) | %,d | %.1f%% | %.0f "
        + "| %.1f |%n", plain, 100.0 * plain / ingest.rawMaskBytes(), ingest.imagesPerSecond().get(
            Alternatives.PLAIN_INDEX), ingest.mergeSeconds().get(Alternatives.PLAIN_INDEX)));
    double chiShare = ingest.compressedMaskBytes() == 0 ? Double.NaN
        : 100.0 * ingest.chiBytes() / ingest.compressedMaskBytes();
    md.append(String.format(Locale.ROOT, "%nPlugin index: compressed masks (`.mskr`) %,d bytes, CHI (`.mskc` + "
        + "`.mskm`) %,d bytes: **CHI = %.1f%% of the compressed masks**.%n%n", ingest.compressedMaskBytes(),
        ingest.chiBytes(), chiShare));
    md.append("Files by extension (bytes): plugin index " + top(ingest.pluginFiles()) + "; plain index "
        + top(ingest.plainFiles()) + ".\n\n");
    md.append(String.format(Locale.ROOT, "Targets (selective = the 1%% filters and the top-25s, session excluded): "
        + "vs painless at least 100x: %s (lowest %.0fx); vs brute force at least 20x: %s (lowest %.0fx); CHI at most "
        + "5%% of the compressed masks: %s (%.1f%%).%n", minPainless >= 100 ? "met" : "missed", minPainless,
        minBrute >= 20 ? "met" : "missed", minBrute, chiShare <= 5 ? "met" : "missed", chiShare));
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
