package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The brute force every answer is checked against: a loop over the pixels of the region, clipped to
 * the mask, counting values in {@code [lv, uv)}; normalized, the count over the clipped region's
 * area (0 when empty). Pixel values are decoded here from the raw little-endian bytes, not through
 * the engine's dtype code.
 */
final class CpReference {
  private CpReference() {}

  static double cp(Mask mask, Roi roi, double lv, double uv, boolean normalize) {
    int x1 = Math.max(0, roi.x1());
    int y1 = Math.max(0, roi.y1());
    int x2 = Math.min(mask.width(), roi.x2());
    int y2 = Math.min(mask.height(), roi.y2());
    ByteBuffer data = ByteBuffer.wrap(mask.rawBytes()).order(ByteOrder.LITTLE_ENDIAN);
    long count = 0;
    for (int y = y1; y < y2; y++) {
      for (int x = x1; x < x2; x++) {
        double v = value(mask, data, y * mask.width() + x);
        if (v >= lv && v < uv) {
          count++;
        }
      }
    }
    if (!normalize) {
      return count;
    }
    long area = x2 > x1 && y2 > y1 ? (long) (x2 - x1) * (y2 - y1) : 0;
    return area == 0 ? 0 : (double) count / area;
  }

  /** The documented value of pixel {@code i}: p / 255, p / 65535, or the float's value. */
  static double value(Mask mask, ByteBuffer data, int i) {
    return switch (mask.dtype()) {
      case UINT8 -> (data.get(i) & 0xFF) / 255.0;
      case UINT16 -> (data.getShort(2 * i) & 0xFFFF) / 65535.0;
      case FLOAT16 -> Float.float16ToFloat(data.getShort(2 * i));
      case FLOAT32 -> data.getFloat(4 * i);
    };
  }
}
