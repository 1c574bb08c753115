package dev.masksearch.qa.load;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups documents into {@code _bulk} request bodies of at most {@code maxDocs} documents and,
 * where possible, {@code maxBytes} bytes: a batch is sent before a document that would take it past
 * either limit, and a single document larger than {@code maxBytes} goes alone. No request is larger
 * than {@code maxRequestBytes} ({@link #MAX_REQUEST_BYTES} by default, below the node's {@code
 * http.max_content_length} of 100 MB, which would refuse the whole request): a document that alone
 * is larger is refused with a {@link DocumentTooLargeException}.
 */
public final class BulkBatcher {
  /**
   * The largest {@code _bulk} request sent by default: 95 MB, below the node's default {@code
   * http.max_content_length}.
   */
  public static final long MAX_REQUEST_BYTES = 95L << 20;

  /** One {@code _bulk} body and the ids of its documents, in order. */
  public record Batch(List<String> ids, byte[] body) {}

  /**
   * A document whose {@code _bulk} entry alone is larger than the largest request; the message
   * names it.
   */
  public static final class DocumentTooLargeException extends IllegalArgumentException {
    DocumentTooLargeException(String message) {
      super(message);
    }
  }

  /** Receives each full batch. */
  @FunctionalInterface
  public interface Sink {
    void send(Batch batch) throws IOException;
  }

  private final int maxDocs;
  private final long maxBytes;
  private final long maxRequestBytes;
  private final Sink sink;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private List<String> ids = new ArrayList<>();

  public BulkBatcher(int maxDocs, long maxBytes, Sink sink) {
    this(maxDocs, maxBytes, MAX_REQUEST_BYTES, sink);
  }

  public BulkBatcher(int maxDocs, long maxBytes, long maxRequestBytes, Sink sink) {
    if (maxDocs < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "batch limits must be positive: " + maxDocs + " documents, " + maxBytes + " bytes");
    }
    if (maxBytes > maxRequestBytes) {
      throw new IllegalArgumentException(
          "a batch of "
              + (maxBytes >> 20)
              + " MB is over the largest request the loader "
              + "sends, "
              + (maxRequestBytes >> 20)
              + " MB (below the node's http.max_content_length)");
    }
    this.maxDocs = maxDocs;
    this.maxBytes = maxBytes;
    this.maxRequestBytes = maxRequestBytes;
    this.sink = sink;
  }

  /**
   * Adds a document, first sending the current batch if the document would not fit in it; throws a
   * {@link DocumentTooLargeException} (and keeps nothing of the document) if it alone is over the
   * largest request.
   */
  public void add(DocumentBuilder.Document doc) throws IOException {
    byte[] action = action(doc.id());
    long size = action.length + doc.source().length + 1L;
    if (size > maxRequestBytes) {
      throw new DocumentTooLargeException(
          "document "
              + doc.id()
              + " is "
              + size
              + " bytes in a _bulk request, over the "
              + "largest request the loader sends, "
              + maxRequestBytes
              + " bytes (below the node's http.max_content_length); "
              + "document skipped");
    }
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
