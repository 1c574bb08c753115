package dev.masksearch.codec;

import dev.masksearch.chi.CellLevelCounts;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.util.function.IntUnaryOperator;
import org.apache.lucene.util.BytesRef;

/**
 * A view of a segment's masks in which each document reads another document's mask, CHI included
 * ({@link MaskDocValues#remap}): a nested object reads its parent image's saliency map through the
 * block join. A document the map sends outside the segment (a nested document after the last
 * parent) has no mask. Random access only goes through the map; iteration visits the documents
 * whose mapped document has a mask, in order. The CHI's whole-block access is off, since a block's
 * documents are no longer the ordinals of one shape group.
 */
final class RemappedMaskDocValues extends MaskDocValues {
  private final MaskDocValues in;
  private final IntUnaryOperator toDoc;
  private final int maxDoc;
  private int doc = -1;

  RemappedMaskDocValues(MaskDocValues in, IntUnaryOperator toDoc, int maxDoc) {
    this.in = in;
    this.toDoc = toDoc;
    this.maxDoc = maxDoc;
  }

  @Override
  public ChiParams params() {
    return in.params();
  }

  @Override
  public ChiCursor chiCursor() throws IOException {
    return remap(in.chiCursor());
  }

  @Override
  public ChiCursor firstTierCursor() throws IOException {
    ChiCursor cursor = in.firstTierCursor();
    return cursor == null ? null : remap(cursor);
  }

  /** A cursor that seeks through the map. */
  private ChiCursor remap(ChiCursor cursor) {
    return new ChiCursor() {
      @Override
      public boolean seek(int doc) throws IOException {
        int target = map(doc);
        return target >= 0 && cursor.seek(target);
      }

      @Override
      public boolean locate(int doc) throws IOException {
        int target = map(doc);
        return target >= 0 && cursor.locate(target);
      }

      @Override
      public ChiGrid grid() {
        return cursor.grid();
      }

      @Override
      public MaskDType dtype() {
        return cursor.dtype();
      }

      @Override
      public CellLevelCounts.Reader cells() {
        return cursor.cells(); // reads the record that seek, through the map, moved to
      }

      @Override
      public BlockAccess blocks() {
        return null;
      }

      @Override
      public long count(int i, int j, int level) {
        return cursor.count(i, j, level);
      }

      @Override
      public long entry(int index) {
        return cursor.entry(index);
      }

      @Override
      public void entries(int[] indices, int count, long[] out) {
        cursor.entries(indices, count, out);
      }

      @Override
      public int bins() {
        return cursor.bins();
      }

      @Override
      public long ramBytesUsed() {
        return cursor.ramBytesUsed();
      }
    };
  }

  @Override
  public Mask mask(int doc) throws IOException {
    return in.mask(toDoc.applyAsInt(doc));
  }

  @Override
  public CpBounds.Pixels pixels(int doc, ValueRange range) throws IOException {
    return in.pixels(toDoc.applyAsInt(doc), range);
  }

  @Override
  public MaskSize maskSize(int doc) throws IOException {
    return in.maskSize(toDoc.applyAsInt(doc));
  }

  @Override
  MaskStorage storage() {
    throw new UnsupportedOperationException("a remapped view is never merged");
  }

  @Override
  byte[] storedMask(int doc) {
    throw new UnsupportedOperationException("a remapped view is never merged");
  }

  @Override
  public float averageMaskPixels() {
    return in.averageMaskPixels();
  }

  @Override
  public boolean advanceExact(int target) throws IOException {
    doc = target;
    int mapped = map(target);
    return mapped >= 0 && in.advanceExact(mapped);
  }

  /** The document {@code doc} reads, or -1 when the map gives none in the segment. */
  private int map(int doc) {
    int mapped = toDoc.applyAsInt(doc);
    return mapped >= 0 && mapped < maxDoc ? mapped : -1;
  }

  @Override
  public BytesRef binaryValue() throws IOException {
    return in.binaryValue();
  }

  @Override
  public int docID() {
    return doc;
  }

  @Override
  public int nextDoc() throws IOException {
    return advance(doc + 1);
  }

  @Override
  public int advance(int target) throws IOException {
    for (int d = target; d < maxDoc; d++) {
      if (advanceExact(d)) {
        return d;
      }
    }
    return doc = NO_MORE_DOCS;
  }

  @Override
  public long cost() {
    return maxDoc;
  }
}
