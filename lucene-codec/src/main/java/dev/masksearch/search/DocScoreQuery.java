package dev.masksearch.search;

import java.util.Arrays;
import java.util.Objects;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexReaderContext;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;

/**
 * Matches a fixed set of top-level documents with fixed scores: what {@link MaskValueTopKQuery}
 * rewrites to once it has computed its exact hits. Valid only for the reader it was computed on.
 */
final class DocScoreQuery extends Query implements CpStatsSource {
  private final int[] docs; // ascending
  private final float[] scores;
  private final Object readerKey;
  private final String description;
  private final CpStats stats;

  /** {@code stats}: how the top k were found, reported by {@link #stats()}. */
  DocScoreQuery(int[] docs, float[] scores, IndexReader reader, String description, CpStats stats) {
    this.docs = docs;
    this.scores = scores;
    this.readerKey = reader.getContext().id();
    this.description = description;
    this.stats = stats;
  }

  @Override
  public CpStats stats() {
    return stats;
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
    IndexReaderContext top = searcher.getTopReaderContext();
    if (top.id() != readerKey) {
      throw new IllegalStateException("this query was rewritten for another reader");
    }
    return new Weight(this) {
      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext context) {
        int from = lowerBound(context.docBase);
        int to = lowerBound(context.docBase + context.reader().maxDoc());
        if (from == to) {
          return null;
        }
        Scorer scorer =
            new Scorer() {
              private int i = from - 1;
              private final DocIdSetIterator iterator =
                  new DocIdSetIterator() {
                    @Override
                    public int docID() {
                      return i < from ? -1 : i >= to ? NO_MORE_DOCS : docs[i] - context.docBase;
                    }

                    @Override
                    public int nextDoc() {
                      i++;
                      return docID();
                    }

                    @Override
                    public int advance(int target) {
                      if (target
                          >= context
                              .reader()
                              .maxDoc()) { // also NO_MORE_DOCS, which docBase + target would
                        // overflow
                        i = to;
                        return NO_MORE_DOCS;
                      }
                      i = Math.min(to, Math.max(i + 1, lowerBound(context.docBase + target)));
                      return docID();
                    }

                    @Override
                    public long cost() {
                      return to - from;
                    }
                  };

              @Override
              public int docID() {
                return iterator.docID();
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
              public float score() {
                return scores[i] * boost;
              }
            };
        return new ScorerSupplier() {
          @Override
          public Scorer get(long leadCost) {
            return scorer;
          }

          @Override
          public long cost() {
            return to - from;
          }
        };
      }

      @Override
      public Explanation explain(LeafReaderContext context, int doc) {
        int i = Arrays.binarySearch(docs, context.docBase + doc);
        return i >= 0
            ? Explanation.match(scores[i] * boost, description + ", exact value")
            : Explanation.noMatch("not in the top k of " + description);
      }

      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return false;
      }
    };
  }

  private int lowerBound(int doc) {
    int i = Arrays.binarySearch(docs, doc);
    return i >= 0 ? i : -i - 1;
  }

  @Override
  public void visit(QueryVisitor visitor) {
    visitor.visitLeaf(this);
  }

  @Override
  public String toString(String field) {
    return description;
  }

  @Override
  public boolean equals(Object other) {
    return sameClassAs(other)
        && Arrays.equals(docs, ((DocScoreQuery) other).docs)
        && Arrays.equals(scores, ((DocScoreQuery) other).scores)
        && readerKey == ((DocScoreQuery) other).readerKey;
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), Arrays.hashCode(docs), Arrays.hashCode(scores));
  }
}
