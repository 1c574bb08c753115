package dev.masksearch.qa.bench.alternatives;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Where the milliseconds of a request that reads no mask go (issue 15, item 5): the {@code
 * match_all} floor and the plugin's top 25 over the whole mask on the same index, each warmed
 * {@value #WARMUPS} times (so that the JIT has compiled the bound pass) and timed {@value #RUNS}
 * times, alternating; then as many runs with {@code "profile": true} split the server's share into
 * the query phase (for the top 25: the bound pass over every document and the k hits' scoring) and
 * the fetch phase. What is left of the client's time is HTTP, request parsing, the shard request
 * and the reply, about the same for both. A third row is the 1% per-image-box filter as the main
 * table asks it (every match, {@code size} the index's count), which reads no mask either: its
 * query phase against the fetch of its hits, whose reply is the larger part of what is left.
 */
final class FixedCost {
  static final int WARMUPS = 20;
  static final int RUNS = 30;

  /** Medians of one request: client latency and the profiled phases, in milliseconds. */
  record Result(String name, double clientMs, double queryMs, double fetchMs) {}

  private FixedCost() {}

  /**
   * The floor, the top 25 over the whole mask and the 1% per-image-box filter (queries reading no
   * mask) on the plugin's index.
   */
  static List<Result> measure(Rest rest, Alternatives bench) {
    Query topK = bench.topWholeMask();
    String index = Alternatives.PLUGIN_INDEX;
    Map<String, Map<String, Object>> bodies = new LinkedHashMap<>();
    Map<String, Object> matchAll = new LinkedHashMap<>();
    matchAll.put("size", Query.K);
    matchAll.put("_source", false);
    matchAll.put("track_total_hits", false);
    matchAll.put("query", Map.of("match_all", Map.of()));
    bodies.put("match_all, " + Query.K + " hits (the floor)", matchAll);
    bodies.put(topK.name(), bench.plugin().body(index, topK, false));
    Query boxFilter = bench.boxFilterOnePercent();
    bodies.put(boxFilter.name() + " (every match)", bench.plugin().body(index, boxFilter, false));
    Map<String, double[]> client = new LinkedHashMap<>();
    bodies.keySet().forEach(name -> client.put(name, new double[RUNS]));
    for (int r = -WARMUPS; r < RUNS; r++) {
      for (Map.Entry<String, Map<String, Object>> body : bodies.entrySet()) {
        long t0 = System.nanoTime();
        NodeSearch.search(rest, index, body.getValue());
        if (r >= 0) {
          client.get(body.getKey())[r] = (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    List<Result> results = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> body : bodies.entrySet()) {
      Map<String, Object> profiled = new LinkedHashMap<>(body.getValue());
      profiled.put("profile", true);
      double[] query = new double[RUNS];
      double[] fetch = new double[RUNS];
      for (int r = 0; r < RUNS; r++) {
        JsonNode shard = NodeSearch.search(rest, index, profiled).path("profile").path("shards");
        query[r] = sum(shard, s -> nanos(s.path("searches"), "query")) / 1e6;
        fetch[r] =
            sum(shard, s -> sum(s.path("fetch"), f -> f.path("time_in_nanos").asLong())) / 1e6;
      }
      results.add(
          new Result(
              body.getKey(),
              Alternatives.median(client.get(body.getKey())),
              Alternatives.median(query),
              Alternatives.median(fetch)));
    }
    return results;
  }

  /** The nanoseconds of every search's {@code part} (its query tree or collectors). */
  private static double nanos(JsonNode searches, String part) {
    return sum(searches, s -> sum(s.path(part), q -> q.path("time_in_nanos").asLong()));
  }

  /** The sum over an array (or a single object) of a value of each element. */
  private static double sum(JsonNode node, ToDoubleFunction<JsonNode> value) {
    if (node.isMissingNode() || node.isNull()) {
      return 0;
    }
    if (!node.isArray()) {
      return value.applyAsDouble(node);
    }
    double total = 0;
    for (JsonNode element : node) {
      total += value.applyAsDouble(element);
    }
    return total;
  }

  /** The markdown table of {@link #measure}'s results. */
  static String report(List<Result> results, int count) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%nFixed cost (plugin index, %,d images; %d warm-ups, medians of %d runs, alternating;"
                + " phases from as many runs with `\"profile\": true`):%n%n",
            count,
            WARMUPS,
            RUNS));
    out.append("| request | client ms | query phase ms | fetch phase ms | rest ms | vs floor |\n");
    out.append("|---|---:|---:|---:|---:|---:|\n");
    double floor = results.get(0).clientMs();
    for (Result r : results) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %.2f | %.2f | %.2f | %.2f | %.2fx |%n",
              r.name(),
              r.clientMs(),
              r.queryMs(),
              r.fetchMs(),
              Math.max(0, r.clientMs() - r.queryMs() - r.fetchMs()),
              r.clientMs() / floor));
    }
    return out.toString();
  }
}
