package dev.masksearch.search;

import dev.masksearch.mask.Roi;

/** Bounds of one document's CP value (in the spec's value space), with the region they were computed over. */
final class DocBounds {
  double lower;
  double upper;
  /** The document's region, before clipping. */
  Roi roi;
  /** Whether computing the bounds already read the mask (then lower == upper is the exact value). */
  boolean readMask;

  boolean isExact() {
    return lower == upper;
  }
}
