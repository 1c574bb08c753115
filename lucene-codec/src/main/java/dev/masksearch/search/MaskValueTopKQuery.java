package dev.masksearch.search;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;

/**
 * The exact top k documents by CP, as a query: its weight computes the k hits {@link MaskValueTopK}
 * finds (once per searcher, when the first segment is scored), scored by their CP value (exact as a
 * float up to 2^24, the pixel count of a 4096 x 4096 mask). For {@link CpOrder#ASC} the hits are
 * the k smallest, still scored by their value, so sort by score ascending to show them in order.
 * Lucene's collectors prune only after their total-hits threshold, so the top k is computed over
 * all segments before any is collected, as the k-NN plugin does for vectors.
 */
public final class MaskValueTopKQuery extends ValueSourceQuery {
  private final int k;
  private final CpOrder order;
  private final Query filter;

  /**
   * The top k by {@code spec} in {@code order} among documents matching {@code filter} (null: all).
   */
  public MaskValueTopKQuery(ValueSource spec, int k, CpOrder order, Query filter, CpStats stats) {
    super(spec, stats);
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    this.k = k;
    this.order = Objects.requireNonNull(order);
    this.filter = filter;
  }

  /**
   * The top k is computed when the first segment is scored, not in {@code rewrite}: OpenSearch
   * rewrites before its query phase watches for a timeout, and a time limit that strikes while a
   * segment is searched gives partial results (here: no hits from this searcher) rather than a
   * failed search.
   */
  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    return new TopKWeight(searcher, scoreMode, boost);
  }

  /** Scores each segment's share of the top k, computed once for the searcher on first use. */
  private final class TopKWeight extends Weight {
    private final IndexSearcher searcher;
    private final ScoreMode scoreMode;
    private final float boost;
    private Weight hits;
    private boolean failed;

    TopKWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
      super(MaskValueTopKQuery.this);
      this.searcher = searcher;
      this.scoreMode = scoreMode;
      this.boost = boost;
    }

    /**
     * The weight of the computed hits, or null when computing them failed: the first segment got
     * the failure (a timeout or a cancellation), and the others have nothing to add.
     */
    synchronized Weight hits() throws IOException {
      if (hits == null && !failed) {
        try {
          List<CpHit> top = MaskValueTopK.search(searcher, spec, k, order, filter, stats);
          top = top.stream().sorted(Comparator.comparingInt(CpHit::doc)).toList();
          int[] docs = new int[top.size()];
          float[] scores = new float[top.size()];
          for (int i = 0; i < docs.length; i++) {
            docs[i] = top.get(i).doc();
            scores[i] = (float) top.get(i).value();
          }
          hits =
              new DocScoreQuery(
                      docs,
                      scores,
                      searcher.getIndexReader(),
                      MaskValueTopKQuery.this.toString(),
                      stats)
                  .createWeight(searcher, scoreMode, boost);
        } catch (RuntimeException e) {
          failed = true;
          throw e;
        }
      }
      return hits;
    }

    @Override
    public ScorerSupplier scorerSupplier(LeafReaderContext context) {
      long cost = Math.min(k, context.reader().maxDoc());
      return new ScorerSupplier() {
        @Override
        public Scorer get(long leadCost) {
          return new LazyScorer(
              () -> {
                Weight hits = hits();
                ScorerSupplier supplier = hits == null ? null : hits.scorerSupplier(context);
                return supplier == null ? null : supplier.get(leadCost);
              },
              cost);
        }

        @Override
        public long cost() {
          return cost;
        }
      };
    }

    @Override
    public Explanation explain(LeafReaderContext context, int doc) throws IOException {
      Weight hits = hits();
      return hits == null
          ? Explanation.noMatch("the top k could not be computed")
          : hits.explain(context, doc);
    }

    @Override
    public boolean isCacheable(LeafReaderContext ctx) {
      return false;
    }
  }

  /** Supplies a segment's scorer of the computed hits. */
  private interface ScorerSource {
    Scorer get() throws IOException; // null: no hit in the segment
  }

  /**
   * A scorer that computes the top k when first advanced, inside the collection that OpenSearch
   * time-limits.
   */
  private static final class LazyScorer extends Scorer {
    private final ScorerSource source;
    private final long cost;
    private Scorer in;
    private int doc = -1;

    LazyScorer(ScorerSource source, long cost) {
      this.source = source;
      this.cost = cost;
    }

    private DocIdSetIterator in() throws IOException {
      if (in == null) {
        Scorer scorer = source.get();
        in =
            scorer == null
                ? new ConstantScoreScorer(0f, ScoreMode.COMPLETE, DocIdSetIterator.empty())
                : scorer;
      }
      return in.iterator();
    }

    private final DocIdSetIterator iterator =
        new DocIdSetIterator() {
          @Override
          public int docID() {
            return doc;
          }

          @Override
          public int nextDoc() throws IOException {
            return doc = in().nextDoc();
          }

          @Override
          public int advance(int target) throws IOException {
            return doc = in().advance(target);
          }

          @Override
          public long cost() {
            return cost;
          }
        };

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public DocIdSetIterator iterator() {
      return iterator;
    }

    @Override
    public float getMaxScore(int upTo) {
      return Float.POSITIVE_INFINITY;
    }

    @Override
    public float score() throws IOException {
      return in.score();
    }
  }

  @Override
  public String toString(String field) {
    return "top "
        + k
        + " "
        + order.name().toLowerCase(java.util.Locale.ROOT)
        + " by "
        + spec
        + (filter == null ? "" : " filter " + filter);
  }

  @Override
  public boolean equals(Object other) {
    if (!sameClassAs(other)) {
      return false;
    }
    MaskValueTopKQuery o = (MaskValueTopKQuery) other;
    return spec.equals(o.spec) && k == o.k && order == o.order && Objects.equals(filter, o.filter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), spec, k, order, filter);
  }
}
