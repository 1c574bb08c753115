package dev.masksearch.search;

import java.io.IOException;
import java.util.Objects;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;

/**
 * Matches the documents whose CP value compares true with a threshold, by filter–verification: the
 * approximation skips the documents whose CHI bounds reject them, and {@link
 * TwoPhaseIterator#matches()} reads a mask only when its bounds leave the answer open. Its match
 * cost is the mask's pixel count, so conjunctions check cheaper clauses first. Constant score.
 */
public final class MaskValueFilterQuery extends ValueSourceQuery {
  private final Comparison comparison;
  private final double threshold;

  /**
   * A filter {@code spec op threshold}; {@code stats} (may be null) observes how documents were
   * decided.
   */
  public MaskValueFilterQuery(
      ValueSource spec, Comparison comparison, double threshold, CpStats stats) {
    super(spec, stats);
    if (!Double.isFinite(
        threshold)) { // an infinite threshold would let unbounded (undefined) values pass on bounds
      throw new IllegalArgumentException("threshold must be a finite number, got " + threshold);
    }
    this.comparison = Objects.requireNonNull(comparison);
    this.threshold = threshold;
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    return new ConstantScoreWeight(this, boost) {
      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
        SearchGuard guard = SearchGuards.of(searcher);
        LeafEvaluator evaluator = spec.leaf(context.reader(), guard);
        if (evaluator == null) {
          return null;
        }
        if (!evaluator.usesChi()) {
          stats.segmentWithoutChi();
        }
        int maxDoc = context.reader().maxDoc();
        float score = score();
        return new ScorerSupplier() {
          @Override
          public Scorer get(long leadCost) {
            return new ConstantScoreScorer(
                score, scoreMode, new Verification(evaluator, maxDoc, guard));
          }

          @Override
          public long cost() {
            return maxDoc;
          }
        };
      }

      @Override
      public Explanation explain(LeafReaderContext context, int doc) throws IOException {
        return MaskValueFilterQuery.this.explain(context, doc, score(), SearchGuards.of(searcher));
      }

      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return spec.isCacheable(ctx); // doc-values updates must not serve stale cached results
      }
    };
  }

  /**
   * Says how the document was decided: its bounds, where they came from, and whether its mask was
   * read.
   */
  private Explanation explain(LeafReaderContext context, int doc, float score, SearchGuard guard)
      throws IOException {
    LeafEvaluator evaluator = spec.leaf(context.reader(), guard);
    DocBounds bounds = new DocBounds();
    if (evaluator == null || !evaluator.bounds(doc, bounds)) {
      return Explanation.noMatch(this + ": the document has no value (no mask, or no box)");
    }
    String source =
        bounds.fromBoxBinCounts
            ? "bounds from the mask's bin counts in its box"
            : evaluator.usesChi()
                ? "CHI bounds"
                : "no CHI in this segment (codec without MaskSearch); mask read";
    Explanation first =
        Explanation.match(
            (float) bounds.lower, source + " [" + bounds.lower + ", " + bounds.upper + "]");
    if (!bounds.readMask
        && !bounds.fromBoxBinCounts // no CHI bound is tighter
        && comparison.undecided(bounds.lower, bounds.upper, threshold)) {
      evaluator.refine(doc, bounds);
      first =
          Explanation.match(
              (float) bounds.lower,
              "per-cell CHI bounds [" + bounds.lower + ", " + bounds.upper + "]",
              first);
    }
    String decision;
    boolean matches;
    if (bounds.readMask || bounds.isExact()) {
      matches = comparison.test(bounds.lower, threshold);
      decision =
          "exact value "
              + bounds.lower
              + (bounds.readMask ? " (mask read)" : " (from bounds, mask not read)");
    } else if (comparison.rejectsAll(bounds.lower, bounds.upper, threshold)) {
      matches = false;
      decision = "rejected by bounds, mask not read";
    } else if (comparison.acceptsAll(bounds.lower, bounds.upper, threshold)) {
      matches = true;
      decision = "accepted by bounds, mask not read";
    } else {
      double value = evaluator.exact(doc, bounds.roi);
      matches = comparison.test(value, threshold);
      decision = "bounds undecided; mask read: exact value " + value;
    }
    String description = this + ": " + decision;
    return matches
        ? Explanation.match(score, description, first)
        : Explanation.noMatch(description, first);
  }

  /**
   * Phase one: the documents that the CHI bounds do not reject; remembers whether they accepted the
   * current one. The evaluator skips what a block's bounds reject ({@link
   * LeafEvaluator#firstCandidate}); the others are bounded one by one.
   */
  private final class BoundsApproximation extends DocIdSetIterator {
    private final LeafEvaluator evaluator;
    private final SearchGuard guard;
    private final int maxDoc;
    private final DocBounds bounds = new DocBounds();
    private boolean acceptedByBounds;
    private int doc = -1;
    private int visited;
    // rejected since the last move: added to the stats once per move, not per document
    private long rejected;

    BoundsApproximation(LeafEvaluator evaluator, int maxDoc, SearchGuard guard) {
      this.evaluator = evaluator;
      this.guard = guard;
      this.maxDoc = maxDoc;
    }

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public int nextDoc() throws IOException {
      return doc == NO_MORE_DOCS ? doc : advance(doc + 1);
    }

    @Override
    public int advance(int target) throws IOException {
      int next = target;
      while (next < maxDoc) {
        int candidate = evaluator.firstCandidate(next, comparison, threshold);
        rejected += Math.min(candidate, maxDoc) - next;
        if (candidate >= maxDoc) {
          break;
        }
        if ((++visited & MaskValueTopK.CHECK_EVERY) == 0) {
          // a long run of documents rejected by bounds never reaches the collector's checks
          guard.check();
        }
        if (evaluator.bounds(candidate, bounds) && survivesBounds(candidate)) {
          countRejected();
          return doc = candidate;
        }
        next = candidate + 1;
      }
      countRejected();
      return doc = NO_MORE_DOCS;
    }

    @Override
    public long cost() {
      return maxDoc;
    }

    private void countRejected() {
      if (rejected > 0) {
        stats.reject(rejected);
        rejected = 0;
      }
    }

    /** Decides what bounds can, refining undecided ones once; false if they reject the document. */
    private boolean survivesBounds(int doc) throws IOException {
      if (bounds.readMask) {
        stats.verify();
        acceptedByBounds = comparison.test(bounds.lower, threshold);
        return acceptedByBounds;
      }
      if (comparison.undecided(bounds.lower, bounds.upper, threshold)) {
        evaluator.refine(doc, bounds);
      }
      if (comparison.rejectsAll(bounds.lower, bounds.upper, threshold)) {
        rejected++;
        return false;
      }
      acceptedByBounds = comparison.acceptsAll(bounds.lower, bounds.upper, threshold);
      if (acceptedByBounds) {
        stats.accept();
      }
      return true;
    }
  }

  /** Phase two: reads the mask of a document its bounds left undecided. */
  private final class Verification extends TwoPhaseIterator {
    private final BoundsApproximation candidates;

    Verification(LeafEvaluator evaluator, int maxDoc, SearchGuard guard) {
      this(new BoundsApproximation(evaluator, maxDoc, guard));
    }

    private Verification(BoundsApproximation candidates) {
      super(candidates);
      this.candidates = candidates;
    }

    @Override
    public boolean matches() throws IOException {
      if (candidates.acceptedByBounds) {
        return true;
      }
      stats.verify();
      return candidates.evaluator.passes(
          candidates.docID(), candidates.bounds.roi, comparison, threshold);
    }

    @Override
    public float matchCost() {
      return candidates.evaluator.verificationCost();
    }
  }

  @Override
  public String toString(String field) {
    return spec + " " + comparison.symbol() + " " + threshold;
  }

  @Override
  public boolean equals(Object other) {
    return sameClassAs(other)
        && spec.equals(((MaskValueFilterQuery) other).spec)
        && comparison == ((MaskValueFilterQuery) other).comparison
        && Double.compare(threshold, ((MaskValueFilterQuery) other).threshold) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), spec, comparison, threshold);
  }
}
