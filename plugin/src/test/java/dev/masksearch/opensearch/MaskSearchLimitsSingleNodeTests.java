package dev.masksearch.opensearch;

import static dev.masksearch.opensearch.MaskExpressionSingleNodeTests.detail;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * The limits on masks (index settings) and expressions (cluster settings), each just met and just
 * exceeded: a mask over a limit is a 400 naming the field, its size and the limit, and nothing else
 * of the bulk is lost; an expression over a limit is a 400 naming the setting, in queries, sorts
 * and scripts.
 */
public class MaskSearchLimitsSingleNodeTests extends OpenSearchSingleNodeTestCase {

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  private static Mask zeros(int height, int width) {
    return Mask.of(MaskDType.UINT8, height, width, new byte[height * width]);
  }

  private static String raw(Mask mask) {
    return String.format(
        Locale.ROOT,
        "{\"shape\": [%d, %d], \"dtype\": \"uint8\", \"data\": \"%s\"}",
        mask.height(),
        mask.width(),
        Base64.getEncoder().encodeToString(mask.rawBytes()));
  }

  private static String png(Mask mask) {
    return "{\"png\": \"" + Base64.getEncoder().encodeToString(PngMasks.encode(mask)) + "\"}";
  }

  private static String rows(Mask mask) {
    StringBuilder s = new StringBuilder("[");
    for (int y = 0; y < mask.height(); y++) {
      s.append(y > 0 ? ", [" : "[");
      for (int x = 0; x < mask.width(); x++) {
        s.append(x > 0 ? ", 0" : "0");
      }
      s.append(']');
    }
    return s.append(']').toString();
  }

  public void testMaskSizeLimits() {
    client()
        .admin()
        .indices()
        .prepareCreate("lim")
        .setSettings(
            Settings.builder()
                .put("index.number_of_shards", 1)
                .put("index.masksearch.mask.max_pixels", 100)
                .put("index.masksearch.mask.max_side", 20))
        .setMapping("{\"properties\": {\"saliency\": {\"type\": \"mask\"}}}")
        .get();
    List<BiFunction<Integer, Integer, String>> encodings =
        List.of(
            (h, w) -> raw(zeros(h, w)), (h, w) -> png(zeros(h, w)), (h, w) -> rows(zeros(h, w)));
    String[] names = {"raw", "png", "rows"};
    for (int e = 0; e < encodings.size(); e++) {
      String id = names[e];
      // Just at the limits: 100 pixels, 20 a side; one more pixel or one more column is refused.
      index(id + "-10x10", encodings.get(e).apply(10, 10));
      index(id + "-1x20", encodings.get(e).apply(1, 20));
      String pixels = refused(id + "-11x10", encodings.get(e).apply(11, 10));
      String side = refused(id + "-1x21", encodings.get(e).apply(1, 21));
      if (e < 2) { // the size is known from the header or shape before any pixel
        assertTrue(
            pixels,
            pixels.contains("the mask is 11 x 10 = 110 pixels, over the limit of 100 pixels"));
        assertTrue(
            side,
            side.contains(
                "the mask is 1 x 21 pixels (height x width), over the limit of 20 a side"));
      } else { // counted while reading rows
        assertTrue(
            pixels,
            pixels.contains(
                "the mask has more than 100 pixels by row 10, over the limit of 100 pixels"));
        assertTrue(side, side.contains("row 0 has more than 20 values, the limit a side"));
      }
    }
    // Raw data longer than any mask within the limit is refused from its base64 length, whatever
    // the key order.
    String longData =
        "{\"data\": \""
            + Base64.getEncoder().encodeToString(new byte[1024])
            + "\", \"dtype\": \"uint8\", \"shape\": [1, 1]}";
    String tooLong = refused("raw-long", longData);
    assertTrue(
        tooLong,
        tooLong.contains(
            "[data] has 1368 base64 characters, more than the 536 that a mask within the "
                + "index's limit on pixels can need"));

    // In a bulk, the oversized document alone is rejected, naming the field.
    BulkResponse bulk =
        client()
            .prepareBulk("lim")
            .add(
                client()
                    .prepareIndex("lim")
                    .setId("ok")
                    .setSource("{\"saliency\": " + raw(zeros(5, 5)) + "}", XContentType.JSON))
            .add(
                client()
                    .prepareIndex("lim")
                    .setId("big")
                    .setSource("{\"saliency\": " + raw(zeros(20, 20)) + "}", XContentType.JSON))
            .setRefreshPolicy("true")
            .get();
    assertTrue(bulk.hasFailures());
    assertFalse(bulk.getItems()[0].isFailed());
    assertEquals(RestStatus.BAD_REQUEST, bulk.getItems()[1].getFailure().getStatus());
    assertTrue(
        bulk.getItems()[1].getFailureMessage(),
        bulk.getItems()[1].getFailureMessage().contains("[saliency]"));
    assertEquals(
        7, client().prepareSearch("lim").setSize(0).get().getHits().getTotalHits().value());

    // Dynamic: a higher limit applies to the next document.
    client()
        .admin()
        .indices()
        .prepareUpdateSettings("lim")
        .setSettings(Settings.builder().put("index.masksearch.mask.max_pixels", 110))
        .get();
    index("after-update", raw(zeros(11, 10)));
    // A side over the format's own 4096 is not a valid setting.
    Exception invalid =
        expectThrows(
            IllegalArgumentException.class,
            () ->
                client()
                    .admin()
                    .indices()
                    .prepareUpdateSettings("lim")
                    .setSettings(Settings.builder().put("index.masksearch.mask.max_side", 4097))
                    .get());
    assertTrue(
        invalid.getMessage(), invalid.getMessage().contains("index.masksearch.mask.max_side"));
  }

