package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;

/**
 * One query: CP(saliency, roi or the document's box, [lv, uv)) (normalized by the ROI's area or
 * not) compared with a threshold, or the top k of it in either direction; or the bottom k by
 * IoU(saliency > 0.8, human > 0.8); or the {@link #LIKE_K} saliency maps most like image {@code
 * example}'s, by IoU of both at or above {@link #LIKE_THRESHOLD}; or the average of normalized CP
 * over each document's box per class ({@link #classOf}), the paper's scalar aggregation.
 */
record Query(
    String name,
    Kind kind,
    Roi roi,
    double lv,
    double uv,
    boolean normalize,
    double threshold,
    int example) {
  /** The k of every top-k query but the masks-like query. */
  static final int K = 25;

  /** The k of the masks-like query. */
  static final int LIKE_K = 10;

  /** Where a pixel turns on in the masks-like query. */
  static final double LIKE_THRESHOLD = 0.5;

  Query(
      String name, Kind kind, Roi roi, double lv, double uv, boolean normalize, double threshold) {
    this(name, kind, roi, lv, uv, normalize, threshold, -1);
  }

  /** How many classes the images fall in, by {@link #classOf}. */
  static final int CLASSES = 10;

  /**
   * The class of image {@code i}, a stand-in for a predicted class that every system indexes (the
   * plugin and painless as a {@code keyword}, PostGIS from the id): its number modulo {@link
   * #CLASSES}.
   */
  static int classOf(int i) {
    return i % CLASSES;
  }

  /**
   * The average of CP(saliency, the document's box, [lv, uv)) normalized by the box's area, per
   * class: an answer of one hit per class, in class order, whose value is the average.
   */
  static Query averageByClass(String name, double lv, double uv) {
    return new Query(name, Kind.AVG_BY_CLASS, null, lv, uv, true, 0);
  }

  /** The saliency maps most like image {@code example}'s. */
  static Query like(String name, int example) {
    return new Query(name, Kind.LIKE_TOP, null, 0, 0, false, 0, example);
  }

  /** The hits of a ranked query (the classes of an aggregation). */
  int k() {
    return switch (kind) {
      case LIKE_TOP -> LIKE_K;
      case AVG_BY_CLASS -> CLASSES;
      default -> K;
    };
  }

  /** Whether a ranked query puts the largest values first. */
  boolean descending() {
    return kind == Kind.TOP_DESC || kind == Kind.LIKE_TOP;
  }

  /** The smallest uint8 code at or above the masks-like threshold. */
  static int likeCode() {
    return (int) (MaskDType.UINT8.codeRange(LIKE_THRESHOLD, 2.0) >>> 32);
  }

  /** The threshold of both masks in the IoU query. */
  static final double IOU_THRESHOLD = 0.8;

  enum Kind {
    FILTER_GT,
    FILTER_LT,
    TOP_DESC,
    TOP_ASC,
    IOU_ASC,
    LIKE_TOP,
    AVG_BY_CLASS
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
    return new Query(name, kind, roi, lv, uv, normalize, t, example);
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
