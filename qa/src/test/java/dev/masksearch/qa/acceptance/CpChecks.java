package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs the {@code cp} query's forms against an index and asserts each answer equals the brute force
 * over the documents the index should hold: the filter form (every comparison), top-k by score, and
 * the sort in both directions, paged with {@code search_after}.
 */
final class CpChecks {
  private final Rest rest;
  private final String index;
  private final Collection<QaDoc> docs;
  private final List<String> fields;
  private final String idField;

  /** Each term's brute-force values by id: over {@link #docs} unless given. */
  private final java.util.function.Function<CpCase, Map<String, Double>> reference;

  /** Checks over {@link Corpus} documents (mask fields saliency and human, ids in doc_id). */
  CpChecks(Rest rest, String index, Collection<QaDoc> docs) {
    this(rest, index, docs, Corpus.MASK_FIELDS, "doc_id");
  }

  /**
   * @param fields the mask fields terms draw from
   * @param idField a keyword field holding the document's id, the sort's tiebreaker
   */
  CpChecks(Rest rest, String index, Collection<QaDoc> docs, List<String> fields, String idField) {
    this.rest = rest;
    this.index = index;
    this.docs = docs;
    this.fields = fields;
    this.idField = idField;
    this.reference = this::bruteForce;
  }

  /**
   * Checks of given terms whose brute-force values the caller computed (for masks too large to keep
   * in memory): {@code reference} gives each term's value per document id. Random terms ({@link
   * #randomized}) need documents.
   */
  CpChecks(
      Rest rest,
      String index,
      java.util.function.Function<CpCase, Map<String, Double>> reference,
      String idField) {
    this.rest = rest;
    this.index = index;
    this.docs = List.of();
    this.fields = List.of();
    this.idField = idField;
    this.reference = reference;
  }

  CpCase randomTerm(Random random, int maxSide) {
    return CpCase.random(random, maxSide, fields);
  }

  /**
   * {@code rounds} random terms, each checked as a filter, a top-k, the scoring form and a sort.
   */
  void randomized(Random random, int rounds, int maxSide) {
    for (int round = 0; round < rounds; round++) {
      CpCase term = telling(random, maxSide);
      filter(term, randomOp(random), threshold(random, term));
      topK(term, 1 + random.nextInt(30));
      scoring(term, 1 + random.nextInt(30));
      sort(term, random.nextBoolean(), 5 + random.nextInt(40));
    }
  }

  /**
   * A random term whose values differ between documents (at least three distinct values when the
   * documents allow it), so that filters select proper subsets and orders say something; up to 20
   * draws.
   */
  CpCase telling(Random random, int maxSide) {
    CpCase term = randomTerm(random, maxSide);
    for (int draw = 0;
        draw < 20 && new java.util.HashSet<>(values(term).values()).size() < 3;
        draw++) {
      term = randomTerm(random, maxSide);
    }
    return term;
  }

  static String randomOp(Random random) {
    return List.of("gt", "gte", "lt", "lte").get(random.nextInt(4));
  }

  /** The brute-force value of each document the term applies to, by id (computed once per term). */
  Map<String, Double> values(CpCase term) {
    return reference.apply(term);
  }

  private Map<String, Double> bruteForce(CpCase term) {
    Map<String, Double> values = new java.util.HashMap<>();
    for (QaDoc doc : docs) {
      Double value = term.expected(doc);
      if (value != null) {
        values.put(doc.id(), value);
      }
    }
    return values;
  }

  /** Often a value some document has (the comparison's boundary), sometimes any number in range. */
  double threshold(Random random, CpCase term) {
    List<Double> values = new ArrayList<>(values(term).values());
    values.sort(null); // a deterministic order for the seed
    if (values.isEmpty() || random.nextInt(4) == 0) {
      return term.normalize() ? random.nextDouble() : random.nextInt(2000);
    }
    return values.get(random.nextInt(values.size()));
  }

  /** The filter form: exactly the documents whose value compares true; {@code _count} agrees. */
  void filter(CpCase term, String op, double threshold) {
    Set<String> expected = new TreeSet<>();
    values(term)
        .forEach(
            (id, value) -> {
              if (compare(value, op, threshold)) {
                expected.add(id);
              }
            });
    Map<String, Object> query =
        Map.of("bool", Map.of("filter", List.of(Map.of("cp", term.with(op, threshold)))));
    JsonNode response =
        rest.ok(
            "POST",
            "/" + index + "/_search",
            Map.of("size", 10_000, "_source", false, "track_total_hits", true, "query", query));
    Set<String> actual = new TreeSet<>();
    response.path("hits").path("hits").forEach(hit -> actual.add(hit.path("_id").asText()));
    assertEquals("filter " + term + " " + op + " " + threshold, expected, actual);
    assertEquals(expected.size(), response.path("hits").path("total").path("value").asInt());
    JsonNode count = rest.ok("POST", "/" + index + "/_count", Map.of("query", query));
    assertEquals("_count of " + term, expected.size(), count.path("count").asInt());
  }

