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
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.InnerHitBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.search.aggregations.bucket.nested.Nested;
import org.opensearch.search.aggregations.bucket.range.Range;
import org.opensearch.search.aggregations.bucket.terms.Terms;
import org.opensearch.search.aggregations.metrics.Avg;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * Several objects per image, as COCO annotates them: a {@code nested} field of objects (0 to 30 an
 * image, overlapping, cut by the edge, some empty), each with its instance mask (COCO RLE), a
 * predicted mask, a box and a category, beside the image's own saliency map. Per-object {@code cp}
 * queries inside a {@code nested} query, with {@code inner_hits} naming the objects that matched,
 * equal a brute force over the decoded masks.
 */
public class MaskNestedObjectsSingleNodeTests extends OpenSearchSingleNodeTestCase {
  private static final String MAPPING =
      """
      {"properties": {
        "saliency": {"type": "mask", "grid_step": 8},
        "imgbox": {"type": "mask_roi"},
        "parts": {"type": "nested", "properties": {"mask": {"type": "mask"}}},
        "objects": {"type": "nested", "properties": {
          "category": {"type": "keyword"},
          "mask": {"type": "mask"},
          "pred": {"type": "mask"},
          "box": {"type": "mask_roi"},
          "parts": {"type": "nested", "properties": {"mask": {"type": "mask"}}}}}}}""";

  private static final String[] CATEGORIES = {"person", "dog", "car"};

  /** One image's objects, in the order of its {@code objects} array; {@code pred} the model's. */
  private record Obj(String category, Mask mask, Roi box, Mask pred) {}

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  public void testPerObjectCpInsideNestedEqualsBruteForce() {
    Map<String, List<Obj>> images = indexImages();
    ValueRange ones = new ValueRange(0.5, 1.01);
    for (int q = 0; q < 20; q++) {
      perObjectQuery(images, ones);
    }
  }

  /**
   * Model evaluation in place, each object with its ground-truth and predicted masks: per-category
   * mean IoU (a nested, terms and avg aggregation of a masksearch script), the objects below an IoU
   * threshold (a nested mask_expr filter with inner hits), and the objects at or above each
   * threshold 0.50, 0.55, ..., 0.95 (a range aggregation), all equal to brute force.
   */
  public void testModelEvaluationOfPredictedMasks() throws Exception {
    Map<String, List<Obj>> images = indexImages();
    String iou = "iou(objects.mask > 0.5, objects.pred > 0.5)";
    Map<String, double[]> perCategory = new HashMap<>(); // sum, count
    List<Double> all = new ArrayList<>();
    Map<String, Set<Integer>> below = new HashMap<>();
    double threshold = 0.3 + 0.5 * random().nextDouble();
    images.forEach(
        (id, objects) -> {
          for (int o = 0; o < objects.size(); o++) {
            double v = iou(objects.get(o).mask(), objects.get(o).pred());
            double[] acc =
                perCategory.computeIfAbsent(objects.get(o).category(), c -> new double[2]);
            acc[0] += v;
            acc[1]++;
            all.add(v);
            if (v < threshold) {
              below.computeIfAbsent(id, k -> new HashSet<>()).add(o);
            }
          }
        });
    StringBuilder ranges = new StringBuilder();
    for (int t = 50; t <= 95; t += 5) {
      ranges
          .append(t > 50 ? ", " : "")
          .append("{\"key\": \"")
          .append(t)
          .append("\", \"from\": ")
          .append(t / 100.0)
          .append("}");
    }
    SearchResponse aggs =
        searchJson(
            "{\"size\": 0, \"aggs\": {\"objects\": {\"nested\": {\"path\": \"objects\"}, \"aggs\": {"
                + "\"by_category\": {\"terms\": {\"field\": \"objects.category\"}, \"aggs\": {\"miou\": {\"avg\":"
                + " {\"script\": {\"lang\": \"masksearch\", \"source\": \""
                + iou
                + "\"}}}}},"
                + "\"at\": {\"range\": {\"script\": {\"lang\": \"masksearch\", \"source\": \""
                + iou
                + "\"}, \"ranges\": ["
                + ranges
                + "]}}}}}}");
    Nested nested = aggs.getAggregations().get("objects");
    assertEquals(all.size(), nested.getDocCount());
    Terms byCategory = nested.getAggregations().get("by_category");
    assertEquals(perCategory.size(), byCategory.getBuckets().size());
    for (Terms.Bucket bucket : byCategory.getBuckets()) {
      double[] acc = perCategory.get(bucket.getKeyAsString());
      assertEquals((long) acc[1], bucket.getDocCount());
      Avg miou = bucket.getAggregations().get("miou");
      assertEquals(bucket.getKeyAsString(), acc[0] / acc[1], miou.getValue(), 1e-9);
    }
    Range at = nested.getAggregations().get("at");
    for (Range.Bucket bucket : at.getBuckets()) {
      double t = Integer.parseInt(bucket.getKeyAsString()) / 100.0;
      assertEquals("IoU >= " + t, all.stream().filter(v -> v >= t).count(), bucket.getDocCount());
    }
    // the objects below the threshold, by image, with inner hits
    SearchResponse filtered =
        searchJson(
            "{\"size\": 100, \"query\": {\"nested\": {\"path\": \"objects\", \"inner_hits\": {\"size\": 100},"
                + " \"query\": {\"mask_expr\": {\"expr\": \""
                + iou
                + "\", \"lt\": "
                + threshold
                + "}}}}}");
    assertEquals(below, innerHitOffsets(filtered));
  }

