package dev.masksearch.search;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;

/**
 * The exact top k documents by CP, as a query: it rewrites (once per searcher) to the k hits {@link CpTopK}
 * computes, scored by their CP value (exact as a float up to 2^24, the pixel count of a 4096 x 4096 mask). For
 * {@link CpOrder#ASC} the hits are the k smallest, still scored by their value, so sort by score ascending to show
 * them in order. Lucene's collectors prune only after their total-hits threshold, so the top k is computed here,
 * before collection, as the k-NN plugin does for vectors.
 */
public final class CpTopKQuery extends Query {
  private final ValueSource spec;
  private final int k;
  private final CpOrder order;
  private final Query filter;
  private final CpStats stats;

  /** The top k by {@code spec} in {@code order} among documents matching {@code filter} (null: all). */
  public CpTopKQuery(ValueSource spec, int k, CpOrder order, Query filter, CpStats stats) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    this.spec = Objects.requireNonNull(spec);
    this.k = k;
    this.order = Objects.requireNonNull(order);
    this.filter = filter;
    this.stats = stats == null ? new CpStats() : stats;
  }

  @Override
  public Query rewrite(IndexSearcher searcher) throws IOException {
    List<CpHit> hits = CpTopK.search(searcher, spec, k, order, filter, stats);
    hits = hits.stream().sorted(Comparator.comparingInt(CpHit::doc)).toList();
    int[] docs = new int[hits.size()];
    float[] scores = new float[hits.size()];
    for (int i = 0; i < docs.length; i++) {
      docs[i] = hits.get(i).doc();
      scores[i] = (float) hits.get(i).value();
    }
    return new DocScoreQuery(docs, scores, searcher.getIndexReader(), toString(), stats);
  }

  @Override
  public void visit(QueryVisitor visitor) {
    if (spec.fields().stream().anyMatch(visitor::acceptField)) {
      visitor.visitLeaf(this);
    }
  }

  @Override
  public String toString(String field) {
    return "top " + k + " " + order.name().toLowerCase(java.util.Locale.ROOT) + " by " + spec
        + (filter == null ? "" : " filter " + filter);
  }

  @Override
  public boolean equals(Object other) {
    if (!sameClassAs(other)) {
      return false;
    }
    CpTopKQuery o = (CpTopKQuery) other;
    return spec.equals(o.spec) && k == o.k && order == o.order && Objects.equals(filter, o.filter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), spec, k, order, filter);
  }
}
