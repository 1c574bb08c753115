package dev.masksearch.search;

import dev.masksearch.codec.MaskDocValues;
import java.io.IOException;

/**
 * Bytes reserved from a {@link SearchGuard} for one document's evaluation, all returned by {@link
 * #close()}, whether the evaluation succeeded or threw. Not thread-safe: one per evaluation.
 */
public final class Reservation implements AutoCloseable {
  private final SearchGuard guard;
  private long reserved;

  public Reservation(SearchGuard guard) {
    this.guard = guard;
  }

  /** Reserves {@code bytes} for {@code what} (see {@link SearchGuard#reserve}). */
  public void reserve(long bytes, String what) {
    guard.reserve(bytes, what);
    reserved += bytes;
  }

  /**
   * Reserves what decoding the mask of {@code doc} in {@code masks} (the field {@code field})
   * allocates at most, known from its stored header before it is read; returns its size.
   */
  public MaskDocValues.MaskSize reserveMask(MaskDocValues masks, String field, int doc)
      throws IOException {
    MaskDocValues.MaskSize size = masks.maskSize(doc);
    reserve(size.readBytes(), "mask [" + field + "] " + size + " of document " + doc);
    return size;
  }

  /** Reserves a mask of another doc-values format, whose size is known once its bytes are read. */
  public void reserveMaskBytes(String field, int length, int doc) {
    reserve(length, "mask [" + field + "] of " + length + " bytes of document " + doc);
  }

  @Override
  public void close() {
    if (reserved != 0) {
      guard.release(reserved);
      reserved = 0;
    }
  }
}
