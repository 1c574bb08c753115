package dev.masksearch.opensearch;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Roi;
import dev.masksearch.opensearch.BruteForceExpr.Doc;
import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.index.query.MaskExprQueryBuilder;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.opensearch.OpenSearchException;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.document.DocumentField;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginsService;
import org.opensearch.script.ScriptService;
import org.opensearch.search.SearchHit;
import org.opensearch.search.aggregations.bucket.histogram.Histogram;
import org.opensearch.search.aggregations.bucket.terms.Terms;
import org.opensearch.search.aggregations.metrics.Avg;
import org.opensearch.search.aggregations.metrics.Max;
import org.opensearch.search.aggregations.metrics.Min;
import org.opensearch.search.aggregations.metrics.Stats;
import org.opensearch.search.aggregations.metrics.Sum;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * Mask expressions on a real node, every form against a brute-force evaluation of the same
 * expression ({@link BruteForceExpr}, plain loops over the raw masks): the {@code mask_expr} filter
 * with each comparison, the {@code mask_expr} sort in both directions paged with {@code
 * search_after}, and the {@code masksearch} script engine in {@code script_fields}, {@code _script}
 * sorts, metric aggregations per {@code terms} bucket and top groups, a {@code histogram}, {@code
 * script_score} and the {@code script} query; errors are clear 400s. Documents have two mask fields
 * of one shape, a box, and a model; some lack the human mask or the box, some have no salient
 * pixel.
 */
public class MaskExpressionSingleNodeTests extends OpenSearchSingleNodeTestCase {
  private static final String MAPPING =
      """
      {"properties": {
        "saliency": {"type": "mask", "grid_step": 8, "bins": 10},
        "human": {"type": "mask", "grid_step": 8, "bins": 10},
        "box": {"type": "mask_roi"},
        "model": {"type": "keyword"},
        "label": {"type": "keyword"},
        "n": {"type": "long"}}}""";
  private static final String[] MODELS = {"m0", "m1", "m2", "m3"};

  private final Map<String, Doc> corpus = new HashMap<>();
  private final Map<String, String> models = new HashMap<>();
  private final Map<String, Long> numbers = new HashMap<>();

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  @Override
  protected Settings nodeSettings() {
    // Every random expression is a new script; the default compilation rate limit is for
    // hand-written ones.
    return Settings.builder()
        .put(super.nodeSettings())
        .put(ScriptService.SCRIPT_DISABLE_MAX_COMPILATIONS_RATE_SETTING.getKey(), true)
        .build();
  }

  /**
   * Indexes the corpus into an index with the masksearch codec on 2 shards and one without it on 1
   * shard.
   */
  private List<String> indexCorpus(int docs) {
    for (int i = 0; i < docs; i++) {
      int height = randomIntBetween(6, 30);
      int width = randomIntBetween(6, 30);
      MaskDType dtype = randomFrom(MaskDType.UINT8, MaskDType.FLOAT32);
      boolean dark = i % 9 == 4; // no salient pixel: ratios over salient pixels divide by zero
      Map<String, Mask> masks = new HashMap<>();
      masks.put("saliency", blob(dtype, height, width, dark ? 0.4 : 1.2));
      if (i % 10 != 3) {
        masks.put("human", blob(dtype, height, width, 1.2));
      }
      Roi box =
          i % 7 == 2
              ? null
              : new Roi(
                  randomIntBetween(0, width / 2),
                  randomIntBetween(0, height / 2),
                  randomIntBetween(width / 2, width + 3),
                  randomIntBetween(height / 2, height + 3));
      String id = "d" + i;
      corpus.put(id, new Doc(masks, box));
      models.put(id, MODELS[i % MODELS.length]);
      numbers.put(id, (long) i);
    }
    List<String> indices = List.of("expr_chi", "expr_plain");
    for (String index : indices) {
      Settings.Builder settings =
          Settings.builder()
              .put("index.number_of_replicas", 0)
              .put("index.number_of_shards", index.equals("expr_chi") ? 2 : 1);
      if (index.equals("expr_chi")) {
        settings.put("index.codec", MaskSearchCodec.ALIAS);
      }
      client()
          .admin()
          .indices()
          .prepareCreate(index)
          .setSettings(settings)
          .setMapping(MAPPING)
          .get();
      BulkRequestBuilder bulk = client().prepareBulk();
      for (Map.Entry<String, Doc> e : corpus.entrySet()) {
        StringBuilder source =
            new StringBuilder("{\"n\": ")
                .append(numbers.get(e.getKey()))
                .append(", \"model\": \"")
                .append(models.get(e.getKey()))
                .append('"');
        e.getValue()
            .masks()
            .forEach(
                (field, mask) ->
                    source.append(", \"").append(field).append("\": ").append(rawJson(mask)));
        Roi b = e.getValue().box();
        if (b != null) {
          source.append(
              String.format(
                  Locale.ROOT, ", \"box\": [%d, %d, %d, %d]", b.x1(), b.y1(), b.x2(), b.y2()));
        }
        bulk.add(
            client()
                .prepareIndex(index)
                .setId(e.getKey())
                .setSource(source.append('}').toString(), XContentType.JSON));
      }
      assertFalse(bulk.get().buildFailureMessage(), bulk.get().hasFailures());
      client().admin().indices().prepareRefresh(index).get();
    }
    return indices;
  }

