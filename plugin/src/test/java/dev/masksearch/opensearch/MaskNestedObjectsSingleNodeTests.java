package dev.masksearch.opensearch;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RleMasks;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.index.query.CpQueryBuilder;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.search.join.ScoreMode;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.index.query.InnerHitBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * Several objects per image, as COCO annotates them: a {@code nested} field of objects, each with
 * its instance mask (COCO RLE), box and category, beside the image's own saliency map. Per-object
 * {@code cp} queries inside a {@code nested} query, with {@code inner_hits} naming the objects that
 * matched, equal a brute force over the decoded masks.
 */
public class MaskNestedObjectsSingleNodeTests extends OpenSearchSingleNodeTestCase {
  private static final String MAPPING =
      """
      {"properties": {
        "saliency": {"type": "mask"},
        "objects": {"type": "nested", "properties": {
          "category": {"type": "keyword"},
          "mask": {"type": "mask"},
          "box": {"type": "mask_roi"}}}}}""";

  private static final String[] CATEGORIES = {"person", "dog", "car"};

  /** One image's objects, in the order of its {@code objects} array. */
  private record Obj(String category, Mask mask, Roi box) {}

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  public void testPerObjectCpInsideNestedEqualsBruteForce() {
    client()
        .admin()
        .indices()
        .prepareCreate("coco")
        .setSettings(
            Settings.builder()
                .put("index.codec", MaskSearchCodec.ALIAS)
                .put("index.number_of_shards", 1 + random().nextInt(2)))
        .setMapping(MAPPING)
        .get();
    Map<String, List<Obj>> images = new HashMap<>();
    BulkRequestBuilder bulk =
        client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    for (int i = 0; i < 60; i++) {
      int height = 20 + random().nextInt(40);
      int width = 20 + random().nextInt(40);
      List<Obj> objects = new ArrayList<>();
      StringBuilder json = new StringBuilder("{\"objects\": [");
      for (int o = random().nextInt(8); o > 0; o--) {
        Mask mask = blob(height, width);
        Roi box = boxOf(mask);
        String category = CATEGORIES[random().nextInt(CATEGORIES.length)];
        objects.add(new Obj(category, mask, box));
        json.append(objects.size() > 1 ? ", " : "")
            .append("{\"category\": \"")
            .append(category)
            .append("\", \"box\": [")
            .append(box.x1())
            .append(", ")
            .append(box.y1())
            .append(", ")
            .append(box.x2())
            .append(", ")
            .append(box.y2())
            .append("], \"mask\": {\"rle\": {\"size\": [")
            .append(height)
            .append(", ")
            .append(width)
            .append("], \"counts\": \"")
            .append(RleMasks.encode(mask).replace("\\", "\\\\")) // the code has backslashes
            .append("\"}}}");
      }
      json.append("]}");
      images.put("img" + i, objects);
      bulk.add(
          client()
              .prepareIndex("coco")
              .setId("img" + i)
              .setSource(json.toString(), XContentType.JSON));
    }
    assertFalse(bulk.get().buildFailureMessage(), bulk.get().hasFailures());

    ValueRange ones = new ValueRange(0.5, 1.01);
    for (int q = 0; q < 20; q++) {
      String category = CATEGORIES[random().nextInt(CATEGORIES.length)];
      double share = random().nextDouble();
      // "images with a <category> instance whose mask covers under <share> of its own box"
      QueryBuilder perObject =
          QueryBuilders.boolQuery()
              .filter(QueryBuilders.termQuery("objects.category", category))
              .filter(
                  new CpQueryBuilder(
                      "objects.mask",
                      null,
                      "objects.box",
                      ones,
                      true,
                      Comparison.LT,
                      share,
                      null,
                      null));
      SearchResponse response =
          client()
              .prepareSearch("coco")
              .setQuery(
                  QueryBuilders.nestedQuery("objects", perObject, ScoreMode.None)
                      .innerHit(new InnerHitBuilder().setSize(100)))
              .setSize(100)
              .get();
      Map<String, Set<Integer>> expected = new HashMap<>();
      images.forEach(
          (id, objects) -> {
            for (int o = 0; o < objects.size(); o++) {
              Obj obj = objects.get(o);
              Roi box = obj.box().clip(obj.mask().width(), obj.mask().height());
              double value =
                  box.area() == 0 ? 0 : (double) obj.mask().countPixels(box, ones) / box.area();
              if (obj.category().equals(category) && value < share) {
                expected.computeIfAbsent(id, k -> new HashSet<>()).add(o);
              }
            }
          });
      Map<String, Set<Integer>> actual = new HashMap<>();
      for (SearchHit hit : response.getHits().getHits()) {
        Set<Integer> offsets = new HashSet<>();
        for (SearchHit inner : hit.getInnerHits().get("objects").getHits()) {
          offsets.add(inner.getNestedIdentity().getOffset());
        }
        actual.put(hit.getId(), offsets);
      }
      assertEquals(category + " < " + share, expected, actual);
    }
  }

  /** A binary blob (an ellipse, maybe cut by the edge), as an instance mask. */
  private static Mask blob(int height, int width) {
    byte[] raw = new byte[height * width];
    int cx = random().nextInt(width);
    int cy = random().nextInt(height);
    double rx = 1 + random().nextInt(width / 2);
    double ry = 1 + random().nextInt(height / 2);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double dx = (x - cx) / rx;
        double dy = (y - cy) / ry;
        if (dx * dx + dy * dy <= 1 && random().nextInt(10) > 0) {
          raw[y * width + x] = (byte) 255;
        }
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }

  /** The mask's box, half-open; an object's box as COCO gives it (or a larger one, at random). */
  private static Roi boxOf(Mask mask) {
    int x1 = mask.width();
    int y1 = mask.height();
    int x2 = 0;
    int y2 = 0;
    for (int y = 0; y < mask.height(); y++) {
      for (int x = 0; x < mask.width(); x++) {
        if (mask.code(y * mask.width() + x) != 0) {
          x1 = Math.min(x1, x);
          y1 = Math.min(y1, y);
          x2 = Math.max(x2, x + 1);
          y2 = Math.max(y2, y + 1);
        }
      }
    }
    if (x2 == 0) {
      return new Roi(0, 0, 0, 0);
    }
    int grow = random().nextInt(3) == 0 ? random().nextInt(5) : 0; // past the edge, maybe
    return new Roi(Math.max(0, x1 - grow), Math.max(0, y1 - grow), x2 + grow, y2 + grow);
  }
}
