package dev.masksearch.qa.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.acceptance.LoadLog.Op;
import dev.masksearch.qa.cluster.Rest;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Random queries of every form on an index that changes while they run: cp filters, top-k and
 * sorts, mask expression filters and sorts (IoU among them), {@code masksearch} scripts in {@code
 * script_fields} and in aggregations. Each hit names a document and the revision it matched ({@code
 * rev}, fetched as a doc value) and is checked against exactly that version from {@link
 * DocHistory}: a filter hit satisfies the filter, a score or sort value is the exact value, a page
 * of a sort is in order. Aggregations over a changing set cannot be recomputed, so only their
 * consistency is checked here (their exact values are checked on the index that does not change).
 * Now and then a bad query is sent on purpose and must be refused with a 400.
 */
final class LiveQueries {
  private static final Op[] FORMS = {
    Op.CP_FILTER,
    Op.CP_TOPK,
    Op.CP_SORT,
    Op.EXPR_FILTER,
    Op.EXPR_SORT,
    Op.IOU_SORT,
    Op.SCRIPT_FIELDS,
    Op.SCRIPT_AGGS
  };

  private final Rest rest;
  private final String index;
  private final DocHistory history;
  private final LoadLog log;
  private final int maxSide;

  LiveQueries(Rest rest, String index, DocHistory history, LoadLog log, int maxSide) {
    this.rest = rest;
    this.index = index;
    this.history = history;
    this.log = log;
    this.maxSide = maxSide;
  }

  /** Sends one random query (one in a hundred a bad one) and checks its answer. */
  void one(Random random) {
    if (random.nextInt(100) == 0) {
      badQuery(random);
      return;
    }
    Op form = FORMS[random.nextInt(FORMS.length)];
    switch (form) {
      case CP_FILTER -> cpFilter(random);
      case CP_TOPK -> cpTopK(random);
      case CP_SORT -> cpSort(random);
      case EXPR_FILTER -> exprFilter(random);
      case EXPR_SORT -> exprSort(Op.EXPR_SORT, ExprCase.random(random), random.nextBoolean(), 20);
      case IOU_SORT -> {
        ExprCase any = ExprCase.random(random);
        exprSort(Op.IOU_SORT, new ExprCase(1, any.a(), any.b(), any.box()), false, 10);
      }
      case SCRIPT_FIELDS -> scriptFields(random);
      default -> aggregations(random);
    }
  }

  private void cpFilter(Random random) {
    CpCase term = CpCase.random(random, maxSide, Corpus.MASK_FIELDS);
    String op = CpChecks.randomOp(random);
    QaDoc some = history.anyLive(random);
    Double boundary = some == null ? null : term.expected(some);
    double threshold =
        boundary != null ? boundary : term.normalize() ? random.nextDouble() : random.nextInt(500);
    Map<String, Object> query = Map.of("cp", term.with(op, threshold));
    checkHits(
        Op.CP_FILTER,
        query,
        null,
        50,
        term::expected,
        (doc, value, hit) ->
            CpChecks.compare(value, op, threshold) ? null : "value " + value + " fails the filter");
  }

  private void cpTopK(Random random) {
    CpCase term = CpCase.random(random, maxSide, Corpus.MASK_FIELDS);
    checkHits(
        Op.CP_TOPK,
        Map.of("cp", term.with("k", 10)),
        null,
        10,
        term::expected,
        (doc, value, hit) ->
            (float) value == (float) hit.path("_score").asDouble()
                ? null
                : "score " + hit.path("_score") + ", exact value " + value);
  }

  private void cpSort(Random random) {
    CpCase term = CpCase.random(random, maxSide, Corpus.MASK_FIELDS);
    boolean ascending = random.nextBoolean();
    List<Object> sort =
        List.of(
            Map.of("cp", term.with("order", ascending ? "asc" : "desc")), Map.of("doc_id", "asc"));
    checkSorted(Op.CP_SORT, Map.of("cp", term.with("gte", 0)), sort, ascending, 20, term::expected);
  }

