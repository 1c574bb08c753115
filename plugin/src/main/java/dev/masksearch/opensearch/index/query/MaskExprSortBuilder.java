package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import org.apache.lucene.search.SortField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.search.DocValueFormat;
import org.opensearch.search.sort.BucketedSort;
import org.opensearch.search.sort.SortBuilder;
import org.opensearch.search.sort.SortFieldAndFormat;
import org.opensearch.search.sort.SortOrder;

/**
 * The {@code mask_expr} sort: hits ordered by the exact value of a mask expression, ascending or descending, with the
 * value in each hit's {@code sort} array and {@code search_after} paging. With {@code "size": k} this is the exact
 * top (or bottom) k. Documents whose bounds cannot reach the current page are skipped without reading their masks;
 * documents whose value is undefined (no mask or box, a division by zero) come last in both directions.
 *
 * <pre>
 * "sort": [{"mask_expr": {"expr": "iou(saliency > 0.8, human > 0.8)", "order": "asc"}}]
 * </pre>
 */
public final class MaskExprSortBuilder extends SortBuilder<MaskExprSortBuilder> {
  public static final String NAME = "mask_expr";

  private final String expr;
  private final MaskExpression expression;
  private DerivedChiCache cache;

  /** A sort by {@code expr}; throws {@link IllegalArgumentException} for a bad expression. */
  public MaskExprSortBuilder(String expr, SortOrder order) {
    this.expression = MaskExpressions.parse(expr);
    this.expr = expr;
    this.order = order == null ? SortOrder.DESC : order;
  }

  public MaskExprSortBuilder(StreamInput in) throws IOException {
    expr = in.readString();
    expression = MaskExpressions.parse(expr);
    order = SortOrder.readFromStream(in);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeString(expr);
    order.writeTo(out);
  }

  /** Uses the node's cache of derived masks' CHI (the plugin sets it on every sort it parses or reads). */
  public MaskExprSortBuilder cache(DerivedChiCache cache) {
    this.cache = cache;
    return this;
  }

  public String expr() {
    return expr;
  }

  /** Parses the body of a {@code mask_expr} sort within the default {@link ExpressionLimits}. */
  public static MaskExprSortBuilder fromXContent(XContentParser parser, String elementName) throws IOException {
    return fromXContent(parser, ExpressionLimits.DEFAULTS);
  }

  /** Parses the body of a {@code mask_expr} sort; an expression over the {@code limits} is a parsing error. */
  public static MaskExprSortBuilder fromXContent(XContentParser parser, ExpressionLimits limits) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] sort must be an object");
    }
    String expr = null;
    SortOrder order = null;
    String key = null;
    for (XContentParser.Token token = parser.nextToken(); token != XContentParser.Token.END_OBJECT; token = parser.nextToken()) {
      if (token == XContentParser.Token.FIELD_NAME) {
        key = parser.currentName();
        continue;
      }
      try {
        switch (key) {
          case "expr" -> expr = CpTerm.Parser.string(parser, "expr");
          case "order" -> order = SortOrder.fromString(CpTerm.Parser.string(parser, "order"));
          default -> throw new IllegalArgumentException("unknown parameter [" + key + "]");
        }
      } catch (IllegalArgumentException | IllegalStateException | IOException e) {
        // IllegalStateException, IOException: a value of the wrong kind for the key's accessor (text of an array,
        // a number out of range): a 400 that names the key, like every other bad value
        throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] sort " + key + ": " + e.getMessage(), e);
      }
    }
    try {
      limits.checkLength(expr);
      MaskExprSortBuilder sort = new MaskExprSortBuilder(expr, order);
      limits.checkShape(sort.expression);
      return sort;
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] sort: " + e.getMessage(), e);
    }
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject().startObject(NAME);
    builder.field("expr", expr);
    builder.field("order", order.toString().toLowerCase(Locale.ROOT));
    return builder.endObject().endObject();
  }

  @Override
  protected SortFieldAndFormat build(QueryShardContext context) {
    String problem = MaskExpressions.fieldProblem(expression, context::fieldMapper);
    if (problem != null) {
      throw new QueryShardException(context, "[" + NAME + "] sort: " + problem + " in [" + expr + "]");
    }
    MaskExpression source = MaskExpressions.withCache(expression, cache);
    return new SortFieldAndFormat(
        new SortField(NAME, new ValueSourceComparatorSource(source, NAME, context.searcher()), order == SortOrder.DESC), DocValueFormat.RAW);
  }

  @Override
  public BucketedSort buildBucketedSort(QueryShardContext context, int bucketSize, BucketedSort.ExtraData extra) {
    throw new UnsupportedOperationException("the [" + NAME + "] sort cannot sort buckets");
  }

  @Override
  public MaskExprSortBuilder rewrite(QueryRewriteContext context) {
    return this;
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MaskExprSortBuilder o && expr.equals(o.expr) && order == o.order;
  }

  @Override
  public int hashCode() {
    return Objects.hash(expr, order);
  }
}
