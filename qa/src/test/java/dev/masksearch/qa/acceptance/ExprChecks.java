package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a mask expression's forms against an index and asserts each answer equals the brute force
 * over the documents the index should hold ({@link ExprCase#expected}): the {@code mask_expr}
 * filter, the {@code mask_expr} sort paged with {@code search_after}, the {@code masksearch} script
 * in {@code script_fields}, and SUM/AVG/MIN/MAX per label through a {@code terms} aggregation
 * ordered by the average.
 */
final class ExprChecks {
  private final Rest rest;
  private final String index;
  private final Collection<QaDoc> docs;
  private final Random random;

  ExprChecks(Rest rest, String index, Collection<QaDoc> docs, Random random) {
    this.rest = rest;
    this.index = index;
    this.docs = docs;
    this.random = random;
  }

  /** {@code rounds} random expressions, each checked in every form {@code runs} times. */
  void randomized(int rounds, int runs) {
    for (int round = 0; round < rounds; round++) {
      ExprCase expr = ExprCase.random(random);
      Map<String, Double> values = values(expr);
      for (int run = 0; run < runs; run++) {
        filter(expr, values);
        sort(expr, values, random.nextBoolean());
        scriptFields(expr, values);
        aggregations(expr, values);
      }
    }
  }

  /** The brute-force value of each document that has one, by id. */
  Map<String, Double> values(ExprCase expr) {
    Map<String, Double> values = new HashMap<>();
    for (QaDoc doc : docs) {
      Double value = expr.expected(doc);
      if (value != null) {
        values.put(doc.id(), value);
      }
    }
    return values;
  }

  private void filter(ExprCase expr, Map<String, Double> values) {
    String op = CpChecks.randomOp(random);
    List<Double> sorted = new ArrayList<>(new TreeSet<>(values.values()));
    double threshold = sorted.isEmpty() ? 0 : sorted.get(random.nextInt(sorted.size()));
    Set<String> expected = new TreeSet<>();
    values.forEach(
        (id, v) -> {
          if (CpChecks.compare(v, op, threshold)) {
            expected.add(id);
          }
        });
    JsonNode response =
        rest.ok(
            "POST",
            "/" + index + "/_search",
            Map.of(
                "size",
                10_000,
                "_source",
                false,
                "query",
                Map.of(
                    "bool",
                    Map.of(
                        "filter",
                        List.of(
                            Map.of("mask_expr", Map.of("expr", expr.text(), op, threshold)))))));
    Set<String> actual = new TreeSet<>();
    response.path("hits").path("hits").forEach(hit -> actual.add(hit.path("_id").asText()));
    assertEquals(expr.text() + " " + op + " " + threshold, expected, actual);
  }

  private void sort(ExprCase expr, Map<String, Double> values, boolean ascending) {
    // Only the documents with a value: the filter form with a comparison every value passes.
    Map<String, Object> withValue =
        Map.of("mask_expr", Map.of("expr", expr.text(), "gte", -Double.MAX_VALUE));
    CpChecks.assertSortOrder(
        rest,
        index,
        withValue,
        Map.of("mask_expr", Map.of("expr", expr.text(), "order", ascending ? "asc" : "desc")),
        "doc_id",
        values,
        ascending,
        17,
        expr.text());
  }

  private void scriptFields(ExprCase expr, Map<String, Double> values) {
    JsonNode hits =
        rest.ok(
                "POST",
                "/" + index + "/_search",
                Map.of(
                    "size",
                    docs.size(),
                    "_source",
                    false,
                    "script_fields",
                    Map.of(
                        "v",
                        Map.of("script", Map.of("lang", "masksearch", "source", expr.text())))))
            .path("hits")
            .path("hits");
    assertEquals(docs.size(), hits.size());
    for (JsonNode hit : hits) {
      Double expected = values.get(hit.path("_id").asText());
      JsonNode field = hit.path("fields").path("v");
      if (expected == null) {
        assertTrue(
            expr.text() + " " + hit,
            field.isMissingNode() || field.get(0) == null || field.get(0).isNull());
      } else {
        assertEquals(
            expr.text() + " " + hit.path("_id").asText(), expected, field.get(0).asDouble(), 0);
      }
    }
  }

  /** SUM, AVG, MIN, MAX per label, and the labels ordered by their average (top groups). */
  private void aggregations(ExprCase expr, Map<String, Double> values) {
    Map<String, Object> script =
        Map.of("script", Map.of("lang", "masksearch", "source", expr.text()));
    Map<String, Object> aggs =
        Map.of(
            "by_label",
            Map.of(
                "terms",
                    Map.of(
                        "field",
                        "label",
                        "size",
                        Corpus.LABELS.size(),
                        "order",
                        Map.of("avg_v", "desc")),
                "aggs",
                    Map.of(
                        "sum_v",
                        Map.of("sum", script),
                        "avg_v",
                        Map.of("avg", script),
                        "min_v",
                        Map.of("min", script),
                        "max_v",
                        Map.of("max", script))));
    JsonNode buckets =
        rest.ok("POST", "/" + index + "/_search", Map.of("size", 0, "aggs", aggs))
            .path("aggregations")
            .path("by_label")
            .path("buckets");
    Map<String, List<Double>> byLabel = new HashMap<>();
    for (QaDoc doc : docs) {
      Double value = values.get(doc.id());
      if (value != null) {
        byLabel.computeIfAbsent(doc.label(), l -> new ArrayList<>()).add(value);
      }
    }
    double previousAverage = Double.POSITIVE_INFINITY;
    for (JsonNode bucket : buckets) {
      String label = bucket.path("key").asText();
      List<Double> group = byLabel.getOrDefault(label, List.of());
      String where = expr.text() + " label " + label;
      if (group.isEmpty()) {
        continue; // a label whose documents all lack a value: sum 0, avg/min/max null
      }
      double sum = group.stream().mapToDouble(Double::doubleValue).sum();
      assertEquals(
          where + " sum",
          sum,
          bucket.path("sum_v").path("value").asDouble(),
          1e-9 * Math.max(1, Math.abs(sum)));
      double average = sum / group.size();
      double actualAverage = bucket.path("avg_v").path("value").asDouble();
      assertEquals(where + " avg", average, actualAverage, 1e-9 * Math.max(1, Math.abs(average)));
      assertEquals(
          where + " min",
          group.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
          bucket.path("min_v").path("value").asDouble(),
          0);
      assertEquals(
          where + " max",
          group.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
          bucket.path("max_v").path("value").asDouble(),
          0);
      assertTrue(where + ": groups ordered by average", actualAverage <= previousAverage + 1e-9);
      previousAverage = actualAverage;
    }
  }
}
