package dev.masksearch.qa.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.client.RestClient;

/**
 * JSON over OpenSearch's low-level REST client: the client spreads requests over every node it was
 * given and fails over when one is down, as an application's client does.
 */
public final class Rest implements Closeable {
  /** One response: the HTTP status and the parsed body. */
  public record Reply(int status, JsonNode body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  private final RestClient client;

  Rest(RestClient client) {
    this.client = client;
  }

  /** The underlying client, for code that takes one (the loader). */
  public RestClient client() {
    return client;
  }

  /**
   * Sends a request; {@code body} is a JSON string, NDJSON for {@code _bulk}, a
   * Jackson-serializable value, or null.
   */
  public Reply call(String method, String path, Object body) {
    Request request = new Request(method, path);
    if (body != null) {
      request.setJsonEntity(body instanceof String s ? s : toJson(body));
    }
    try {
      return reply(client.performRequest(request));
    } catch (ResponseException e) {
      return reply(e.getResponse());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    }
  }

  /** Sends a request that must succeed; returns its body. */
  public JsonNode ok(String method, String path, Object body) {
    Reply reply = call(method, path, body);
    if (!reply.ok()) {
      throw new AssertionError(method + " " + path + " -> " + reply.status() + ": " + reply.body());
    }
    return reply.body();
  }

  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Reply reply(Response response) {
    try {
      String text = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity());
      JsonNode body = text.isEmpty() ? JSON.nullNode() : JSON.readTree(text);
      return new Reply(response.getStatusLine().getStatusCode(), body);
    } catch (IOException | ParseException e) {
      throw new IllegalStateException("unreadable response", e);
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
