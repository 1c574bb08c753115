package dev.masksearch.codec;

import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.IndexInput;

/**
 * How a format version stores one mask's pixels in {@code .mskr}: {@link DeflatedMaskStorage}
 * (MaskSearch10, the whole mask in one DEFLATE stream) or {@link TiledMaskStorage} (MaskSearch20,
 * tiles decodable one at a time). Readers check every stored length and size against the mask's
 * shape before allocating for it.
 */
sealed interface MaskStorage permits DeflatedMaskStorage, TiledMaskStorage {
  /** The stored bytes of a mask. */
  byte[] encode(Mask mask);

  /**
   * Whether the masks this storage stored are stored bytes {@code target} reads the same and could
   * have written in its mode (same grammar, same tiles): a merge then copies them as they are.
   */
  boolean storesAs(MaskStorage target);

  /** Throws unless a mask of this dtype and shape can be stored in {@code length} bytes. */
  void checkLength(long length, MaskDType dtype, int height, int width, String resource)
      throws CorruptIndexException;

  /**
   * The most bytes {@link #decode} or {@link #pixels} allocate for a mask, known before decoding it
   * (from its shape and at most its first byte); {@code in} holds exactly its stored bytes.
   */
  long readBytes(IndexInput in, StoredMask stored) throws IOException;

  /** The whole mask; {@code in} holds exactly its stored bytes. */
  Mask decode(IndexInput in, StoredMask stored) throws IOException;

  /**
   * The mask's pixels whose code lies in {@code [lo, lo + span)}, counted by rectangle, reading
   * only what the rectangles asked for need; {@code in} holds exactly its stored bytes.
   */
  CpBounds.Pixels pixels(IndexInput in, StoredMask stored, int lo, int span) throws IOException;
}
