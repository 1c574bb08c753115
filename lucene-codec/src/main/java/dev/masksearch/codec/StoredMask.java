package dev.masksearch.codec;

import dev.masksearch.mask.MaskDType;

/**
 * A document's stored mask: its dtype and shape, and where its stored bytes lie in {@code .mskr}.
 */
record StoredMask(MaskDType dtype, int height, int width, long offset, long length) {
  /** The bytes of its pixels once decoded. */
  long rawBytes() {
    return (long) height * width * dtype.bytesPerPixel();
  }
}
