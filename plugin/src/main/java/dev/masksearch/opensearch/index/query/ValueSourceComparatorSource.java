package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.MaskValueComparator;
import dev.masksearch.search.ValueSource;
import org.apache.lucene.search.FieldComparator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Pruning;
import org.apache.lucene.search.SortField;
import org.opensearch.common.util.BigArrays;
import org.opensearch.index.fielddata.IndexFieldData;
import org.opensearch.search.DocValueFormat;
import org.opensearch.search.MultiValueMode;
import org.opensearch.search.sort.BucketedSort;
import org.opensearch.search.sort.SortOrder;

/**
 * The engine's exact comparator over a value source (a CP term or an expression), for the {@code
 * cp} and {@code mask_expr} sorts. OpenSearch ships sort values between nodes by the comparator
 * source's reduced type, so the engine's comparator is wrapped in an {@link
 * IndexFieldData.XFieldComparatorSource} of doubles.
 */
final class ValueSourceComparatorSource extends IndexFieldData.XFieldComparatorSource {
  private final ValueSource source;
  private final String sortName;
  private final IndexSearcher searcher;

  /**
   * A source for a sort that runs on {@code searcher}, whose guard its comparators read masks
   * under.
   */
  ValueSourceComparatorSource(ValueSource source, String sortName, IndexSearcher searcher) {
    super(null, MultiValueMode.MIN, null);
    this.source = source;
    this.sortName = sortName;
    this.searcher = searcher;
  }

  @Override
  public FieldComparator<?> newComparator(
      String fieldname, int numHits, Pruning pruning, boolean reversed) {
    return MaskValueComparator.source(source, null, searcher)
        .newComparator(fieldname, numHits, pruning, reversed);
  }

  @Override
  public SortField.Type reducedType() {
    return SortField.Type.DOUBLE;
  }

  @Override
  public Object missingValue(boolean reversed) {
    return reversed ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
  }

  @Override
  public BucketedSort newBucketedSort(
      BigArrays bigArrays,
      SortOrder sortOrder,
      DocValueFormat format,
      int bucketSize,
      BucketedSort.ExtraData extra) {
    throw new UnsupportedOperationException("the [" + sortName + "] sort cannot sort buckets");
  }
}