  private static double iou(Mask a, Mask b) {
    long both = 0;
    long either = 0;
    for (int i = 0; i < a.pixelCount(); i++) {
      boolean x = a.code(i) != 0;
      boolean y = b.code(i) != 0;
      both += x && y ? 1 : 0;
      either += x || y ? 1 : 0;
    }
    return either == 0 ? 0 : (double) both / either;
  }

  /** The mask with some pixels flipped, as a model's prediction of it. */
  private static Mask jitter(Mask mask) {
    byte[] raw = mask.rawBytes().clone();
    int flips = random().nextInt(raw.length / 4 + 1);
    for (int f = 0; f < flips; f++) {
      int i = random().nextInt(raw.length);
      raw[i] = (byte) (raw[i] == 0 ? 255 : 0);
    }
    return Mask.of(MaskDType.UINT8, mask.height(), mask.width(), raw);
  }

  private SearchResponse searchJson(String json) throws Exception {
    NamedXContentRegistry registry = getInstanceFromNode(NamedXContentRegistry.class);
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            registry, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
      return client()
          .prepareSearch("coco")
          .setSource(SearchSourceBuilder.fromXContent(parser))
          .get(TimeValue.timeValueSeconds(60));
    }
  }

  private static Map<String, Set<Integer>> innerHitOffsets(SearchResponse response) {
    Map<String, Set<Integer>> actual = new HashMap<>();
    for (SearchHit hit : response.getHits().getHits()) {
      Set<Integer> offsets = new HashSet<>();
      for (SearchHit inner : hit.getInnerHits().get("objects").getHits()) {
        offsets.add(inner.getNestedIdentity().getOffset());
      }
      actual.put(hit.getId(), offsets);
    }
    return actual;
  }

  /** The saliency map and a box of each image indexed, by id. */
  private final Map<String, Mask> saliencies = new HashMap<>();

  private final Map<String, Roi> imageBoxes = new HashMap<>();

  /**
   * Expressions and cp terms inside a nested query that read both the object's fields and its
   * image's: "objects whose instance mask overlaps the image's saliency (above 0.8) by IoU under t"
   * and "objects whose box holds fewer than n salient pixels", with inner hits naming them, equal
   * to brute force; a field of another nested object is a 400.
   */
  public void testNestedQueriesReadTheImagesMasksThroughTheBlockJoin() throws Exception {
    Map<String, List<Obj>> images = indexImages();
    ValueRange salient = new ValueRange(0.8, 1.01);
    for (int q = 0; q < 8; q++) {
      double threshold = random().nextDouble() * 0.5;
      Map<String, Set<Integer>> expected = new HashMap<>();
      images.forEach(
          (id, objects) -> {
            Mask saliency = saliencies.get(id);
            for (int o = 0; o < objects.size(); o++) {
              long both = 0;
              long either = 0;
              for (int i = 0; i < saliency.pixelCount(); i++) {
                boolean a = objects.get(o).mask().code(i) != 0;
                boolean b = saliency.value(i / saliency.width(), i % saliency.width()) > 0.8;
                both += a && b ? 1 : 0;
                either += a || b ? 1 : 0;
              }
              double iou = either == 0 ? 0 : (double) both / either;
              if (iou < threshold) {
                expected.computeIfAbsent(id, k -> new HashSet<>()).add(o);
              }
            }
          });
      SearchResponse response =
          searchJson(
              "{\"size\": 100, \"query\": {\"nested\": {\"path\": \"objects\", \"inner_hits\": {\"size\": 100},"
                  + " \"query\": {\"mask_expr\": {\"expr\": \"iou(objects.mask > 0.5, saliency > 0.8)\", \"lt\": "
                  + threshold
                  + "}}}}}");
      assertEquals("iou < " + threshold, expected, innerHitOffsets(response));

      long salientPixels = random().nextInt(60);
      Map<String, Set<Integer>> fewSalient = new HashMap<>();
      images.forEach(
          (id, objects) -> {
            for (int o = 0; o < objects.size(); o++) {
              if (saliencies.get(id).countPixels(objects.get(o).box(), salient) < salientPixels) {
                fewSalient.computeIfAbsent(id, k -> new HashSet<>()).add(o);
              }
            }
          });
      SearchResponse cp =
          client()
              .prepareSearch("coco")
              .setQuery(
                  QueryBuilders.nestedQuery(
                          "objects",
                          new CpQueryBuilder(
                              "saliency",
                              null,
                              "objects.box",
                              salient,
                              false,
                              Comparison.LT,
                              salientPixels,
                              null,
                              null),
                          ScoreMode.None)
                      .innerHit(new InnerHitBuilder().setSize(100)))
              .setSize(100)
              .get();
      assertEquals("salient in box < " + salientPixels, fewSalient, innerHitOffsets(cp));

      // the object's own mask in its image's box (a top-level mask_roi, read at the parent)
      long inImageBox = random().nextInt(200);
      Map<String, Set<Integer>> fewInImageBox = new HashMap<>();
      images.forEach(
          (id, objects) -> {
            for (int o = 0; o < objects.size(); o++) {
              if (objects.get(o).mask().countPixels(imageBoxes.get(id), salient) < inImageBox) {
                fewInImageBox.computeIfAbsent(id, k -> new HashSet<>()).add(o);
              }
            }
          });
      SearchResponse inBox =
          searchJson(
              "{\"size\": 100, \"query\": {\"nested\": {\"path\": \"objects\", \"inner_hits\": {\"size\": 100},"
                  + " \"query\": {\"mask_expr\": {\"expr\": \"cp(objects.mask, imgbox, 0.8, 1.01)\", \"lt\": "
                  + inImageBox
                  + "}}}}}");
      assertEquals(
          "object in the image's box < " + inImageBox, fewInImageBox, innerHitOffsets(inBox));
    }
    Exception e =
        expectThrows(
            Exception.class,
            () ->
                searchJson(
                    "{\"query\": {\"nested\": {\"path\": \"objects\", \"query\": {\"mask_expr\":"
                        + " {\"expr\": \"iou(objects.mask > 0.5, parts.mask > 0.5)\", \"lt\": 1}}}}}"));
    assertEquals(RestStatus.BAD_REQUEST, org.opensearch.ExceptionsHelper.status(e));
    assertTrue(
        org.opensearch.ExceptionsHelper.detailedMessage(e),
        org.opensearch.ExceptionsHelper.detailedMessage(e)
            .contains("cannot read [parts.mask] of the nested object [parts]"));
    // a field of an object nested deeper than the query's is not the object's own either
    Exception deeper =
        expectThrows(
            Exception.class,
            () ->
                searchJson(
                    "{\"query\": {\"nested\": {\"path\": \"objects\", \"query\": {\"mask_expr\":"
                        + " {\"expr\": \"iou(objects.mask > 0.5, objects.parts.mask > 0.5)\", \"lt\": 1}}}}}"));
    assertEquals(RestStatus.BAD_REQUEST, org.opensearch.ExceptionsHelper.status(deeper));
    assertTrue(
        org.opensearch.ExceptionsHelper.detailedMessage(deeper),
        org.opensearch.ExceptionsHelper.detailedMessage(deeper)
            .contains("cannot read [objects.parts.mask] of the nested object [objects.parts]"));
  }

  /** A soft saliency map: a blob of high values over low noise. */
  private static Mask softBlob(int height, int width) {
    byte[] raw = new byte[height * width];
    int cx = random().nextInt(width);
    int cy = random().nextInt(height);
    double r = 3 + random().nextInt(Math.max(height, width) / 2);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double d = Math.hypot(x - cx, y - cy) / r;
        raw[y * width + x] =
            (byte)
                Math.max(
                    0, Math.min(255, (int) (255 * Math.exp(-d * d)) + random().nextInt(20) - 10));
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }

  /** Indexes 60 images of 0 to 30 objects each; returns their objects by image id. */
  private Map<String, List<Obj>> indexImages() {
    client()
        .admin()
        .indices()
        .prepareCreate("coco")
        .setSettings(
            Settings.builder()
                // without the codec, masks are read whole (no CHI) through plain doc values
                .put("index.codec", random().nextInt(4) == 0 ? "default" : MaskSearchCodec.ALIAS)
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
      // 0 to 30 objects, often overlapping; some empty, some cut by the image's edge
      for (int o = random().nextInt(5) == 0 ? random().nextInt(31) : random().nextInt(6);
          o > 0;
          o--) {
        Mask mask =
            random().nextInt(15) == 0
                ? Mask.of(MaskDType.UINT8, height, width, new byte[height * width])
                : blob(height, width);
        Roi box = boxOf(mask);
        String category = CATEGORIES[random().nextInt(CATEGORIES.length)];
        Mask pred = random().nextInt(4) == 0 ? blob(height, width) : jitter(mask);
        objects.add(new Obj(category, mask, box, pred));
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
            .append("\"}}, \"pred\": {\"rle\": {\"size\": [")
            .append(height)
            .append(", ")
            .append(width)
            .append("], \"counts\": ")
            .append(java.util.Arrays.toString(RleMasks.runs(pred)))
            .append("}}}");
      }
      Mask saliency = softBlob(height, width);
      int bx = random().nextInt(width);
      int by = random().nextInt(height);
      Roi imageBox =
          new Roi(
              bx,
              by,
              bx + random().nextInt(width - bx + 5),
              by + random().nextInt(height - by + 5));
      imageBoxes.put("img" + i, imageBox);
      json.append("], \"imgbox\": [")
          .append(imageBox.x1())
          .append(", ")
          .append(imageBox.y1())
          .append(", ")
          .append(imageBox.x2())
          .append(", ")
          .append(imageBox.y2())
          .append("], \"saliency\": {\"shape\": [")
          .append(height)
          .append(", ")
          .append(width)
          .append("], \"dtype\": \"uint8\", \"data\": \"")
          .append(java.util.Base64.getEncoder().encodeToString(saliency.rawBytes()))
          .append("\"}}");
      saliencies.put("img" + i, saliency);
      images.put("img" + i, objects);
      bulk.add(
          client()
              .prepareIndex("coco")
              .setId("img" + i)
              .setSource(json.toString(), XContentType.JSON));
    }
    BulkResponse indexed = bulk.get();
    assertFalse(indexed.buildFailureMessage(), indexed.hasFailures());
    return images;
  }

  /** "Images with a [category] instance whose mask covers under [share] of its own box". */
  private void perObjectQuery(Map<String, List<Obj>> images, ValueRange ones) {
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
    assertEquals(category + " < " + share, expected, innerHitOffsets(response));
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