  private Map<String, Double> values(BruteForceExpr e) {
    Map<String, Double> values = new TreeMap<>();
    corpus.forEach(
        (id, doc) ->
            values.put(id, e.value(doc) + 0.0)); // -0.0 is 0: see the comparisons of orders
    return values;
  }

  public void testEveryFormEqualsBruteForce() throws Exception {
    List<String> indices = indexCorpus(randomIntBetween(50, 90));
    List<BruteForceExpr> expressions = new ArrayList<>();
    // The paper's queries, then random ones.
    BruteForceExpr.Pred salient = new BruteForceExpr.Compare("saliency", ">", 0.8);
    BruteForceExpr.Pred attended = new BruteForceExpr.Compare("human", ">", 0.8);
    expressions.add(
        new BruteForceExpr.Arith(
            '/',
            new BruteForceExpr.Cp(salient, BruteForceExpr.Region.BOX),
            new BruteForceExpr.Cp(salient, BruteForceExpr.Region.FULL)));
    expressions.add(new BruteForceExpr.Iou(salient, attended, null));
    while (expressions.size() < 7) {
      BruteForceExpr e = BruteForceExpr.random(random(), randomIntBetween(0, 2));
      if (BruteForceExpr.namesAMask(e)) {
        expressions.add(e);
      }
    }
    for (BruteForceExpr e : expressions) {
      Map<String, Double> values = values(e);
      for (String index : indices) {
        String context = index + " " + e.text();
        checkFilters(index, e.text(), values, context);
        checkSorts(index, e.text(), values, context);
        checkScriptFields(index, e.text(), values, context);
        checkAggregations(index, e.text(), values, context);
        checkScriptScore(index, e.text(), values, context);
      }
    }
  }

  /**
   * A polygon with a hole that the request declares by name, in the query and in the sort: equal to
   * plain loops over the masks with the polygon rasterized by ray casting (pixel centres).
   */
  public void testDeclaredRegionsEqualBruteForce() throws Exception {
    List<String> indices = indexCorpus(randomIntBetween(30, 60));
    List<double[]> hand =
        List.of(
            new double[] {1, 1, 25, 3, 14, 12, 28, 26, 3, 22},
            new double[] {6, 6, 10, 6, 10, 10, 6, 10});
    String regions =
        "{\"hand\": {\"polygon\": [[[1, 1], [25, 3], [14, 12], [28, 26], [3, 22]],"
            + " [[6, 6], [10, 6], [10, 10], [6, 10]]]}}";
    String expr = "cp(saliency > 0.5, hand) - 0.5 * cp(human >= 0.25, hand) + area(hand)";
    Map<String, Double> values = new TreeMap<>();
    corpus.forEach(
        (id, doc) -> {
          Mask saliency = doc.masks().get("saliency");
          Mask human = doc.masks().get("human");
          if (human == null) {
            values.put(id, Double.NaN); // no value: it names a mask the document lacks
            return;
          }
          double value = 0;
          for (int y = 0; y < Math.max(saliency.height(), human.height()); y++) {
            for (int x = 0; x < Math.max(saliency.width(), human.width()); x++) {
              if (RandomRegions.insidePolygon(hand, x + 0.5, y + 0.5)) {
                value += 1;
                value += inside(saliency, x, y) && saliency.value(y, x) > 0.5 ? 1 : 0;
                value -= inside(human, x, y) && human.value(y, x) >= 0.25 ? 0.5 : 0;
              }
            }
          }
          values.put(id, value);
        });
    List<Double> defined = values.values().stream().filter(v -> !v.isNaN()).sorted().toList();
    for (String index : indices) {
      for (Comparison op : Comparison.values()) {
        double threshold = defined.get(random().nextInt(defined.size()));
        Set<String> expected = passing(values, op, threshold);
        String name = op.name().toLowerCase(Locale.ROOT);
        assertEquals(
            index + " " + expr + " " + name + " " + threshold,
            expected,
            ids(
                searchJson(
                    index,
                    String.format(
                        Locale.ROOT,
                        "{\"size\": 1000, \"query\": {\"mask_expr\": {\"expr\": \"%s\","
                            + " \"regions\": %s, \"%s\": %s}}}",
                        expr,
                        regions,
                        name,
                        threshold))));
      }
      for (String order : new String[] {"asc", "desc"}) {
        SearchResponse sorted =
            searchJson(
                index,
                String.format(
                    Locale.ROOT,
                    "{\"size\": 1000, \"sort\": [{\"mask_expr\": {\"expr\": \"%s\","
                        + " \"regions\": %s, \"order\": \"%s\"}}, {\"n\": \"asc\"}]}",
                    expr,
                    regions,
                    order));
        List<Double> got = new ArrayList<>();
        for (SearchHit hit : sorted.getHits().getHits()) {
          double value = values.get(hit.getId());
          got.add(value);
          if (!Double.isNaN(value)) {
            assertEquals(
                index + " sort value of " + hit.getId(),
                value,
                ((Number) hit.getSortValues()[0]).doubleValue(),
                0.0);
          }
        }
        List<Double> expected = new ArrayList<>(defined);
        if (order.equals("desc")) {
          java.util.Collections.reverse(expected);
        }
        while (expected.size() < values.size()) {
          expected.add(Double.NaN); // documents without a value come last
        }
        assertEquals(index + " " + order, expected, got);
      }
    }
  }

