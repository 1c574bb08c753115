package dev.masksearch.opensearch.index.query;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.CpSpec;
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
import org.opensearch.search.DocValueFormat;
import org.opensearch.search.sort.BucketedSort;
import org.opensearch.search.sort.SortBuilder;
import org.opensearch.search.sort.SortFieldAndFormat;
import org.opensearch.search.sort.SortOrder;

/**
 * The {@code cp} sort: hits ordered by their exact CP value, ascending or descending, with the value in each hit's
 * {@code sort} array and {@code search_after} paging. Documents whose bounds cannot reach the current page are
 * skipped without reading their mask. Documents without a mask (or box) come last.
 *
 * <pre>
 * "sort": [{"cp": {"field": "saliency", "roi": {"field": "bbox"}, "range": [0.8, 1.01], "order": "asc"}}]
 * </pre>
 */
public final class CpSortBuilder extends SortBuilder<CpSortBuilder> {
  public static final String NAME = "cp";

  private final CpTerm term;

  /** A sort by the CP of {@code field} (see the {@code cp} query for the other parameters). */
  public CpSortBuilder(String field, Roi roi, String roiField, ValueRange range, boolean normalize, SortOrder order) {
    this(new CpTerm(field, roi, roiField, range, normalize), order);
  }

  CpSortBuilder(CpTerm term, SortOrder order) {
    this.term = Objects.requireNonNull(term);
    this.order = order == null ? SortOrder.DESC : order;
  }

  public CpSortBuilder(StreamInput in) throws IOException {
    term = new CpTerm(in);
    order = SortOrder.readFromStream(in);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    term.writeTo(out);
    order.writeTo(out);
  }

  /** Parses the body of a {@code cp} sort. */
  public static CpSortBuilder fromXContent(XContentParser parser, String elementName) throws IOException {
    CpTerm.Parser term = new CpTerm.Parser();
    SortOrder order = null;
    String key = null;
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new ParsingException(parser.getTokenLocation(), "[cp] sort must be an object");
    }
    for (XContentParser.Token token = parser.nextToken(); token != XContentParser.Token.END_OBJECT; token = parser.nextToken()) {
      if (token == XContentParser.Token.FIELD_NAME) {
        key = parser.currentName();
        continue;
      }
      try {
        if (!term.parse(key, parser)) {
          if (!key.equals("order")) {
            throw new IllegalArgumentException("unknown parameter [" + key + "]");
          }
          order = SortOrder.fromString(CpTerm.Parser.string(parser, "order"));
        }
      } catch (IllegalArgumentException | IllegalStateException | IOException e) {
        // IllegalStateException, IOException: a value of the wrong kind for the key's accessor (text of an array,
        // a number out of range): a 400 that names the key, like every other bad value
        throw new ParsingException(parser.getTokenLocation(), "[cp] sort " + key + ": " + e.getMessage(), e);
      }
    }
    try {
      return new CpSortBuilder(term.build(), order);
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject().startObject(NAME);
    term.toXContent(builder);
    builder.field("order", order.toString().toLowerCase(Locale.ROOT));
    return builder.endObject().endObject();
  }

  @Override
  protected SortFieldAndFormat build(QueryShardContext context) {
    CpSpec spec = term.toSpec(context);
    return new SortFieldAndFormat(new SortField(NAME, new ValueSourceComparatorSource(spec, NAME, context.searcher()), order == SortOrder.DESC), DocValueFormat.RAW);
  }

  @Override
  public BucketedSort buildBucketedSort(QueryShardContext context, int bucketSize, BucketedSort.ExtraData extra) {
    throw new UnsupportedOperationException("the [cp] sort cannot sort buckets");
  }

  @Override
  public CpSortBuilder rewrite(QueryRewriteContext context) {
    return this;
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
