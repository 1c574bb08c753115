package dev.masksearch.search;

import dev.masksearch.codec.MaskDocValues;
import java.io.IOException;
import java.util.Set;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.BitSet;
import org.apache.lucene.util.BytesRef;

/**
 * A segment in which the doc values of some fields are read at each document's parent: document
 * {@code d} sees the values of {@code parents.nextSetBit(d)} (itself, for a parent). A mask field
 * written by the mask format keeps its CHI and random access ({@link MaskDocValues#remap}); other
 * binary and numeric doc values are remapped forward-only, as doc values iterate (a nested
 * document's parent never comes before an earlier document's). Not cached: its cache helpers are
 * null.
 */
final class ParentFieldsReader extends FilterLeafReader {
  private final Set<String> parentFields;
  private final BitSet parents;

  ParentFieldsReader(LeafReader in, Set<String> parentFields, BitSet parents) {
    super(in);
    this.parentFields = parentFields;
    this.parents = parents;
  }

  private int parentOf(int doc) {
    return parents.nextSetBit(doc); // a nested document's parent follows it in its block
  }

  @Override
  public BinaryDocValues getBinaryDocValues(String field) throws IOException {
    BinaryDocValues values = super.getBinaryDocValues(field);
    if (values == null || !parentFields.contains(field)) {
      return values;
    }
    if (values instanceof MaskDocValues masks) {
      return masks.remap(this::parentOf, maxDoc());
    }
    Remapped remapped = new Remapped(values);
    return new BinaryDocValues() {
      @Override
      public BytesRef binaryValue() throws IOException {
        return values.binaryValue();
      }

      @Override
      public boolean advanceExact(int target) throws IOException {
        return remapped.advanceExact(target);
      }

      @Override
      public int docID() {
        return remapped.docID();
      }

      @Override
      public int nextDoc() throws IOException {
        return remapped.advance(remapped.docID() + 1);
      }

      @Override
      public int advance(int target) throws IOException {
        return remapped.advance(target);
      }

      @Override
      public long cost() {
        return maxDoc();
      }
    };
  }

  @Override
  public NumericDocValues getNumericDocValues(String field) throws IOException {
    NumericDocValues values = super.getNumericDocValues(field);
    if (values == null || !parentFields.contains(field)) {
      return values;
    }
    Remapped remapped = new Remapped(values);
    return new NumericDocValues() {
      @Override
      public long longValue() throws IOException {
        return values.longValue();
      }

      @Override
      public boolean advanceExact(int target) throws IOException {
        return remapped.advanceExact(target);
      }

      @Override
      public int docID() {
        return remapped.docID();
      }

      @Override
      public int nextDoc() throws IOException {
        return remapped.advance(remapped.docID() + 1);
      }

      @Override
      public int advance(int target) throws IOException {
        return remapped.advance(target);
      }

      @Override
      public long cost() {
        return maxDoc();
      }
    };
  }

  /**
   * A forward-only doc-values iterator moved to parents: targets go forward, and so do their
   * parents; the siblings of one parent share its value.
   */
  private final class Remapped {
    private final DocIdSetIterator in;
    private int doc = -1;
    private int parent = -1;
    private boolean exists;

    Remapped(DocIdSetIterator in) {
      this.in = in;
    }

    boolean advanceExact(int target) throws IOException {
      doc = target;
      int p = parentOf(target);
      if (p == DocIdSetIterator.NO_MORE_DOCS) {
        return exists = false;
      }
      if (p != parent) {
        parent = p;
        exists = in.docID() <= p && (in.docID() == p || in.advance(p) == p);
      }
      return exists;
    }

    int docID() {
      return doc;
    }

    int advance(int target) throws IOException {
      for (int d = target; d < maxDoc(); d++) {
        if (advanceExact(d)) {
          return d;
        }
      }
      return doc = DocIdSetIterator.NO_MORE_DOCS;
    }
  }

  @Override
  public CacheHelper getCoreCacheHelper() {
    return null;
  }

  @Override
  public CacheHelper getReaderCacheHelper() {
    return null;
  }
}
