package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.RestClient;

/**
 * The few index operations the loaders ({@link DirectoryLoader}, {@link SampleLoader}) need, over
 * OpenSearch's low-level {@link RestClient}: existence, creation and deletion, {@code _bulk} with
 * per-item failures, the ids already present (for resume), refresh.
 */
final class IndexClient {
  /** A document the node did not index, with the node's reason. */
  record ItemFailure(String id, int status, String reason) {
    @Override
    public String toString() {
      return id + ": " + reason + " (HTTP " + status + ")";
    }
  }

  private static final ContentType NDJSON = ContentType.create("application/x-ndjson");
  private static final int SCROLL_PAGE = 5_000;

  private final RestClient client;
  private final ObjectMapper json = new ObjectMapper();

  IndexClient(RestClient client) {
    this.client = client;
  }

  boolean exists(String index) throws IOException {
    // RestClient treats a 404 to HEAD as an answer, not an error.
    return client.performRequest(new Request("HEAD", "/" + index)).getStatusLine().getStatusCode()
        == 200;
  }

  void create(String index, Map<String, Object> body) throws IOException {
    create(index, json.writeValueAsString(body));
  }

  /** Creates the index from its settings and mappings as JSON text. */
  void create(String index, String body) throws IOException {
    Request request = new Request("PUT", "/" + index);
    request.setJsonEntity(body);
    client.performRequest(request);
  }

  /** Deletes the index and its documents; an absent index is no error. */
  void deleteIfExists(String index) throws IOException {
    Request request = new Request("DELETE", "/" + index);
    request.addParameter(
        "ignore", "404"); // RestClient's own parameter: a 404 is an answer, not an exception
    client.performRequest(request);
  }

  /**
   * Sends one {@code _bulk} body; returns the documents that failed (an HTTP error is an
   * exception).
   */
  List<ItemFailure> bulk(String index, byte[] body) throws IOException {
    return failures(bulkResponse(index, body));
  }

  /**
   * Sends one {@code _bulk} body; returns the node's whole response (an HTTP error is an
   * exception).
   */
  JsonNode bulkResponse(String index, byte[] body) throws IOException {
    Request request = new Request("POST", "/" + index + "/_bulk");
    request.setEntity(new ByteArrayEntity(body, NDJSON));
    return read(client.performRequest(request));
  }

  /**
   * The failed items of a {@code _bulk} response, each with the most specific reason the node gave.
   */
  static List<ItemFailure> failures(JsonNode response) {
    List<ItemFailure> failures = new ArrayList<>();
    if (!response.path("errors").asBoolean()) {
      return failures;
    }
    for (JsonNode item : response.path("items")) {
      JsonNode result = item.elements().hasNext() ? item.elements().next() : item;
      JsonNode error = result.path("error");
      if (error.isMissingNode()) {
        continue;
      }
      // The top reason says which field failed; caused_by says why (e.g. "values must lie in [0,
      // 1]").
      String reason = error.path("type").asText() + ": " + error.path("reason").asText();
      JsonNode cause = error.path("caused_by");
      if (!cause.isMissingNode()) {
        reason +=
            "; caused by " + cause.path("type").asText() + ": " + cause.path("reason").asText();
      }
      failures.add(
          new ItemFailure(result.path("_id").asText(), result.path("status").asInt(), reason));
    }
    return failures;
  }

  /**
   * The ids of every document in the index, by a scroll sorted by {@code _doc} without {@code
   * _source} (the cheapest full scan). A few bytes per id: a million ids fit in well under 100 MB
   * of heap.
   */
  Set<String> ids(String index) throws IOException {
    Set<String> ids = new HashSet<>();
    Request search = new Request("POST", "/" + index + "/_search");
    search.addParameter("scroll", "2m");
    search.setJsonEntity(
        "{\"size\": " + SCROLL_PAGE + ", \"_source\": false, \"sort\": [\"_doc\"]}");
    JsonNode page = read(client.performRequest(search));
    String scrollId = page.path("_scroll_id").asText(null);
    try {
      while (page.path("hits").path("hits").size() > 0) {
        for (JsonNode hit : page.path("hits").path("hits")) {
          ids.add(hit.path("_id").asText());
        }
        Request next = new Request("POST", "/_search/scroll");
        next.setJsonEntity(json.writeValueAsString(Map.of("scroll", "2m", "scroll_id", scrollId)));
        page = read(client.performRequest(next));
        scrollId = page.path("_scroll_id").asText(scrollId);
      }
    } finally {
      if (scrollId != null) {
        Request clear = new Request("DELETE", "/_search/scroll");
        clear.setJsonEntity(json.writeValueAsString(Map.of("scroll_id", List.of(scrollId))));
        client.performRequest(clear);
      }
    }
    return ids;
  }

  void refresh(String index) throws IOException {
    client.performRequest(new Request("POST", "/" + index + "/_refresh"));
  }

  private JsonNode read(Response response) throws IOException {
    try (InputStream in = response.getEntity().getContent()) {
      return json.readTree(in);
    }
  }
}
