package dev.masksearch.codec;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;
import org.apache.lucene.util.BitUtil;

/**
 * Packs non-negative deltas at a fixed width of 0 to 25 or 32 bits, little-endian, and reads them
 * back with one unaligned load each. A reader is one final class whose {@code get} inlines into the
 * bound computation's inner loop (Lucene's {@code DirectReader} has a class per width, so a loop
 * over columns of several widths pays a megamorphic call per look-up).
 *
 * <pre>
 * Packed := Value[count] (bits each, value i at bit i * bits, least significant bit first), Padding(3 bytes)
 * </pre>
 *
 * Writers before MaskSearch20 version 5 wrote the byte-friendly widths alone ({@link
 * #bitsRequired}: 0, 8, 12, 16, 24 or 32); from version 5 the CHI's columns take the narrowest
 * ({@link #exactBitsRequired}), which the same layout ({@link LittleEndianBits}) holds.
 */
final class FixedWidth {
  private FixedWidth() {}

  /**
   * Bytes written after the values, so that a read of the last value may load more bytes than it
   * holds.
   */
  static final int PADDING_BYTES = 3;

  /** The widest width below 32 bits: a value and its shift within a byte fit one 4-byte load. */
  static final int MAX_PACKED_BITS = 25;

  /** Whether {@code bits} is a width {@link #write} writes and readers read. */
  static boolean isSupported(int bits) {
    return bits >= 0 && bits <= MAX_PACKED_BITS || bits == 32;
  }

  /**
   * Whether {@code bits} is one of the byte-friendly widths ({@link #bitsRequired}), the only ones
   * writers before MaskSearch20 version 5 wrote (and per-document columns still do).
   */
  static boolean isByteFriendly(int bits) {
    return bits == 0 || bits == 8 || bits == 12 || bits == 16 || bits == 24 || bits == 32;
  }

  /**
   * The bytes {@link #write} writes for {@code count} values at {@code bits}: values and padding.
   */
  static long byteLength(long count, int bits) {
    return bits == 0 ? 0 : (count * bits + 7) / 8 + PADDING_BYTES;
  }

  /** The narrowest supported width that holds {@code maxDelta}. */
  static int bitsRequired(long maxDelta) {
    if (maxDelta < 0 || maxDelta > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("delta out of range: " + maxDelta);
    }
    if (maxDelta == 0) {
      return 0;
    }
    if (maxDelta < 1 << 8) {
      return 8;
    }
    if (maxDelta < 1 << 12) {
      return 12;
    }
    if (maxDelta < 1 << 16) {
      return 16;
    }
    return maxDelta < 1 << 24 ? 24 : 32;
  }

  /**
   * The narrowest width that holds {@code maxDelta}: its bits, or 32 above {@link
   * #MAX_PACKED_BITS}.
   */
  static int exactBitsRequired(long maxDelta) {
    bitsRequired(maxDelta); // checks the range
    int bits = Long.SIZE - Long.numberOfLeadingZeros(maxDelta);
    return bits > MAX_PACKED_BITS ? 32 : bits;
  }

  /** Source of the deltas to write. */
  interface Deltas {
    long get(int index);
  }

  /** Writes {@code count} deltas at {@code bits} (nothing for 0 bits). */
  static void write(DataOutput out, Deltas deltas, int count, int bits) throws IOException {
    if (bits == 0) {
      return;
    }
    LittleEndianBits.Writer values = new LittleEndianBits.Writer();
    for (int i = 0; i < count; i++) {
      values.add(deltas.get(i), bits, out);
    }
    values.flush(out);
    out.writeByte((byte) 0); // PADDING_BYTES
    out.writeShort((short) 0);
  }

