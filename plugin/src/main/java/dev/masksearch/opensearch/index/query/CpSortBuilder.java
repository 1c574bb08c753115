package dev.masksearch.opensearch.index.query;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
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
import org.opensearch.search.sort.SortOrder;

/**
 * The {@code cp} sort: hits ordered by their exact CP value, ascending or descending, with the
 * value in each hit's {@code sort} array and {@code search_after} paging. Documents whose bounds
 * cannot reach the current page are skipped without reading their mask. Documents without a mask
 * (or box) come last.
 *
 * <pre>
 * "sort": [{"cp": {"field": "saliency", "roi": {"field": "bbox"}, "range": [0.8, 1.01], "order": "asc"}}]
 * </pre>
 */
public final class CpSortBuilder extends ValueSourceSortBuilder<CpSortBuilder> {
  public static final String NAME = "cp";

  private final CpTerm term;

  /** A sort by the CP of {@code field} (see the {@code cp} query for the other parameters). */
  public CpSortBuilder(
      String field,
      Roi roi,
      String roiField,
      ValueRange range,
      boolean normalize,
      SortOrder order) {
    this(new CpTerm(field, roi, roiField, range, normalize), order);
  }

  /**
   * A sort by the CP of {@code field} over any region ({@link RegionSpec}; null: the whole mask).
   */
  public CpSortBuilder(
      String field, RegionSpec region, ValueRange range, boolean normalize, SortOrder order) {
    this(new CpTerm(field, region, range, normalize), order);
  }

  CpSortBuilder(CpTerm term, SortOrder order) {
    super(order);
    this.term = Objects.requireNonNull(term);
  }

  public CpSortBuilder(StreamInput in) throws IOException {
    this(new CpTerm(in), SortOrder.readFromStream(in));
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    term.writeTo(out);
    order.writeTo(out);
  }

  /** The keys of a {@code cp} sort as it is parsed. */
  private static final class Draft extends CpTerm.Draft {
    SortOrder order;
  }

  private static final ObjectParser<Draft, Void> PARSER =
      new ObjectParser<>(NAME + " sort", Draft::new);

  static {
    CpTerm.declare(PARSER);
    DeclaredFields.declare(
        PARSER,
        "order",
        p -> SortOrder.fromString(DeclaredFields.string(p, "order")),
        (d, v) -> d.order = v);
  }

  /** Parses the body of a {@code cp} sort. */
  public static CpSortBuilder fromXContent(XContentParser parser, String elementName)
      throws IOException {
    expectObject(parser, NAME);
    Draft d = DeclaredFields.parse(PARSER, parser, "[" + NAME + "] sort");
    try {
      return new CpSortBuilder(d.term(), d.order);
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  @Override
  void keysToXContent(XContentBuilder builder) throws IOException {
    term.toXContent(builder);
  }

  @Override
  ValueSource valueSource(QueryShardContext context) {
    return term.toSpec(context);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CpSortBuilder o && term.equals(o.term) && order == o.order;
  }

  @Override
  public int hashCode() {
    return Objects.hash(term, order);
  }
}
