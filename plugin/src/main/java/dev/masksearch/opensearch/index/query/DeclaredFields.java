package dev.masksearch.opensearch.index.query;

import java.io.IOException;
import java.util.function.BiConsumer;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentParseException;
import org.opensearch.core.xcontent.XContentParser;

/**
 * The keys of the plugin's query and sort objects, declared on OpenSearch {@link ObjectParser}s as
 * the k-NN plugin does, with errors that name the query, the key and the problem: {@code [cp]
 * range: [range] must be two numbers [lv, uv]}, {@code [cp] unknown field [colour]}. Every parse
 * failure is a {@link ParsingException} (a 400).
 */
final class DeclaredFields {
  private DeclaredFields() {}

  /**
   * Reads one key's value; throws {@link IllegalArgumentException} (or what the parser throws) when
   * it is bad.
   */
  interface ValueReader<T> {
    T read(XContentParser parser) throws IOException;
  }

  /**
   * Declares {@code key}: any JSON value, read by {@code reader} (which checks its kind, for
   * messages as precise as the key needs) and handed to {@code setter}.
   */
  static <D, T> void declare(
      ObjectParser<D, Void> parser, String key, ValueReader<T> reader, BiConsumer<D, T> setter) {
    parser.declareField(
        setter,
        p -> {
          try {
            return reader.read(p);
          } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            // IllegalStateException, IOException: a value of the wrong kind for the accessor (text
            // of an array, a number
            // out of range): a 400 that names the key, like every other bad value
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
          }
        },
        new ParseField(key),
        ObjectParser.ValueType.VALUE_OBJECT_ARRAY);
  }

  /** The current value as a string, or a clear error for an object, array, number or null. */
  static String string(XContentParser parser, String key) {
    if (parser.currentToken() != XContentParser.Token.VALUE_STRING) {
      throw new IllegalArgumentException(
          "[" + key + "] must be a string, got " + parser.currentToken());
    }
    try {
      return parser.text();
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Parses the object at the parser's position into a new draft; {@code prefix} ({@code [cp]})
   * starts messages.
   */
  static <D> D parse(ObjectParser<D, Void> declared, XContentParser parser, String prefix)
      throws IOException {
    try {
      return declared.parse(parser, null);
    } catch (XContentParseException e) {
      // A failed value (its reader's message names the key) or setter; otherwise ObjectParser's own
      // message (an
      // unknown key, a value where an object was expected) without its position, which the
      // ParsingException has.
      Throwable cause = e.getCause();
      String reason =
          cause != null && cause.getMessage() != null
              ? prefix + " " + cause.getMessage()
              : e.getMessage().replaceFirst("^\\[\\d+:\\d+\\] ", "");
      throw new ParsingException(parser.getTokenLocation(), reason, e);
    }
  }
}
