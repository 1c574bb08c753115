package dev.masksearch.opensearch.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestRequest;
import org.opensearch.transport.client.node.NodeClient;

/**
 * Serves the MaskSearch web UI: {@code GET /_plugins/masksearch/ui} is the page, {@code /_plugins/masksearch/ui/{file}}
 * one of its few bundled files. Only names of the fixed {@link #FILES} allow-list are served, from bytes read out of
 * the plugin's jar when the node starts; the request's path never reaches a file system or class loader lookup.
 * The page talks to the node's own REST API (same origin), so it needs no server of its own.
 */
public final class RestMaskSearchUiAction extends BaseRestHandler {
  public static final String BASE = "/_plugins/masksearch/ui";
  private static final String RESOURCES = "/dev/masksearch/opensearch/ui/";
  static final String INDEX = "index.html";

  /** The served files and their content types. */
  static final Map<String, String> FILES = Map.of(
      INDEX, "text/html; charset=UTF-8",
      "app.js", "text/javascript; charset=UTF-8",
      "style.css", "text/css; charset=UTF-8");

  /**
   * The page loads only its own script and style and talks only to this node; images come from documents (base64
   * data URLs, or URLs a document names) and canvases (blob URLs for downloads).
   */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self' data: blob: http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

  private final Map<String, byte[]> contents;

  public RestMaskSearchUiAction() {
    contents = FILES.keySet().stream().collect(java.util.stream.Collectors.toUnmodifiableMap(f -> f, RestMaskSearchUiAction::read));
  }

  private static byte[] read(String file) {
    try (InputStream in = RestMaskSearchUiAction.class.getResourceAsStream(RESOURCES + file)) {
      if (in == null) {
        throw new IllegalStateException("UI resource missing from the plugin jar: " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String getName() {
    return "masksearch_ui";
  }

  @Override
  public List<Route> routes() {
    return List.of(new Route(RestRequest.Method.GET, BASE), new Route(RestRequest.Method.GET, BASE + "/{file}"));
  }

  @Override
  protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
    String file = request.param("file", INDEX);
    // Query parameters are the page's own (?index=images picks the index); the server reads none of them.
    request.params().keySet().forEach(request::param);
    byte[] content = contents.get(file); // the allow-list: any other name, "../x" included, is a 404
    return channel -> {
      BytesRestResponse response = content == null
          ? new BytesRestResponse(RestStatus.NOT_FOUND, BytesRestResponse.TEXT_CONTENT_TYPE, "no such UI file")
          : new BytesRestResponse(RestStatus.OK, FILES.get(file), content);
      response.addHeader("X-Content-Type-Options", "nosniff");
      response.addHeader("Content-Security-Policy", CSP);
      response.addHeader("Cache-Control", "no-cache");
      channel.sendResponse(response);
    };
  }

  @Override
  public boolean canTripCircuitBreaker() {
    return false;
  }
}