  private void exprFilter(Random random) {
    ExprCase expr = ExprCase.random(random);
    String op = CpChecks.randomOp(random);
    QaDoc some = history.anyLive(random);
    Double boundary = some == null ? null : expr.expected(some);
    double threshold = boundary != null ? boundary : random.nextDouble();
    Map<String, Object> query = Map.of("mask_expr", Map.of("expr", expr.text(), op, threshold));
    checkHits(
        Op.EXPR_FILTER,
        query,
        null,
        50,
        expr::expected,
        (doc, value, hit) ->
            CpChecks.compare(value, op, threshold) ? null : "value " + value + " fails the filter");
  }

  private void exprSort(Op op, ExprCase expr, boolean ascending, int size) {
    Map<String, Object> withValue =
        Map.of("mask_expr", Map.of("expr", expr.text(), "gte", -Double.MAX_VALUE));
    List<Object> sort =
        List.of(
            Map.of("mask_expr", Map.of("expr", expr.text(), "order", ascending ? "asc" : "desc")),
            Map.of("doc_id", "asc"));
    checkSorted(op, withValue, sort, ascending, size, expr::expected);
  }

  private void scriptFields(Random random) {
    ExprCase expr = ExprCase.random(random);
    Map<String, Object> body = body(Map.of("match_all", Map.of()), 30);
    body.put(
        "script_fields",
        Map.of("v", Map.of("script", Map.of("lang", "masksearch", "source", expr.text()))));
    JsonNode hits = search(Op.SCRIPT_FIELDS, body);
    if (hits == null) {
      return;
    }
    for (JsonNode hit : hits) {
      QaDoc doc = versionOf(hit, expr.text());
      if (doc == null) {
        continue;
      }
      Double expected = expr.expected(doc);
      JsonNode field = hit.path("fields").path("v").path(0);
      boolean none = field.isMissingNode() || field.isNull();
      if (expected == null ? !none : none || expected != field.asDouble()) {
        log.error(
            "script_fields "
                + expr.text()
                + " on "
                + doc.id()
                + ": "
                + field
                + ", exact value "
                + expected);
      }
    }
  }

  /** SUM, AVG, MIN, MAX per label: each bucket's minimum, average and maximum must be in order. */
  private void aggregations(Random random) {
    ExprCase expr = ExprCase.random(random);
    Map<String, Object> script =
        Map.of("script", Map.of("lang", "masksearch", "source", expr.text()));
    Map<String, Object> body = new HashMap<>();
    body.put("size", 0);
    body.put(
        "aggs",
        Map.of(
            "by_label",
            Map.of(
                "terms",
                Map.of("field", "label", "size", Corpus.LABELS.size()),
                "aggs",
                Map.of(
                    "sum_v",
                    Map.of("sum", script),
                    "avg_v",
                    Map.of("avg", script),
                    "min_v",
                    Map.of("min", script),
                    "max_v",
                    Map.of("max", script)))));
    long start = System.nanoTime();
    Rest.Reply reply = rest.call("POST", "/" + index + "/_search", body);
    log.record(Op.SCRIPT_AGGS, start);
    if (failed(reply, body)) {
      return;
    }
    for (JsonNode bucket : reply.body().path("aggregations").path("by_label").path("buckets")) {
      JsonNode min = bucket.path("min_v").path("value");
      if (min.isNull() || min.isMissingNode()) {
        continue; // no document of the label has a value
      }
      double avg = bucket.path("avg_v").path("value").asDouble();
      double slack = 1e-9 * Math.max(1, Math.abs(avg));
      if (!(min.asDouble() <= avg + slack
          && avg <= bucket.path("max_v").path("value").asDouble() + slack)) {
        log.error("aggregation " + expr.text() + ": min, avg, max out of order in " + bucket);
      }
    }
  }

