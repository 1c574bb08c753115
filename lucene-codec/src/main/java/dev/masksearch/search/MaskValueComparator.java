package dev.masksearch.search;

import java.io.IOException;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.FieldComparator;
import org.apache.lucene.search.FieldComparatorSource;
import org.apache.lucene.search.LeafFieldComparator;
import org.apache.lucene.search.Pruning;
import org.apache.lucene.search.Scorable;

/**
 * Sorts documents by their exact CP value, for any query and in either direction, with {@code
 * searchAfter}. The collector asks whether each document beats the current bottom (or comes after
 * the {@code searchAfter} value): when the document's CHI bounds answer that, its mask is not read;
 * only documents the bounds cannot place are verified. Documents without a value (no mask, no box,
 * or a division by zero) sort last.
 */
public final class MaskValueComparator extends FieldComparator<Double> {
  private final ValueSource spec;
  private final boolean reversed;
  private final boolean skipTies;
  private final CpStats stats;
  private final Object guardKey;
  private final double missing;
  private final double[] values;
  private double bottom;
  private double top;

  MaskValueComparator(ValueSource spec, int numHits, boolean reversed, CpStats stats) {
    this(spec, numHits, Pruning.NONE, reversed, stats, null);
  }

  /**
   * With {@link Pruning#GREATER_THAN_OR_EQUAL_TO} (Lucene passes it when this is the only sort
   * field) a document whose value cannot beat the bottom, ties included, is not competitive: the
   * collector keeps the earlier document of a tie. Then the bounds alone dismiss a document whose
   * interval touches the bottom from the losing side, which matters when many documents share the
   * bottom value (many masks without a salient pixel in the box, sorted ascending).
   */
  MaskValueComparator(
      ValueSource spec,
      int numHits,
      Pruning pruning,
      boolean reversed,
      CpStats stats,
      Object guardKey) {
    this.spec = spec;
    this.guardKey = guardKey;
    this.reversed = reversed;
    this.skipTies = pruning == Pruning.GREATER_THAN_OR_EQUAL_TO;
    this.stats = stats == null ? new CpStats() : stats;
    this.missing = reversed ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    this.values = new double[numHits];
  }

  /**
   * The source to put in a {@link org.apache.lucene.search.SortField}: {@code new SortField(name,
   * source(spec, stats), reverse)}.
   */
  public static FieldComparatorSource source(ValueSource spec, CpStats stats) {
    return source(spec, stats, null);
  }

  /**
   * A source whose comparators read masks within the guard registered for {@code guardKey} (the
   * searcher the sort runs on, see {@link SearchGuards}); a comparator never sees its searcher, so
   * the sort is told it.
   */
  public static FieldComparatorSource source(ValueSource spec, CpStats stats, Object guardKey) {
    return new FieldComparatorSource() {
      @Override
      public FieldComparator<?> newComparator(
          String fieldname, int numHits, Pruning pruning, boolean reversed) {
        return new MaskValueComparator(spec, numHits, pruning, reversed, stats, guardKey);
      }
    };
  }

  @Override
  public int compare(int slot1, int slot2) {
    return Double.compare(values[slot1], values[slot2]);
  }

  @Override
  public void setTopValue(Double value) {
    top = value;
  }

  @Override
  public Double value(int slot) {
    return values[slot];
  }

  @Override
  public LeafFieldComparator getLeafComparator(LeafReaderContext context) throws IOException {
    SearchGuard guard = guardKey == null ? SearchGuard.NONE : SearchGuards.of(guardKey);
    return new Leaf(spec.leaf(context.reader(), guard), guard);
  }

  /** Compares one segment's documents, reading a mask only when bounds cannot decide. */
  private final class Leaf implements LeafFieldComparator {
    private final LeafEvaluator evaluator;
    private final SearchGuard guard;
    private final DocBounds bounds = new DocBounds();
    private int visited;
    private int boundsDoc = -1;
    private boolean hasValue;
    private double exact;
    private int exactDoc = -1;

    Leaf(LeafEvaluator evaluator, SearchGuard guard) {
      this.evaluator = evaluator;
      this.guard = guard;
    }

    @Override
    public void setBottom(int slot) {
      bottom = values[slot];
    }

    @Override
    public int compareBottom(int doc) throws IOException {
      if (skipTies
          && loadBounds(doc)
          && !bounds.readMask
          && !bounds.isExact()
          && (reversed ? bottom >= bounds.upper : bottom <= bounds.lower)) {
        // The value is at best equal to the bottom: not competitive (the collector skips a tie with
        // the bottom,
        // and 0 is the answer it treats as a tie in both directions).
        stats.reject();
        return 0;
      }
      return compareWith(bottom, doc);
    }

    @Override
    public int compareTop(int doc) throws IOException {
      return compareWith(top, doc);
    }

    @Override
    public void copy(int slot, int doc) throws IOException {
      values[slot] = exactValue(doc);
    }

    @Override
    public void setScorer(Scorable scorer) {}

    /**
     * {@code Double.compare(reference, value(doc))}, or a result of the same sign, from the bounds
     * when they place the whole interval on one side of the reference (ties must be exact: the
     * collector breaks them by doc id).
     */
    private int compareWith(double reference, int doc) throws IOException {
      if (!loadBounds(doc)) {
        return Double.compare(reference, missing);
      }
      if (!bounds.readMask && !bounds.isExact()) {
        if (reference < bounds.lower) {
          stats.reject(); // for a sort, "rejected" counts comparisons the bounds decided
          return -1;
        }
        if (reference > bounds.upper) {
          stats.reject();
          return 1;
        }
        evaluator.refine(doc, bounds);
        if (reference < bounds.lower || reference > bounds.upper) {
          stats.reject();
          return reference < bounds.lower ? -1 : 1;
        }
      }
      return Double.compare(reference, exactValue(doc));
    }

    /**
     * Bounds for the document, computed once however often the collector asks; false without a
     * value.
     */
    private boolean loadBounds(int doc) throws IOException {
      if (doc != boundsDoc) {
        if ((++visited & MaskValueTopK.CHECK_EVERY) == 0) {
          guard.check();
        }
        boundsDoc = doc;
        hasValue = evaluator != null && evaluator.bounds(doc, bounds);
        if (hasValue && bounds.readMask) {
          stats.verify();
        }
      }
      return hasValue;
    }

    private double exactValue(int doc) throws IOException {
      if (!loadBounds(doc)) {
        return missing;
      }
      if (bounds.readMask || bounds.isExact()) {
        return bounds.lower;
      }
      if (doc != exactDoc) {
        exactDoc = doc;
        stats.verify();
        double value = evaluator.exact(doc, bounds.roi);
        exact =
            Double.isNaN(value) ? missing : value; // undefined values sort with the missing ones
      }
      return exact;
    }
  }
}
