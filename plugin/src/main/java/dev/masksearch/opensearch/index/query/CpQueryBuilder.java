package dev.masksearch.opensearch.index.query;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.ValueSource;
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
import org.opensearch.index.query.QueryShardContext;

/**
 * The {@code cp} query: CP(mask, roi, [lv, uv)), the number of pixels of a mask field inside a
 * region whose value lies in a range, optionally divided by the region's area.
 *
 * <pre>
 * {"cp": {"field": "saliency",
 *         "roi": [x1, y1, x2, y2] | {"field": "bbox"},   (omitted: the whole mask)
 *         "range": [lv, uv],                              (lv &lt;= value &lt; uv)
 *         "normalize": false,
 *         "gt" | "gte" | "lt" | "lte": T,                 (filter form)
 *         "k": 25}}                                       (top-k form: exactly the k best on each shard)
 * </pre>
 *
 * Without a comparison or {@code k}, the query scores every document by its exact CP value (the
 * scoring form), so a search's top hits are the exact top hits by CP; with {@code
 * "track_total_hits": false} it skips the documents whose bounds cannot reach the current top hits.
 *
 * <p>Scores are floats: a count (at most 2^24) is exact, but two normalized values closer than a
 * float's precision share a score and are then ordered by shard and document, not by value. The
 * {@code cp} sort ({@link CpSortBuilder}) carries doubles and orders them exactly.
 */
public final class CpQueryBuilder extends AbstractQueryBuilder<CpQueryBuilder> {
  public static final String NAME = "cp";

  private final CpTerm term;
  private final Comparison comparison; // null: top-k form
  private final double threshold;
  private final Integer k;
  private final CpOrder order;

  public CpQueryBuilder(
      String field,
      Roi roi,
      String roiField,
      ValueRange range,
      boolean normalize,
      Comparison comparison,
      double threshold,
      Integer k,
      CpOrder order) {
    this(new CpTerm(field, roi, roiField, range, normalize), comparison, threshold, k, order);
  }

  /** A {@code cp} query over any region ({@link RegionSpec}); null counts the whole mask. */
  public CpQueryBuilder(
      String field,
      RegionSpec region,
      ValueRange range,
      boolean normalize,
      Comparison comparison,
      double threshold,
      Integer k,
      CpOrder order) {
    this(new CpTerm(field, region, range, normalize), comparison, threshold, k, order);
  }

  private CpQueryBuilder(
      CpTerm term, Comparison comparison, double threshold, Integer k, CpOrder order) {
    this.term = term;
    ValueQueryForms.checkForm(NAME, comparison, threshold, k);
    if (order == CpOrder.ASC) {
      // Hits are merged across shards by descending score, so the k smallest cannot travel as
      // scores: ascending
      // order is the cp sort's job (CpSortBuilder), exact with search_after.
      throw new IllegalArgumentException(
          "[cp] top-k is descending; for the smallest values sort by cp: "
              + "\"sort\": [{\"cp\": {\"field\": ..., \"range\": ..., \"order\": \"asc\"}}]");
    }
    this.comparison = comparison;
    this.threshold = threshold;
    this.k = k;
    this.order = order == null ? CpOrder.DESC : order;
  }

  /** Whether this is the filter form (a comparison with a threshold). */
  boolean isFilter() {
    return comparison != null;
  }

  /** Whether this is the top-k form. */
  boolean isTopK() {
    return k != null;
  }

  public CpQueryBuilder(StreamInput in) throws IOException {
    super(in);
    term = new CpTerm(in);
    String op = in.readOptionalString();
    comparison = op == null ? null : Comparison.valueOf(op);
    threshold = in.readDouble();
    k = in.readOptionalVInt();
    order = CpOrder.valueOf(in.readString());
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    term.writeTo(out);
    out.writeOptionalString(comparison == null ? null : comparison.name());
    out.writeDouble(threshold);
    out.writeOptionalVInt(k);
    out.writeString(order.name());
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    term.toXContent(builder);
    if (comparison != null) {
      builder.field(comparison.name().toLowerCase(Locale.ROOT), threshold);
    } else if (k != null) {
      builder.field("k", k);
      builder.field("order", order.name().toLowerCase(Locale.ROOT));
    }
    printBoostAndQueryName(builder);
    builder.endObject();
  }

  /** The keys of a {@code cp} query as it is parsed. */
  private static final class Draft extends CpTerm.Draft {
    final FilterKeys filter = new FilterKeys();
    Integer k;
    CpOrder order;
  }

  private static final ObjectParser<Draft, Void> PARSER = new ObjectParser<>(NAME, Draft::new);

  static {
    CpTerm.declare(PARSER);
    FilterKeys.declare(PARSER, d -> d.filter, XContentParser::doubleValue);
    DeclaredFields.declare(PARSER, "k", XContentParser::intValue, (d, v) -> d.k = v);
    DeclaredFields.declare(
        PARSER, "order", p -> parseOrder(DeclaredFields.string(p, "order")), (d, v) -> d.order = v);
  }

  /** Parses the body of a {@code cp} query. */
  public static CpQueryBuilder fromXContent(XContentParser parser) throws IOException {
    Draft d = DeclaredFields.parse(PARSER, parser, "[" + NAME + "]");
    try {
      return new CpQueryBuilder(d.term(), d.filter.comparison, d.filter.threshold, d.k, d.order)
          .boost(d.filter.boost)
          .queryName(d.filter.queryName);
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  static CpOrder parseOrder(String text) {
    return switch (text) {
      case "desc" -> CpOrder.DESC;
      case "asc" -> CpOrder.ASC;
      default ->
          throw new IllegalArgumentException("[order] must be [desc] or [asc], got [" + text + "]");
    };
  }

  @Override
  protected Query doToQuery(QueryShardContext context) {
    ValueSource spec = NestedParentFields.join(term.toSpec(context), context, NAME);
    return ValueQueryForms.toQuery(NAME, spec, comparison, threshold, k, order, context);
  }

  @Override
  protected boolean doEquals(CpQueryBuilder other) {
    return term.equals(other.term)
        && comparison == other.comparison
        && Double.compare(threshold, other.threshold) == 0
        && Objects.equals(k, other.k)
        && order == other.order;
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(term, comparison, threshold, k, order);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }
}
