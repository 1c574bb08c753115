package dev.masksearch.mask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A validated 2-D mask: {@code height x width} pixels (1 to {@value #MAX_SIDE} a side) of values in
 * [0, 1], row-major, held as little-endian codes of its {@link MaskDType}. Immutable once built.
 *
 * <p>Construction checks every value: NaN, infinities and values outside [0, 1] are rejected with a
 * {@link MaskFormatException} that names the pixel and the problem; a float {@code -0.0} is stored
 * as {@code 0.0}.
 */
public final class Mask {
  /** The largest height or width. */
  public static final int MAX_SIDE = 4096;

  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final MaskDType dtype;
  private final int height;
  private final int width;
  private final byte[] data;

  private Mask(MaskDType dtype, int height, int width, byte[] data) {
    this.dtype = dtype;
    this.height = height;
    this.width = width;
    this.data = data;
  }

  /**
   * A mask over {@code data}, row-major little-endian values of {@code dtype}; validates the shape,
   * the length and every value. The array is taken over, not copied (float {@code -0.0} is
   * rewritten to {@code 0.0} in place).
   */
  public static Mask of(MaskDType dtype, int height, int width, byte[] data) {
    checkShape(height, width);
    long expected = (long) height * width * dtype.bytesPerPixel();
    if (data.length != expected) {
      throw new MaskFormatException(
          "data has "
              + data.length
              + " bytes but shape ["
              + height
              + ", "
              + width
              + "] of "
              + dtype.apiName()
              + " needs "
              + expected);
    }
    Mask mask = new Mask(dtype, height, width, data);
    mask.validateValues();
    return mask;
  }

  /** A float32 mask from row-major values. */
  public static Mask ofFloats(int height, int width, float[] values) {
    checkShape(height, width);
    if (values.length != (long) height * width) {
      throw new MaskFormatException(
          "got "
              + values.length
              + " values but shape ["
              + height
              + ", "
              + width
              + "] needs "
              + (long) height * width);
    }
    byte[] data = new byte[values.length * 4];
    for (int i = 0; i < values.length; i++) {
      INT_LE.set(data, i * 4, Float.floatToRawIntBits(values[i]));
    }
    return of(MaskDType.FLOAT32, height, width, data);
  }

  /** Throws unless {@code 1 <= height, width <= MAX_SIDE}. */
  public static void checkShape(long height, long width) {
    if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
      throw new MaskFormatException(
          "shape ["
              + height
              + ", "
              + width
              + "] is out of bounds: height and width must be between 1 and "
              + MAX_SIDE);
    }
  }

  private void validateValues() {
    if (dtype == MaskDType.UINT8 || dtype == MaskDType.UINT16) {
      return; // every p / 255 and p / 65535 lies in [0, 1]
    }
    int pixels = height * width;
    for (int i = 0; i < pixels; i++) {
      int raw =
          code(i); // for floats the raw bit pattern; a set sign bit makes it compare above maxCode
      if (raw == negativeZero()) {
        writeCode(i, 0);
      } else if (Integer.compareUnsigned(raw, dtype.maxCode()) > 0) {
        throw new MaskFormatException(
            "value at row " + i / width + ", column " + i % width + " " + describeInvalid(raw));
      }
    }
  }

  private int negativeZero() {
    return dtype == MaskDType.FLOAT16 ? 0x8000 : 0x80000000;
  }

  private String describeInvalid(int raw) {
    float v =
        dtype == MaskDType.FLOAT16 ? Float.float16ToFloat((short) raw) : Float.intBitsToFloat(raw);
    if (Float.isNaN(v)) {
      return "is NaN; values must lie in [0, 1]";
    }
    if (Float.isInfinite(v)) {
      return "is infinite; values must lie in [0, 1]";
    }
    return "is " + v + ", outside [0, 1]";
  }

  private void writeCode(int index, int code) {
    if (dtype == MaskDType.FLOAT16) {
      SHORT_LE.set(data, index * 2, (short) code);
    } else {
      INT_LE.set(data, index * 4, code);
    }
  }

  /** The code of the pixel at a flat row-major index ({@code y * width + x}). */
  public int code(int index) {
    return switch (dtype) {
      case UINT8 -> data[index] & 0xFF;
      case UINT16, FLOAT16 -> (short) SHORT_LE.get(data, index * 2) & 0xFFFF;
      case FLOAT32 -> (int) INT_LE.get(data, index * 4);
    };
  }

  /** The value of the pixel in row y, column x. */
  public double value(int y, int x) {
    return dtype.value(code(y * width + x));
  }

  /**
   * CP(mask, roi, range): the exact number of pixels inside {@code roi} (clipped to the mask) whose
   * value lies in {@code range}. This is the verification step of filter–verification.
   */
  public long countPixels(Roi roi, ValueRange range) {
    Roi r = roi.clip(width, height);
    long codes = PixelCounts.codes(dtype, range);
    int span = (int) codes;
    if (r.isEmpty() || span == 0) {
      return 0;
    }
    return PixelCounts.count(
        data, dtype, width, r.x1(), r.y1(), r.x2(), r.y2(), (int) (codes >>> 32), span);
  }

  public MaskDType dtype() {
    return dtype;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** The number of pixels. */
  public int pixelCount() {
    return height * width;
  }

  /** The raw little-endian row-major bytes; do not modify. */
  public byte[] rawBytes() {
    return data;
  }

  @Override
  public String toString() {
    return "Mask[" + height + "x" + width + " " + dtype.apiName() + "]";
  }
}
