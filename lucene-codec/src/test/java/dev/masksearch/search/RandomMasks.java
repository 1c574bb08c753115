package dev.masksearch.search;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Random masks for tests: smooth blobs (like saliency maps), noise, and all-equal masks, in every
 * dtype.
 */
public final class RandomMasks {
  private RandomMasks() {}

  static Mask mask(Random random, int height, int width) {
    return mask(
        random, MaskDType.values()[random.nextInt(MaskDType.values().length)], height, width);
  }

  public static Mask mask(Random random, MaskDType dtype, int height, int width) {
    float[] values =
        switch (random.nextInt(6)) {
          case 0 ->
              constant(
                  height,
                  width,
                  random.nextInt(3) == 0 ? (random.nextBoolean() ? 0f : 1f) : random.nextFloat());
          case 1 -> noise(random, height, width);
          default -> blobs(random, height, width);
        };
    return of(dtype, height, width, values);
  }

  static float[] constant(int height, int width, float v) {
    float[] values = new float[height * width];
    java.util.Arrays.fill(values, v);
    return values;
  }

  static float[] noise(Random random, int height, int width) {
    float[] values = new float[height * width];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(10) == 0 ? 1f : random.nextFloat();
    }
    return values;
  }

  /**
   * A few Gaussian blobs, normalized so the peak is 1 (saturated like a thresholded saliency map).
   */
  public static float[] blobs(Random random, int height, int width) {
    float[] values = new float[height * width];
    int n = 1 + random.nextInt(3);
    for (int b = 0; b < n; b++) {
      double cx = random.nextDouble() * width;
      double cy = random.nextDouble() * height;
      double sigma = 2 + random.nextDouble() * Math.max(width, height) / 3.0;
      double amp = 0.3 + random.nextDouble();
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
          values[y * width + x] += (float) (amp * Math.exp(-d2 / (2 * sigma * sigma)));
        }
      }
    }
    float max = 0;
    for (float v : values) {
      max = Math.max(max, v);
    }
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.min(1f, values[i] / max * 1.1f);
    }
    return values;
  }

  /** Converts values in [0, 1] to a mask of the dtype (rounding to the dtype's codes). */
  public static Mask of(MaskDType dtype, int height, int width, float[] values) {
    ByteBuffer data =
        ByteBuffer.allocate(values.length * dtype.bytesPerPixel()).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (dtype) {
        case UINT8 -> data.put((byte) Math.round(v * 255));
        case UINT16 -> data.putShort((short) Math.round(v * 65535));
        case FLOAT16 -> data.putShort(Float.floatToFloat16(v));
        case FLOAT32 -> data.putFloat(v);
      }
    }
    return Mask.of(dtype, height, width, data.array());
  }
}