  /** The documents whose value passes {@code op threshold} (an undefined value never does). */
  private static Set<String> passing(Map<String, Double> values, Comparison op, double threshold) {
    Set<String> passing = new HashSet<>();
    values.forEach(
        (id, v) -> {
          if (op.test(v, threshold)) {
            passing.add(id);
          }
        });
    return passing;
  }

  private static boolean inside(Mask mask, int x, int y) {
    return x < mask.width() && y < mask.height();
  }

  private void checkFilters(String index, String expr, Map<String, Double> values, String context)
      throws Exception {
    List<Double> defined = values.values().stream().filter(v -> !v.isNaN()).sorted().toList();
    for (Comparison op : Comparison.values()) {
      double threshold =
          defined.isEmpty()
              ? 0.5
              : defined.get(random().nextInt(defined.size())) + (random().nextBoolean() ? 0 : 0.25);
      Set<String> expected = passing(values, op, threshold);
      String name = op.name().toLowerCase(Locale.ROOT);
      assertEquals(
          context + " " + name + " " + threshold,
          expected,
          ids(
              searchJson(
                  index,
                  String.format(
                      Locale.ROOT,
                      "{\"size\": 1000, \"query\": {\"mask_expr\": {\"expr\": \"%s\", \"%s\": %s}}}",
                      expr,
                      name,
                      threshold))));
      assertEquals(
          context + " (Java builder)",
          expected,
          ids(
              client()
                  .prepareSearch(index)
                  .setSize(1000)
                  .setRequestCache(false)
                  .setQuery(new MaskExprQueryBuilder(expr, op, threshold))
                  .get()));
      // The script query: the comparison written after the expression, or as a parameter.
      String script =
          random().nextBoolean()
              ? String.format(
                  Locale.ROOT,
                  "{\"lang\": \"masksearch\", \"source\": \"%s %s %s\"}",
                  expr,
                  op.symbol(),
                  threshold)
              : String.format(
                  Locale.ROOT,
                  "{\"lang\": \"masksearch\", \"source\": \"%s\", \"params\": {\"%s\": %s}}",
                  expr,
                  name,
                  threshold);
      assertEquals(
          context + " script " + script,
          expected,
          ids(
              searchJson(
                  index,
                  "{\"size\": 1000, \"query\": {\"script\": {\"script\": " + script + "}}}")));
    }
  }

  /**
   * Exact order in both directions, paged with search_after; documents without a value come last.
   */
  private void checkSorts(String index, String expr, Map<String, Double> values, String context)
      throws Exception {
    for (String order : new String[] {"asc", "desc"}) {
      Comparator<String> byValue = Comparator.comparing(values::get);
      if (order.equals("desc")) {
        byValue = byValue.reversed();
      }
      List<String> expected =
          new ArrayList<>(
              values.keySet().stream()
                  .filter(id -> !values.get(id).isNaN())
                  .sorted(byValue.thenComparing(numbers::get))
                  .toList());
      values.keySet().stream()
          .filter(id -> values.get(id).isNaN())
          .sorted(Comparator.comparing(numbers::get))
          .forEach(expected::add);
      List<String> got = new ArrayList<>();
      String after = null;
      while (true) {
        SearchResponse page =
            searchJson(
                index,
                String.format(
                    Locale.ROOT,
                    "{\"size\": 9, \"sort\": [{\"mask_expr\": {\"expr\": \"%s\", \"order\": \"%s\"}}, {\"n\": \"asc\"}]%s}",
                    expr,
                    order,
                    after == null ? "" : ", \"search_after\": " + after));
        SearchHit[] hits = page.getHits().getHits();
        if (hits.length == 0) {
          break;
        }
        for (SearchHit hit : hits) {
          got.add(hit.getId());
          double value = values.get(hit.getId());
          if (!Double.isNaN(value)) {
            assertEquals(
                context + " sort value of " + hit.getId(),
                value,
                ((Number) hit.getSortValues()[0]).doubleValue(),
                0.0);
          }
        }
        Object[] last = hits[hits.length - 1].getSortValues();
        after = "[" + jsonNumber(((Number) last[0]).doubleValue()) + ", " + last[1] + "]";
      }
      assertSameOrder(context + " mask_expr sort " + order, expected, got, values);

      // The _script sort with params.missing ordering documents without a value last.
      double missing = order.equals("asc") ? Double.MAX_VALUE : -Double.MAX_VALUE;
      SearchResponse scripted =
          searchJson(
              index,
              String.format(
                  Locale.ROOT,
                  "{\"size\": 1000, \"sort\": [{\"_script\": {\"type\": "
                      + "\"number\", \"order\": \"%s\", \"script\": {\"lang\": \"masksearch\", \"source\": \"%s\", \"params\": {\"missing\": %s}}}},"
                      + " {\"n\": \"asc\"}]}",
                  order,
                  expr,
                  missing));
      List<String> scriptOrder = new ArrayList<>();
      for (SearchHit hit : scripted.getHits().getHits()) {
        scriptOrder.add(hit.getId());
      }
      assertSameOrder(context + " _script sort " + order, expected, scriptOrder, values);
    }
  }

