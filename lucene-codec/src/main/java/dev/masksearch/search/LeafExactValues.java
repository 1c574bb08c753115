package dev.masksearch.search;

import java.io.IOException;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;

/**
 * Exact values of a {@link ValueSource} for documents of one segment asked in any order, for script
 * engines and aggregations: bounds first (no mask is read when they are exact), the masks
 * otherwise. Not thread-safe.
 */
public final class LeafExactValues {
  private final LeafReader reader;
  private final ValueSource source;
  private final SearchGuard guard;
  private final DocBounds bounds = new DocBounds();
  private LeafEvaluator evaluator;
  private int lastDoc = -1;
  private double lastValue;

  private LeafExactValues(LeafReader reader, ValueSource source, SearchGuard guard)
      throws IOException {
    this.reader = reader;
    this.source = source;
    this.guard = guard;
    this.evaluator = source.leaf(reader, guard);
  }

  /** Values of a segment's documents, within the limits of {@code guard}. */
  public static LeafExactValues create(
      LeafReaderContext leaf, ValueSource source, SearchGuard guard) throws IOException {
    return new LeafExactValues(leaf.reader(), source, guard);
  }

  /**
   * The document's exact value; NaN when it has none (a mask or box missing, or a division by
   * zero).
   */
  public double value(int doc) throws IOException {
    if (evaluator == null) {
      return Double.NaN;
    }
    if (doc == lastDoc) {
      return lastValue; // scripts may ask for one document twice
    }
    if (doc < lastDoc) {
      evaluator = source.leaf(reader, guard); // bounds go forward only
    }
    lastDoc = doc;
    lastValue = compute(doc);
    return lastValue;
  }

  private double compute(int doc) throws IOException {
    if (!evaluator.bounds(doc, bounds)) {
      return Double.NaN;
    }
    if (bounds.readMask || bounds.isExact()) {
      return bounds.lower;
    }
    return evaluator.exact(doc, bounds.roi);
  }
}
