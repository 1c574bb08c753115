package dev.masksearch.search;

import java.io.IOException;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.util.BitSet;

/**
 * The parent documents of a segment's block-joined (nested) documents: a nested document's parent
 * is the first parent at or after it, as Lucene's block join lays them out. Implementations have
 * value equality (queries are cached by it).
 */
@FunctionalInterface
public interface ParentDocs {
  /** The segment's parent documents, or null when it has none. */
  BitSet parents(LeafReader reader) throws IOException;
}