  /**
   * Top-k: the hits' scores are the k largest values, and each hit's score is its own exact value.
   */
  void topK(CpCase term, int k) {
    Map<String, Double> values = values(term);
    List<Float> expectedTop =
        values.values().stream()
            .map(Double::floatValue)
            .sorted(Comparator.reverseOrder())
            .limit(k)
            .toList();
    JsonNode hits =
        rest.ok(
                "POST",
                "/" + index + "/_search",
                Map.of("size", k, "_source", false, "query", Map.of("cp", term.with("k", k))))
            .path("hits")
            .path("hits");
    List<Float> actualTop = new ArrayList<>();
    for (JsonNode hit : hits) {
      float score = (float) hit.path("_score").asDouble();
      actualTop.add(score);
      assertEquals(
          "score of " + hit.path("_id").asText() + " for " + term,
          valueOf(values, hit.path("_id").asText()).floatValue(),
          score,
          0f);
    }
    assertEquals("top " + k + " of " + term, expectedTop, actualTop);
  }

  /**
   * The scoring form: {@code _score} is the exact value; the top hits (no hit counting) are the n
   * largest.
   */
  void scoring(CpCase term, int n) {
    Map<String, Double> values = values(term);
    List<Float> expectedTop =
        values.values().stream()
            .map(Double::floatValue)
            .sorted(Comparator.reverseOrder())
            .limit(n)
            .toList();
    JsonNode hits =
        rest.ok(
                "POST",
                "/" + index + "/_search",
                Map.of(
                    "size",
                    n,
                    "_source",
                    false,
                    "track_total_hits",
                    false,
                    "query",
                    Map.of("cp", term.json())))
            .path("hits")
            .path("hits");
    List<Float> actualTop = new ArrayList<>();
    for (JsonNode hit : hits) {
      float score = (float) hit.path("_score").asDouble();
      actualTop.add(score);
      assertEquals(
          "score of " + hit.path("_id").asText() + " for " + term,
          valueOf(values, hit.path("_id").asText()).floatValue(),
          score,
          0f);
    }
    assertEquals("scoring top " + n + " of " + term, expectedTop, actualTop);
  }

  /**
   * The sort: every document with a value, in exact order (ties by doc_id), paged with
   * search_after.
   */
  void sort(CpCase term, boolean ascending, int pageSize) {
    // The query keeps the documents the term applies to, as the sort's missing values would go last
    // anyway.
    assertSortOrder(
        rest,
        index,
        Map.of("cp", term.with("gte", 0)),
        Map.of("cp", term.with("order", ascending ? "asc" : "desc")),
        idField,
        values(term),
        ascending,
        pageSize,
        term.toString());
  }

  /**
   * Pages through a sort by {@code sortKey} then {@code idField} with {@code search_after}: the ids
   * must come in the brute-force order (by value, ties by id) and each hit's sort value must be its
   * exact value.
   */
  static void assertSortOrder(
      Rest rest,
      String index,
      Map<String, Object> query,
      Map<String, Object> sortKey,
      String idField,
      Map<String, Double> values,
      boolean ascending,
      int pageSize,
      String what) {
    Comparator<String> byValue = Comparator.comparing(values::get);
    List<String> expected =
        values.keySet().stream()
            .sorted(
                (ascending ? byValue : byValue.reversed()).thenComparing(Comparator.naturalOrder()))
            .toList();
    List<String> actual = new ArrayList<>();
    List<Object> after = null;
    // each page's search_after and first and last hits, to tell a skipped run of ties if one is
    List<String> pages = new ArrayList<>();
    while (true) {
      Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("size", pageSize);
      body.put("_source", false);
      body.put("query", query);
      body.put("sort", List.of(sortKey, Map.of(idField, "asc")));
      if (after != null) {
        body.put("search_after", after);
      }
      JsonNode hits = rest.ok("POST", "/" + index + "/_search", body).path("hits").path("hits");
      if (hits.isEmpty()) {
        break;
      }
      for (JsonNode hit : hits) {
        String id = hit.path("_id").asText();
        actual.add(id);
        assertEquals(
            "sort value of " + id + " for " + what,
            valueOf(values, id),
            hit.path("sort").get(0).asDouble(),
            0);
      }
      JsonNode last = hits.get(hits.size() - 1).path("sort");
      pages.add(
          "after "
              + after
              + ": "
              + hits.get(0).path("_id").asText()
              + " .. "
              + hits.get(hits.size() - 1).path("_id").asText());
      after = List.of(last.get(0).asDouble(), last.get(1).asText());
    }
    if (!expected.equals(actual)) {
      List<String> missing = new ArrayList<>(expected);
      missing.removeAll(actual);
      assertEquals(
          "sort "
              + (ascending ? "asc " : "desc ")
              + what
              + "; missing "
              + missing
              + " (values "
              + missing.stream().map(values::get).toList()
              + "); pages of "
              + pageSize
              + ": "
              + pages,
          expected,
          actual);
    }
  }

  private static Double valueOf(Map<String, Double> values, String id) {
    Double value = values.get(id);
    if (value == null) {
      throw new AssertionError(
          "unexpected hit " + id + ": no such document, or the term does not apply to it");
    }
    return value;
  }

  static boolean compare(double value, String op, double threshold) {
    return switch (op) {
      case "gt" -> value > threshold;
      case "gte" -> value >= threshold;
      case "lt" -> value < threshold;
      case "lte" -> value <= threshold;
      default -> throw new IllegalArgumentException(op);
    };
  }
}