  /** A query the node must refuse with a 400 that names the problem. */
  private void badQuery(Random random) {
    boolean unknownField = random.nextBoolean();
    String expr = unknownField ? "cp(nope, full, 0.5, 1.01)" : "cp(saliency, full, 0.5, 1.01) / 0";
    String problem = unknownField ? "nope" : "division by zero";
    long start = System.nanoTime();
    Rest.Reply reply =
        rest.call(
            "POST",
            "/" + index + "/_search",
            Map.of("query", Map.of("mask_expr", Map.of("expr", expr, "gt", 1))));
    log.record(Op.BAD_REQUEST, start);
    if (reply.status() == 400 && reply.body().toString().contains(problem)) {
      log.refusedAsExpected();
    } else {
      log.error(
          "bad query "
              + expr
              + " -> "
              + reply.status()
              + " (a 400 naming "
              + problem
              + " expected): "
              + reply.body());
    }
  }

  /** Checks one hit's value for the version it names: null when it is right, else what is wrong. */
  private interface HitCheck {
    String problem(QaDoc doc, double value, JsonNode hit);
  }

  private void checkHits(
      Op op,
      Map<String, Object> query,
      List<Object> sort,
      int size,
      Function<QaDoc, Double> expected,
      HitCheck check) {
    Map<String, Object> body = body(query, size);
    if (sort != null) {
      body.put("sort", sort);
    }
    JsonNode hits = search(op, body);
    if (hits == null) {
      return;
    }
    for (JsonNode hit : hits) {
      QaDoc doc = versionOf(hit, Rest.toJson(query));
      Double value = doc == null ? null : expected.apply(doc);
      if (doc != null && value == null) {
        log.error(
            op
                + " "
                + Rest.toJson(query)
                + " returned "
                + doc.id()
                + ", which has no value for it");
      } else if (doc != null) {
        String problem = check.problem(doc, value, hit);
        if (problem != null) {
          log.error(op + " " + Rest.toJson(body) + " returned " + doc.id() + ": " + problem);
        }
      }
    }
  }

  /** One page of a sort: every sort value exact, and the page in order. */
  private void checkSorted(
      Op op,
      Map<String, Object> query,
      List<Object> sort,
      boolean ascending,
      int size,
      Function<QaDoc, Double> expected) {
    double[] previous = {ascending ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY};
    checkHits(
        op,
        query,
        sort,
        size,
        expected,
        (doc, value, hit) -> {
          double actual = hit.path("sort").path(0).asDouble();
          boolean inOrder = ascending ? actual >= previous[0] : actual <= previous[0];
          previous[0] = actual;
          return actual != value
              ? "sort value " + actual + ", exact value " + value
              : inOrder ? null : "sort value " + actual + " out of order";
        });
  }

  private static Map<String, Object> body(Map<String, Object> query, int size) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("size", size);
    body.put("_source", false);
    body.put("docvalue_fields", List.of("rev"));
    body.put("query", query);
    return body;
  }

  /** The hits, or null (and an error logged) when the request or a shard failed. */
  private JsonNode search(Op op, Map<String, Object> body) {
    long start = System.nanoTime();
    Rest.Reply reply = rest.call("POST", "/" + index + "/_search", body);
    log.record(op, start);
    return failed(reply, body) ? null : reply.body().path("hits").path("hits");
  }

  private boolean failed(Rest.Reply reply, Object body) {
    if (!reply.ok()
        || reply.body().path("_shards").path("failed").asInt() > 0
        || reply.body().path("timed_out").asBoolean()) {
      log.error(Rest.toJson(body) + " -> " + reply.status() + ": " + reply.body());
      return true;
    }
    return false;
  }

  /**
   * The version of the document a hit names, by its id and {@code rev}; null (and an error logged)
   * if unknown.
   */
  private QaDoc versionOf(JsonNode hit, String what) {
    String id = hit.path("_id").asText();
    int rev = hit.path("fields").path("rev").path(0).asInt(-1);
    QaDoc doc = history.version(id, rev);
    if (doc == null) {
      log.error(
          what
              + " returned "
              + id
              + " at rev "
              + rev
              + ", a version never written or retired long ago");
    }
    return doc;
  }
}
