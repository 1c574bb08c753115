package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.ValueSource;
import java.io.IOException;
import java.util.Locale;
import org.apache.lucene.search.SortField;
import org.opensearch.core.common.ParsingException;
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
 * What the {@code cp} and {@code mask_expr} sorts share: hits ordered by the exact value of a
 * {@link ValueSource} (the engine's comparator, which reads a mask only when bounds cannot place a
 * document), the value in each hit's {@code sort} array, {@code search_after} paging, and an object
 * of the sort's keys plus {@code order}.
 */
abstract class ValueSourceSortBuilder<T extends ValueSourceSortBuilder<T>> extends SortBuilder<T> {
  ValueSourceSortBuilder(SortOrder order) {
    this.order = order == null ? SortOrder.DESC : order;
  }

  /** The value to sort by on a shard, after checking the fields it names against the mapping. */
  abstract ValueSource valueSource(QueryShardContext context);

  /** Writes the sort's own keys (all but {@code order}) into its object. */
  abstract void keysToXContent(XContentBuilder builder) throws IOException;

  @Override
  public final XContentBuilder toXContent(XContentBuilder builder, Params params)
      throws IOException {
    builder.startObject().startObject(getWriteableName());
    keysToXContent(builder);
    builder.field("order", order.toString().toLowerCase(Locale.ROOT));
    return builder.endObject().endObject();
  }

  @Override
  protected final SortFieldAndFormat build(QueryShardContext context) {
    String name = getWriteableName();
    ValueSourceComparatorSource source =
        new ValueSourceComparatorSource(valueSource(context), name, context.searcher());
    return new SortFieldAndFormat(
        new SortField(name, source, order == SortOrder.DESC), DocValueFormat.RAW);
  }

  @Override
  public final BucketedSort buildBucketedSort(
      QueryShardContext context, int bucketSize, BucketedSort.ExtraData extra) {
    throw new UnsupportedOperationException(
        "the [" + getWriteableName() + "] sort cannot sort buckets");
  }

  /** The sort itself: nothing to rewrite unless a subclass fetches what it needs. */
  @SuppressWarnings("unchecked")
  @Override
  public T rewrite(QueryRewriteContext context) {
    return (T) this;
  }

  /** Throws unless the parser is at the sort's object. */
  static void expectObject(XContentParser parser, String name) {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new ParsingException(
          parser.getTokenLocation(), "[" + name + "] sort must be an object");
    }
  }
}