  /**
   * The same documents with the same sequence of values. Among equal values the order is the
   * tiebreaker's, except that an exact value of -0.0 and one of 0.0 are equal numbers that a sort
   * may still tell apart; so compare the values in order and the documents as a set.
   */
  private static void assertSameOrder(
      String context, List<String> expected, List<String> got, Map<String, Double> values) {
    assertEquals(
        context,
        expected.stream().map(values::get).toList(),
        got.stream().map(values::get).toList());
    assertEquals(context, new HashSet<>(expected), new HashSet<>(got));
    assertEquals(context, expected.size(), got.size());
  }

  private static String jsonNumber(double v) {
    return Double.isNaN(v)
        ? "\"NaN\""
        : Double.isInfinite(v) ? (v > 0 ? "\"Infinity\"" : "\"-Infinity\"") : Double.toString(v);
  }

  private void checkScriptFields(
      String index, String expr, Map<String, Double> values, String context) throws Exception {
    SearchResponse response =
        searchJson(
            index,
            "{\"size\": 1000, \"script_fields\": {\"v\": {\"script\": "
                + "{\"lang\": \"masksearch\", \"source\": \""
                + expr
                + "\"}}}}");
    assertEquals(values.size(), response.getHits().getHits().length);
    for (SearchHit hit : response.getHits().getHits()) {
      DocumentField field = hit.field("v");
      Object got = field == null || field.getValues().isEmpty() ? null : field.getValue();
      double expected = values.get(hit.getId());
      if (Double.isNaN(expected)) {
        assertNull(context + " " + hit.getId(), got);
      } else {
        assertEquals(context + " " + hit.getId(), expected, ((Number) got).doubleValue(), 0.0);
      }
    }
  }

