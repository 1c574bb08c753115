package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.search.ValueSource;
import java.io.IOException;
import java.util.Objects;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.search.sort.SortOrder;

/**
 * The {@code mask_expr} sort: hits ordered by the exact value of a mask expression, ascending or
 * descending, with the value in each hit's {@code sort} array and {@code search_after} paging. With
 * {@code "size": k} this is the exact top (or bottom) k. Documents whose bounds cannot reach the
 * current page are skipped without reading their masks; documents whose value is undefined (no mask
 * or box, a division by zero) come last in both directions.
 *
 * <pre>
 * "sort": [{"mask_expr": {"expr": "iou(saliency > 0.8, human > 0.8)", "order": "asc"}}]
 * </pre>
 */
public final class MaskExprSortBuilder extends ValueSourceSortBuilder<MaskExprSortBuilder> {
  public static final String NAME = "mask_expr";

  private final String expr;
  private final MaskExpression expression;
  private DerivedChiCache cache;

  /** A sort by {@code expr}; throws {@link IllegalArgumentException} for a bad expression. */
  public MaskExprSortBuilder(String expr, SortOrder order) {
    super(order);
    this.expression = MaskExpressions.parse(expr);
    this.expr = expr;
  }

  public MaskExprSortBuilder(StreamInput in) throws IOException {
    this(in.readString(), SortOrder.readFromStream(in));
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeString(expr);
    order.writeTo(out);
  }

  /**
   * Uses the node's cache of derived masks' CHI (the plugin sets it on every sort it parses or
   * reads).
   */
  public MaskExprSortBuilder cache(DerivedChiCache cache) {
    this.cache = cache;
    return this;
  }

  public String expr() {
    return expr;
  }

  /** Parses the body of a {@code mask_expr} sort within the default {@link ExpressionLimits}. */
  public static MaskExprSortBuilder fromXContent(XContentParser parser, String elementName)
      throws IOException {
    return fromXContent(parser, ExpressionLimits.DEFAULTS);
  }

  /** The keys of a {@code mask_expr} sort as it is parsed. */
  private static final class Draft {
    String expr;
    SortOrder order;
  }

  private static final ObjectParser<Draft, Void> PARSER =
      new ObjectParser<>(NAME + " sort", Draft::new);

  static {
    DeclaredFields.declare(
        PARSER, "expr", p -> DeclaredFields.string(p, "expr"), (d, v) -> d.expr = v);
    DeclaredFields.declare(
        PARSER,
        "order",
        p -> SortOrder.fromString(DeclaredFields.string(p, "order")),
        (d, v) -> d.order = v);
  }

  /**
   * Parses the body of a {@code mask_expr} sort; an expression over the {@code limits} is a parsing
   * error.
   */
  public static MaskExprSortBuilder fromXContent(XContentParser parser, ExpressionLimits limits)
      throws IOException {
    expectObject(parser, NAME);
    Draft d = DeclaredFields.parse(PARSER, parser, "[" + NAME + "] sort");
    try {
      limits.checkLength(d.expr);
      MaskExprSortBuilder sort = new MaskExprSortBuilder(d.expr, d.order);
      limits.checkShape(sort.expression);
      return sort;
    } catch (IllegalArgumentException e) {
      throw new ParsingException(
          parser.getTokenLocation(), "[" + NAME + "] sort: " + e.getMessage(), e);
    }
  }

  @Override
  void keysToXContent(XContentBuilder builder) throws IOException {
    builder.field("expr", expr);
  }

  @Override
  ValueSource valueSource(QueryShardContext context) {
    String problem = MaskExpressions.fieldProblem(expression, context::fieldMapper);
    if (problem != null) {
      throw new QueryShardException(
          context, "[" + NAME + "] sort: " + problem + " in [" + expr + "]");
    }
    return MaskExpressions.withCache(expression, cache);
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
