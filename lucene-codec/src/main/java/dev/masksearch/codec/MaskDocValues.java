package dev.masksearch.codec;

import dev.masksearch.chi.CellLevelCounts;
import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiLookup;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.util.function.IntUnaryOperator;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.util.Accountable;

/**
 * The binary doc values of a mask field written with a mask format ({@link
 * MaskSearch20DocValuesFormat}, or {@link MaskSearch10DocValuesFormat} before it): besides
 * iterating the masks' bytes like any binary doc values, they give random access to each document's
 * CHI and to its decoded mask. Queries look for this type and fall back to reading every mask when
 * a field was written by another format.
 */
public abstract class MaskDocValues extends BinaryDocValues {

  /** The CHI parameters this segment was written with. */
  public abstract ChiParams params();

  /** A new cursor over the documents' CHIs; not thread-safe, one per searching thread. */
  public abstract ChiCursor chiCursor() throws IOException;

  /**
   * A new cursor over the first tier of a CHI stored in two tiers (docs/design.md, section 4):
   * columns at {@link ChiParams#firstTier}, its {@link ChiCursor#grid} and {@link ChiCursor#bins}
   * those parameters', which first stages read document after document, while {@link #chiCursor}
   * reads each document's CHI at the field's parameters from its record. Null when the segment
   * stores its CHI in one tier, or in two of the same parameters (a step too large to double and
   * odd bins): {@link #chiCursor} then reads the columns for both stages.
   */
  public ChiCursor firstTierCursor() throws IOException {
    return null;
  }

  /**
   * The mask of a document that has one, decoded from its compressed bytes; random access, any
   * order.
   */
  public abstract Mask mask(int doc) throws IOException;

  /**
   * The pixels of a document that has a mask whose value lies in {@code range}, counted by
   * rectangle: a verification reads only the parts of the mask that the rectangles it asks for need
   * (the tiles under them, for a field written with {@link MaskSearch20DocValuesFormat}).
   */
  public abstract CpBounds.Pixels pixels(int doc, ValueRange range) throws IOException;

  /**
   * The memory that {@link #mask} or {@link #pixels} need for a document that has a mask, known
   * before reading it. Searches account it before reading (see {@link
   * dev.masksearch.search.SearchGuard}).
   */
  public abstract MaskSize maskSize(int doc) throws IOException;

  /**
   * A document's mask shape, its stored bytes and the bytes reading it allocates at most.
   *
   * @param readBytes what decoding the mask allocates at most
   */
  public record MaskSize(
      int width, int height, MaskDType dtype, long compressedBytes, long readBytes) {
    @Override
    public String toString() {
      return width + "x" + height + " " + dtype.apiName();
    }
  }

  /**
   * A view in which each document {@code d} of the segment's {@code maxDoc} reads the mask and CHI
   * of document {@code toDoc(d)}, such as a nested document its parent's through the block join.
   * For searches only: it is never merged.
   */
  public final MaskDocValues remap(IntUnaryOperator toDoc, int maxDoc) {
    return new RemappedMaskDocValues(this, toDoc, maxDoc);
  }

  /** How this segment stores the masks, for merges that copy them. */
  abstract MaskStorage storage();

  /** The stored bytes of a document's mask, for merges that copy them. */
  abstract byte[] storedMask(int doc) throws IOException;

  /** The mean pixel count of this segment's masks, an estimate of the cost of reading one. */
  public abstract float averageMaskPixels();

  /**
   * Random access to each document's CHI. Its memory grows with the CHI entries a query reads per
   * block, up to one block (at most 2^20 entries) decoded; {@link #ramBytesUsed()} says how much it
   * holds now.
   */
  public interface ChiCursor extends ChiLookup, Accountable {
    /**
     * Moves to a document; returns false if it has no mask (the other methods are then undefined).
     */
    boolean seek(int doc) throws IOException;

    /**
     * Moves to a document's mask shape ({@link #grid}, {@link #dtype}) and returns false if it has
     * no mask, as {@link #seek} does, but may leave the entries at another document's until a seek
     * to this one: for a reader that needs the shape alone (a box bounded by its indexed counts).
     * Where the shape cannot be known without it, this seeks.
     */
    default boolean locate(int doc) throws IOException {
      return seek(doc);
    }

    /** The grid of the current document's mask. */
    ChiGrid grid();

    /** The dtype of the current document's mask. */
    MaskDType dtype();

    /**
     * Reads the current document's cells one by one at a few levels, or null when this cursor reads
     * cumulative columns (look their entries up instead). A cursor of per-document records (the
     * second tier of a CHI in two tiers) reads a record cell by cell anyway: this skips the
     * cumulative tables its entries are looked up in.
     */
    default CellLevelCounts.Reader cells() {
      return null;
    }

    /**
     * The current document's cells' histograms, as {@link Chi#cellHistograms(ChiGrid, ChiLookup)}
     * lays them: what a merge copies.
     */
    default int[] cellHistograms() throws IOException {
      return Chi.cellHistograms(grid(), this);
    }

    /**
     * Whole-block access when every document of the segment has a mask of one size (then a
     * document's ordinal is its doc id), or null. Lets a scan compute the bounds of a block of
     * documents at a time.
     */
    BlockAccess blocks();
  }

  /**
   * The CHI of a segment of equal masks, block by block: {@code 2^blockShift()} consecutive
   * documents a block.
   */
  public interface BlockAccess {
    int blockShift();

    /** Moves to a block; returns its number of documents. */
    int seekBlock(int block) throws IOException;

    /**
     * The current block's values of one CHI entry (see {@link dev.masksearch.chi.Chi#index}), a row
     * per document.
     */
    int[] column(int entry) throws IOException;
  }
}
