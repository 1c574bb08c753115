package dev.masksearch.opensearch.rest;

import dev.masksearch.opensearch.action.UiFileAction;
import dev.masksearch.opensearch.action.UiFileRequest;
import dev.masksearch.opensearch.action.UiFileResponse;
import java.util.List;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestChannel;
import org.opensearch.rest.RestRequest;
import org.opensearch.transport.client.node.NodeClient;

/**
 * Serves the MaskSearch web UI: {@code GET /_plugins/masksearch/ui} is the page, {@code
 * /_plugins/masksearch/ui/{file}} one of its few bundled files, read through the {@link
 * UiFileAction} transport action (so the security plugin's roles govern it). GET only, without a
 * body. The page talks to the node's own REST API (same origin), so it needs no server of its own.
 */
public final class RestMaskSearchUiAction extends BaseRestHandler {
  public static final String BASE = "/_plugins/masksearch/ui";
  static final String INDEX = "index.html";

  /**
   * The page loads only its own script and style and talks only to this node; images come from
   * documents (base64 data URLs, or URLs a document names, which the browser fetches) and canvases
   * (blob URLs for downloads).
   */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
          + "img-src 'self' data: blob: http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

  @Override
  public String getName() {
    return "masksearch_ui";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        new Route(RestRequest.Method.GET, BASE),
        new Route(RestRequest.Method.GET, BASE + "/{file}"));
  }

  @Override
  protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
    if (request.hasContent()) {
      throw new IllegalArgumentException(
          "the MaskSearch UI takes no request body; GET " + BASE + " without one");
    }
    String file = request.param("file", INDEX);
    // Query parameters are the page's own (?index=images picks the index); the server reads none of
    // them.
    request.params().keySet().forEach(request::param);
    return channel ->
        client.execute(
            UiFileAction.INSTANCE,
            new UiFileRequest(file),
            new ActionListener<>() {
              @Override
              public void onResponse(UiFileResponse file) {
                send(
                    channel,
                    new BytesRestResponse(RestStatus.OK, file.contentType(), file.content()));
              }

              @Override
              public void onFailure(Exception e) {
                try {
                  send(channel, new BytesRestResponse(channel, e));
                } catch (Exception inner) {
                  e.addSuppressed(inner);
                  channel.sendResponse(
                      new BytesRestResponse(
                          RestStatus.INTERNAL_SERVER_ERROR,
                          BytesRestResponse.TEXT_CONTENT_TYPE,
                          ""));
                }
              }
            });
  }

  private static void send(RestChannel channel, BytesRestResponse response) {
    response.addHeader("X-Content-Type-Options", "nosniff");
    response.addHeader("Content-Security-Policy", CSP);
    response.addHeader("Cache-Control", "no-cache");
    channel.sendResponse(response);
  }

  @Override
  public boolean canTripCircuitBreaker() {
    return false;
  }
}
