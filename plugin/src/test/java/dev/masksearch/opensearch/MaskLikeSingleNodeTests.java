package dev.masksearch.opensearch;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * The {@code mask_like} query and sort on a node, through the search API as clients send them: the
 * top k both ways, filters, an indexed document as the example (found first, with IoU 1), masks of
 * another size left out, one and three shards, with the mask codec and without; every answer
 * against a brute force over the indexed masks.
 */
public class MaskLikeSingleNodeTests extends OpenSearchSingleNodeTestCase {

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  public void testMaskLikeEqualsBruteForce() throws Exception {
    int size = randomIntBetween(8, 40);
    int docs = randomIntBetween(40, 100);
    List<Mask> masks = new ArrayList<>();
    for (int i = 0; i < docs; i++) {
      boolean other = randomInt(9) == 0;
      masks.add(blob(other ? size + 3 : size, size));
    }
    String[][] indices = {{"like1", "true", "1"}, {"like3", "true", "3"}, {"plain", "false", "2"}};
    for (String[] index : indices) {
      Settings.Builder settings =
          Settings.builder()
              .put("index.number_of_shards", Integer.parseInt(index[2]))
              .put("index.number_of_replicas", 0);
      if (Boolean.parseBoolean(index[1])) {
        settings.put("index.codec", MaskSearchCodec.ALIAS);
      }
      client()
          .admin()
          .indices()
          .prepareCreate(index[0])
          .setSettings(settings)
          .setMapping("{\"properties\": {\"saliency\": {\"type\": \"mask\", \"grid_step\": 8}}}")
          .get();
      BulkRequestBuilder bulk = client().prepareBulk();
      for (int i = 0; i < docs; i++) {
        bulk.add(
            client()
                .prepareIndex(index[0])
                .setId(Integer.toString(i))
                .setSource("{\"saliency\": " + rawJson(masks.get(i)) + "}", XContentType.JSON));
      }
      assertFalse(bulk.get().hasFailures());
      client().admin().indices().prepareRefresh(index[0]).get();
    }
    for (int q = 0; q < 12; q++) {
      int example = randomInt(docs - 1);
      while (masks.get(example).height() != size) {
        example = randomInt(docs - 1);
      }
      boolean byId = randomBoolean();
      String similarity = randomFrom("iou", "dice", "l1");
      double threshold = randomFrom(0.5, 0.3, 0.8);
      String roi = randomBoolean() ? "" : ", \"roi\": {\"polygon\": [[0, 0], [30, 2], [4, 30]]}";
      Map<String, Double> expected = new HashMap<>();
      for (int i = 0; i < docs; i++) {
        Mask m = masks.get(i);
        if (m.height() == size) {
          expected.put(
              Integer.toString(i),
              brute(m, masks.get(example), threshold, similarity, !roi.isEmpty()));
        }
      }
      for (String[] index : indices) {
        String like =
            byId
                ? "{\"index\": \"" + index[0] + "\", \"id\": \"" + example + "\"}"
                : rawJson(masks.get(example));
        String term =
            String.format(
                Locale.ROOT,
                "\"field\": \"saliency\", \"like\": %s, \"similarity\": \"%s\", \"threshold\": %s%s",
                like,
                similarity,
                threshold,
                roi);
        int k = randomIntBetween(1, 15);
        // the k most alike: scores equal the brute force's top values
        SearchResponse top =
            search(
                index[0],
                "{\"size\": "
                    + k
                    + ", \"query\": {\"mask_like\": {"
                    + term
                    + ", \"k\": "
                    + k
                    + "}}}");
        List<Double> want =
            expected.values().stream().sorted(Comparator.reverseOrder()).limit(k).toList();
        List<Double> got = new ArrayList<>();
        for (SearchHit hit : top.getHits().getHits()) {
          assertEquals((float) (double) expected.get(hit.getId()), hit.getScore(), 0f);
          got.add((double) (float) (double) expected.get(hit.getId()));
        }
        assertEquals(
            index[0] + " " + term,
            want.stream().map(v -> (double) (float) (double) v).toList(),
            got);
        if (roi.isEmpty()) { // the example itself is among the best (IoU 1 unless it is empty)
          assertEquals(
              1.0 == expected.get(Integer.toString(example)),
              top.getHits().getHits()[0].getScore() == 1f);
        }
        // the least alike: the sort, ascending, each hit's sort value its exact similarity
        SearchResponse least =
            search(
                index[0],
                "{\"size\": "
                    + k
                    + ", \"sort\": [{\"mask_like\": {"
                    + term
                    + ", \"order\": \"asc\"}}]}");
        List<Double> wantAsc = expected.values().stream().sorted().limit(k).toList();
        List<Double> gotAsc = new ArrayList<>();
        for (SearchHit hit : least.getHits().getHits()) {
          double v = ((Number) hit.getSortValues()[0]).doubleValue();
          assertEquals(expected.get(hit.getId()), v, 0.0);
          gotAsc.add(v);
        }
        assertEquals(index[0] + " asc " + term, wantAsc, gotAsc);
        // a filter
        double t = randomFrom(new ArrayList<>(expected.values()));
        SearchResponse filtered =
            search(
                index[0],
                "{\"size\": 1000, \"query\": {\"mask_like\": {" + term + ", \"gte\": " + t + "}}}");
        List<String> wantIds =
            expected.entrySet().stream()
                .filter(e -> e.getValue() >= t)
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        List<String> gotIds = new ArrayList<>();
        for (SearchHit hit : filtered.getHits().getHits()) {
          gotIds.add(hit.getId());
        }
        assertEquals(index[0] + " gte " + t, wantIds, gotIds.stream().sorted().toList());
      }
    }
  }

