package dev.masksearch.qa.bench.alternatives;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.bench.alternatives.Answer.Hit;
import dev.masksearch.qa.bench.alternatives.Query.Kind;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the plugin and painless systems share: a search on the OpenSearch node with the request
 * cache off, and its hits read as an {@link Answer} (a shard failure is an {@link AssertionError}).
 */
final class NodeSearch {
  private NodeSearch() {}

  static JsonNode search(Rest rest, String index, Map<String, Object> body) {
    return rest.ok("POST", "/" + index + "/_search?request_cache=false", body);
  }

  /**
   * The answer in {@code response}: a filter's ids (sorted), a top k's ids and scores, or a sort's
   * ids and keys.
   */
  static Answer answer(Query q, JsonNode response, long read) {
    if (response.path("_shards").path("failed").asInt() > 0) {
      throw new AssertionError(q.name() + ": shard failures: " + response.path("_shards"));
    }
    if (q.kind() == Kind.AVG_BY_CLASS) {
      return new Answer(null, averages(response), read);
    }
    JsonNode hits = response.path("hits").path("hits");
    if (q.filter()) {
      List<Integer> ids = new ArrayList<>();
      for (JsonNode hit : hits) {
        ids.add(hit.path("_id").asInt());
      }
      ids.sort(null);
      return new Answer(ids, null, read);
    }
    boolean sorted = q.kind() == Kind.TOP_ASC || q.kind() == Kind.IOU_ASC;
    List<Hit> list = new ArrayList<>();
    for (JsonNode hit : hits) {
      list.add(
          new Hit(
              hit.path("_id").asInt(),
              sorted ? hit.path("sort").path(0).asDouble() : hit.path("_score").asDouble()));
    }
    return new Answer(null, list, read);
  }

  /**
   * The request body's aggregation for {@code q}: its documents' values averaged under a {@code
   * terms} of their class, {@code value} the values' script.
   */
  static void aggregateByClass(Map<String, Object> body, Map<String, Object> value) {
    body.put("size", 0);
    body.put(
        "aggs",
        Map.of(
            "by_class",
            Map.of(
                "terms",
                Map.of("field", "cls", "size", Query.CLASSES),
                "aggs",
                Map.of("avg", Map.of("avg", Map.of("script", value))))));
  }

  /** The averages of {@link #aggregateByClass}'s buckets, in class order. */
  private static List<Hit> averages(JsonNode response) {
    List<Hit> list = new ArrayList<>();
    for (JsonNode bucket : response.path("aggregations").path("by_class").path("buckets")) {
      list.add(new Hit(bucket.path("key").asInt(), bucket.path("avg").path("value").asDouble()));
    }
    list.sort(java.util.Comparator.comparingInt(Hit::id));
    return list;
  }
}
