package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;

/** Small per-mask measurements for looking at and testing the synthetic data. */
public final class MaskStats {
  /** Values at least this high count as salient. */
  public static final ValueRange SALIENT = new ValueRange(0.85, 2);

  /** Mid values, the bulk of a diffuse map. */
  public static final ValueRange MID = new ValueRange(0.2, 0.6);

  private MaskStats() {}

  /**
   * The fraction of the pixels of {@code roi} (clipped to the mask) whose value lies in {@code
   * range}.
   */
  public static double fraction(Mask mask, Roi roi, ValueRange range) {
    long area = roi.clip(mask.width(), mask.height()).area();
    return area == 0 ? 0 : (double) mask.countPixels(roi, range) / area;
  }

  /** The fraction of the whole mask whose value lies in {@code range}. */
  public static double fraction(Mask mask, ValueRange range) {
    return fraction(mask, Roi.FULL, range);
  }

  /**
   * The intersection over union of {@code a > threshold} and {@code b > threshold}; 0 when both are
   * empty.
   */
  public static double iou(Mask a, Mask b, double threshold) {
    long intersection = 0;
    long union = 0;
    for (int y = 0; y < a.height(); y++) {
      for (int x = 0; x < a.width(); x++) {
        boolean inA = a.value(y, x) > threshold;
        boolean inB = b.value(y, x) > threshold;
        intersection += inA && inB ? 1 : 0;
        union += inA || inB ? 1 : 0;
      }
    }
    return union == 0 ? 0 : (double) intersection / union;
  }

  /** The largest value of the mask. */
  public static double max(Mask mask) {
    int max = 0;
    for (int i = 0; i < mask.pixelCount(); i++) {
      max =
          Integer.compareUnsigned(mask.code(i), max) > 0
              ? mask.code(i)
              : max; // codes sort like values
    }
    return mask.dtype().value(max);
  }
}
