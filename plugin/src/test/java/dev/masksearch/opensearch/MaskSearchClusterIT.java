package dev.masksearch.opensearch;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.index.query.CpQueryBuilder;
import dev.masksearch.opensearch.index.query.CpSortBuilder;
import dev.masksearch.opensearch.index.query.MaskExprSortBuilder;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.cluster.metadata.IndexMetadata;
import org.opensearch.cluster.routing.OperationRouting;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.search.sort.SortOrder;
import org.opensearch.test.OpenSearchIntegTestCase;

/**
 * A cluster of three nodes, one index of 4 shards with a replica: cp filters, top-k and sorts equal
 * brute force, and still do after a node stops; normalized values that tie as float scores are
 * ordered exactly by the cp sort.
 */
@OpenSearchIntegTestCase.ClusterScope(scope = OpenSearchIntegTestCase.Scope.TEST, numDataNodes = 3)
public class MaskSearchClusterIT extends OpenSearchIntegTestCase {

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  public void testAnswersEqualBruteForceAcrossShardsReplicasAndANodeLoss() throws Exception {
    client()
        .admin()
        .indices()
        .prepareCreate("masks")
        .setSettings(
            Settings.builder()
                .put("index.number_of_shards", 4)
                .put("index.number_of_replicas", 1)
                .put("index.codec", MaskSearchCodec.ALIAS))
        .setMapping("{\"properties\": {\"saliency\": {\"type\": \"mask\"}}}")
        .get();
    ensureGreen("masks");
    List<Mask> masks = new ArrayList<>();
    BulkRequestBuilder bulk = client().prepareBulk();
    for (int i = 0; i < 120; i++) {
      float[] values = new float[32 * 32];
      double cx = random().nextDouble() * 32;
      double cy = random().nextDouble() * 32;
      double sigma = 2 + random().nextDouble() * 12;
      for (int p = 0; p < values.length; p++) {
        double dx = p % 32 - cx;
        double dy = p / 32 - cy;
        values[p] = (float) Math.min(1, 1.1 * Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)));
      }
      Mask mask = Mask.ofFloats(32, 32, values);
      masks.add(mask);
      bulk.add(
          client()
              .prepareIndex("masks")
              .setId(Integer.toString(i))
              .setSource(
                  String.format(
                      Locale.ROOT,
                      "{\"saliency\": {\"shape\": [32, 32], \"dtype\": \"float32\", \"data\": \"%s\"}}",
                      Base64.getEncoder().encodeToString(mask.rawBytes())),
                  XContentType.JSON));
    }
    assertFalse(bulk.get().hasFailures());
    refresh("masks");

    assertAnswers(masks);
    internalCluster().stopRandomDataNode();
    ensureYellow("masks");
    assertAnswers(masks);
  }

  /**
   * Two normalized CP values that differ as doubles but are the same float: 4354 / 4355 (a 65 x 67
   * mask with one pixel outside the range) is less than 4355 / 4356 (66 x 66, one pixel outside).
   * As {@code _score} they tie, and a tie is ordered by shard, then document, so with the smaller
   * value on shard 0 the scoring and top-k forms list it first. The cp sort carries the values as
   * doubles between nodes and orders them exactly, with search_after. Each shard is on its own node
   * (the coordinating node reduces what the others send).
   */
  public void testNormalizedValuesThatTieAsFloatsAreOrderedExactlyByTheCpSort() {
    client()
        .admin()
        .indices()
        .prepareCreate("ties")
        .setSettings(
            Settings.builder()
                .put("index.number_of_shards", 2)
                .put("index.number_of_replicas", 0)
                .put("index.routing.allocation.total_shards_per_node", 1)
                .put("index.codec", MaskSearchCodec.ALIAS))
        .setMapping("{\"properties\": {\"saliency\": {\"type\": \"mask\"}}}")
        .get();
    ensureGreen("ties");
    double lower = 4354.0 / 4355;
    double higher = 4355.0 / 4356;
    assertTrue(lower < higher);
    assertEquals((float) lower, (float) higher, 0f);
    indexOnShard("ties", "lower", onePixelOff(65, 67), 0);
    indexOnShard("ties", "higher", onePixelOff(66, 66), 1);
    refresh("ties");
    ValueRange range = new ValueRange(0.5, 1.01);

    for (Integer k : new Integer[] {null, 2}) { // the scoring form, then the top-k form
      SearchHit[] hits =
          client()
              .prepareSearch("ties")
              .setSize(2)
              .setRequestCache(false)
              .setQuery(
                  new CpQueryBuilder(
                      "saliency", Roi.FULL, null, range, true, null, Double.NaN, k, null))
              .get()
              .getHits()
              .getHits();
      assertEquals(2, hits.length);
      assertEquals((float) higher, hits[0].getScore(), 0f);
      assertEquals((float) higher, hits[1].getScore(), 0f);
      assertEquals(
          "a float tie, ordered by shard",
          List.of("lower", "higher"),
          List.of(hits[0].getId(), hits[1].getId()));
      assertEquals(0, hits[0].getShard().getShardId().id());
    }

    CpSortBuilder sort = new CpSortBuilder("saliency", Roi.FULL, null, range, true, SortOrder.DESC);
    SearchHit[] sorted =
        client()
            .prepareSearch("ties")
            .setSize(2)
            .setRequestCache(false)
            .addSort(sort)
            .get()
            .getHits()
            .getHits();
    assertEquals(List.of("higher", "lower"), List.of(sorted[0].getId(), sorted[1].getId()));
    assertEquals(higher, ((Number) sorted[0].getSortValues()[0]).doubleValue(), 0);
    assertEquals(lower, ((Number) sorted[1].getSortValues()[0]).doubleValue(), 0);
    // Page by page: the second page starts after the first hit's exact double.
    SearchHit[] first =
        client()
            .prepareSearch("ties")
            .setSize(1)
            .setRequestCache(false)
            .addSort(sort)
            .get()
            .getHits()
            .getHits();
    SearchHit[] second =
        client()
            .prepareSearch("ties")
            .setSize(1)
            .setRequestCache(false)
            .addSort(sort)
            .searchAfter(first[0].getSortValues())
            .get()
            .getHits()
            .getHits();
    assertEquals(List.of("higher", "lower"), List.of(first[0].getId(), second[0].getId()));
    SearchHit[] ascending =
        client()
            .prepareSearch("ties")
            .setSize(2)
            .setRequestCache(false)
            .addSort(new CpSortBuilder("saliency", Roi.FULL, null, range, true, SortOrder.ASC))
            .get()
            .getHits()
            .getHits();
    assertEquals(List.of("lower", "higher"), List.of(ascending[0].getId(), ascending[1].getId()));
  }

  /** A uint8 mask of 255s with one 0: CP over [0.5, 1.01) is its area minus one. */
  private static Mask onePixelOff(int height, int width) {
    byte[] data = new byte[height * width];
    Arrays.fill(data, (byte) 255);
    data[height * width / 2] = 0;
    return Mask.of(MaskDType.UINT8, height, width, data);
  }

  /** Indexes a mask with a routing value that puts it on {@code shard}. */
  private void indexOnShard(String index, String id, Mask mask, int shard) {
    IndexMetadata metadata = clusterService().state().metadata().index(index);
    String routing = null;
    for (int r = 0; routing == null; r++) {
      if (OperationRouting.generateShardId(metadata, id, Integer.toString(r)) == shard) {
        routing = Integer.toString(r);
      }
    }
    client()
        .prepareIndex(index)
        .setId(id)
        .setRouting(routing)
        .setSource(
            String.format(
                Locale.ROOT,
                "{\"saliency\": {\"shape\": [%d, %d], \"dtype\": \"uint8\", \"data\": \"%s\"}}",
                mask.height(),
                mask.width(),
                Base64.getEncoder().encodeToString(mask.rawBytes())),
            XContentType.JSON)
        .get();
  }

  private void assertAnswers(List<Mask> masks) {
    for (int q = 0; q < 10; q++) {
      Roi roi =
          new Roi(
              randomIntBetween(0, 20),
              randomIntBetween(0, 20),
              randomIntBetween(10, 40),
              randomIntBetween(10, 40));
      ValueRange range = new ValueRange(randomFrom(0.2, 0.5, 0.8), randomFrom(0.9, 1.01));
      List<Long> values = new ArrayList<>();
      for (Mask m : masks) {
        values.add(m.countPixels(roi, range));
      }
      long threshold = values.get(random().nextInt(values.size()));
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < values.size(); i++) {
        if (values.get(i) >= threshold) {
          expected.add(Integer.toString(i));
        }
      }
      SearchResponse filtered =
          client()
              .prepareSearch("masks")
              .setSize(200)
              .setRequestCache(false)
              .setQuery(
                  new CpQueryBuilder(
                      "saliency", roi, null, range, false, Comparison.GTE, threshold, null, null))
              .get();
      Set<String> got = new HashSet<>();
      for (SearchHit hit : filtered.getHits().getHits()) {
        got.add(hit.getId());
      }
      assertEquals(expected, got);

      int k = randomIntBetween(1, 15);
      List<Float> expectedTop =
          values.stream().sorted(Comparator.reverseOrder()).limit(k).map(Long::floatValue).toList();
      List<Float> top = new ArrayList<>();
      for (SearchHit hit :
          client()
              .prepareSearch("masks")
              .setSize(k)
              .setRequestCache(false)
              .setQuery(
                  new CpQueryBuilder(
                      "saliency", roi, null, range, false, null, Double.NaN, k, CpOrder.DESC))
              .get()
              .getHits()
              .getHits()) {
        top.add(hit.getScore());
      }
      assertEquals(expectedTop, top);

      List<Double> expectedAsc = values.stream().sorted().limit(k).map(Long::doubleValue).toList();
      List<Double> asc = new ArrayList<>();
      for (SearchHit hit :
          client()
              .prepareSearch("masks")
              .setSize(k)
              .setRequestCache(false)
              .addSort(new CpSortBuilder("saliency", roi, null, range, false, SortOrder.ASC))
              .get()
              .getHits()
              .getHits()) {
        asc.add(((Number) hit.getSortValues()[0]).doubleValue());
      }
      assertEquals(expectedAsc, asc);

      // An expression sort and a script aggregation, shipped to every node (the builders cross the
      // wire).
      String expr =
          "cp(saliency, full, 0.8, 1.01) - cp(saliency, ["
              + roi.x1()
              + ", "
              + roi.y1()
              + ", "
              + roi.x2()
              + ", "
              + roi.y2()
              + "], "
              + range.lv()
              + ", "
              + range.uv()
              + ")";
      List<Double> exprValues = new ArrayList<>();
      for (Mask m : masks) {
        exprValues.add(
            (double) m.countPixels(Roi.FULL, new ValueRange(0.8, 1.01))
                - m.countPixels(roi, range));
      }
      List<Double> expectedExpr = exprValues.stream().sorted().limit(k).toList();
      List<Double> gotExpr = new ArrayList<>();
      for (SearchHit hit :
          client()
              .prepareSearch("masks")
              .setSize(k)
              .setRequestCache(false)
              .addSort(new MaskExprSortBuilder(expr, SortOrder.ASC))
              .get()
              .getHits()
              .getHits()) {
        gotExpr.add(((Number) hit.getSortValues()[0]).doubleValue());
      }
      assertEquals(expr, expectedExpr, gotExpr);
      org.opensearch.search.aggregations.metrics.Sum sum =
          client()
              .prepareSearch("masks")
              .setSize(0)
              .setRequestCache(false)
              .addAggregation(
                  org.opensearch.search.aggregations.AggregationBuilders.sum("s")
                      .script(
                          new org.opensearch.script.Script(
                              org.opensearch.script.ScriptType.INLINE,
                              "masksearch",
                              expr,
                              java.util.Map.of())))
              .get()
              .getAggregations()
              .get("s");
      assertEquals(
          expr, exprValues.stream().mapToDouble(Double::doubleValue).sum(), sum.getValue(), 1e-6);
    }
  }
}