  /**
   * Decodes the first {@code count} values of the column at {@code offset} into {@code dst}, adding
   * {@code min}. One loop per byte-friendly width and one for the others, loading a word per value
   * (or per four 12-bit values) through Lucene's little-endian var handles; {@code scratch} holds
   * the packed bytes and has at least {@link #scratchBytes} bytes, so that no load leaves it (bytes
   * past a value are masked off). A width or offset from a corrupt header is reported before
   * anything is read.
   */
  static void decode(
      IndexInput in, long offset, int bits, int count, int min, int[] dst, byte[] scratch)
      throws IOException {
    if (!isSupported(bits)) {
      throw unsupportedWidth(bits, in);
    }
    if (scratch.length < scratchBytes(count)) {
      throw new IllegalArgumentException(
          "scratch of " + scratch.length + " bytes for " + count + " values");
    }
    int length = (int) (((long) count * bits + 7) / 8);
    if (offset < 0 || offset > in.length() - length) {
      throw new CorruptIndexException(
          "column data ["
              + offset
              + ", +"
              + length
              + ") lies outside the file of "
              + in.length()
              + " bytes",
          in);
    }
    in.seek(offset);
    in.readBytes(scratch, 0, length);
    byte[] b = scratch;
    switch (bits) {
      case 0 -> Arrays.fill(dst, 0, count, min);
      case 8 -> {
        for (int i = 0; i < count; i++) {
          dst[i] = min + (b[i] & 0xFF);
        }
      }
      case 12 -> {
        int i = 0;
        // four values (six bytes) from one little-endian 8-byte load (the scratch buffer holds
        // four bytes a value, so the load stays in it), then two values in three bytes
        for (int p = 0; i + 3 < count; i += 4, p += 6) {
          long v = (long) BitUtil.VH_LE_LONG.get(b, p);
          dst[i] = min + (int) (v & 0xFFF);
          dst[i + 1] = min + (int) (v >>> 12 & 0xFFF);
          dst[i + 2] = min + (int) (v >>> 24 & 0xFFF);
          dst[i + 3] = min + (int) (v >>> 36 & 0xFFF);
        }
        for (int p = (3 * i) >>> 1; i + 1 < count; i += 2, p += 3) {
          dst[i] = min + ((b[p] & 0xFF) | (b[p + 1] & 0x0F) << 8);
          dst[i + 1] = min + ((b[p + 1] & 0xFF) >>> 4 | (b[p + 2] & 0xFF) << 4);
        }
        if (i < count) {
          int p = (3 * i) >>> 1;
          dst[i] = min + ((b[p] & 0xFF) | (b[p + 1] & 0x0F) << 8);
        }
      }
      case 16 -> {
        for (int i = 0; i < count; i++) {
          dst[i] = min + ((short) BitUtil.VH_LE_SHORT.get(b, 2 * i) & 0xFFFF);
        }
      }
      case 24 -> {
        for (int i = 0; i < count; i++) { // a 4-byte load a value, the fourth byte masked off
          dst[i] = min + ((int) BitUtil.VH_LE_INT.get(b, 3 * i) & 0xFFFFFF);
        }
      }
      case 32 -> {
        for (int i = 0; i < count; i++) {
          dst[i] = min + (int) BitUtil.VH_LE_INT.get(b, 4 * i);
        }
      }
      default -> {
        int mask = (1 << bits) - 1;
        for (int i = 0; i < count; i++) { // at most 25 bits after a shift of at most 7
          int bit = i * bits;
          dst[i] = min + ((int) BitUtil.VH_LE_INT.get(b, bit >>> 3) >>> (bit & 7) & mask);
        }
      }
    }
  }

  private static CorruptIndexException unsupportedWidth(int bits, Object in) {
    return new CorruptIndexException(
        "unsupported column width " + bits + " bits", String.valueOf(in));
  }

  /**
   * Bytes {@link #decode} needs in its scratch buffer for {@code count} values of at most 32 bits.
   */
  static int scratchBytes(int count) {
    return count * 4;
  }

  /** Random access to values written by {@link #write}, plus a minimum. */
  static final class Reader {
    private final RandomAccessInput in;
    private final long offset;
    private final int bits;
    private final long min;

    Reader(RandomAccessInput in, long offset, int bits, long min) {
      this.in = in;
      this.offset = offset;
      this.bits = bits;
      this.min = min;
    }

    long get(long index) throws IOException {
      return min + delta(in, offset, bits, index);
    }
  }

  /**
   * The delta at {@code index} of the column at {@code offset}. No bounds check of its own, since
   * it runs once per CHI entry: the directory checks every read, and a read that a corrupt column
   * header sent outside the file is reported as the corruption it is (an exception handler costs
   * nothing until it runs).
   */
  static long delta(RandomAccessInput in, long offset, int bits, long index) throws IOException {
    try {
      return switch (bits) {
        case 0 -> 0;
        case 8 -> in.readByte(offset + index) & 0xFFL;
        case 12 ->
            (in.readShort(offset + ((3 * index) >>> 1)) & 0xFFFF) >>> ((index & 1) << 2) & 0xFFF;
        case 16 -> in.readShort(offset + 2 * index) & 0xFFFFL;
        case 24 -> in.readInt(offset + 3 * index) & 0xFFFFFFL;
        case 32 -> in.readInt(offset + 4 * index) & 0xFFFFFFFFL;
        default -> {
          if (!isSupported(bits)) {
            throw unsupportedWidth(bits, in);
          }
          long bit = index * bits;
          yield (in.readInt(offset + (bit >>> 3)) >>> (bit & 7)) & ((1 << bits) - 1);
        }
      };
    } catch (EOFException | IndexOutOfBoundsException | IllegalArgumentException e) {
      // what directories throw for a position past the end (EOF) or before the start
      throw new CorruptIndexException(
          "value "
              + index
              + " of a "
              + bits
              + "-bit column at "
              + offset
              + " lies outside the file",
          String.valueOf(in),
          e);
    }
  }
}
