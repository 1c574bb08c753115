package dev.masksearch.opensearch;

import dev.masksearch.opensearch.action.MaskSearchStatsAction;
import dev.masksearch.opensearch.action.MaskSearchStatsRequest;
import dev.masksearch.opensearch.action.MaskSearchStatsResponse;
import dev.masksearch.opensearch.action.UiFileAction;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.support.ActionFilter;
import org.opensearch.action.support.ActionFilterChain;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.common.xcontent.XContentHelper;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.tasks.Task;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * What the security plugin sees: every REST endpoint of the plugin runs a transport action under
 * OpenSearch's standard prefixes (recorded here by an action filter, the hook the security plugin
 * itself uses); the stats endpoint reports each node's derived-CHI cache as expression queries fill
 * and use it; and the limits answer 400 over HTTP.
 */
@OpenSearchIntegTestCase.ClusterScope(scope = OpenSearchIntegTestCase.Scope.SUITE, numDataNodes = 2)
public class MaskSearchSecurityIT extends OpenSearchIntegTestCase {
  /** Every action name the nodes' action filters saw. */
  static final Set<String> ACTIONS = ConcurrentHashMap.newKeySet();

  /** Records action names as the security plugin's filter would check them. */
  public static final class RecordingPlugin extends Plugin implements ActionPlugin {
    @Override
    public List<ActionFilter> getActionFilters() {
      return List.of(
          new ActionFilter() {
            @Override
            public int order() {
              return 0;
            }

            @Override
            public <Req extends ActionRequest, Resp extends ActionResponse> void apply(
                Task task,
                String action,
                Req request,
                ActionListener<Resp> listener,
                ActionFilterChain<Req, Resp> chain) {
              ACTIONS.add(action);
              chain.proceed(task, action, request, listener);
            }
          });
    }
  }

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MaskSearchPlugin.class, Netty4ModulePlugin.class, RecordingPlugin.class);
  }

  @Override
  protected boolean addMockHttpTransport() {
    return false; // a real HTTP transport, for the REST client
  }

  public void testEveryEndpointRunsAStandardTransportAction() throws Exception {
    ACTIONS.clear();
    assertEquals(200, call("GET", "/_plugins/masksearch/ui", null).getStatusLine().getStatusCode());
    assertTrue(ACTIONS.toString(), ACTIONS.contains(UiFileAction.NAME));
    ACTIONS.clear();
    assertEquals(
        200, call("GET", "/_plugins/masksearch/ui/app.js", null).getStatusLine().getStatusCode());
    assertEquals(Set.of(UiFileAction.NAME), ACTIONS);
    ACTIONS.clear();
    call("GET", "/_plugins/masksearch/stats", null);
    assertEquals(Set.of(MaskSearchStatsAction.NAME), ACTIONS);
    assertEquals("cluster:monitor/masksearch/ui", UiFileAction.NAME);
    assertEquals("cluster:monitor/masksearch/stats", MaskSearchStatsAction.NAME);
    // The actions are registered under those names on every node: callable through the transport
    // client.
    MaskSearchStatsResponse stats =
        client().execute(MaskSearchStatsAction.INSTANCE, new MaskSearchStatsRequest()).get();
    assertEquals(cluster().size(), stats.getNodes().size());
    assertFalse(stats.hasFailures());
  }

  public void testUiIsGetWithoutBody() throws Exception {
    Request withBody = new Request("GET", "/_plugins/masksearch/ui/app.js");
    withBody.setEntity(new StringEntity("{\"x\": 1}", ContentType.APPLICATION_JSON));
    ResponseException e =
        expectThrows(ResponseException.class, () -> getRestClient().performRequest(withBody));
    assertEquals(400, e.getResponse().getStatusLine().getStatusCode());
    assertTrue(
        body(e.getResponse()),
        body(e.getResponse()).contains("the MaskSearch UI takes no request body"));
    ResponseException post =
        expectThrows(ResponseException.class, () -> call("POST", "/_plugins/masksearch/ui", "{}"));
    assertEquals(405, post.getResponse().getStatusLine().getStatusCode());
    ResponseException unknown =
        expectThrows(
            ResponseException.class, () -> call("GET", "/_plugins/masksearch/ui/x.js", null));
    assertEquals(404, unknown.getResponse().getStatusLine().getStatusCode());
    assertEquals("nosniff", unknown.getResponse().getHeader("X-Content-Type-Options"));
  }

  @SuppressWarnings("unchecked")
  public void testStatsFollowExpressionQueries() throws Exception {
    call(
        "PUT",
        "/stats_imgs",
        """
        {"settings": {"index.codec": "masksearch", "number_of_shards": 2, "number_of_replicas": 0},
         "mappings": {"properties": {"saliency": {"type": "mask"}, "human": {"type": "mask"}}}}""");
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      bulk.append("{\"index\": {\"_id\": \"")
          .append(i)
          .append("\"}}\n{\"saliency\": ")
          .append(noise(32, 32))
          .append(", \"human\": ")
          .append(noise(32, 32))
          .append("}\n");
    }
    assertEquals(
        false, json(call("POST", "/stats_imgs/_bulk?refresh=true", bulk.toString())).get("errors"));

    Map<String, Object> before = totals();
    assertEquals(
        cluster().size(),
        ((Map<String, Object>) json(call("GET", "/_plugins/masksearch/stats", null)).get("nodes"))
            .size());
    assertTrue(before.toString(), (Long) before.get("limit_in_bytes") > 0);
    String query =
        "{\"size\": 100, \"query\": {\"mask_expr\": {\"expr\": \"iou(saliency > 0.5, human > 0.5)\", \"gte\": %s}}}";
    call(
        "POST",
        "/stats_imgs/_search?request_cache=false",
        String.format(Locale.ROOT, query, "0.3"));
    Map<String, Object> built = totals();
    assertTrue(built.toString(), (Long) built.get("builds") > (Long) before.get("builds"));
    assertTrue(built.toString(), (Long) built.get("entries") > (Long) before.get("entries"));
    assertTrue(
        built.toString(), (Long) built.get("size_in_bytes") > (Long) before.get("size_in_bytes"));
    call(
        "POST",
        "/stats_imgs/_search?request_cache=false",
        String.format(Locale.ROOT, query, "0.31"));
    Map<String, Object> used = totals();
    assertTrue(used.toString(), (Long) used.get("hits") > (Long) built.get("hits"));
    // Deleting the index closes its segments: their entries go, counted as evictions.
    call("DELETE", "/stats_imgs", null);
    assertBusy(
        () -> {
          Map<String, Object> after = totals();
          assertEquals(after.toString(), before.get("entries"), after.get("entries"));
          assertEquals(after.toString(), before.get("size_in_bytes"), after.get("size_in_bytes"));
          assertEquals(
              after.toString(),
              (Long) before.get("evictions")
                  + (Long) used.get("entries")
                  - (Long) before.get("entries"),
              after.get("evictions"));
        });
    // One node by its id, as in _nodes.
    String nodeId =
        ((Map<String, Object>)
                json(call("GET", "/_plugins/masksearch/stats/_local", null)).get("nodes"))
            .keySet()
            .iterator()
            .next();
    Map<String, Object> one =
        (Map<String, Object>)
            json(call("GET", "/_plugins/masksearch/stats/" + nodeId, null)).get("nodes");
    assertEquals(Set.of(nodeId), one.keySet());
  }

  public void testLimitsAre400sOverHttp() throws Exception {
    call(
        "PUT",
        "/limits_imgs",
        """
        {"settings": {"number_of_shards": 1, "index.masksearch.mask.max_pixels": 64},
         "mappings": {"properties": {"saliency": {"type": "mask"}}}}""");
    call("PUT", "/limits_imgs/_doc/ok", "{\"saliency\": " + noise(8, 8) + "}");
    ResponseException big =
        expectThrows(
            ResponseException.class,
            () -> call("PUT", "/limits_imgs/_doc/big", "{\"saliency\": " + noise(8, 9) + "}"));
    assertEquals(400, big.getResponse().getStatusLine().getStatusCode());
    String reason = body(big.getResponse());
    assertTrue(reason, reason.contains("failed to parse field [saliency] of type [mask]"));
    assertTrue(
        reason, reason.contains("the mask is 8 x 9 = 72 pixels, over the limit of 64 pixels"));

    String longExpr = "cp(saliency, full, 0.5, 1.01)" + " ".repeat(10_000);
    ResponseException expr =
        expectThrows(
            ResponseException.class,
            () ->
                call(
                    "POST",
                    "/limits_imgs/_search",
                    "{\"query\": {\"mask_expr\": {\"expr\": \"" + longExpr + "\", \"gt\": 1}}}"));
    assertEquals(400, expr.getResponse().getStatusLine().getStatusCode());
    assertTrue(
        body(expr.getResponse()),
        body(expr.getResponse())
            .contains("over the limit of 10000 [masksearch.expression.max_length]"));
  }

  /** Sums each node's derived_chi_cache numbers. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> totals() throws IOException {
    Map<String, Object> nodes =
        (Map<String, Object>) json(call("GET", "/_plugins/masksearch/stats", null)).get("nodes");
    Map<String, Object> sum = new java.util.TreeMap<>();
    for (Object node : nodes.values()) {
      ((Map<String, Object>) ((Map<String, Object>) node).get("derived_chi_cache"))
          .forEach(
              (key, value) ->
                  sum.merge(key, ((Number) value).longValue(), (a, b) -> (Long) a + (Long) b));
    }
    return sum;
  }

  private static String noise(int height, int width) {
    ByteBuffer data = ByteBuffer.allocate(height * width * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int p = 0; p < height * width; p++) {
      data.putFloat(random().nextFloat());
    }
    return String.format(
        Locale.ROOT,
        "{\"shape\": [%d, %d], \"dtype\": \"float32\", \"data\": \"%s\"}",
        height,
        width,
        Base64.getEncoder().encodeToString(data.array()));
  }

  private Response call(String method, String path, String body) throws IOException {
    Request request = new Request(method, path);
    if (body != null) {
      request.setJsonEntity(body);
    }
    return getRestClient().performRequest(request);
  }

  private static Map<String, Object> json(Response response) throws IOException {
    return XContentHelper.convertToMap(JsonXContent.jsonXContent, body(response), false);
  }

  private static String body(Response response) throws IOException {
    return new String(EntityUtils.toByteArray(response.getEntity()), StandardCharsets.UTF_8);
  }
}