  /** avg, sum, min, max and stats per model; the top groups by avg; a histogram of the values. */
  private void checkAggregations(
      String index, String expr, Map<String, Double> values, String context) throws Exception {
    String script = "{\"lang\": \"masksearch\", \"source\": \"" + expr + "\"}";
    SearchResponse response =
        searchJson(
            index,
            "{\"size\": 0, \"aggs\": {\"by_model\": {\"terms\": {\"field\": \"model\"}, \"aggs\": {"
                + "\"avg\": {\"avg\": {\"script\": "
                + script
                + "}}, \"sum\": {\"sum\": {\"script\": "
                + script
                + "}},"
                + "\"min\": {\"min\": {\"script\": "
                + script
                + "}}, \"max\": {\"max\": {\"script\": "
                + script
                + "}},"
                + "\"stats\": {\"stats\": {\"script\": "
                + script
                + "}}}}}}");
    Map<String, List<Double>> groups = new TreeMap<>();
    Map<String, Integer> docCounts = new TreeMap<>();
    values.forEach(
        (id, v) -> {
          docCounts.merge(models.get(id), 1, Integer::sum);
          List<Double> group = groups.computeIfAbsent(models.get(id), m -> new ArrayList<>());
          if (!v.isNaN()) {
            group.add(v);
          }
        });
    Terms terms = response.getAggregations().get("by_model");
    assertEquals(context, groups.size(), terms.getBuckets().size());
    Map<String, Double> averages = new HashMap<>();
    for (Terms.Bucket bucket : terms.getBuckets()) {
      String model = bucket.getKeyAsString();
      List<Double> group = groups.get(model);
      String where = context + " model " + model;
      assertEquals(
          where,
          (long) docCounts.get(model),
          bucket.getDocCount()); // every document is in its bucket...
      Stats stats = bucket.getAggregations().get("stats");
      assertEquals(
          where, group.size(), stats.getCount()); // ...but only those with a value are aggregated
      if (group.isEmpty()) {
        continue;
      }
      double sum = group.stream().mapToDouble(Double::doubleValue).sum();
      double tolerance = 1e-9 * Math.max(1, group.stream().mapToDouble(Math::abs).sum());
      double min = group.stream().mapToDouble(Double::doubleValue).min().getAsDouble();
      double max = group.stream().mapToDouble(Double::doubleValue).max().getAsDouble();
      averages.put(model, sum / group.size());
      assertEquals(
          where + " sum", sum, ((Sum) bucket.getAggregations().get("sum")).getValue(), tolerance);
      assertEquals(
          where + " avg",
          sum / group.size(),
          ((Avg) bucket.getAggregations().get("avg")).getValue(),
          tolerance);
      assertEquals(
          where + " min", min, ((Min) bucket.getAggregations().get("min")).getValue(), 0.0);
      assertEquals(
          where + " max", max, ((Max) bucket.getAggregations().get("max")).getValue(), 0.0);
      assertEquals(where + " stats.min", min, stats.getMin(), 0.0);
      assertEquals(where + " stats.max", max, stats.getMax(), 0.0);
      assertEquals(where + " stats.sum", sum, stats.getSum(), tolerance);
    }

    // Top groups: the two models with the largest average, through the terms aggregation's order.
    if (averages.size() == groups.size()
        && averages.values().stream().distinct().count() == averages.size()) {
      List<String> expectedTop =
          averages.keySet().stream()
              .sorted(Comparator.comparing(averages::get).reversed())
              .limit(2)
              .toList();
      Terms top =
          searchJson(
                  index,
                  "{\"size\": 0, \"aggs\": {\"by_model\": {\"terms\": {\"field\": \"model\", \"size\": 2, "
                      + "\"order\": {\"m\": \"desc\"}}, \"aggs\": {\"m\": {\"avg\": {\"script\": "
                      + script
                      + "}}}}}}")
              .getAggregations()
              .get("by_model");
      assertEquals(
          context + " top groups",
          expectedTop,
          top.getBuckets().stream().map(Terms.Bucket::getKeyAsString).toList());
    }

    // A histogram over the script's values: documents without a value are in no bucket.
    double interval = randomFrom(0.25, 1.0, 10.0);
    Map<Double, Long> expectedBuckets = new TreeMap<>();
    values.values().stream()
        .filter(v -> !v.isNaN())
        .forEach(v -> expectedBuckets.merge(Math.floor(v / interval) * interval, 1L, Long::sum));
    Histogram histogram =
        searchJson(
                index,
                "{\"size\": 0, \"aggs\": {\"h\": {\"histogram\": {\"script\": "
                    + script
                    + ", \"interval\": "
                    + interval
                    + ", \"min_doc_count\": 1}}}}")
            .getAggregations()
            .get("h");
    Map<Double, Long> gotBuckets = new TreeMap<>();
    for (Histogram.Bucket bucket : histogram.getBuckets()) {
      gotBuckets.put(((Number) bucket.getKey()).doubleValue(), bucket.getDocCount());
    }
    assertEquals(context + " histogram", expectedBuckets, gotBuckets);
  }

  /** script_score: the value is the score (undefined: 0); a negative value is a clear error. */
  private void checkScriptScore(
      String index, String expr, Map<String, Double> values, String context) throws Exception {
    String json =
        "{\"size\": 1000, \"query\": {\"script_score\": {\"query\": {\"match_all\": {}}, \"script\": "
            + "{\"lang\": \"masksearch\", \"source\": \""
            + expr
            + "\"}}}}";
    if (values.values().stream().anyMatch(v -> v < 0)) {
      // The shards with a negative value fail; the search fails when they all do, or answers with
      // their failures.
      try {
        SearchResponse partial = searchJson(index, json);
        assertTrue(context, partial.getShardFailures().length > 0);
        for (var failure : partial.getShardFailures()) {
          assertEquals(RestStatus.BAD_REQUEST, failure.status());
          assertTrue(failure.reason(), failure.reason().contains("scores must be non-negative"));
        }
      } catch (OpenSearchException e) {
        assertEquals(RestStatus.BAD_REQUEST, e.status());
        assertTrue(detail(e), detail(e).contains("scores must be non-negative"));
      }
      return;
    }
    SearchResponse response = searchJson(index, json);
    assertEquals(values.size(), response.getHits().getHits().length);
    for (SearchHit hit : response.getHits().getHits()) {
      double expected = values.get(hit.getId());
      assertEquals(
          context + " " + hit.getId(),
          Double.isNaN(expected) ? 0f : (float) expected,
          hit.getScore(),
          0f);
    }
  }

