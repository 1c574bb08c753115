package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;

/**
 * One query: CP(saliency, roi or the document's box, [lv, uv)) (normalized by the ROI's area or
 * not) compared with a threshold, or the top k of it in either direction; or the bottom k by
 * IoU(saliency > 0.8, human > 0.8).
 */
record Query(
    String name, Kind kind, Roi roi, double lv, double uv, boolean normalize, double threshold) {
  /** The k of every top-k query. */
  static final int K = 25;

  /** The threshold of both masks in the IoU query. */
  static final double IOU_THRESHOLD = 0.8;

  enum Kind {
    FILTER_GT,
    FILTER_LT,
    TOP_DESC,
    TOP_ASC,
    IOU_ASC
  }

  boolean filter() {
    return kind == Kind.FILTER_GT || kind == Kind.FILTER_LT;
  }

  /** Whether a filter's comparison holds for an image of this value. */
  boolean matches(double value) {
    return kind == Kind.FILTER_GT ? value > threshold : value < threshold;
  }

  boolean perDocument() {
    return roi == null;
  }

  /**
   * The masks the query names in {@code images} images: the IoU reads both of an image, CP the
   * saliency.
   */
  long masks(int images) {
    return kind == Kind.IOU_ASC ? 2L * images : images;
  }

  Query withThreshold(double t) {
    return new Query(name, kind, roi, lv, uv, normalize, t);
  }

  int lo() {
    return (int) (MaskDType.UINT8.codeRange(lv, uv) >>> 32);
  }

  int hi() {
    return (int) MaskDType.UINT8.codeRange(lv, uv);
  }

  /**
   * The smallest uint8 code whose value (p / 255) is above {@code t}: the pixels of {@code mask >
   * t}.
   */
  static int firstCodeAbove(double t) {
    int p = 0;
    while (p <= 255 && MaskDType.UINT8.value(p) <= t) {
      p++;
    }
    return p;
  }
}
