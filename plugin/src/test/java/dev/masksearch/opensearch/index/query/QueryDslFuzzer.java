package dev.masksearch.opensearch.index.query;

import dev.masksearch.fuzz.FuzzChecks;
import dev.masksearch.opensearch.fuzz.JsonInputs;
import java.io.IOException;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.search.sort.SortBuilder;

/**
 * Fuzz target: the query DSL the plugin adds, over arbitrary JSON. {@code {"cp": {...}}} and {@code
 * {"mask_expr": {...}}} go to the queries' {@code fromXContent}, {@code {"sort": {"cp" |
 * "mask_expr": ...}}} to the sorts', with the parser where OpenSearch leaves it. Each either
 * rejects the body with a validation error, or consumes exactly its object and builds a query or
 * sort that prints (XContent) and serializes (the transport's stream) into equal ones.
 */
public final class QueryDslFuzzer {
  private QueryDslFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    if (!JsonInputs.isJson(input)) {
      return;
    }
    FuzzChecks.boundedAllocation(
        input.length,
        () -> {
          Object parsed;
          try (XContentParser parser = JsonInputs.parser(input)) {
            try {
              parsed = parse(parser);
            } catch (Exception e) {
              JsonInputs.requireValidationError(e);
              return;
            }
            if (parsed == null) {
              return;
            }
            FuzzChecks.require(
                parser.currentToken() == XContentParser.Token.END_OBJECT,
                "the parser stopped inside the body");
            FuzzChecks.require(
                parser.nextToken() == XContentParser.Token.END_OBJECT,
                "the parser read past its body");
          }
          roundTrips(parsed);
        });
  }

  /**
   * The query or sort of the input, or null for input OpenSearch would not pass to the plugin's
   * parsers.
   */
  private static Object parse(XContentParser parser) throws IOException {
    if (parser.nextToken() != XContentParser.Token.START_OBJECT
        || parser.nextToken() != XContentParser.Token.FIELD_NAME) {
      return null;
    }
    String name = parser.currentName();
    if (name.equals("sort")) {
      if (parser.nextToken() != XContentParser.Token.START_OBJECT
          || parser.nextToken() != XContentParser.Token.FIELD_NAME) {
        return null;
      }
      String sort = parser.currentName();
      parser.nextToken(); // the sort's value, of any kind: the sort parser checks it
      return switch (sort) {
        case CpSortBuilder.NAME -> CpSortBuilder.fromXContent(parser, sort);
        case MaskExprSortBuilder.NAME -> MaskExprSortBuilder.fromXContent(parser, sort);
        default -> null;
      };
    }
    if (parser.nextToken() != XContentParser.Token.START_OBJECT) {
      return null; // OpenSearch requires an object after a query's name
    }
    return switch (name) {
      case CpQueryBuilder.NAME -> CpQueryBuilder.fromXContent(parser);
      case MaskExprQueryBuilder.NAME -> MaskExprQueryBuilder.fromXContent(parser);
      default -> null;
    };
  }

  private static void roundTrips(Object parsed) throws IOException {
    XContentBuilder printed =
        ((ToXContent) parsed).toXContent(JsonXContent.contentBuilder(), ToXContent.EMPTY_PARAMS);
    String json = printed.toString();
    Object again;
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            null, null, parsed instanceof SortBuilder<?> ? "{\"sort\": " + json + "}" : json)) {
      again = parse(parser);
    }
    FuzzChecks.require(
        parsed.equals(again) && parsed.hashCode() == again.hashCode(),
        parsed + " printed as " + json + " parses to " + again);
    BytesStreamOutput out = new BytesStreamOutput();
    ((Writeable) parsed).writeTo(out);
    StreamInput in = out.bytes().streamInput();
    Object read =
        switch (parsed) {
          case CpQueryBuilder q -> new CpQueryBuilder(in);
          case MaskExprQueryBuilder q -> new MaskExprQueryBuilder(in);
          case CpSortBuilder s -> new CpSortBuilder(in);
          case MaskExprSortBuilder s -> new MaskExprSortBuilder(in);
          default -> throw new AssertionError(parsed.getClass());
        };
    FuzzChecks.require(parsed.equals(read), parsed + " reads back from the wire as " + read);
    FuzzChecks.require(
        !(parsed instanceof AbstractQueryBuilder<?>) || in.available() == 0,
        "bytes left on the wire");
  }
}