  /** The paper's queries, as docs/expressions.md writes them. */
  public void testDocumentedQueries() throws Exception {
    indexCorpus(40);
    BruteForceExpr.Pred salient = new BruteForceExpr.Compare("saliency", ">", 0.8);
    BruteForceExpr.Pred attended = new BruteForceExpr.Compare("human", ">", 0.8);
    // Scenario 1: the share of salient pixels that fall inside the box; the model looks away when
    // it is small.
    Map<String, Double> share =
        values(
            new BruteForceExpr.Arith(
                '/',
                new BruteForceExpr.Cp(
                    new BruteForceExpr.InRange("saliency", 0.8, 1.01), BruteForceExpr.Region.BOX),
                new BruteForceExpr.Cp(
                    new BruteForceExpr.InRange("saliency", 0.8, 1.01),
                    BruteForceExpr.Region.FULL)));
    Set<String> lookingAway = new HashSet<>();
    share.forEach(
        (id, v) -> {
          if (v < 0.5) {
            lookingAway.add(id);
          }
        });
    assertEquals(
        lookingAway,
        ids(
            searchJson(
                "expr_chi",
                """
        {"size": 100, "query": {"bool": {"filter": [
          {"mask_expr": {"expr": "cp(saliency, box, 0.8, 1.01) / cp(saliency, full, 0.8, 1.01)", "lt": 0.5}}]}}}""")));
    // Runtime division by zero: the documents without a salient pixel have no share; they match
    // nothing, even gte 0.
    Set<String> defined = new HashSet<>();
    share.forEach(
        (id, v) -> {
          if (!v.isNaN()) {
            defined.add(id);
          }
        });
    assertTrue("the corpus has dark masks", defined.size() < corpus.size() - 2);
    assertEquals(
        defined,
        ids(
            searchJson(
                "expr_chi",
                """
        {"size": 100, "query": {"mask_expr": {"expr": "cp(saliency, box, 0.8, 1.01) / cp(saliency, full, 0.8, 1.01)", "gte": 0}}}""")));

    // A _script sort without params.missing: undefined values are NaN, which sorts first descending
    // (documented).
    SearchHit[] nanFirst =
        searchJson(
                "expr_chi",
                """
        {"size": 1, "sort": [{"_script": {"type": "number", "order": "desc", "script": {"lang": "masksearch",
          "source": "cp(saliency, box, 0.8, 1.01) / cp(saliency, full, 0.8, 1.01)"}}}]}""")
            .getHits()
            .getHits();
    assertTrue(Double.isNaN(share.get(nanFirst[0].getId())));

    // Scenario 2: diffuse attention, the 5 maps with the most mid-value pixels relative to the
    // salient ones.
    Map<String, Double> diffuse =
        values(
            new BruteForceExpr.Arith(
                '-',
                new BruteForceExpr.Cp(
                    new BruteForceExpr.InRange("saliency", 0.2, 0.6), BruteForceExpr.Region.FULL),
                new BruteForceExpr.Cp(salient, BruteForceExpr.Region.FULL)));
    List<Double> expectedTop =
        diffuse.values().stream()
            .filter(v -> !v.isNaN())
            .sorted(Comparator.reverseOrder())
            .limit(5)
            .toList();
    List<Double> gotTop = new ArrayList<>();
    for (SearchHit hit :
        searchJson(
                "expr_chi",
                """
        {"size": 5, "sort": [{"mask_expr": {"expr": "cp(saliency, full, 0.2, 0.6) - cp(saliency > 0.8, full)", "order": "desc"}}]}""")
            .getHits()
            .getHits()) {
      gotTop.add(((Number) hit.getSortValues()[0]).doubleValue());
    }
    assertEquals(expectedTop, gotTop);

    // Scenario 3: where model and human attention overlap least, ascending.
    Map<String, Double> iou = values(new BruteForceExpr.Iou(salient, attended, null));
    List<Double> expectedLeast =
        iou.values().stream().filter(v -> !v.isNaN()).sorted().limit(5).toList();
    List<Double> gotLeast = new ArrayList<>();
    for (SearchHit hit :
        searchJson(
                "expr_chi",
                """
        {"size": 5, "sort": [{"mask_expr": {"expr": "iou(saliency > 0.8, human > 0.8)", "order": "asc"}}]}""")
            .getHits()
            .getHits()) {
      gotLeast.add(((Number) hit.getSortValues()[0]).doubleValue());
    }
    assertEquals(expectedLeast, gotLeast);

    // Scalar aggregation: the model whose saliency puts the largest share of its salient pixels in
    // the box, on average.
    Map<String, double[]> perModel = new TreeMap<>();
    share.forEach(
        (id, v) -> {
          if (!v.isNaN()) {
            double[] acc = perModel.computeIfAbsent(models.get(id), m -> new double[2]);
            acc[0] += v;
            acc[1]++;
          }
        });
    String best =
        perModel.entrySet().stream()
            .max(Comparator.comparingDouble(e -> e.getValue()[0] / e.getValue()[1]))
            .get()
            .getKey();
    Terms top =
        searchJson(
                "expr_chi",
                """
        {"size": 0, "aggs": {"by_model": {"terms": {"field": "model", "order": {"m": "desc"}, "size": 1},
          "aggs": {"m": {"avg": {"script": {"lang": "masksearch",
            "source": "cp(saliency, box, 0.8, 1.01) / cp(saliency, full, 0.8, 1.01)"}}}}}}}""")
            .getAggregations()
            .get("by_model");
    assertEquals(best, top.getBuckets().get(0).getKeyAsString());
  }

