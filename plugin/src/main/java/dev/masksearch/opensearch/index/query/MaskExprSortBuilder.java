package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.search.ValueSource;
import java.io.IOException;
import java.util.Map;
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
 *
 * {@code "regions"} declares constant regions the expression names, as in the {@code mask_expr}
 * query ({@link DeclaredRegions}).
 */
public final class MaskExprSortBuilder extends ValueSourceSortBuilder<MaskExprSortBuilder> {
  public static final String NAME = "mask_expr";

  private final ExpressionSource source;
  private DerivedChiCache cache;

  /** A sort by {@code expr}; throws {@link IllegalArgumentException} for a bad expression. */
  public MaskExprSortBuilder(String expr, SortOrder order) {
    this(expr, Map.of(), order);
  }

  /**
   * A sort by {@code expr} naming {@code regions}; throws {@link IllegalArgumentException} for a
   * bad expression or region.
   */
  public MaskExprSortBuilder(String expr, Map<String, RegionSpec> regions, SortOrder order) {
    this(expr, DeclaredRegions.of(regions), order);
  }

  private MaskExprSortBuilder(String expr, DeclaredRegions regions, SortOrder order) {
    super(order);
    this.source = new ExpressionSource(expr, regions);
  }

  /** Reads a sort; its expression is parsed where it first runs (see the query). */
  public MaskExprSortBuilder(StreamInput in) throws IOException {
    super(SortOrder.DESC);
    this.source = new ExpressionSource(in);
    this.order = SortOrder.readFromStream(in);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    source.writeTo(out);
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
    return source.expr();
  }

  /** Parses the body of a {@code mask_expr} sort within the default {@link ExpressionLimits}. */
  public static MaskExprSortBuilder fromXContent(XContentParser parser, String elementName)
      throws IOException {
    return fromXContent(parser, ExpressionLimits.DEFAULTS);
  }

  /** The keys of a {@code mask_expr} sort as it is parsed. */
  private static final class Draft {
    String expr;
    DeclaredRegions regions = DeclaredRegions.NONE;
    SortOrder order;
  }

  private static final ObjectParser<Draft, Void> PARSER =
      new ObjectParser<>(NAME + " sort", Draft::new);

  static {
    DeclaredFields.declare(
        PARSER, "expr", p -> DeclaredFields.string(p, "expr"), (d, v) -> d.expr = v);
    DeclaredFields.declare(PARSER, "regions", DeclaredRegions::parse, (d, v) -> d.regions = v);
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
      limits.checkDeclaredRegions(d.regions.size());
      MaskExprSortBuilder sort = new MaskExprSortBuilder(d.expr, d.regions, d.order);
      limits.checkShape(sort.source.expression());
      return sort;
    } catch (IllegalArgumentException e) {
      throw new ParsingException(
          parser.getTokenLocation(), "[" + NAME + "] sort: " + e.getMessage(), e);
    }
  }

  @Override
  void keysToXContent(XContentBuilder builder) throws IOException {
    source.toXContent(builder);
  }

  @Override
  ValueSource valueSource(QueryShardContext context) {
    MaskExpression expression = source.expression();
    String problem = MaskExpressions.fieldProblem(expression, context::fieldMapper);
    if (problem != null) {
      throw new QueryShardException(
          context, "[" + NAME + "] sort: " + problem + " in [" + source.expr() + "]");
    }
    return MaskExpressions.withCache(expression, cache);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MaskExprSortBuilder o && source.equals(o.source) && order == o.order;
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, order);
  }
}
