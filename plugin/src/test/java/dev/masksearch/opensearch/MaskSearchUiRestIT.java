package dev.masksearch.opensearch;

import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.transport.Netty4ModulePlugin;

/**
 * The web UI's files over real HTTP: the page and its script and style with their content types and
 * headers, and a 404 for every other name, including attempts to walk out of the allow-list.
 */
@OpenSearchIntegTestCase.ClusterScope(scope = OpenSearchIntegTestCase.Scope.SUITE, numDataNodes = 1)
public class MaskSearchUiRestIT extends OpenSearchIntegTestCase {

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(MaskSearchPlugin.class, Netty4ModulePlugin.class);
  }

  @Override
  protected boolean addMockHttpTransport() {
    return false; // a real HTTP transport, for the REST client
  }

  public void testThePageAndItsFiles() throws Exception {
    for (String path :
        List.of(
            "/_plugins/masksearch/ui",
            "/_plugins/masksearch/ui/index.html",
            "/_plugins/masksearch/ui?index=images")) {
      Response page = get(path);
      assertEquals(200, page.getStatusLine().getStatusCode());
      assertEquals("text/html; charset=UTF-8", page.getHeader("Content-Type"));
      assertEquals("nosniff", page.getHeader("X-Content-Type-Options"));
      assertTrue(page.getHeader("Content-Security-Policy").contains("script-src 'self'"));
      String html = body(page);
      assertTrue(html, html.startsWith("<!DOCTYPE html>"));
      assertTrue(html.contains("/_plugins/masksearch/ui/app.js"));
      assertTrue(html.contains("/_plugins/masksearch/ui/style.css"));
    }
    Response script = get("/_plugins/masksearch/ui/app.js");
    assertEquals("text/javascript; charset=UTF-8", script.getHeader("Content-Type"));
    assertTrue(body(script).contains("function buildQuery"));
    Response style = get("/_plugins/masksearch/ui/style.css");
    assertEquals("text/css; charset=UTF-8", style.getHeader("Content-Type"));
    assertTrue(body(style).contains(".card"));
  }

  public void testUnknownFilesAndTraversalAre404() throws Exception {
    for (String path :
        List.of(
            "/_plugins/masksearch/ui/nope.js",
            "/_plugins/masksearch/ui/..%2Fplugin-descriptor.properties",
            "/_plugins/masksearch/ui/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
            "/_plugins/masksearch/ui/APP.JS",
            "/_plugins/masksearch/ui/app.js%00.html",
            "/_plugins/masksearch/ui/%2Fdev%2Fmasksearch%2Fopensearch%2Fui%2Fapp.js",
            "/_plugins/masksearch/ui/MaskSearchPlugin.class")) {
      ResponseException e = expectThrows(ResponseException.class, () -> get(path));
      assertEquals(path, 404, e.getResponse().getStatusLine().getStatusCode());
      assertEquals("nosniff", e.getResponse().getHeader("X-Content-Type-Options"));
    }
    // Paths with more segments are not routes of the UI at all.
    for (String path :
        List.of("/_plugins/masksearch/ui/../../etc/passwd", "/_plugins/masksearch/ui/a/app.js")) {
      ResponseException e = expectThrows(ResponseException.class, () -> get(path));
      int status = e.getResponse().getStatusLine().getStatusCode();
      assertTrue(path + " -> " + status, status == 400 || status == 404 || status == 405);
    }
  }

  public void testOnlyGet() throws Exception {
    ResponseException e =
        expectThrows(
            ResponseException.class,
            () ->
                getRestClient()
                    .performRequest(new Request("POST", "/_plugins/masksearch/ui/app.js")));
    assertEquals(405, e.getResponse().getStatusLine().getStatusCode());
  }

  private Response get(String path) throws IOException {
    return getRestClient().performRequest(new Request("GET", path));
  }

  private static String body(Response response) throws IOException {
    try {
      return new String(EntityUtils.toByteArray(response.getEntity()), StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      throw e;
    }
  }
}
