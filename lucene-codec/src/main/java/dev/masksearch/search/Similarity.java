package dev.masksearch.search;

import java.util.Locale;

/**
 * How alike two binary masks are, from their intersection I and their pixel counts D (the
 * document's) and Q (the query's). Both are 0 when both masks are empty (as {@code iou} is in
 * expressions), and both grow with I at fixed D and Q and shrink with D at fixed I: what {@link
 * dev.masksearch.chi.OverlapCells} bounds them by.
 */
public enum Similarity {
  /** Intersection over union: {@code I / (D + Q - I)}. */
  IOU {
    @Override
    public double value(long i, long d, long q) {
      long union = d + q - i;
      return union == 0 ? 0 : (double) i / union;
    }
  },
  /** The Dice coefficient (F1): {@code 2I / (D + Q)}. */
  DICE {
    @Override
    public double value(long i, long d, long q) {
      return d + q == 0 ? 0 : 2.0 * i / (d + q);
    }
  },
  /**
   * One minus the mean absolute difference of the two masks' values over the region ({@link #l1}):
   * 1 for equal masks, 0 for opposite binary ones. Compares values, not thresholded pixels.
   */
  L1 {
    @Override
    public double value(long i, long d, long q) {
      throw new UnsupportedOperationException("L1 compares values, not pixel counts");
    }
  };

  /** The similarity of masks of {@code d} and {@code q} pixels sharing {@code i}. */
  public abstract double value(long i, long d, long q);

  /** Whether the masks are compared thresholded (IoU, Dice), not by their values (L1). */
  public boolean thresholded() {
    return this != L1;
  }

  /**
   * The L1 similarity of masks whose absolute differences sum to {@code sum} over {@code area}
   * pixels: {@code 1 - sum / area}; 0 for an empty region.
   */
  public static double l1(double sum, long area) {
    return area == 0 ? 0 : 1 - sum / area;
  }

  /** The name a request uses. */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The similarity a request names; IllegalArgumentException for another name. */
  public static Similarity of(String name) {
    for (Similarity s : values()) {
      if (s.apiName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown similarity [" + name + "]; expected [iou], [dice] or [l1]");
  }
}
