package dev.masksearch.qa.load;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups documents into {@code _bulk} request bodies of at most {@code maxDocs} documents and, where possible,
 * {@code maxBytes} bytes: a batch is sent before a document that would take it past either limit, and a single
 * document larger than {@code maxBytes} goes alone (the node's {@code http.max_content_length}, 100 MB by default,
 * is the real ceiling).
 */
public final class BulkBatcher {
  /** One {@code _bulk} body and the ids of its documents, in order. */
  public record Batch(List<String> ids, byte[] body) {}

  /** Receives each full batch. */
  @FunctionalInterface
  public interface Sink {
    void send(Batch batch) throws IOException;
  }

  private final int maxDocs;
  private final long maxBytes;
  private final Sink sink;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private List<String> ids = new ArrayList<>();

  public BulkBatcher(int maxDocs, long maxBytes, Sink sink) {
    if (maxDocs < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("batch limits must be positive: " + maxDocs + " documents, " + maxBytes + " bytes");
    }
    this.maxDocs = maxDocs;
    this.maxBytes = maxBytes;
    this.sink = sink;
  }

  /** Adds a document, first sending the current batch if the document would not fit in it. */
  public void add(DocumentBuilder.Document doc) throws IOException {
    byte[] action = action(doc.id());
    long size = action.length + doc.source().length + 1L;
    if (!ids.isEmpty() && (ids.size() >= maxDocs || body.size() + size > maxBytes)) {
      flush();
    }
    body.write(action);
    body.write(doc.source());
    body.write('\n');
    ids.add(doc.id());
    if (ids.size() >= maxDocs) {
      flush();
    }
  }

  /** Sends the current batch, if it has any document. */
  public void flush() throws IOException {
    if (ids.isEmpty()) {
      return;
    }
    Batch batch = new Batch(List.copyOf(ids), body.toByteArray());
    ids = new ArrayList<>();
    body.reset();
    sink.send(batch);
  }

  static byte[] action(String id) {
    String quoted = new String(JsonStringEncoder.getInstance().quoteAsString(id));
    return ("{\"index\":{\"_id\":\"" + quoted + "\"}}\n").getBytes(StandardCharsets.UTF_8);
  }
}