  public void testMissingExampleIsAClearError() {
    client()
        .admin()
        .indices()
        .prepareCreate("few")
        .setMapping("{\"properties\": {\"saliency\": {\"type\": \"mask\"}}}")
        .get();
    Exception e =
        expectThrows(
            Exception.class,
            () ->
                search(
                    "few",
                    "{\"query\": {\"mask_like\": {\"field\": \"saliency\", \"like\": {\"index\": \"few\", \"id\": \"nope\"}, \"k\": 3}}}"));
    assertTrue(
        e.toString(), e.toString().contains("[mask_like] document [nope] of [few] not found"));
  }

  private SearchResponse search(String index, String body) throws Exception {
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            getInstanceFromNode(NamedXContentRegistry.class),
            DeprecationHandler.THROW_UNSUPPORTED_OPERATION,
            body)) {
      return client()
          .prepareSearch(index)
          .setSource(SearchSourceBuilder.fromXContent(parser))
          .setRequestCache(false)
          .get();
    }
  }

  /** IoU or Dice from the definitions; the polygon's pixels by a ray from each centre. */
  private static double brute(
      Mask doc, Mask like, double threshold, String similarity, boolean inPolygon) {
    long i = 0;
    long d = 0;
    long q = 0;
    long area = 0;
    double differences = 0;
    double[] ring = {0, 0, 30, 2, 4, 30};
    for (int y = 0; y < doc.height(); y++) {
      for (int x = 0; x < doc.width(); x++) {
        if (inPolygon && !RandomRegions.insidePolygon(List.of(ring), x + 0.5, y + 0.5)) {
          continue;
        }
        boolean a = doc.value(y, x) >= threshold;
        boolean b = like.value(y, x) >= threshold;
        d += a ? 1 : 0;
        q += b ? 1 : 0;
        i += a && b ? 1 : 0;
        area++;
        differences += Math.abs(doc.value(y, x) - like.value(y, x));
      }
    }
    return switch (similarity) {
      case "iou" -> d + q - i == 0 ? 0 : (double) i / (d + q - i);
      case "dice" -> d + q == 0 ? 0 : 2.0 * i / (d + q);
      default -> area == 0 ? 0 : 1 - differences / area;
    };
  }

  /** A soft blob: thresholds cut it at different sizes. */
  private Mask blob(int height, int width) {
    byte[] codes = new byte[height * width];
    double cx = randomDouble() * width;
    double cy = randomDouble() * height;
    double sigma = 1 + randomDouble() * width / 2.0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma));
        codes[y * width + x] = (byte) Math.round(Math.min(1, 1.3 * v) * 255);
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, codes);
  }

  private static String rawJson(Mask mask) {
    return String.format(
        Locale.ROOT,
        "{\"shape\": [%d, %d], \"dtype\": \"uint8\", \"data\": \"%s\"}",
        mask.height(),
        mask.width(),
        Base64.getEncoder().encodeToString(mask.rawBytes()));
  }
}