  /**
   * Unknown fields, wrong types, syntax errors and a constant division by zero are 400s that say
   * what is wrong.
   */
  public void testErrorsAreClear400s() throws Exception {
    indexCorpus(6);
    client()
        .prepareIndex("expr_chi")
        .setId("labelled")
        .setSource("{\"label\": \"cat\"}", XContentType.JSON)
        .get();
    client().admin().indices().prepareRefresh("expr_chi").get();
    String[][] cases = {
      {"cp(nope, full, 0.8, 1.01)", "mask field [nope] is not mapped"},
      {"cp(label > 0.5, full)", "mask field [label] is of type [keyword], not [mask]"},
      {
        "cp(saliency, model, 0.8, 1.01)",
        "region field [model] is of type [keyword], not [mask_roi]"
      },
      {"cp(saliency, full, 0.8, 1.01) +", "position"},
      {"cp(saliency, full, 0.8, 1.01) / 0", "division by zero"},
      {"cp(saliency, full, 0.8, 1.01) / (2 - 2)", "division by zero"},
      {"sqrt(cp(saliency, full, 0.8, 1.01))", "unknown function [sqrt]"},
    };
    for (String[] c : cases) {
      for (String json :
          new String[] {
            "{\"query\": {\"mask_expr\": {\"expr\": \"" + c[0] + "\", \"gt\": 1}}}",
            "{\"sort\": [{\"mask_expr\": {\"expr\": \"" + c[0] + "\"}}]}",
            "{\"script_fields\": {\"v\": {\"script\": {\"lang\": \"masksearch\", \"source\": \""
                + c[0]
                + "\"}}}}",
            "{\"size\": 0, \"aggs\": {\"a\": {\"avg\": {\"script\": {\"lang\": \"masksearch\", \"source\": \""
                + c[0]
                + "\"}}}}}",
            "{\"query\": {\"script\": {\"script\": {\"lang\": \"masksearch\", \"source\": \""
                + c[0]
                + " > 1\"}}}}",
            "{\"query\": {\"script_score\": {\"query\": {\"match_all\": {}}, \"script\": {\"lang\": \"masksearch\", \"source\": \""
                + c[0]
                + "\"}}}}"
          }) {
        Exception e = expectThrows(Exception.class, () -> searchJson("expr_chi", json));
        assertEquals(
            json + ": " + detail(e),
            RestStatus.BAD_REQUEST,
            org.opensearch.ExceptionsHelper.status(e));
        assertTrue(json + " should say " + c[1] + ": " + detail(e), detail(e).contains(c[1]));
      }
    }
    // A filter script needs a comparison; other scripts must not have one.
    Exception noComparison =
        expectThrows(
            Exception.class,
            () ->
                searchJson(
                    "expr_chi",
                    "{\"query\": {\"script\": {\"script\": {\"lang\": \"masksearch\", \"source\": \"cp(saliency, full, 0.8, 1.01)\"}}}}"));
    assertTrue(detail(noComparison), detail(noComparison).contains("needs a comparison"));
    Exception comparisonInField =
        expectThrows(
            Exception.class,
            () ->
                searchJson(
                    "expr_chi",
                    "{\"script_fields\": {\"v\": {\"script\": {\"lang\": \"masksearch\", \"source\": \"cp(saliency, full, 0.8, 1.01) > 3\"}}}}"));
    assertTrue(detail(comparisonInField), detail(comparisonInField).contains("makes a filter"));
    // _validate/query says why.
    var invalid =
        client()
            .admin()
            .indices()
            .prepareValidateQuery("expr_chi")
            .setExplain(true)
            .setQuery(new MaskExprQueryBuilder("cp(label > 0.5, full)", Comparison.GT, 1))
            .get();
    assertFalse(invalid.isValid());
    assertTrue(
        invalid.getQueryExplanation().get(0).getError(),
        invalid
            .getQueryExplanation()
            .get(0)
            .getError()
            .contains("mask field [label] is of type [keyword], not [mask]"));
  }