  /**
   * A huge {@code max_pixels} (in effect no limit but {@code max_side} and the format's) accepts
   * every encoding: the largest base64 a mask may need is computed from the pixels a mask can
   * really have, without overflowing. It still bounds the base64 by what {@code max_side} allows
   * (20 x 20 float32: 1600 bytes, 2136 characters).
   */
  public void testHugeMaxPixelsSetting() {
    client()
        .admin()
        .indices()
        .prepareCreate("lim")
        .setSettings(
            Settings.builder()
                .put("index.number_of_shards", 1)
                .put("index.masksearch.mask.max_side", 20))
        .setMapping("{\"properties\": {\"saliency\": {\"type\": \"mask\"}}}")
        .get();
    String float32 =
        "{\"shape\": [20, 20], \"dtype\": \"float32\", \"data\": \""
            + Base64.getEncoder().encodeToString(new byte[20 * 20 * 4])
            + "\"}";
    String tooLong =
        "{\"shape\": [20, 20], \"dtype\": \"float32\", \"data\": \""
            + Base64.getEncoder().encodeToString(new byte[20 * 20 * 4 + 3])
            + "\"}";
    // Times 4 (float32 bytes), these wrapped to a negative number, to 0 and to Long.MIN_VALUE.
    for (long maxPixels : new long[] {Long.MAX_VALUE, 1L << 62, (Long.MAX_VALUE >> 2) + 1}) {
      client()
          .admin()
          .indices()
          .prepareUpdateSettings("lim")
          .setSettings(Settings.builder().put("index.masksearch.mask.max_pixels", maxPixels))
          .get();
      index("raw-" + maxPixels, raw(zeros(20, 20)));
      index("float32-" + maxPixels, float32);
      index("png-" + maxPixels, png(zeros(20, 20)));
      index("rows-" + maxPixels, rows(zeros(20, 20)));
      String refused = refused("long-" + maxPixels, tooLong);
      assertTrue(
          refused,
          refused.contains(
              "[data] has 2140 base64 characters, more than the 2136 that a mask within "
                  + "the index's limit on pixels can need"));
    }
  }

  private void index(String id, String mask) {
    client()
        .prepareIndex("lim")
        .setId(id)
        .setSource("{\"saliency\": " + mask + "}", XContentType.JSON)
        .get();
  }

