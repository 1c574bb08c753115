package dev.masksearch.opensearch.index.mapper;

import java.util.Map;
import org.apache.lucene.search.Query;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.SourceValueFetcher;
import org.opensearch.index.mapper.TextSearchInfo;
import org.opensearch.index.mapper.ValueFetcher;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.search.lookup.SearchLookup;

/** A field type held in doc values only and searched through the {@code cp} query, not by term. */
abstract class CpOnlyFieldType extends MappedFieldType {
  private final String usage;

  /** {@code usage} completes "use ..." in the error a term query gets. */
  CpOnlyFieldType(String name, Map<String, String> meta, String usage) {
    super(name, false, false, true, TextSearchInfo.NONE, meta);
    this.usage = usage;
  }

  @Override
  public ValueFetcher valueFetcher(QueryShardContext context, SearchLookup lookup, String format) {
    return SourceValueFetcher.identity(name(), context, format);
  }

  @Override
  public Query termQuery(Object value, QueryShardContext context) {
    throw new QueryShardException(
        context,
        "field ["
            + name()
            + "] of type ["
            + typeName()
            + "] does not support term queries; use "
            + usage);
  }
}
