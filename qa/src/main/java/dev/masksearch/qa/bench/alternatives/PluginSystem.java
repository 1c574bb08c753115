package dev.masksearch.qa.bench.alternatives;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.bench.alternatives.Query.Kind;
import dev.masksearch.qa.cluster.Rest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plugin as a system: each query as the {@code cp} query (filter form, {@code k} form), the
 * {@code cp} sort or the {@code mask_expr} sort on an index of {@code mask} fields; with profiling,
 * the masks it read (the profile's {@code cp_masks_read} counters, which sorts do not have).
 */
final class PluginSystem {
  private final Rest rest;
  private final int count;

  PluginSystem(Rest rest, int count) {
    this.rest = rest;
    this.count = count;
  }

  Answer answer(String index, Query q, boolean profile) {
    Map<String, Object> body = body(index, q, profile);
    JsonNode response = NodeSearch.search(rest, index, body);
    long read = profile ? sum(response.path("profile"), "cp_masks_read") : -1;
    if (profile
        && q.kind() != Kind.FILTER_GT
        && q.kind() != Kind.FILTER_LT
        && q.kind() != Kind.TOP_DESC
        && q.kind() != Kind.LIKE_TOP) {
      read = -1; // sorts are not profiled as queries: no counters
    }
    return NodeSearch.answer(q, response, read);
  }

  /** The search request of {@code q}, with {@code "profile": true} when asked. */
  Map<String, Object> body(String index, Query q, boolean profile) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("_source", false);
    body.put("track_total_hits", false);
    if (profile) {
      body.put("profile", true);
    }
    switch (q.kind()) {
      case FILTER_GT, FILTER_LT -> {
        Map<String, Object> cp = cp(q);
        cp.put(q.kind() == Kind.FILTER_GT ? "gt" : "lt", q.threshold());
        body.put("size", count);
        body.put("query", Map.of("bool", Map.of("filter", List.of(Map.of("cp", cp)))));
      }
      case TOP_DESC -> {
        Map<String, Object> cp = cp(q);
        cp.put("k", Query.K);
        body.put("size", Query.K);
        body.put("query", Map.of("cp", cp));
      }
      case TOP_ASC -> {
        Map<String, Object> cp = cp(q);
        cp.put("order", "asc");
        body.put("size", Query.K);
        body.put("sort", List.of(Map.of("cp", cp)));
      }
      case LIKE_TOP -> {
        Map<String, Object> like = new LinkedHashMap<>();
        like.put("field", "saliency");
        like.put("like", Map.of("index", index, "id", Integer.toString(q.example())));
        like.put("similarity", "iou");
        like.put("threshold", Query.LIKE_THRESHOLD);
        like.put("k", q.k());
        body.put("size", q.k());
        body.put("query", Map.of("mask_like", like));
      }
      case AVG_BY_CLASS -> // the share of the box: a mask expression, as a masksearch script
          NodeSearch.aggregateByClass(
              body,
              Map.of(
                  "lang",
                  "masksearch",
                  "source",
                  "cp(saliency, bbox, " + q.lv() + ", " + q.uv() + ") / area(bbox)"));
      case IOU_ASC -> {
        body.put("size", Query.K);
        body.put(
            "sort",
            List.of(
                Map.of(
                    "mask_expr",
                    Map.of(
                        "expr",
                        "iou(saliency > "
                            + Query.IOU_THRESHOLD
                            + ", human > "
                            + Query.IOU_THRESHOLD
                            + ")",
                        "order",
                        "asc"))));
      }
    }
    return body;
  }

  private static Map<String, Object> cp(Query q) {
    Map<String, Object> cp = new LinkedHashMap<>();
    cp.put("field", "saliency");
    cp.put(
        "roi",
        q.perDocument()
            ? Map.of("field", "bbox")
            : List.of(q.roi().x1(), q.roi().y1(), q.roi().x2(), q.roi().y2()));
    cp.put("range", List.of(q.lv(), q.uv()));
    cp.put("normalize", q.normalize());
    return cp;
  }

  private static long sum(JsonNode node, String key) {
    long total = 0;
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var field = fields.next();
        total +=
            field.getKey().equals(key) ? field.getValue().asLong() : sum(field.getValue(), key);
      }
    } else if (node.isArray()) {
      for (JsonNode child : node) {
        total += sum(child, key);
      }
    }
    return total;
  }
}
