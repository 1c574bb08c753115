package dev.masksearch.codec;

/**
 * Reads and writes single values of a {@link FixedWidth} column in a byte array, for tests that
 * target one.
 */
final class PackedBytes {
  private PackedBytes() {}

  /** The delta at {@code index} of the column at {@code offset}. */
  static long get(byte[] file, long offset, int bits, int index) {
    if (bits == 12) {
      int at = Math.toIntExact(offset + ((3L * index) >>> 1));
      int pair = (file[at] & 0xFF) | (file[at + 1] & 0xFF) << 8;
      return (index & 1) == 0 ? pair & 0xFFF : pair >>> 4;
    }
    int bytes = bits / 8;
    int at = Math.toIntExact(offset + (long) index * bytes);
    long v = 0;
    for (int b = 0; b < bytes; b++) {
      v |= (file[at + b] & 0xFFL) << (8 * b);
    }
    return v;
  }

  /** Sets the delta at {@code index}; {@code delta} must fit {@code bits}. */
  static void set(byte[] file, long offset, int bits, int index, long delta) {
    if (bits == 12) {
      int at = Math.toIntExact(offset + ((3L * index) >>> 1));
      int pair = (file[at] & 0xFF) | (file[at + 1] & 0xFF) << 8;
      pair = (index & 1) == 0 ? (pair & ~0xFFF) | (int) delta : (pair & 0xF) | (int) delta << 4;
      file[at] = (byte) pair;
      file[at + 1] = (byte) (pair >>> 8);
      return;
    }
    int bytes = bits / 8;
    int at = Math.toIntExact(offset + (long) index * bytes);
    for (int b = 0; b < bytes; b++) {
      file[at + b] = (byte) (delta >>> (8 * b));
    }
  }

  static long maxDelta(int bits) {
    return bits == 0 ? 0 : (1L << bits) - 1;
  }
}
