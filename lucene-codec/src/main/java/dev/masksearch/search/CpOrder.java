package dev.masksearch.search;

/**
 * The direction of a top-k: the largest CP values first, or the smallest. Ties go to the smaller
 * doc id.
 */
public enum CpOrder {
  DESC,
  ASC;

  /** A key that ranks values of this order from best to worst in descending key order. */
  double key(double value) {
    return this == DESC ? value : -value;
  }
}
