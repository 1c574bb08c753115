package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import org.apache.lucene.search.Query;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;

/**
 * The {@code mask_like} query: documents whose mask is like a given one, by IoU or Dice of both
 * masks thresholded, exactly.
 *
 * <pre>
 * {"mask_like": {"field": "saliency", "like": &lt;mask&gt; | {"index": "...", "id": "..."},
 *                "similarity": "iou" | "dice", "threshold": 0.5, "roi": &lt;region&gt;,
 *                "k": 10 | "gt" | "gte" | "lt" | "lte": T}}
 * </pre>
 *
 * With {@code k}, the k most similar masks (ties by document order), each scored by its similarity;
 * with a comparison, a filter; with neither, every mask of the query's size scored by its
 * similarity. Only masks of the query's size compare. The least similar come from the {@code
 * mask_like} sort in ascending order.
 */
public final class MaskLikeQueryBuilder extends AbstractQueryBuilder<MaskLikeQueryBuilder> {
  public static final String NAME = "mask_like";

  private final MaskLikeTerm term;
  private final Comparison comparison; // null: top-k or scoring
  private final double threshold;
  private final Integer k;

  MaskLikeQueryBuilder(MaskLikeTerm term, Comparison comparison, double threshold, Integer k) {
    this.term = Objects.requireNonNull(term);
    ValueQueryForms.checkForm(NAME, comparison, threshold, k);
    this.comparison = comparison;
    this.threshold = threshold;
    this.k = k;
  }

  public MaskLikeQueryBuilder(StreamInput in) throws IOException {
    super(in);
    term = new MaskLikeTerm(in);
    String op = in.readOptionalString();
    comparison = op == null ? null : Comparison.valueOf(op);
    threshold = in.readDouble();
    k = in.readOptionalVInt();
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    term.writeTo(out);
    out.writeOptionalString(comparison == null ? null : comparison.name());
    out.writeDouble(threshold);
    out.writeOptionalVInt(k);
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    term.toXContent(builder);
    if (comparison != null) {
      builder.field(comparison.name().toLowerCase(Locale.ROOT), threshold);
    } else if (k != null) {
      builder.field("k", k);
    }
    printBoostAndQueryName(builder);
    builder.endObject();
  }

  /** The keys of a {@code mask_like} query as it is parsed. */
  private static final class Draft extends MaskLikeTerm.Draft {
    final FilterKeys filter = new FilterKeys();
    Integer k;
  }

  private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>(NAME, Draft::new);

  static {
    MaskLikeTerm.declare(PARSER);
    FilterKeys.declare(PARSER, d -> d.filter, XContentParser::doubleValue);
    DeclaredFields.declare(PARSER, "k", XContentParser::intValue, (d, v) -> d.k = v);
  }

  /** Parses the body of a {@code mask_like} query. */
  public static MaskLikeQueryBuilder fromXContent(XContentParser parser) throws IOException {
    Draft d = DeclaredFields.parse(PARSER, parser, "[" + NAME + "]");
    try {
      MaskLikeTerm term = d.term();
      term.checkLike();
      return new MaskLikeQueryBuilder(term, d.filter.comparison, d.filter.threshold, d.k)
          .boost(d.filter.boost)
          .queryName(d.filter.queryName);
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  @Override
  protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
    MaskLikeTerm rewritten = term.rewrite(context);
    return rewritten == term
        ? this
        : new MaskLikeQueryBuilder(rewritten, comparison, threshold, k)
            .boost(boost)
            .queryName(queryName);
  }

  @Override
  protected Query doToQuery(QueryShardContext context) {
    return ValueQueryForms.toQuery(
        NAME,
        NestedParentFields.join(term.toSpec(context), context, NAME),
        comparison,
        threshold,
        k,
        CpOrder.DESC,
        context);
  }

  @Override
  protected boolean doEquals(MaskLikeQueryBuilder other) {
    return term.equals(other.term)
        && comparison == other.comparison
        && Double.compare(threshold, other.threshold) == 0
        && Objects.equals(k, other.k);
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(term, comparison, threshold, k);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }
}
