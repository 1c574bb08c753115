package dev.masksearch.search;

import dev.masksearch.mask.Region;

/**
 * Bounds of one document's value, with what they were computed over. A mutable holder reused across
 * documents, filled by {@link LeafEvaluator#bounds}.
 */
public final class DocBounds {
  public double lower;
  public double upper;

  /** The document's region, before clipping (of a single CP term; null for expressions). */
  public Region roi;

  /** The shape of the document's mask (of a single CP term). */
  public int width;

  public int height;

  /**
   * Whether computing the bounds already read the mask (then lower == upper is the exact value).
   */
  public boolean readMask;

  /**
   * Whether the bounds came from the mask's bin counts in its box, indexed with the document
   * ({@link dev.masksearch.document.BoxBinCountsField}), rather than from its CHI.
   */
  public boolean fromBoxBinCounts;

  public boolean isExact() {
    return lower == upper;
  }
}
