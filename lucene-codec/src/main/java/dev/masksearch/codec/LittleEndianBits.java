package dev.masksearch.codec;

import java.io.IOException;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.util.BitUtil;

/**
 * Values packed least significant bit first, each at the bit after the one before: the layout of
 * {@link FixedWidth}'s columns and of {@link CellSuffixRecord}'s suffix sums. A value of at most 25
 * bits lies in the four bytes from the byte its first bit is in, so one 4-byte load reads it.
 */
final class LittleEndianBits {
  private LittleEndianBits() {}

  /** Appends values of up to 32 bits to an output, a byte at a time. Not thread-safe. */
  static final class Writer {
    private long pending; // bits not yet written, least significant first: fewer than 8
    private int pendingBits;

    /** Appends the low {@code bits} bits of {@code value}, which holds no higher bit. */
    void add(long value, int bits, DataOutput out) throws IOException {
      pending |= value << pendingBits;
      pendingBits += bits;
      for (; pendingBits >= Byte.SIZE; pendingBits -= Byte.SIZE, pending >>>= Byte.SIZE) {
        out.writeByte((byte) pending);
      }
    }

    /** Writes the bits left, padded with zeros to a byte, and starts again at a byte. */
    void flush(DataOutput out) throws IOException {
      if (pendingBits > 0) {
        out.writeByte((byte) pending);
      }
      pending = 0;
      pendingBits = 0;
    }
  }

  /**
   * The {@code width} bits (at most 25) at bit {@code bit} of the bytes from {@code start}: one
   * 4-byte load where the array holds four bytes there (the bits past the width, masked off, may
   * lie past the values), else the bytes the value spans.
   */
  static long get(byte[] bytes, int start, long bit, int width) {
    int from = start + (int) (bit >>> 3);
    int shift = (int) (bit & 7);
    assert shift + width <= Integer.SIZE : "a value of " + width + " bits";
    if (from <= bytes.length - Integer.BYTES) {
      return ((int) BitUtil.VH_LE_INT.get(bytes, from) & 0xFFFFFFFFL) >>> shift
          & ((1L << width) - 1);
    }
    int count = (shift + width + 7) >>> 3;
    long word = 0;
    for (int b = 0; b < count; b++) {
      word |= (bytes[from + b] & 0xFFL) << (b << 3);
    }
    return (word >>> shift) & ((1L << width) - 1);
  }
}
