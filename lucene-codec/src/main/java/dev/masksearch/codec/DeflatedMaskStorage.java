package dev.masksearch.codec;

import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.PixelCounts;
import java.io.IOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.IndexInput;

/**
 * MaskSearch10's mask storage: the whole mask in one stream of {@link RawMaskCompression}, read
 * whole to count any part of it.
 */
final class DeflatedMaskStorage implements MaskStorage {
  static final DeflatedMaskStorage INSTANCE = new DeflatedMaskStorage();

  @Override
  public boolean storesAs(MaskStorage target) {
    return target == INSTANCE;
  }

  private DeflatedMaskStorage() {}

  @Override
  public byte[] encode(Mask mask) {
    return RawMaskCompression.compress(mask);
  }

  @Override
  public void checkLength(long length, MaskDType dtype, int height, int width, String resource)
      throws CorruptIndexException {
    RawMaskCompression.checkLength(length, (long) height * width * dtype.bytesPerPixel(), resource);
  }

  /** The compressed bytes, the inflated planes and the mask. */
  @Override
  public long readBytes(IndexInput in, StoredMask stored) {
    return stored.length() + 2 * stored.rawBytes();
  }

  @Override
  public Mask decode(IndexInput in, StoredMask stored) throws IOException {
    byte[] compressed = new byte[(int) stored.length()];
    in.readBytes(compressed, 0, compressed.length);
    byte[] pixels =
        RawMaskCompression.decompress(
            compressed,
            0,
            compressed.length,
            stored.dtype(),
            stored.height(),
            stored.width(),
            in.toString());
    try {
      return Mask.of(stored.dtype(), stored.height(), stored.width(), pixels);
    } catch (MaskFormatException e) { // pixels that no mask has, such as a float above 1
      throw new CorruptIndexException("stored mask: " + e.getMessage(), in, e);
    }
  }

  @Override
  public CpBounds.Pixels pixels(IndexInput in, StoredMask stored, int lo, int span) {
    Mask[] mask = new Mask[1]; // decoded when the first rectangle needs it
    return (x1, y1, x2, y2) -> {
      if (mask[0] == null) {
        mask[0] = decode(in, stored);
      }
      return PixelCounts.count(
          mask[0].rawBytes(), stored.dtype(), stored.width(), x1, y1, x2, y2, lo, span);
    };
  }
}