  /**
   * _explain and the profile of a mask_expr filter; the derived-CHI cache fills and is used by the
   * next query.
   */
  public void testExplainProfileAndIncrementalIndexing() throws Exception {
    indexCorpus(40);
    BruteForceExpr iou =
        new BruteForceExpr.Iou(
            new BruteForceExpr.Compare("saliency", ">", 0.5),
            new BruteForceExpr.Compare("human", ">", 0.5),
            null);
    Map<String, Double> values = values(iou);
    MaskExprQueryBuilder filter = new MaskExprQueryBuilder(iou.text(), Comparison.GTE, 0.3);
    for (String id : List.of("d0", "d1", "d3", "d4")) {
      var explain = client().prepareExplain("expr_chi", id).setQuery(filter).get();
      assertEquals(id + " " + explain.getExplanation(), values.get(id) >= 0.3, explain.isMatch());
    }
    Map<String, Long> breakdown = new HashMap<>();
    for (var shard :
        client()
            .prepareSearch("expr_chi")
            .setProfile(true)
            .setQuery(filter)
            .get()
            .getProfileResults()
            .values()) {
      for (var query : shard.getQueryProfileResults()) {
        for (var result : query.getQueryResults()) {
          result
              .getTimeBreakdown()
              .forEach(
                  (key, value) -> {
                    if (key.startsWith("cp_")) {
                      breakdown.merge(key, value, Long::sum);
                    }
                  });
        }
      }
    }
    // Every document with a value is decided once per scorer (a shard may build more than one).
    assertTrue(
        breakdown.toString(),
        values.values().stream().filter(v -> !v.isNaN()).count()
            <= breakdown.get("cp_accepted_by_bounds")
                + breakdown.get("cp_rejected_by_bounds")
                + breakdown.get("cp_masks_read"));
    assertEquals(0L, (long) breakdown.get("cp_segments_without_chi"));

    var cache =
        getInstanceFromNode(PluginsService.class)
            .filterPlugins(MaskSearchPlugin.class)
            .get(0)
            .derivedChiCache();
    long builds = cache.builds();
    long hits = cache.hits();
    String json =
        "{\"size\": 100, \"query\": {\"mask_expr\": {\"expr\": \""
            + iou.text()
            + "\", \"gte\": 0.2}}}";
    Set<String> first = ids(searchJson("expr_chi", json));
    assertTrue("the first query builds derived CHIs", cache.builds() > builds);
    Set<String> second = ids(searchJson("expr_chi", json.replace("0.2", "0.21")));
    assertTrue("later queries use them: hits " + cache.hits(), cache.hits() > hits);
    assertTrue(cache.sizeInBytes() > 0);
    Set<String> expected = new HashSet<>();
    values.forEach(
        (id, v) -> {
          if (v >= 0.2) {
            expected.add(id);
          }
        });
    assertEquals(expected, first);
    expected.removeIf(id -> values.get(id) < 0.21);
    assertEquals(expected, second);
  }

  /**
   * Every message of an exception's causes and shard failures, for assertions on what a 400 says.
   */
  static String detail(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(" / ");
      if (t instanceof org.opensearch.action.search.SearchPhaseExecutionException s) {
        for (var failure : s.shardFailures()) {
          all.append(failure.reason()).append(" / ");
        }
      }
    }
    return all.toString();
  }

  private SearchResponse searchJson(String index, String json) throws Exception {
    NamedXContentRegistry registry = getInstanceFromNode(NamedXContentRegistry.class);
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            registry, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
      // A time limit, so that a request that never answers fails the test rather than hanging it.
      return client()
          .prepareSearch(index)
          .setSource(SearchSourceBuilder.fromXContent(parser))
          .setRequestCache(false)
          .get(org.opensearch.common.unit.TimeValue.timeValueSeconds(60));
    }
  }

  private static Set<String> ids(SearchResponse response) {
    Set<String> ids = new HashSet<>();
    for (SearchHit hit : response.getHits().getHits()) {
      ids.add(hit.getId());
    }
    return ids;
  }

  /** A smooth blob peaking at {@code peak} (clipped to 1). */
  private Mask blob(MaskDType dtype, int height, int width, double peak) {
    ByteBuffer data =
        ByteBuffer.allocate(height * width * dtype.bytesPerPixel()).order(ByteOrder.LITTLE_ENDIAN);
    double cx = random().nextDouble() * width;
    double cy = random().nextDouble() * height;
    double sigma = 1 + random().nextDouble() * Math.max(width, height) / 2.0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v =
            Math.min(
                1,
                peak
                    * Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma)));
        if (dtype == MaskDType.UINT8) {
          data.put((byte) Math.round(v * 255));
        } else {
          data.putFloat((float) v);
        }
      }
    }
    return Mask.of(dtype, height, width, data.array());
  }

  private static String rawJson(Mask mask) {
    return String.format(
        Locale.ROOT,
        "{\"shape\": [%d, %d], \"dtype\": \"%s\", \"data\": \"%s\"}",
        mask.height(),
        mask.width(),
        mask.dtype().apiName(),
        Base64.getEncoder().encodeToString(mask.rawBytes()));
  }
}
