package dev.masksearch.mask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Counts the pixels of a rectangle of a row-major raster of little-endian codes whose code lies in
 * {@code [lo, lo + span)}: the inner loop of every verification, whether over a whole {@link Mask}
 * or one decoded tile of it.
 */
public final class PixelCounts {
  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private PixelCounts() {}

  /**
   * The pixels of rows {@code [y1, y2)} and columns {@code [x1, x2)} of a raster {@code stride}
   * pixels wide whose code lies in {@code [lo, lo + span)} (unsigned comparison, so a float's set
   * sign bit is out of every range).
   */
  public static long count(
      byte[] data, MaskDType dtype, int stride, int x1, int y1, int x2, int y2, int lo, int span) {
    long count = 0;
    for (int y = y1; y < y2; y++) {
      count += countRow(data, dtype, y * stride + x1, y * stride + x2, lo, span);
    }
    return count;
  }

  /** The code range {@code [lo, lo + span)} of a value range, as {@code lo << 32 | span}. */
  public static long codes(MaskDType dtype, ValueRange range) {
    if (range.isEmpty()) {
      return 0;
    }
    long codes = dtype.codeRange(range.lv(), range.uv());
    int lo = (int) (codes >>> 32);
    int span = Math.max(0, (int) codes - lo);
    return ((long) lo << 32) | span;
  }

  // One loop per element width, so that the JIT sees a plain array scan.
  private static int countRow(byte[] data, MaskDType dtype, int from, int to, int lo, int span) {
    int n = 0;
    switch (dtype) {
      case UINT8 -> {
        for (int i = from; i < to; i++) {
          n += Integer.compareUnsigned((data[i] & 0xFF) - lo, span) < 0 ? 1 : 0;
        }
      }
      case UINT16, FLOAT16 -> {
        for (int i = from; i < to; i++) {
          n +=
              Integer.compareUnsigned(((short) SHORT_LE.get(data, i * 2) & 0xFFFF) - lo, span) < 0
                  ? 1
                  : 0;
        }
      }
      case FLOAT32 -> {
        for (int i = from; i < to; i++) {
          n += Integer.compareUnsigned((int) INT_LE.get(data, i * 4) - lo, span) < 0 ? 1 : 0;
        }
      }
    }
    return n;
  }
}
