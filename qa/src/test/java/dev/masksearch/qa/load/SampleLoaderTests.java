package dev.masksearch.qa.load;

import com.carrotsearch.randomizedtesting.annotations.ThreadLeakLingering;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.apache.hc.core5.http.HttpHost;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.opensearch.client.RestClient;

/**
 * Tests of {@link SampleLoader}: its batches against a fake node, and its report of a failed {@code
 * _bulk}.
 */
@ThreadLeakLingering(linger = 5000) // the REST client's I/O threads end shortly after close()
public class SampleLoaderTests extends LuceneTestCase {
  private final ObjectMapper json = new ObjectMapper();

  /**
   * The index is replaced (deleted, created with the sample mapping), the images go in {@code
   * _bulk}s of the batch size, each as {@link SampleLoader#document}, and the index is refreshed
   * last.
   */
  public void testLoadReplacesTheIndexInBatches() throws IOException {
    int count = 1 + random().nextInt(6);
    int batch = 1 + random().nextInt(3);
    try (FakeNode node = new FakeNode(Set.of());
        RestClient client =
            RestClient.builder(new HttpHost("http", "127.0.0.1", node.port())).build()) {
      for (int load = 0; load < 2; load++) { // the second load deletes what the first one made
        node.requests.clear();
        SampleLoader.load(new IndexClient(client), "images", count, batch, Progress.NONE);
        List<String> expected = new ArrayList<>(List.of("DELETE /images", "PUT /images"));
        expected.addAll(Collections.nCopies((count + batch - 1) / batch, "POST /images/_bulk"));
        expected.add("POST /images/_refresh");
        assertEquals(expected, node.requests);
      }
      assertEquals(json.readTree(SampleLoader.MAPPING), node.mapping);
      SyntheticDataset data = new SyntheticDataset(42);
      assertEquals(count, node.docs.size());
      for (int i = 0; i < count; i++) {
        SyntheticImage image = data.image(i);
        assertEquals(
            json.valueToTree(SampleLoader.document(image, data.render(image))),
            node.docs.get(Integer.toString(image.id())));
      }
    }
  }

  /** A document the node rejects stops the load after its batch, naming it. */
  public void testRejectedDocumentStopsTheLoad() throws IOException {
    String rejected = Integer.toString(new SyntheticDataset(42).image(2).id());
    try (FakeNode node = new FakeNode(Set.of(rejected));
        RestClient client =
            RestClient.builder(new HttpHost("http", "127.0.0.1", node.port())).build()) {
      IOException e =
          expectThrows(
              IOException.class,
              () -> SampleLoader.load(new IndexClient(client), "images", 5, 2, Progress.NONE));
      assertEquals(
          "bulk failed for 1 document(s), the first: "
              + rejected
              + ": mapper_parsing_exception: no "
              + rejected
              + " (HTTP 400)",
          e.getMessage());
      assertEquals(
          List.of("DELETE /images", "PUT /images", "POST /images/_bulk", "POST /images/_bulk"),
          node.requests);
    }
  }

  /** A short error response is reported whole (taking its first 500 characters threw). */
  public void testShortErrorResponseIsReportedWhole() throws IOException {
    String body = "{\"errors\": true}";
    assertEquals("bulk failed: {\"errors\":true}", SampleLoader.bulkFailure(json.readTree(body)));
  }

  /** A long one without item errors is cut at 500 characters. */
  public void testLongErrorResponseIsCut() throws IOException {
    String body = "{\"errors\": true, \"note\": \"" + "x".repeat(1000) + "\"}";
    String message = SampleLoader.bulkFailure(json.readTree(body));
    assertEquals("bulk failed: ".length() + 500 + "...".length(), message.length());
    assertTrue(message, message.startsWith("bulk failed: {\"errors\":true,\"note\":\"xxx"));
  }

  /** Item errors are counted and the first is named with its reason and cause. */
  public void testItemErrorsNameTheFirstDocument() throws IOException {
    String body =
        """
        {"took": 3, "errors": true, "items": [
          {"index": {"_id": "ok", "status": 201}},
          {"index": {"_id": "img-7", "status": 400, "error": {"type": "mapper_parsing_exception",
            "reason": "failed to parse field [saliency] of type [mask]",
            "caused_by": {"type": "mask_format_exception", "reason": "value at row 0, column 0 is NaN"}}}},
          {"index": {"_id": "img-9", "status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}}]}
        """;
    assertEquals(
        "bulk failed for 2 document(s), the first: img-7: mapper_parsing_exception: failed to parse field "
            + "[saliency] of type [mask]; caused by mask_format_exception: value at row 0, column 0 is NaN (HTTP 400)",
        SampleLoader.bulkFailure(json.readTree(body)));
  }
}
