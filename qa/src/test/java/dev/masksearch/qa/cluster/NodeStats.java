package dev.masksearch.qa.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One reading of a node's memory and segments from {@code _nodes/stats}: heap, old generation (and
 * what the last collection left of it, where the JVM reports it), collections so far, circuit
 * breakers, segments. Sizes are bytes; {@code oldAfterGc} is -1 when the node does not report it.
 */
public record NodeStats(
    String node,
    long heapUsed,
    long heapMax,
    long oldUsed,
    long oldAfterGc,
    long youngGcs,
    long oldGcs,
    long gcMillis,
    long parentBreaker,
    long requestBreaker,
    long inFlightBreaker,
    long tripped,
    long segments) {

  private static final String PATH = "/_nodes/stats/jvm,breaker,indices/segments";

  /** Every node's reading, ordered by node name. */
  public static List<NodeStats> read(Rest rest) {
    List<NodeStats> all = new ArrayList<>();
    for (JsonNode node : rest.ok("GET", PATH, null).path("nodes")) {
      JsonNode mem = node.path("jvm").path("mem");
      JsonNode old = mem.path("pools").path("old");
      JsonNode gc = node.path("jvm").path("gc").path("collectors");
      JsonNode breakers = node.path("breakers");
      long tripped = 0;
      for (JsonNode breaker : breakers) {
        tripped += breaker.path("tripped").asLong();
      }
      all.add(
          new NodeStats(
              node.path("name").asText(),
              mem.path("heap_used_in_bytes").asLong(),
              mem.path("heap_max_in_bytes").asLong(),
              old.path("used_in_bytes").asLong(),
              old.path("last_gc_stats").path("used_in_bytes").asLong(-1),
              gc.path("young").path("collection_count").asLong(),
              gc.path("old").path("collection_count").asLong(),
              gc.path("young").path("collection_time_in_millis").asLong()
                  + gc.path("old").path("collection_time_in_millis").asLong(),
              breakers.path("parent").path("estimated_size_in_bytes").asLong(),
              breakers.path("request").path("estimated_size_in_bytes").asLong(),
              breakers.path("in_flight_requests").path("estimated_size_in_bytes").asLong(),
              tripped,
              node.path("indices").path("segments").path("count").asLong()));
    }
    all.sort(Comparator.comparing(NodeStats::node));
    return all;
  }
}
