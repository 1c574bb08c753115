package dev.masksearch.opensearch;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.guard.MaskSearchBreaker;
import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.index.query.CpQueryBuilder;
import dev.masksearch.opensearch.index.query.MaskExprQueryBuilder;
import dev.masksearch.opensearch.index.query.MaskExprSortBuilder;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.admin.cluster.node.stats.NodesStatsResponse;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.indices.breaker.CircuitBreakerService;
import org.opensearch.core.indices.breaker.CircuitBreakerStats;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginsService;
import org.opensearch.script.Script;
import org.opensearch.script.ScriptType;
import org.opensearch.search.aggregations.AggregationBuilders;
import org.opensearch.search.sort.SortOrder;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * Memory accounting and time limits on a real node: with a {@code masksearch} breaker smaller than
 * one mask, every form that reads masks (cp filter, scoring, top-k, sort; mask_expr filter and
 * sort; masksearch script fields and aggregations) fails with a 429 naming the mask, and the
 * breaker holds nothing of the query afterwards (only the derived-CHI cache's bytes); with the
 * limit back, the same searches answer as before. A search timeout stops the forms that read masks
 * early, with partial results flagged {@code timed_out}, on one thread and with concurrent segment
 * search.
 */
public class SearchGuardSingleNodeTests extends OpenSearchSingleNodeTestCase {
  private static final int SIZE = 96;
  private static final String MAPPING =
      """
      {"properties": {
        "saliency": {"type": "mask", "grid_step": 16, "bins": 8},
        "human": {"type": "mask", "grid_step": 16, "bins": 8}}}""";
  private static final Roi ROI =
      new Roi(3, 5, 91, 89); // off the grid: bounds leave most documents undecided
  private static final String EXPR = "iou(saliency > 0.5, human > 0.5, [3, 5, 91, 89])";

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  @Override
  protected Settings nodeSettings() {
    // The clock that search timeouts read is otherwise cached for 200 ms: far longer than these
    // searches.
    return Settings.builder()
        .put(super.nodeSettings())
        .put("thread_pool.estimated_time_interval", "0ms")
        .put("script.disable_max_compilations_rate", true)
        .build();
  }

  private int index(String name, int docs, boolean concurrent) {
    return index(name, docs, concurrent, 4);
  }

  private int index(String name, int docs, boolean concurrent, int segments) {
    Settings.Builder settings =
        Settings.builder()
            .put("index.number_of_replicas", 0)
            .put("index.number_of_shards", 1)
            .put("index.codec", MaskSearchCodec.ALIAS)
            .put("index.queries.cache.enabled", false); // cached filters read nothing
    if (concurrent) {
      settings.put("index.search.concurrent_segment_search.mode", "all");
    }
    client().admin().indices().prepareCreate(name).setSettings(settings).setMapping(MAPPING).get();
    for (int batch = 0; batch < segments; batch++) {
      BulkRequestBuilder bulk = client().prepareBulk();
      for (int i = batch; i < docs; i += segments) {
        bulk.add(
            client()
                .prepareIndex(name)
                .setId("d" + i)
                .setSource(
                    String.format(
                        Locale.ROOT,
                        "{\"saliency\": %s, \"human\": %s}",
                        json(noise()),
                        json(noise())),
                    XContentType.JSON));
      }
      BulkResponse response = bulk.get();
      assertFalse(response.buildFailureMessage(), response.hasFailures());
      client().admin().indices().prepareRefresh(name).get();
    }
    return docs;
  }

  private Mask noise() {
    float[] values = new float[SIZE * SIZE];
    for (int i = 0; i < values.length; i++) {
      values[i] = random().nextFloat();
    }
    return Mask.ofFloats(SIZE, SIZE, values);
  }

  private static String json(Mask mask) {
    return String.format(
        Locale.ROOT,
        "{\"shape\": [%d, %d], \"dtype\": \"%s\", \"data\": \"%s\"}",
        mask.height(),
        mask.width(),
        mask.dtype().apiName(),
        Base64.getEncoder().encodeToString(mask.rawBytes()));
  }

  private static CpQueryBuilder cp(Comparison comparison, double threshold, Integer k) {
    return new CpQueryBuilder(
        "saliency",
        ROI,
        null,
        new ValueRange(0.3, 0.7),
        false,
        comparison,
        threshold,
        k,
        k == null ? null : CpOrder.DESC);
  }

  /** Every search form that reads masks, on an index. */
  private List<Function<String, SearchRequestBuilder>> forms() {
    double middle = 0.4 * ROI.area();
    List<Function<String, SearchRequestBuilder>> forms = new ArrayList<>();
    forms.add(
        i ->
            client()
                .prepareSearch(i)
                .setQuery(cp(Comparison.GT, middle, null))
                .setTrackTotalHits(true));
    forms.add(
        i ->
            client().prepareSearch(i).setQuery(cp(null, Double.NaN, null)).setTrackTotalHits(true));
    forms.add(i -> client().prepareSearch(i).setQuery(cp(null, Double.NaN, 5)).setSize(5));
    forms.add(
        i ->
            client()
                .prepareSearch(i)
                .setQuery(new MaskExprQueryBuilder(EXPR, Comparison.GT, 0.3))
                .setTrackTotalHits(true));
    forms.add(
        i ->
            client()
                .prepareSearch(i)
                .addSort(new MaskExprSortBuilder(EXPR, SortOrder.DESC))
                .setSize(5));
    forms.add(
        i ->
            client()
                .prepareSearch(i)
                .setSize(0)
                .setRequestCache(false)
                .addAggregation(
                    AggregationBuilders.avg("avg")
                        .script(new Script(ScriptType.INLINE, "masksearch", EXPR, Map.of()))));
    // Scripts built while the query is: OpenSearch replaces their lookup before the query phase.
    forms.add(
        i ->
            client()
                .prepareSearch(i)
                .setQuery(
                    QueryBuilders.scriptScoreQuery(
                        QueryBuilders.matchAllQuery(),
                        new Script(ScriptType.INLINE, "masksearch", EXPR, Map.of())))
                .setSize(5));
    forms.add(
        i ->
            client()
                .prepareSearch(i)
                .setQuery(
                    QueryBuilders.scriptQuery(
                        new Script(ScriptType.INLINE, "masksearch", EXPR + " > 0.3", Map.of())))
                .setTrackTotalHits(true));
    return forms;
  }

  private static String answer(SearchResponse r) {
    return r.getHits().getTotalHits()
        + " "
        + java.util.Arrays.stream(r.getHits().getHits())
            .map(h -> h.getId() + ":" + h.getScore() + java.util.Arrays.toString(h.getSortValues()))
            .toList()
        + (r.getAggregations() == null ? "" : " " + r.getAggregations().asMap().keySet());
  }

  private CircuitBreaker breaker() {
    return getInstanceFromNode(CircuitBreakerService.class).getBreaker(MaskSearchBreaker.NAME);
  }

  private long cacheBytes() {
    return getInstanceFromNode(PluginsService.class)
        .filterPlugins(MaskSearchPlugin.class)
        .get(0)
        .derivedChiCache()
        .sizeInBytes();
  }

  private void setLimit(String limit) {
    client()
        .admin()
        .cluster()
        .prepareUpdateSettings()
        .setTransientSettings(
            Settings.builder().put("breaker." + MaskSearchBreaker.NAME + ".limit", limit))
        .get();
  }

  private void setLowLevelCancellation(Boolean on) {
    client()
        .admin()
        .cluster()
        .prepareUpdateSettings()
        .setTransientSettings(
            Settings.builder()
                .put("search.low_level_cancellation", on == null ? null : on.toString()))
        .get();
  }

  public void testBreakerTripsWithClearErrorAndReleases() {
    breakerTripsWithClearErrorAndReleases("guarded", forms());
  }

  /** _explain runs no search phase: its mask reads are reserved from the breaker all the same. */
  public void testExplainReadsWithinTheBreaker() {
    index("explained", 8, false, 1);
    MaskExprQueryBuilder undecided = new MaskExprQueryBuilder(EXPR, Comparison.GT, 0.3);
    assertTrue(
        client().prepareExplain("explained", "d0").setQuery(undecided).get().hasExplanation());
    setLimit("64kb");
    try {
      Exception e =
          expectThrows(
              Exception.class,
              () -> client().prepareExplain("explained", "d0").setQuery(undecided).get());
      assertEquals(e.toString(), RestStatus.TOO_MANY_REQUESTS, ExceptionsHelper.status(e));
      String detail = ExceptionsHelper.detailedMessage(e);
      assertTrue(detail, detail.contains("96x96 float32 of document"));
      assertTrue(detail, detail.contains("outside a search phase"));
    } finally {
      setLimit(null);
    }
    assertEquals("nothing stays reserved", cacheBytes(), breaker().getUsed());
  }

  /**
   * With {@code search.low_level_cancellation} off, OpenSearch gives concurrent searches of a shard
   * one shared reader: each must still run under its own guard (limits, trips, timeouts), and what
   * one reserves must never be released by another, however many run at once.
   */
  public void testGuardsWithoutLowLevelCancellation() throws Exception {
    setLowLevelCancellation(false);
    try {
      // Every form but the script query, whose script finds its guard through the search's own
      // reader
      // (docs/operations.md): without low-level cancellation the reader is shared, and it runs
      // unguarded.
      List<Function<String, SearchRequestBuilder>> forms = forms();
      forms.remove(forms.size() - 1);
      breakerTripsWithClearErrorAndReleases("shared_reader", forms);
      List<String> expected = new ArrayList<>();
      for (Function<String, SearchRequestBuilder> form : forms) {
        expected.add(answer(form.apply("shared_reader").get()));
      }
      int threads = 4;
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          runs.add(
              pool.submit(
                  () -> {
                    for (int round = 0; round < 5; round++) {
                      int f = randomIntBetween(0, forms.size() - 1);
                      assertEquals(
                          "form " + f + " answers alike while others run",
                          expected.get(f),
                          answer(forms.get(f).apply("shared_reader").get()));
                    }
                    return null;
                  }));
        }
        for (java.util.concurrent.Future<?> run : runs) {
          run.get();
        }
      } finally {
        pool.shutdown();
      }
      assertEquals(
          "every search returned exactly what it reserved", cacheBytes(), breaker().getUsed());
      int docs = index("shared_timed", 200, false);
      SearchResponse timed =
          client()
              .prepareSearch("shared_timed")
              .setQuery(cp(null, Double.NaN, null))
              .setTrackTotalHits(true)
              .setTimeout(TimeValue.timeValueMillis(1))
              .get();
      assertTrue("the timeout applies without low-level cancellation too", timed.isTimedOut());
      assertTrue(
          "stopped early: " + timed.getHits().getTotalHits(),
          timed.getHits().getTotalHits().value() < docs);
      assertEquals(cacheBytes(), breaker().getUsed());
    } finally {
      setLowLevelCancellation(null);
    }
  }

  private void breakerTripsWithClearErrorAndReleases(
      String index, List<Function<String, SearchRequestBuilder>> forms) {
    index(index, 40, randomBoolean());
    assertEquals(
        "the default limit",
        0.4,
        (double) breaker().getLimit() / Runtime.getRuntime().maxMemory(),
        0.01);
    List<String> before = new ArrayList<>();
    for (Function<String, SearchRequestBuilder> form : forms) {
      before.add(answer(form.apply(index).get()));
      assertEquals(
          "only the cache holds bytes between searches", cacheBytes(), breaker().getUsed());
    }
    setLimit(
        "64kb"); // less than reading one 96x96 float32 mask needs (2 x 36 KB and its bytes), more
    // than CHI cursors hold
    try {
      for (int f = 0; f < forms.size(); f++) {
        SearchRequestBuilder search = forms.get(f).apply(index);
        Exception e = expectThrows(Exception.class, search::get);
        assertEquals(
            "form " + f + ": " + e, RestStatus.TOO_MANY_REQUESTS, ExceptionsHelper.status(e));
        String detail = ExceptionsHelper.detailedMessage(e);
        assertTrue(detail, detail.contains("[masksearch] Data too large, data for [mask ["));
        assertTrue(detail, detail.contains("] 96x96 float32 of document "));
        assertEquals(
            "form " + f + ": nothing of the failed search stays reserved",
            cacheBytes(),
            breaker().getUsed());
      }
    } finally {
      setLimit(null);
    }
    NodesStatsResponse stats =
        client()
            .admin()
            .cluster()
            .prepareNodesStats()
            .addMetric(
                org.opensearch.action.admin.cluster.node.stats.NodesStatsRequest.Metric.BREAKER
                    .metricName())
            .get();
    CircuitBreakerStats ours =
        stats.getNodes().get(0).getBreaker().getStats(MaskSearchBreaker.NAME);
    assertTrue("the node reports the trips", ours.getTrippedCount() >= forms.size());
    for (int f = 0; f < forms.size(); f++) {
      assertEquals(
          "form " + f + " answers as before",
          before.get(f),
          answer(forms.get(f).apply(index).get()));
    }
    assertEquals(cacheBytes(), breaker().getUsed());
  }

  /**
   * A limit set at run time keeps the overhead of 1, and clearing it restores 40% (not OpenSearch's
   * 100% and 2.0).
   */
  public void testDynamicLimitKeepsTheDefaults() {
    setLimit("1mb");
    try {
      assertEquals(1L << 20, breaker().getLimit());
      assertEquals(1.0, breaker().getOverhead(), 0);
    } finally {
      setLimit(null);
    }
    assertEquals(0.4, (double) breaker().getLimit() / Runtime.getRuntime().maxMemory(), 0.01);
    assertEquals(1.0, breaker().getOverhead(), 0);
  }

  public void testTimeoutStopsEarlyWithPartialResults() {
    for (boolean concurrent : new boolean[] {false, true}) {
      String index = concurrent ? "timed_concurrent" : "timed";
      int docs = index(index, 200, concurrent);
      // Scoring reads every mask whose bounds are not exact; with exact totals every document is a
      // hit.
      SearchResponse all =
          client()
              .prepareSearch(index)
              .setQuery(cp(null, Double.NaN, null))
              .setTrackTotalHits(true)
              .get();
      assertFalse(all.isTimedOut());
      assertEquals(docs, all.getHits().getTotalHits().value());

      SearchResponse timed =
          client()
              .prepareSearch(index)
              .setQuery(cp(null, Double.NaN, null))
              .setTrackTotalHits(true)
              .setTimeout(TimeValue.timeValueMillis(1))
              .get();
      assertTrue(timed.isTimedOut());
      assertTrue(
          "stopped early: " + timed.getHits().getTotalHits(),
          timed.getHits().getTotalHits().value() < docs);

      SearchResponse topK =
          client()
              .prepareSearch(index)
              .setQuery(cp(null, Double.NaN, 5))
              .setSize(5)
              .setTimeout(TimeValue.timeValueMillis(1))
              .get();
      assertTrue("the top k stops too", topK.isTimedOut());
      assertEquals("a top k cut short has no hits", 0, topK.getHits().getHits().length);

      MaskExprQueryBuilder undecided = new MaskExprQueryBuilder(EXPR, Comparison.GT, 0.3);
      long matching =
          client()
              .prepareSearch(index)
              .setQuery(undecided)
              .setTrackTotalHits(true)
              .get()
              .getHits()
              .getTotalHits()
              .value();
      SearchResponse filter =
          client()
              .prepareSearch(index)
              .setQuery(undecided)
              .setTrackTotalHits(true)
              .setTimeout(TimeValue.timeValueMillis(1))
              .get();
      assertTrue(filter.isTimedOut());
      assertTrue(filter.getHits().getTotalHits().value() <= matching);

      SearchResponse sorted =
          client()
              .prepareSearch(index)
              .setQuery(QueryBuilders.matchAllQuery())
              .addSort(new MaskExprSortBuilder(EXPR, SortOrder.ASC))
              .setTrackTotalHits(true)
              .setTimeout(TimeValue.timeValueMillis(1))
              .get();
      assertTrue(sorted.isTimedOut());
      assertEquals(cacheBytes(), breaker().getUsed());
    }
  }

  /**
   * A timeout stops a segment in its middle: OpenSearch itself checks the clock before each segment
   * and every 2048 documents, so a search of one segment of 300 documents that collects some but
   * not all of them was stopped by the per-document checks. Timeouts double until one falls inside
   * the segment's work.
   */
  public void testTimeoutStopsWithinASegment() {
    int docs = index("one_segment", 300, false, 1);
    client().admin().indices().prepareForceMerge("one_segment").setMaxNumSegments(1).get();
    client().admin().indices().prepareRefresh("one_segment").get();
    boolean withinSegment = false;
    for (long millis = 1; millis <= 4096 && !withinSegment; millis *= 2) {
      SearchResponse timed =
          client()
              .prepareSearch("one_segment")
              .setQuery(cp(null, Double.NaN, null))
              .setTrackTotalHits(true)
              .setTimeout(TimeValue.timeValueMillis(millis))
              .get();
      long collected = timed.getHits().getTotalHits().value();
      assertEquals(timed.isTimedOut(), collected < docs);
      withinSegment = timed.isTimedOut() && collected > 0;
    }
    assertTrue("some timeout stopped the segment part-way", withinSegment);
    assertEquals(cacheBytes(), breaker().getUsed());
  }
}
