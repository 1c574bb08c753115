package dev.masksearch.search;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;

/**
 * The plain reference: CP by visiting every pixel of the ROI and comparing its value as a double.
 */
final class BruteForce {
  private BruteForce() {}

  static long cp(Mask mask, Roi roi, ValueRange range) {
    long count = 0;
    for (int y = Math.max(0, roi.y1()); y < Math.min(mask.height(), roi.y2()); y++) {
      for (int x = Math.max(0, roi.x1()); x < Math.min(mask.width(), roi.x2()); x++) {
        double v = mask.value(y, x);
        if (range.lv() <= v && v < range.uv()) {
          count++;
        }
      }
    }
    return count;
  }

  /** CP over a region of any shape, by its reference, visiting every pixel of the mask. */
  static double value(Mask mask, RandomRegions.Case region, ValueRange range, boolean normalize) {
    long count = 0;
    for (int y = 0; y < mask.height(); y++) {
      for (int x = 0; x < mask.width(); x++) {
        double v = mask.value(y, x);
        count += region.inside().test(x, y) && range.lv() <= v && v < range.uv() ? 1 : 0;
      }
    }
    if (!normalize) {
      return count;
    }
    long area = region.area(mask.width(), mask.height());
    return area == 0 ? 0 : (double) count / area;
  }

  static double value(Mask mask, Roi roi, ValueRange range, boolean normalize) {
    long count = cp(mask, roi, range);
    if (!normalize) {
      return count;
    }
    long w = Math.max(0, Math.min(mask.width(), roi.x2()) - Math.max(0, roi.x1()));
    long h = Math.max(0, Math.min(mask.height(), roi.y2()) - Math.max(0, roi.y1()));
    return w * h == 0 ? 0 : (double) count / (w * h);
  }
}
