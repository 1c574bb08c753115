package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.cluster.Rest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CHI parameter sweep on the node (issue 6): for each {@code grid_step} and {@code bins}, an
 * index of the first {@code images} images of the benchmark (same masks, force-merged to one
 * segment), its CHI bytes against its compressed mask bytes, and per query the masks the plugin
 * read (profile counters) and its median latency; every answer is checked against the brute force
 * over those images.
 */
final class ChiSweep {
  static final String INDEX = "alt-sweep";

  /** One setting of the CHI's mapping parameters. */
  record Config(int gridStep, int bins) {
    /** The plugin index's mapping with these parameters on both mask fields. */
    String mapping() {
      String type = "\"type\": \"mask\", ";
      if (Loader.PLUGIN_MAPPING.split(type, -1).length != 3) {
        throw new IllegalStateException("the plugin mapping has not two mask fields: " + type);
      }
      return Loader.PLUGIN_MAPPING.replace(
          type,
          String.format(Locale.ROOT, "%s\"grid_step\": %d, \"bins\": %d, ", type, gridStep, bins));
    }
  }

  /**
   * What one setting measured: sizes, and per query name the masks read and the median
   * milliseconds.
   */
  record Result(
      Config config,
      long chiBytes,
      long maskBytes,
      Map<String, Long> masksRead,
      Map<String, Double> millis) {}

  private ChiSweep() {}

  static List<Result> run(
      Rest rest,
      Alternatives bench,
      int images,
      List<Config> configs,
      List<Query> queries,
      int runs,
      java.util.function.Consumer<String> progress)
      throws IOException {
    Map<Query, double[]> reference = new LinkedHashMap<>();
    for (Query q : queries) {
      reference.put(q, bench.reference().values(q, images));
    }
    List<Result> results = new ArrayList<>();
    for (Config config : configs) {
      Map<String, Long> files =
          bench.loader().indexPluginCopy(INDEX, config.mapping(), images, 100);
      Map<String, Long> read = new LinkedHashMap<>();
      Map<String, Double> millis = new LinkedHashMap<>();
      for (Query q : queries) {
        String who = "plugin, grid " + config.gridStep() + ", " + config.bins() + " bins";
        AnswerCheck.check(who, q, bench.plugin().answer(INDEX, q, false), reference.get(q));
        Answer profiled = bench.plugin().answer(INDEX, q, true);
        AnswerCheck.check(who, q, profiled, reference.get(q));
        read.put(q.name(), profiled.masksRead());
        double[] times = new double[runs];
        for (int r = 0; r < runs; r++) {
          long t0 = System.nanoTime();
          bench.plugin().answer(INDEX, q, false);
          times[r] = (System.nanoTime() - t0) / 1e6;
        }
        millis.put(q.name(), Alternatives.median(times));
      }
      Result result =
          new Result(
              config,
              files.getOrDefault("mskc", 0L) + files.getOrDefault("mskm", 0L),
              files.getOrDefault("mskr", 0L),
              read,
              millis);
      progress.accept(
          "sweep "
              + config
              + ": CHI "
              + result.chiBytes()
              + " B, masks "
              + result.maskBytes()
              + " B, read "
              + read
              + ", ms "
              + millis);
      results.add(result);
    }
    rest.call("DELETE", "/" + INDEX, null);
    return results;
  }
}
