package dev.masksearch.opensearch.fuzz;

import dev.masksearch.fuzz.FuzzChecks;
import java.io.IOException;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParseException;
import org.opensearch.core.xcontent.XContentParser;

/**
 * What the plugin's fuzz targets share: fuzz inputs as JSON text, parsed the way OpenSearch parses
 * a request body, and the exceptions a parser may answer bad input with (each a 400 with its
 * message).
 */
public final class JsonInputs {
  private JsonInputs() {}

  /** A parser over the input, as OpenSearch creates one for a request body. */
  public static XContentParser parser(byte[] json) throws IOException {
    return JsonXContent.jsonXContent.createParser(
        NamedXContentRegistry.EMPTY, DeprecationHandler.IGNORE_DEPRECATIONS, json);
  }

  /**
   * Whether the input is one well-formed JSON value. Others are rejected by OpenSearch's JSON
   * parser before any of the plugin's parsers could see them, so the targets skip them.
   */
  public static boolean isJson(byte[] json) {
    try (XContentParser parser = parser(json)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Rethrows {@code e} unless it is one of the validation errors a parser of the plugin may throw
   * for bad input: an {@link IllegalArgumentException} (the engine's MaskFormatException and
   * ExpressionException among them), a {@link ParsingException} or an {@link
   * XContentParseException}, with a message.
   */
  public static void requireValidationError(Exception e) throws Exception {
    if (!(e instanceof IllegalArgumentException
        || e instanceof ParsingException
        || e instanceof XContentParseException)) {
      throw e;
    }
    FuzzChecks.requireMessage(e);
  }
}
