package dev.masksearch.search;

import java.io.IOException;
import java.util.Objects;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.FilteredDocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;

/**
 * Scores every document that has a mask (and a box, when the ROI comes from one) by its exact CP
 * value, so that a search for the top n hits returns the exact top n by CP, in any query that takes
 * a scoring clause. Once the collector reports a minimum competitive score, documents whose CHI
 * upper bound falls below it are skipped without reading their mask: with a total-hits threshold of
 * n (OpenSearch: {@code "track_total_hits": false}) this prunes as much as {@link
 * MaskValueTopKQuery}; with exact hit counts, every mask must be read.
 */
public final class MaskValueScoreQuery extends ValueSourceQuery {

  public MaskValueScoreQuery(ValueSource spec, CpStats stats) {
    super(spec, stats);
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    return new Weight(this) {
      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
        SearchGuard guard = SearchGuards.of(searcher);
        LeafEvaluator evaluator = spec.leaf(context.reader(), guard);
        if (evaluator == null) {
          return null;
        }
        int maxDoc = context.reader().maxDoc();
        return new ScorerSupplier() {
          @Override
          public Scorer get(long leadCost) {
            return new CpScorer(evaluator, maxDoc, boost, guard);
          }

          @Override
          public long cost() {
            return maxDoc;
          }
        };
      }

      @Override
      public Explanation explain(LeafReaderContext context, int doc) throws IOException {
        LeafEvaluator evaluator = spec.leaf(context.reader(), SearchGuards.of(searcher));
        DocBounds bounds = new DocBounds();
        if (evaluator == null || !evaluator.bounds(doc, bounds)) {
          return Explanation.noMatch(spec + ": the document has no value (no mask, or no box)");
        }
        double value =
            bounds.readMask || bounds.isExact() ? bounds.lower : evaluator.exact(doc, bounds.roi);
        return Explanation.match(
            (float) value * boost,
            spec
                + " = "
                + value
                + (bounds.isExact() && !bounds.readMask
                    ? " (exact from CHI bounds, mask not read)"
                    : " (mask read)"));
      }

      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return spec.isCacheable(ctx); // doc-values updates must not serve stale cached results
      }
    };
  }

  /**
   * Iterates documents with a value, skipping those whose upper bound cannot reach the competitive
   * score.
   */
  private final class CpScorer extends Scorer {
    private final LeafEvaluator evaluator;
    private final float boost;
    private final DocBounds bounds = new DocBounds();
    private float minCompetitive;

    CpScorer(LeafEvaluator evaluator, int maxDoc, float boost, SearchGuard guard) {
      this.evaluator = evaluator;
      this.boost = boost;
      this.iterator =
          new FilteredDocIdSetIterator(DocIdSetIterator.all(maxDoc)) {
            private int visited;

            @Override
            protected boolean match(int d) throws IOException {
              if ((++visited & MaskValueTopK.CHECK_EVERY) == 0) {
                guard.check(); // documents skipped by bounds never reach the collector's checks
              }
              return evaluator.bounds(d, bounds) && competitive(d);
            }
          };
    }

    private final DocIdSetIterator iterator;

    /**
     * Whether the document may reach the minimum competitive score (refining its bounds once if
     * needed).
     */
    private boolean competitive(int d) throws IOException {
      if (minCompetitive == 0 || bounds.readMask) {
        return true;
      }
      if ((float) bounds.upper * boost < minCompetitive) {
        stats.reject();
        return false;
      }
      evaluator.refine(d, bounds);
      if ((float) bounds.upper * boost < minCompetitive) {
        stats.reject();
        return false;
      }
      return true;
    }

    @Override
    public int docID() {
      return iterator.docID();
    }

    @Override
    public DocIdSetIterator iterator() {
      return iterator;
    }

    @Override
    public float score() throws IOException {
      if (bounds.readMask) {
        stats.verify();
        return (float) bounds.lower * boost;
      }
      if (bounds.isExact()) {
        stats.accept();
        return (float) bounds.lower * boost;
      }
      stats.verify();
      return (float) evaluator.exact(iterator.docID(), bounds.roi) * boost;
    }

    @Override
    public float getMaxScore(int upTo) {
      return Float.POSITIVE_INFINITY;
    }

    @Override
    public void setMinCompetitiveScore(float minScore) {
      minCompetitive = minScore;
    }
  }

  @Override
  public String toString(String field) {
    return "score by " + spec;
  }

  @Override
  public boolean equals(Object other) {
    return sameClassAs(other) && spec.equals(((MaskValueScoreQuery) other).spec);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), spec);
  }
}
