package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.MaskValueFilterQuery;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.lucene.search.Query;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;

/**
 * The {@code mask_expr} query: the documents whose mask expression (docs/expressions.md) compares
 * true with a threshold.
 *
 * <pre>
 * {"mask_expr": {"expr": "cp(saliency, bbox, 0.8, 1.01) / cp(saliency, full, 0.8, 1.01)",
 *                "regions": {"hand": {"polygon": [[x, y], ...]}},   -- optional, see DeclaredRegions
 *                "gt" | "gte" | "lt" | "lte": T}}
 * </pre>
 *
 * The expression is parsed when the query is, so a syntax error is a 400 from {@code _search} and
 * {@code _validate/query}; its fields are checked against each shard's mapping. A node that reads
 * the query from another parses it again where it first runs it (its regions' shapes are built
 * there, not on the transport thread). Filter–verification: the CHI bounds of the expression's
 * terms decide most documents; only the undecided ones read their masks. A document whose value is
 * undefined (no mask or box, or a division by zero) matches no comparison. Constant score.
 */
public final class MaskExprQueryBuilder extends AbstractQueryBuilder<MaskExprQueryBuilder> {
  public static final String NAME = "mask_expr";

  private final ExpressionSource source;
  private final Comparison comparison;
  private final double threshold;

  /**
   * The node's cache of derived masks' CHI; set where the node parses or reads the query, not
   * serialized.
   */
  private DerivedChiCache cache;

  /**
   * {@code expr comparison threshold}; throws {@link IllegalArgumentException} for a bad
   * expression.
   */
  public MaskExprQueryBuilder(String expr, Comparison comparison, double threshold) {
    this(expr, Map.of(), comparison, threshold);
  }

  /**
   * {@code expr comparison threshold}, the expression naming {@code regions}; throws {@link
   * IllegalArgumentException} for a bad expression or region.
   */
  public MaskExprQueryBuilder(
      String expr, Map<String, RegionSpec> regions, Comparison comparison, double threshold) {
    this(expr, DeclaredRegions.of(regions), comparison, threshold);
  }

  private MaskExprQueryBuilder(
      String expr, DeclaredRegions regions, Comparison comparison, double threshold) {
    this.source = new ExpressionSource(expr, regions);
    if (comparison == null) {
      throw new IllegalArgumentException("[mask_expr] needs one comparison: gt, gte, lt or lte");
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException(
          "[mask_expr] threshold must be a finite number, got [" + threshold + "]");
    }
    this.comparison = comparison;
    this.threshold = threshold;
  }

  public MaskExprQueryBuilder(StreamInput in) throws IOException {
    super(in);
    source = new ExpressionSource(in);
    comparison = Comparison.valueOf(in.readString());
    threshold = in.readDouble();
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    source.writeTo(out);
    out.writeString(comparison.name());
    out.writeDouble(threshold);
  }

  /**
   * Uses the node's cache of derived masks' CHI (the plugin sets it on every query it parses or
   * reads).
   */
  public MaskExprQueryBuilder cache(DerivedChiCache cache) {
    this.cache = cache;
    return this;
  }

  public String expr() {
    return source.expr();
  }

  /** The regions the request declares for the expression. */
  DeclaredRegions regions() {
    return source.regions();
  }

  /** The parsed expression. */
  public MaskExpression expression() {
    return source.expression();
  }

  public Comparison comparison() {
    return comparison;
  }

  public double threshold() {
    return threshold;
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    source.toXContent(builder);
    builder.field(comparison.name().toLowerCase(Locale.ROOT), threshold);
    printBoostAndQueryName(builder);
    builder.endObject();
  }

  /** Parses the body of a {@code mask_expr} query within the default {@link ExpressionLimits}. */
  public static MaskExprQueryBuilder fromXContent(XContentParser parser) throws IOException {
    return fromXContent(parser, ExpressionLimits.DEFAULTS);
  }

  /** The keys of a {@code mask_expr} query as it is parsed. */
  private static final class Draft {
    final FilterKeys filter = new FilterKeys();
    String expr;
    DeclaredRegions regions = DeclaredRegions.NONE;
  }

  private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>(NAME, Draft::new);

  static {
    DeclaredFields.declare(
        PARSER, "expr", p -> DeclaredFields.string(p, "expr"), (d, v) -> d.expr = v);
    DeclaredFields.declare(PARSER, "regions", DeclaredRegions::parse, (d, v) -> d.regions = v);
    FilterKeys.declare(PARSER, d -> d.filter, MaskExprQueryBuilder::threshold);
  }

  private static double threshold(XContentParser parser) throws IOException {
    XContentParser.Token token = parser.currentToken();
    if (token != XContentParser.Token.VALUE_NUMBER && token != XContentParser.Token.VALUE_STRING) {
      throw new IllegalArgumentException("must be a number, got " + token);
    }
    return parser.doubleValue();
  }

  /**
   * Parses the body of a {@code mask_expr} query; an expression over the {@code limits} is a
   * parsing error.
   */
  public static MaskExprQueryBuilder fromXContent(XContentParser parser, ExpressionLimits limits)
      throws IOException {
    Draft d = DeclaredFields.parse(PARSER, parser, "[" + NAME + "]");
    try {
      limits.checkLength(d.expr);
      limits.checkDeclaredRegions(d.regions.size());
      MaskExprQueryBuilder query =
          new MaskExprQueryBuilder(d.expr, d.regions, d.filter.comparison, d.filter.threshold)
              .boost(d.filter.boost)
              .queryName(d.filter.queryName);
      limits.checkShape(query.expression());
      return query;
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] " + e.getMessage(), e);
    }
  }

  @Override
  protected Query doToQuery(QueryShardContext context) {
    MaskExpression expression = expression();
    String problem = MaskExpressions.fieldProblem(expression, context::fieldMapper);
    if (problem != null) {
      throw new QueryShardException(
          context, "[" + NAME + "] " + problem + " in [" + source.expr() + "]");
    }
    return new MaskValueFilterQuery(
        NestedParentFields.join(MaskExpressions.withCache(expression, cache), context, NAME),
        comparison,
        threshold,
        null);
  }

  @Override
  protected boolean doEquals(MaskExprQueryBuilder other) {
    return source.equals(other.source)
        && comparison == other.comparison
        && Double.compare(threshold, other.threshold) == 0;
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(source, comparison, threshold);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }
}
