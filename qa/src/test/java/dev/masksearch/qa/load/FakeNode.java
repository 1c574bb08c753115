package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Just enough of OpenSearch for the loaders' tests, on a loopback port: HEAD, PUT and DELETE of the
 * index, {@code _bulk} (rejecting the ids in {@code reject}), a one-page scroll, {@code _refresh};
 * it keeps the mapping, the documents and every request's method and path.
 */
final class FakeNode implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final HttpServer server;
  final Map<String, ObjectNode> docs = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  final Set<String> reject;
  volatile JsonNode mapping;
  volatile String indexName;
  volatile int scrollsCleared;

  FakeNode(Set<String> reject) throws IOException {
    this.reject = reject;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    byte[] body = ex.getRequestBody().readAllBytes();
    String method = ex.getRequestMethod();
    requests.add(method + " " + path);
    ObjectNode response = JSON.createObjectNode();
    int status = 200;
    if (method.equals("HEAD")) {
      status = mapping != null ? 200 : 404;
    } else if (method.equals("DELETE") && !path.startsWith("/_search")) {
      status = mapping != null ? 200 : 404;
      mapping = null;
      docs.clear();
    } else if (method.equals("PUT")) {
      mapping = JSON.readTree(body);
      indexName = path.substring(1);
    } else if (path.endsWith("/_bulk")) {
      ArrayNode items = response.putArray("items");
      String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
      boolean errors = false;
      for (int i = 0; i < lines.length; i += 2) {
        String id = JSON.readTree(lines[i]).path("index").path("_id").asText();
        ObjectNode item = items.addObject().putObject("index").put("_id", id);
        if (reject.contains(id)) {
          errors = true;
          item.put("status", 400)
              .putObject("error")
              .put("type", "mapper_parsing_exception")
              .put("reason", "no " + id);
        } else {
          docs.put(id, (ObjectNode) JSON.readTree(lines[i + 1]));
          item.put("status", 201);
        }
      }
      response.put("errors", errors);
    } else if (path.endsWith("/_search")) {
      response.put("_scroll_id", "scroll-1");
      ArrayNode hits = response.putObject("hits").putArray("hits");
      docs.keySet().forEach(id -> hits.addObject().put("_id", id));
    } else if (path.equals("/_search/scroll") && method.equals("POST")) {
      response.put("_scroll_id", "scroll-1").putObject("hits").putArray("hits");
    } else if (path.equals("/_search/scroll") && method.equals("DELETE")) {
      scrollsCleared++;
    }
    byte[] bytes = JSON.writeValueAsBytes(response);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    if (method.equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, bytes.length);
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
