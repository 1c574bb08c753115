package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.bench.alternatives.Alternatives.Row;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The benchmark's markdown report, as {@code bin/bench alternatives} prints it and writes it into
 * {@code docs/benchmarks.md}: warm and cold latencies and ratios per workload and system, sizes and
 * ingest rates per store, the CHI's share of the compressed masks, the targets, and the CHI
 * sweep's table.
 */
final class AlternativesReport {
  private AlternativesReport() {}

  /**
   * The markdown report: latencies and ratios per workload, sizes, ingest, and the targets.
   */
  static String report(
      String what,
      Ingest ingest,
      List<Row> rows,
      int runs,
      int postgisRuns,
      int postgisTimeout,
      boolean pageCacheDropped) {
    StringBuilder md = new StringBuilder();
    boolean postgisRan =
        rows.stream().anyMatch(r -> !Double.isNaN(r.medianMillis().get(SystemKind.POSTGIS)));
    md.append(
        String.format(
            Locale.ROOT,
            "%s, one node, one shard, "
                + "request cache off. Each cell: **warm** median of %d runs (PostGIS: %s) / **cold** (median of as many runs, each after %s%s). "
                + "%s%n%n",
            what,
            runs,
            !postgisRan
                ? "left out of this run"
                : postgisRuns == 0
                    ? "one run, the checked one; the previous workload read the whole table"
                    : Math.min(runs, postgisRuns),
            pageCacheDropped
                ? "dropping the page cache and the system's own caches"
                : "clearing the systems' own caches; the page cache could NOT be dropped (not root)",
            postgisRan ? "; PostGIS: one" : "",
            postgisRan
                ? String.format(
                    Locale.ROOT, "PostGIS statement timeout %d s per workload.", postgisTimeout)
                : ""));
    md.append("| workload | matches | plugin ms | plugin masks read |");
    for (SystemKind system : OTHERS) {
      md.append(' ').append(system.title).append(" ms | vs plugin |");
    }
    md.append(" load |\n|---|---:|---:|---:|")
        .append("---:|---:|".repeat(OTHERS.size()))
        .append("---:|\n");
    Map<SystemKind, Double> lowest = new EnumMap<>(SystemKind.class);
    for (Row row : rows) {
      long read = row.masksRead().get(SystemKind.PLUGIN);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s |",
              row.name(),
              row.group().equals("single") ? String.format(Locale.ROOT, "%,d", row.matches()) : "-",
              pair(row, SystemKind.PLUGIN, postgisTimeout),
              read < 0
                  ? "n/a (no query profile)"
                  : String.format(Locale.ROOT, "%.2f%%", 100.0 * read / row.masksTotal())));
      for (SystemKind system : OTHERS) {
        md.append(' ')
            .append(pair(row, system, postgisTimeout))
            .append(" | ")
            .append(ratio(row.medianMillis(), system, postgisTimeout))
            .append(" / ")
            .append(ratio(row.coldMillis(), system, postgisTimeout))
            .append(" |");
        if (selective(row.name()) && !Double.isNaN(row.medianMillis().get(system))) {
          double warm = row.medianMillis().get(system);
          lowest.merge(
              system,
              (Double.isInfinite(warm) ? postgisTimeout * 1000.0 : warm)
                  / row.medianMillis().get(SystemKind.PLUGIN),
              Math::min);
        }
      }
      md.append(String.format(Locale.ROOT, " %.1f |%n", row.load()));
    }
    md.append(
        "\nPainless, the brute force and PostGIS read every mask the query names (100%). `>T s`: the statement "
            + "did not finish within the timeout (the ratio is then a lower bound). Load: the machine's "
            + "one-minute load average ("
            + Runtime.getRuntime().availableProcessors()
            + " cores), the benchmark's own work included, as the row's runs ended.\n\n");
    long rawBytes = ingest.rawMaskBytes();
    md.append(
        "| store | bytes | of raw masks | ingest, images/s | force merge, s |\n|---|---:|---:|---:|---:|\n");
    md.append(
        String.format(Locale.ROOT, "| raw masks (flat file) | %,d | 100%% | | |%n", rawBytes));
    md.append(
        sizeRow(
            "plugin (`mask`, masksearch codec, derived source)",
            ingest,
            Alternatives.PLUGIN_INDEX));
    md.append(
        sizeRow(
            "plain (`binary` doc values, masks out of `_source`)",
            ingest,
            Alternatives.PLAIN_INDEX));
    if (ingest.storeBytes().containsKey(Alternatives.POSTGIS_TABLE)) { // unless left out
      md.append(
          sizeRow(
              "PostGIS (8BUI rasters, default TOAST, `COPY` + `VACUUM ANALYZE`)",
              ingest,
              Alternatives.POSTGIS_TABLE));
    }
    double chiShare =
        ingest.compressedMaskBytes() == 0
            ? Double.NaN
            : 100.0 * ingest.chiBytes() / ingest.compressedMaskBytes();
    md.append(
        String.format(
            Locale.ROOT,
            "%nPlugin index: compressed masks (`.mskr`, which from MaskSearch20 version 3 also"
                + " holds the CHI's second tier) %,d bytes, CHI (`.mskc` + `.mskm`: the first"
                + " tier from version 3) %,d bytes: **CHI = %.1f%% of `.mskr`**.%n%n",
            ingest.compressedMaskBytes(),
            ingest.chiBytes(),
            chiShare));
    md.append(
        "Files by extension (bytes): plugin index "
            + top(ingest.pluginFiles())
            + "; plain index "
            + top(ingest.plainFiles())
            + ".\n\n");
    md.append("Targets (selective = the 1% filters and the top-25s, session excluded; warm): ");
    md.append(target("vs painless", lowest.get(SystemKind.PAINLESS), 100)).append("; ");
    md.append(target("vs brute force", lowest.get(SystemKind.BRUTE_FORCE), 50)).append("; ");
    md.append(
        String.format(
            Locale.ROOT,
            "the CHI's share of the stored masks: `bin/bench formats` (a node's files cannot"
                + " tell version 3's records from the masks in `.mskr`); lowest vs PostGIS: %s.%n",
            lowest.containsKey(SystemKind.POSTGIS)
                ? String.format(Locale.ROOT, "%.0fx", lowest.get(SystemKind.POSTGIS))
                : "not run"));
    return md.toString();
  }

  /**
   * The main table as CSV, one line per workload and system: {@code images,workload,system,
   * warm_ms,cold_ms,masks_read,load} (two masks an image; latencies empty when the system did not
   * run the workload, {@code inf} past PostGIS's timeout). What {@link ScalingCurve} reads.
   */
  static String csv(int images, List<Row> rows) {
    StringBuilder csv = new StringBuilder(ScalingCurve.HEADER).append('\n');
    for (Row row : rows) {
      for (SystemKind system : SystemKind.values()) {
        csv.append(
            String.format(
                Locale.ROOT,
                "%d,\"%s\",%s,%s,%s,%d,%.2f%n",
                images,
                // the like workload's example differs per scale: one curve for it whatever the id
                row.name().replaceAll(" like image \\d+", " like an image").replace("\"", "\"\""),
                system.name(),
                csvMillis(row.medianMillis().get(system)),
                csvMillis(row.coldMillis().get(system)),
                row.masksRead().getOrDefault(system, -1L),
                row.load()));
      }
    }
    return csv.toString();
  }

  private static String csvMillis(Double ms) {
    if (ms == null || Double.isNaN(ms)) {
      return "";
    }
    return Double.isInfinite(ms) ? "inf" : String.format(Locale.ROOT, "%.3f", ms);
  }

  private static final List<SystemKind> OTHERS =
      List.of(SystemKind.PAINLESS, SystemKind.BRUTE_FORCE, SystemKind.POSTGIS);

  private static String target(String what, Double lowest, int goal) {
    return String.format(
        Locale.ROOT,
        "%s at least %dx: %s (lowest %.0fx)",
        what,
        goal,
        lowest != null && lowest >= goal ? "met" : "missed",
        lowest == null ? 0 : lowest);
  }

  private static String sizeRow(String title, Ingest ingest, String key) {
    Double merge = ingest.mergeSeconds().get(key);
    long bytes = ingest.storeBytes().get(key);
    return String.format(
        Locale.ROOT,
        "| %s | %,d | %.1f%% | %.0f | %s |%n",
        title,
        bytes,
        100.0 * bytes / ingest.rawMaskBytes(),
        ingest.imagesPerSecond().get(key),
        merge == null ? "" : String.format(Locale.ROOT, "%.1f", merge));
  }

  /** "warm / cold" milliseconds of a system, {@code >T s} for a timeout. */
  private static String pair(Row row, SystemKind system, int timeoutSeconds) {
    return millis(row.medianMillis().get(system), timeoutSeconds)
        + " / "
        + millis(row.coldMillis().get(system), timeoutSeconds);
  }

  private static String millis(double ms, int timeoutSeconds) {
    if (Double.isNaN(ms)) {
      return "not run";
    }
    if (Double.isInfinite(ms)) {
      return String.format(Locale.ROOT, ">%d s", timeoutSeconds);
    }
    return String.format(Locale.ROOT, ms < 100 ? "%.1f" : "%,.0f", ms);
  }

  private static String ratio(
      Map<SystemKind, Double> millis, SystemKind system, int timeoutSeconds) {
    double r = millis.get(system) / millis.get(SystemKind.PLUGIN);
    if (Double.isNaN(r)) {
      return "-";
    }
    return Double.isInfinite(r)
        ? String.format(
            Locale.ROOT, ">%.0fx", timeoutSeconds * 1000.0 / millis.get(SystemKind.PLUGIN))
        : r < 10 ? String.format(Locale.ROOT, "%.1fx", r) : String.format(Locale.ROOT, "%.0fx", r);
  }

  /**
   * The sweep's table: per CHI setting, size against compressed masks, masks read and latency per
   * query.
   */
  static String sweepReport(List<ChiSweep.Result> sweep, int images, int runs) {
    if (sweep.isEmpty()) {
      return "";
    }
    List<String> names = new ArrayList<>(sweep.get(0).masksRead().keySet());
    StringBuilder md =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%n#### CHI parameters on the node (first %,d "
                    + "images, %,d masks; masks read of the %,d saliency masks / warm median of %d runs)%n%n",
                images,
                2 * images,
                images,
                runs));
    md.append("| grid_step | bins | CHI bytes / mask | CHI / compressed masks |");
    names.forEach(n -> md.append(' ').append(n).append(" |"));
    md.append("\n|---:|---:|---:|---:|").append("---:|".repeat(names.size())).append('\n');
    for (ChiSweep.Result r : sweep) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %d | %,.0f | %.1f%% |",
              r.config().gridStep(),
              r.config().bins(),
              r.chiBytes() / (2.0 * images),
              100.0 * r.chiBytes() / r.maskBytes()));
      for (String n : names) {
        md.append(
            String.format(
                Locale.ROOT,
                " %.2f%% / %s ms |",
                100.0 * r.masksRead().get(n) / images,
                millis(r.millis().get(n), 0)));
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static String top(Map<String, Long> files) {
    return files.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(6)
        .map(e -> String.format(Locale.ROOT, "`.%s` %,d", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static boolean selective(String workload) {
    return workload.endsWith(", 1%") || workload.startsWith("top-25");
  }
}