  /**
   * Indexes a document that must be refused with a 400 naming the field; returns the whole message.
   */
  private String refused(String id, String mask) {
    Exception e = expectThrows(Exception.class, () -> index(id, mask));
    assertEquals(id + ": " + detail(e), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
    assertTrue(detail(e), detail(e).contains("failed to parse field [saliency] of type [mask]"));
    return detail(e);
  }

  public void testExpressionLimits() throws Exception {
    client()
        .admin()
        .indices()
        .prepareCreate("expr")
        .setSettings(Settings.builder().put("index.number_of_shards", 1))
        .setMapping(
            "{\"properties\": {\"saliency\": {\"type\": \"mask\"}, \"box\": {\"type\": \"mask_roi\"}}}")
        .get();
    client()
        .prepareIndex("expr")
        .setId("1")
        .setSource(
            "{\"saliency\": " + raw(zeros(4, 4)) + ", \"box\": [0, 0, 2, 2]}", XContentType.JSON)
        .setRefreshPolicy("true")
        .get();
    String term = "cp(saliency, [0, 0, 2, 2], 0, 1)";
    String twoTerms = term + " + " + term; // 2 terms, 1 distinct region
    String threeTerms = twoTerms + " + " + term; // 3 terms
    String twoRegions = term + " + cp(saliency, box, 0, 1)"; // 2 terms, 2 regions
    try {
      // The script query adds " >= 0" (5 characters) to the expression.
      int maxLength = twoTerms.length() + 5;
      updateClusterSettings(
          Settings.builder()
              .put("masksearch.expression.max_length", maxLength)
              .put("masksearch.expression.max_terms", 2)
              .put("masksearch.expression.max_regions", 1));
      String longer = twoTerms + " ".repeat(6);
      for (String ok : new String[] {twoTerms, term + " + cp(saliency, full, 0, 1)"}) {
        for (String json : forms(ok)) {
          assertEquals(json, 1, searchJson(json).getHits().getTotalHits().value());
        }
      }
      String[][] over = {
        {
          longer,
          "characters long, over the limit of " + maxLength + " [masksearch.expression.max_length]"
        },
        {
          twoRegions,
          "the expression names 2 distinct regions, over the limit of 1 [masksearch.expression.max_regions]"
        },
      };
      for (String[] c : over) {
        for (String json : forms(c[0])) {
          Exception e = expectThrows(Exception.class, () -> searchJson(json));
          assertEquals(json + ": " + detail(e), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
          assertTrue(json + ": " + detail(e), detail(e).contains(c[1]));
        }
      }
      // Terms: raise the length limit, keep 2 terms.
      updateClusterSettings(Settings.builder().put("masksearch.expression.max_length", 10_000));
      for (String json : forms(threeTerms)) {
        Exception e = expectThrows(Exception.class, () -> searchJson(json));
        assertEquals(json + ": " + detail(e), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
        assertTrue(
            json + ": " + detail(e),
            detail(e)
                .contains(
                    "the expression has 3 terms (cp, area, iou), over the limit of 2 [masksearch.expression.max_terms]"));
      }
      // Value tests: each test of a predicate counts, however few calls hold them.
      updateClusterSettings(Settings.builder().put("masksearch.expression.max_value_tests", 3));
      String threeTests = "cp(saliency > 0.1 | saliency > 0.2 | saliency > 0.3, full)";
      String fourTests =
          "cp(saliency > 0.1 | saliency > 0.2 | saliency > 0.3 | saliency > 0.4, full)";
      for (String json : forms(threeTests)) {
        assertEquals(json, 1, searchJson(json).getHits().getTotalHits().value());
      }
      for (String json : forms(fourTests)) {
        Exception e = expectThrows(Exception.class, () -> searchJson(json));
        assertEquals(json + ": " + detail(e), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
        assertTrue(
            json + ": " + detail(e),
            detail(e)
                .contains(
                    "the expression has 4 value tests (mask > t, mask < t, ranges), over the limit of 3 [masksearch.expression.max_value_tests]"));
      }
    } finally {
      updateClusterSettings(
          Settings.builder()
              .putNull("masksearch.expression.max_length")
              .putNull("masksearch.expression.max_terms")
              .putNull("masksearch.expression.max_regions")
              .putNull("masksearch.expression.max_value_tests"));
    }
    // Back to the defaults: three terms are fine again.
    assertEquals(1, searchJson(forms(threeTerms).get(0)).getHits().getTotalHits().value());
  }

  /** The top-k form's k is bounded like a page of hits, by the index's max_result_window. */
  public void testTopKLimit() throws Exception {
    client()
        .admin()
        .indices()
        .prepareCreate("expr")
        .setSettings(
            Settings.builder().put("index.number_of_shards", 1).put("index.max_result_window", 50))
        .setMapping("{\"properties\": {\"saliency\": {\"type\": \"mask\"}}}")
        .get();
    client()
        .prepareIndex("expr")
        .setId("1")
        .setSource("{\"saliency\": " + raw(zeros(4, 4)) + "}", XContentType.JSON)
        .setRefreshPolicy("true")
        .get();
    String topK = "{\"query\": {\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"k\": %d}}}";
    assertEquals(
        1, searchJson(String.format(Locale.ROOT, topK, 50)).getHits().getTotalHits().value());
    Exception e =
        expectThrows(Exception.class, () -> searchJson(String.format(Locale.ROOT, topK, 51)));
    assertEquals(detail(e), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
    assertTrue(
        detail(e),
        detail(e)
            .contains("[cp] [k] is 51, over the index's limit of 50 [index.max_result_window]"));
    e =
        expectThrows(
            Exception.class, () -> searchJson(String.format(Locale.ROOT, topK, Integer.MAX_VALUE)));
    assertEquals(detail(e), RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
  }

  /** The expression as a mask_expr query and sort, a script field and a script query. */
  private static List<String> forms(String expr) {
    return List.of(
        "{\"query\": {\"mask_expr\": {\"expr\": \"" + expr + "\", \"gte\": 0}}}",
        "{\"sort\": [{\"mask_expr\": {\"expr\": \"" + expr + "\"}}]}",
        "{\"script_fields\": {\"v\": {\"script\": {\"lang\": \"masksearch\", \"source\": \""
            + expr
            + "\"}}}}",
        "{\"query\": {\"script\": {\"script\": {\"lang\": \"masksearch\", \"source\": \""
            + expr
            + " >= 0\"}}}}");
  }

  private void updateClusterSettings(Settings.Builder settings) {
    client().admin().cluster().prepareUpdateSettings().setTransientSettings(settings).get();
  }

  private SearchResponse searchJson(String json) throws Exception {
    NamedXContentRegistry registry = getInstanceFromNode(NamedXContentRegistry.class);
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            registry, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
      return client()
          .prepareSearch("expr")
          .setSource(SearchSourceBuilder.fromXContent(parser))
          .setRequestCache(false)
          .get(org.opensearch.common.unit.TimeValue.timeValueSeconds(60));
    }
  }
}
