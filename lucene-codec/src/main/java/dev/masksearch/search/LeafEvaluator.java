package dev.masksearch.search;

import dev.masksearch.mask.Region;
import java.io.IOException;

/**
 * Computes a {@link ValueSource}'s value for the documents of one segment in two stages: bounds
 * (from the CHI, cheap) and, for the documents the bounds leave open, the exact value (reads
 * masks).
 */
public abstract class LeafEvaluator {
  /**
   * Fills {@code out} for a document, visited in increasing order; false when the document has no
   * value (no mask or no box). Bounds may be infinite when they cannot be bounded (a divisor that
   * may be zero).
   */
  public abstract boolean bounds(int doc, DocBounds out) throws IOException;

  /**
   * The first document at or after {@code doc} whose first-stage bounds may not reject {@code value
   * comparison threshold}, or a number at least the segment's {@code maxDoc}: every document
   * skipped has a value and bounds that reject it. By default {@code doc}; an evaluator that has
   * bounded a block of documents at once skips the block's rejected documents without bounding them
   * one by one.
   */
  public int firstCandidate(int doc, Comparison comparison, double threshold) throws IOException {
    return doc;
  }

  /**
   * Tightens bounds computed by {@link #bounds} for the same document, without reading masks; any
   * order.
   */
  public abstract void refine(int doc, DocBounds out) throws IOException;

  /**
   * The exact value of a document whose bounds were computed with region {@code roi}; any order.
   * NaN when the value is undefined (a division by zero): such a document matches no filter and
   * ranks nowhere.
   */
  public abstract double exact(int doc, Region roi) throws IOException;

  /**
   * Whether a document whose bounds were computed with region {@code roi} passes {@code value
   * comparison threshold}; any order. By default its exact value tested; an evaluator that counts
   * cell by cell stops reading once the cells counted decide.
   */
  public boolean passes(int doc, Region roi, Comparison comparison, double threshold)
      throws IOException {
    return comparison.test(exact(doc, roi), threshold);
  }

  /** Whether bounds come from the CHI (false: every document is read). */
  public abstract boolean usesChi();

  /**
   * Roughly the work of one exact evaluation, for {@link
   * org.apache.lucene.search.TwoPhaseIterator#matchCost()}.
   */
  public abstract float verificationCost();
}
