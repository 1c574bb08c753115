package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * A {@code height x width} float canvas, row-major, on which smooth structure is painted:
 * axis-aligned Gaussian blobs and low-frequency noise, then mapped to [0, 1] and encoded as a
 * {@link Mask}.
 *
 * <p>Both primitives are separable (a product of a column profile and a row profile), so each costs
 * one exponential or cosine per row and per column, not per pixel; the per-pixel work is a
 * multiply-add over a row, which the JIT vectorises. Profiles use {@link StrictMath} so the bytes
 * are the same on every JVM.
 */
final class SmoothField {
  /**
   * Blobs are cut off this many sigmas from their centre, where they are below 4e-5 of their
   * amplitude.
   */
  private static final double CUTOFF_SIGMAS = 4.5;

  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  final int width;
  final int height;
  private final float[] values;
  private final float[] columnProfile;
  private final float[] rowProfile;

  SmoothField(int width, int height) {
    this.width = width;
    this.height = height;
    this.values = new float[width * height];
    this.columnProfile = new float[width];
    this.rowProfile = new float[height];
  }

  /**
   * Adds {@code amplitude * exp(-((x - cx)^2 / (2 sx^2) + (y - cy)^2 / (2 sy^2)))} at every pixel
   * centre {@code (x + 0.5, y + 0.5)} within the cutoff; sigmas below one pixel are raised to one.
   */
  void addGaussian(double cx, double cy, double sx, double sy, double amplitude) {
    sx = Math.max(1, sx);
    sy = Math.max(1, sy);
    int x1 = (int) Math.max(0, Math.floor(cx - CUTOFF_SIGMAS * sx));
    int x2 = (int) Math.min(width, Math.ceil(cx + CUTOFF_SIGMAS * sx));
    int y1 = (int) Math.max(0, Math.floor(cy - CUTOFF_SIGMAS * sy));
    int y2 = (int) Math.min(height, Math.ceil(cy + CUTOFF_SIGMAS * sy));
    for (int x = x1; x < x2; x++) {
      double d = (x + 0.5 - cx) / sx;
      columnProfile[x] = (float) StrictMath.exp(-0.5 * d * d);
    }
    for (int y = y1; y < y2; y++) {
      double d = (y + 0.5 - cy) / sy;
      addRow(y, x1, x2, (float) (amplitude * StrictMath.exp(-0.5 * d * d)));
    }
  }

  /**
   * Adds smooth noise: a sum of {@code terms} products of random low-frequency cosines (half a
   * cycle to three cycles across the frame, random phases), scaled so its standard deviation is
   * about {@code amplitude}.
   */
  void addSmoothNoise(SplittableRandom rng, double amplitude, int terms) {
    // Each cos(.)cos(.) product has standard deviation 1/2; the sum of terms, sqrt(terms)/2.
    double scale = 2 * amplitude / Math.sqrt(terms);
    for (int t = 0; t < terms; t++) {
      double fx = rng.nextDouble(0.5, 3.0) * 2 * Math.PI / width;
      double fy = rng.nextDouble(0.5, 3.0) * 2 * Math.PI / height;
      double px = rng.nextDouble(2 * Math.PI);
      double py = rng.nextDouble(2 * Math.PI);
      for (int x = 0; x < width; x++) {
        columnProfile[x] = (float) StrictMath.cos(fx * (x + 0.5) + px);
      }
      for (int y = 0; y < height; y++) {
        addRow(y, 0, width, (float) (scale * StrictMath.cos(fy * (y + 0.5) + py)));
      }
    }
  }

  private void addRow(int y, int x1, int x2, float coefficient) {
    int offset = y * width;
    for (int x = x1; x < x2; x++) {
      values[offset + x] += coefficient * columnProfile[x];
    }
  }

  /**
   * Grad-CAM normalisation: negative values become 0 (the ReLU) and the rest are divided by the
   * maximum, so the peak is exactly 1. An all-non-positive field becomes all zeros.
   */
  Mask toPeakNormalized(MaskDType dtype) {
    float max = 0;
    for (float v : values) {
      max = Math.max(max, v);
    }
    if (max <= 0) {
      return encode(dtype, 0, 0);
    }
    float scale = 1 / max;
    if (max * scale < 1) {
      scale =
          Math.nextUp(
              scale); // 1 / max rounded down would leave the peak at 0.99999994; the clamp caps it
    }
    return encode(dtype, scale, 0);
  }

  /**
   * Min-max normalisation onto {@code [low, high]}, a sub-interval of [0, 1]; a constant field
   * becomes low.
   */
  Mask toRange(MaskDType dtype, float low, float high) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float scale = max > min ? (high - low) / (max - min) : 0;
    return encode(dtype, scale, low - min * scale);
  }

  /**
   * Encodes {@code clamp(scale * v + shift, 0, 1)} for every pixel; the clamp also absorbs
   * rounding.
   */
  private Mask encode(MaskDType dtype, float scale, float shift) {
    int n = values.length;
    switch (dtype) {
      case UINT8 -> {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
          data[i] = (byte) (int) (unit(values[i] * scale + shift) * 255f + 0.5f);
        }
        return Mask.of(dtype, height, width, data);
      }
      case UINT16 -> {
        byte[] data = new byte[2 * n];
        for (int i = 0; i < n; i++) {
          SHORT_LE.set(
              data, 2 * i, (short) (int) (unit(values[i] * scale + shift) * 65535f + 0.5f));
        }
        return Mask.of(dtype, height, width, data);
      }
      case FLOAT16 -> {
        byte[] data = new byte[2 * n];
        for (int i = 0; i < n; i++) {
          SHORT_LE.set(data, 2 * i, Float.floatToFloat16(unit(values[i] * scale + shift)));
        }
        return Mask.of(dtype, height, width, data);
      }
      case FLOAT32 -> {
        byte[] data = new byte[4 * n];
        for (int i = 0; i < n; i++) {
          INT_LE.set(data, 4 * i, Float.floatToRawIntBits(unit(values[i] * scale + shift)));
        }
        return Mask.of(dtype, height, width, data);
      }
      default -> throw new AssertionError(dtype);
    }
  }

  private static float unit(float v) {
    return Math.min(1f, Math.max(0f, v)); // Math.max(0f, -0f) is 0f; no NaN can reach here
  }
}
