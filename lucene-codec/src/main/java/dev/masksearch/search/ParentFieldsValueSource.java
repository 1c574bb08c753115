package dev.masksearch.search;

import java.io.IOException;
import java.util.Set;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.util.BitSet;

/**
 * A value computed on nested documents that also reads fields of their parent: {@code
 * iou(objects.mask > 0.5, saliency > 0.8)} on an image's objects, the instance mask the object's
 * own, the saliency map its image's. Each segment is read through {@link ParentFieldsReader}, in
 * which a document's values of the parent fields are those of its parent (the first parent document
 * at or after it); everything else, the CHI bounds of both levels included, works as for any value
 * source.
 *
 * @param source the value over the documents
 * @param parentFields the fields read from the parent
 * @param parents the segment's parent documents
 */
public record ParentFieldsValueSource(
    ValueSource source, Set<String> parentFields, ParentDocs parents) implements ValueSource {
  public ParentFieldsValueSource {
    parentFields = Set.copyOf(parentFields);
  }

  @Override
  public LeafEvaluator leaf(LeafReader reader, SearchGuard guard) throws IOException {
    BitSet bits = parents.parents(reader);
    if (bits == null) {
      return null; // no parent, so no nested document in the segment either
    }
    return source.leaf(new ParentFieldsReader(reader, parentFields, bits), guard);
  }

  @Override
  public Set<String> fields() {
    return source.fields();
  }

  @Override
  public boolean isCacheable(LeafReaderContext context) {
    return source.isCacheable(context);
  }

  @Override
  public String toString() {
    return source + " (parent fields " + parentFields + ")";
  }
}
