package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.lucene.tests.util.LuceneTestCase;

/** Tests of {@link SampleLoader}'s report of a failed {@code _bulk}. */
public class SampleLoaderTests extends LuceneTestCase {
  private final ObjectMapper json = new ObjectMapper();

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
    String body = """
        {"took": 3, "errors": true, "items": [
          {"index": {"_id": "ok", "status": 201}},
          {"index": {"_id": "img-7", "status": 400, "error": {"type": "mapper_parsing_exception",
            "reason": "failed to parse field [saliency] of type [mask]",
            "caused_by": {"type": "mask_format_exception", "reason": "value at row 0, column 0 is NaN"}}}},
          {"index": {"_id": "img-9", "status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}}]}
        """;
    assertEquals("bulk failed for 2 document(s), the first: img-7: mapper_parsing_exception: failed to parse field "
        + "[saliency] of type [mask]; caused by mask_format_exception: value at row 0, column 0 is NaN (HTTP 400)",
        SampleLoader.bulkFailure(json.readTree(body)));
  }
}
