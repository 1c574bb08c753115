package dev.masksearch.mask;

import java.util.Locale;

/**
 * The element type of a mask's pixels.
 *
 * <p>Every pixel is stored as an unsigned integer <em>code</em> whose order equals the order of the
 * values it stands for: {@code p} for the integer types, and the IEEE bit pattern for the float
 * types (the bit patterns of non-negative floats sort like the floats themselves). So the pixels
 * whose value lies in {@code [lv, uv)} are exactly those whose code lies in {@link
 * #codeRange(double, double)}, and counting never converts a pixel to a double.
 */
public enum MaskDType {
  /** 8-bit unsigned integer p, value p / 255. */
  UINT8(1, 255),
  /** 16-bit unsigned integer p, value p / 65535. */
  UINT16(2, 65535),
  /** IEEE 754 binary16, value as stored. */
  FLOAT16(2, Float.floatToFloat16(1f) & 0xFFFF),
  /** IEEE 754 binary32, value as stored. */
  FLOAT32(4, Float.floatToRawIntBits(1f));

  private final int bytesPerPixel;
  private final int maxCode;
  private final String apiName;

  MaskDType(int bytesPerPixel, int maxCode) {
    this.bytesPerPixel = bytesPerPixel;
    this.maxCode = maxCode;
    this.apiName = name().toLowerCase(Locale.ROOT);
  }

  /** Bytes per pixel in the little-endian raw layout. */
  public int bytesPerPixel() {
    return bytesPerPixel;
  }

  /** The code of the value 1.0; valid codes are 0 to this, inclusive. */
  public int maxCode() {
    return maxCode;
  }

  /** The value a valid code stands for, as the double every comparison uses. */
  public double value(int code) {
    return switch (this) {
      case UINT8 -> code / 255.0;
      case UINT16 -> code / 65535.0;
      case FLOAT16 -> Float.float16ToFloat((short) code);
      case FLOAT32 -> Float.intBitsToFloat(code);
    };
  }

  /**
   * The half-open code interval {@code [lo, hi)} of the pixels whose value v satisfies {@code lv <=
   * v < uv}, as a long {@code lo << 32 | hi}. Found by binary search over the monotone
   * code-to-value map, so it agrees with the double comparison for every code.
   */
  public long codeRange(double lv, double uv) {
    int lo = firstCodeAtLeast(lv);
    int hi = Math.max(lo, firstCodeAtLeast(uv));
    return ((long) lo << 32) | hi;
  }

  /** The smallest code whose value is {@code >= bound}, or {@code maxCode + 1} if there is none. */
  private int firstCodeAtLeast(double bound) {
    int lo = 0;
    int hi = maxCode + 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (value(mid) >= bound) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The lower-case name used in APIs ({@code "uint8"}, {@code "float32"}, ...). */
  public String apiName() {
    return apiName; // once: it labels every mask a search reserves memory for
  }

  /**
   * Parses an {@link #apiName()}; throws a {@link MaskFormatException} naming the accepted values
   * otherwise.
   */
  public static MaskDType fromApiName(String name) {
    for (MaskDType t : values()) {
      if (t.apiName().equals(name)) {
        return t;
      }
    }
    throw new MaskFormatException(
        "unknown dtype [" + name + "]; expected one of float32, float16, uint8, uint16");
  }
}
