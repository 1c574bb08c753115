package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.ParentDocs;
import dev.masksearch.search.ParentFieldsValueSource;
import dev.masksearch.search.ValueSource;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.util.BitSet;
import org.opensearch.common.lucene.search.Queries;
import org.opensearch.index.mapper.ObjectMapper;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;

/**
 * Fields of the top-level document named by a {@code cp} or {@code mask_expr} query inside a {@code
 * nested} query: {@code iou(objects.mask > 0.5, saliency > 0.8)} on an image's objects reads each
 * object's own instance mask and its image's saliency map. Such fields are read at the nested
 * document's parent through the block join ({@link ParentFieldsValueSource}). A field of another
 * nested object than the query's is refused: only the root is a parent every nested document has.
 */
final class NestedParentFields {
  private NestedParentFields() {}

  /** The value source reading its root-level fields at the parent, when inside a nested query. */
  static ValueSource join(ValueSource source, QueryShardContext context, String queryName) {
    ObjectMapper scope = context.nestedScope().getObjectMapper();
    if (scope == null) {
      return source;
    }
    String prefix = scope.fullPath() + ".";
    Set<String> parentFields = new TreeSet<>();
    for (String field : source.fields()) {
      String nested = nestedPathOf(field, context);
      if (field.startsWith(prefix) && scope.fullPath().equals(nested)) {
        continue; // the object's own field
      }
      if (nested != null) {
        throw new QueryShardException(
            context,
            "["
                + queryName
                + "] inside the nested query on ["
                + scope.fullPath()
                + "] cannot read ["
                + field
                + "] of the nested object ["
                + nested
                + "]; it reads the nested object's fields and the top-level document's");
      }
      parentFields.add(field);
    }
    if (parentFields.isEmpty()) {
      return source;
    }
    return new ParentFieldsValueSource(
        source, parentFields, new RootDocs(context.bitsetFilter(Queries.newNonNestedFilter())));
  }

  /** The nested object a field lies in, or null for a top-level field. */
  private static String nestedPathOf(String field, QueryShardContext context) {
    for (int dot = field.lastIndexOf('.'); dot > 0; dot = field.lastIndexOf('.', dot - 1)) {
      ObjectMapper object = context.getObjectMapper(field.substring(0, dot));
      if (object != null && object.nested().isNested()) {
        return object.fullPath();
      }
    }
    return null;
  }

  /** The top-level documents, from the shard's bitset cache; equal when their producers are. */
  private record RootDocs(BitSetProducer producer) implements ParentDocs {
    @Override
    public BitSet parents(LeafReader reader) throws IOException {
      return producer.getBitSet(reader.getContext());
    }
  }
}
