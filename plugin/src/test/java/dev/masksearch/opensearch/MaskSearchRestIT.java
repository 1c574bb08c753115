package dev.masksearch.opensearch;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * The plugin through HTTP, as every client reaches it: create, bulk, search with cp inside bool
 * (must_not, should, range), sort, and bad input answered with a 400 that names the field and the
 * problem.
 */
@OpenSearchIntegTestCase.ClusterScope(scope = OpenSearchIntegTestCase.Scope.TEST, numDataNodes = 1)
public class MaskSearchRestIT extends OpenSearchIntegTestCase {

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MaskSearchPlugin.class, Netty4ModulePlugin.class);
  }

  @Override
  protected boolean addMockHttpTransport() {
    return false; // a real HTTP transport, for the REST client
  }

  public void testRestRequestsEqualBruteForce() throws Exception {
    call(
        "PUT",
        "/imgs",
        """
        {"settings": {"index.codec": "masksearch", "number_of_shards": 2},
         "mappings": {"properties": {"saliency": {"type": "mask"}, "bbox": {"type": "mask_roi"},
                                     "caption": {"type": "text"}, "n": {"type": "integer"}}}}""");
    StringBuilder bulk = new StringBuilder();
    List<Mask> masks = new ArrayList<>();
    List<Roi> boxes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      float[] values = new float[16 * 16];
      for (int p = 0; p < values.length; p++) {
        values[p] = random().nextInt(4) == 0 ? 1f : random().nextFloat();
      }
      Mask mask = Mask.ofFloats(16, 16, values);
      Roi box =
          new Roi(
              randomIntBetween(0, 8),
              randomIntBetween(0, 8),
              randomIntBetween(8, 16),
              randomIntBetween(8, 16));
      masks.add(mask);
      boxes.add(box);
      bulk.append("{\"index\": {\"_id\": \"")
          .append(i)
          .append("\"}}\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "{\"n\": %d, \"caption\": \"%s\", \"bbox\": [%d, %d, %d, %d], \"saliency\": {\"shape\": [16, 16], "
                      + "\"dtype\": \"float32\", \"data\": \"%s\"}}%n",
                  i,
                  i % 2 == 0 ? "a dog on grass" : "a cat indoors",
                  box.x1(),
                  box.y1(),
                  box.x2(),
                  box.y2(),
                  Base64.getEncoder().encodeToString(mask.rawBytes())));
    }
    // One bad document in the bulk: reported, the others indexed.
    bulk.append("{\"index\": {\"_id\": \"bad\"}}\n{\"saliency\": [[0.5, 1.5]]}\n");
    Map<String, Object> bulkResponse = call("POST", "/imgs/_bulk?refresh=true", bulk.toString());
    assertEquals(true, bulkResponse.get("errors"));

    ValueRange range = new ValueRange(0.8, 1.01);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < masks.size(); i++) {
      long count = masks.get(i).countPixels(boxes.get(i), range);
      if (count >= 10 && i % 2 == 0 && i >= 10 && i != 12) {
        expected.add(Integer.toString(i));
      }
    }
    Map<String, Object> found =
        call(
            "POST",
            "/imgs/_search",
            """
        {"size": 100, "query": {"bool": {
           "must": [{"match": {"caption": "dog"}}],
           "filter": [{"cp": {"field": "saliency", "roi": {"field": "bbox"}, "range": [0.8, 1.01], "gte": 10}},
                      {"range": {"n": {"gte": 10}}}],
           "must_not": [{"term": {"n": 12}}],
           "should": [{"match": {"caption": "grass"}}]}}}""");
    assertEquals(expected, ids(found));

    // Bad input over HTTP: 400, the field and the problem named, and the node keeps serving.
    ResponseException error =
        expectThrows(
            ResponseException.class,
            () ->
                call(
                    "PUT",
                    "/imgs/_doc/x",
                    "{\"saliency\": {\"shape\": [2, 2], \"dtype\": \"uint8\", \"data\": \"AAE=\"}}"));
    assertEquals(400, error.getResponse().getStatusLine().getStatusCode());
    String body =
        new String(
            error.getResponse().getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(body, body.contains("[saliency]") && body.contains("needs 4"));
    ResponseException badQuery =
        expectThrows(
            ResponseException.class,
            () ->
                call(
                    "POST",
                    "/imgs/_search",
                    "{\"query\": {\"cp\": {\"field\": \"saliency\", \"range\": [0.8]}}}"));
    assertEquals(400, badQuery.getResponse().getStatusLine().getStatusCode());
    assertEquals(40, ((Number) call("GET", "/imgs/_count", null).get("count")).intValue());

    // Mask expressions over HTTP: the share of salient pixels inside the box, as a filter and
    // averaged by a script.
    double sum = 0;
    Set<String> lookingAway = new HashSet<>();
    for (int i = 0; i < masks.size(); i++) {
      double share =
          (double) masks.get(i).countPixels(boxes.get(i), range)
              / masks.get(i).countPixels(Roi.FULL, range);
      sum += share;
      if (share < 0.3) {
        lookingAway.add(Integer.toString(i));
      }
    }
    String share = "cp(saliency, bbox, 0.8, 1.01) / cp(saliency, full, 0.8, 1.01)";
    assertEquals(
        lookingAway,
        ids(
            call(
                "POST",
                "/imgs/_search",
                "{\"size\": 100, \"query\": {\"mask_expr\": {\"expr\": \""
                    + share
                    + "\", \"lt\": 0.3}}}")));
    Map<String, Object> aggs =
        call(
            "POST",
            "/imgs/_search",
            "{\"size\": 0, \"aggs\": {\"m\": {\"avg\": {\"script\": {\"lang\": \"masksearch\", \"source\": \""
                + share
                + "\"}}}}}");
    @SuppressWarnings("unchecked")
    double avg =
        ((Number)
                ((Map<String, Object>) ((Map<String, Object>) aggs.get("aggregations")).get("m"))
                    .get("value"))
            .doubleValue();
    assertEquals(sum / masks.size(), avg, 1e-9);
    String[][] badExpressions = {
      {
        "{\"query\": {\"mask_expr\": {\"expr\": \"cp(saliency, full, 0.8\", \"gt\": 1}}}",
        "expected ',' at position 22"
      },
      {
        "{\"query\": {\"mask_expr\": {\"expr\": \"cp(caption > 0.5, full)\", \"gt\": 1}}}",
        "mask field [caption] is of type [text], not [mask]"
      },
      {
        "{\"sort\": [{\"mask_expr\": {\"expr\": \"cp(saliency, full, 0.8, 1.01) / 0\"}}]}",
        "division by zero"
      },
      {
        "{\"aggs\": {\"m\": {\"avg\": {\"script\": {\"lang\": \"masksearch\", \"source\": \"sqrt(1)\"}}}}}",
        "unknown function [sqrt]"
      },
    };
    for (String[] bad : badExpressions) {
      ResponseException e =
          expectThrows(ResponseException.class, () -> call("POST", "/imgs/_search", bad[0]));
      assertEquals(bad[0], 400, e.getResponse().getStatusLine().getStatusCode());
      String reason =
          new String(
              e.getResponse().getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(reason + " should say " + bad[1], reason.contains(bad[1]));
    }
  }

  private Map<String, Object> call(String method, String path, String json) throws IOException {
    Request request = new Request(method, path);
    if (json != null) {
      request.setJsonEntity(json);
    }
    Response response = getRestClient().performRequest(request);
    return XContentHelper.convertToMap(
        JsonXContent.jsonXContent, response.getEntity().getContent(), false);
  }

  @SuppressWarnings("unchecked")
  private static Set<String> ids(Map<String, Object> searchResponse) {
    Set<String> ids = new HashSet<>();
    for (Object hit :
        (List<Object>) ((Map<String, Object>) searchResponse.get("hits")).get("hits")) {
      ids.add((String) ((Map<String, Object>) hit).get("_id"));
    }
    return ids;
  }
}
