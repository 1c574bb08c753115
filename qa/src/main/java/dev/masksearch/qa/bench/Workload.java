package dev.masksearch.qa.bench;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpHit;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpSpec;
import dev.masksearch.search.CpStats;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueTopK;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;

/**
 * One query of the paper's workloads: a filter {@code CP op threshold} or an exact top-k. Runs
 * either through the CHI or as a {@link BruteForceScan}, and the two answers must be equal.
 */
public record Workload(
    String name, CpSpec spec, Comparison op, double threshold, int k, CpOrder order) {

  /** The salient value range of the paper's examples: value at least {@code lv}, 1.0 included. */
  public static ValueRange atLeast(double lv) {
    return new ValueRange(lv, Double.POSITIVE_INFINITY);
  }

  public static Workload filter(String name, CpSpec spec, Comparison op, double threshold) {
    return new Workload(name, spec, op, threshold, 0, null);
  }

  public static Workload topK(String name, CpSpec spec, int k, CpOrder order) {
    return new Workload(name, spec, null, 0, k, order);
  }

  public boolean isFilter() {
    return op != null;
  }

  /** The answer through the CHI: matching doc ids (ascending) or the top-k hits. */
  public List<?> run(IndexSearcher searcher, CpStats stats) throws IOException {
    if (isFilter()) {
      List<Integer> docs = new ArrayList<>();
      for (ScoreDoc sd :
          searcher.search(new MaskValueFilterQuery(spec, op, threshold, stats), Integer.MAX_VALUE)
              .scoreDocs) {
        docs.add(sd.doc);
      }
      docs.sort(null);
      return docs;
    }
    return MaskValueTopK.search(searcher, spec, k, order, null, stats);
  }

  /** The same answer by reading every mask. */
  public List<?> scan(IndexReader reader) throws IOException {
    return isFilter()
        ? BruteForceScan.filter(reader, spec, op, threshold)
        : BruteForceScan.topK(reader, spec, k, order);
  }

  /**
   * The value at a quantile of the exact values (0.99: 1% of documents above), to set a filter's
   * selectivity.
   */
  public static double quantile(IndexReader reader, CpSpec spec, double q) throws IOException {
    double[] values =
        BruteForceScan.values(reader, spec).stream().mapToDouble(CpHit::value).sorted().toArray();
    return values[(int) Math.min(values.length - 1, Math.floor(q * values.length))];
  }

  @Override
  public String toString() {
    return isFilter()
        ? spec + " " + op.symbol() + " " + threshold
        : "top " + k + " " + order.name().toLowerCase(java.util.Locale.ROOT) + " by " + spec;
  }

  /** The paper's constant ROI for 224 x 224 masks (its ImageNet example). */
  public static final Roi PAPER_ROI = new Roi(50, 50, 200, 200);
}
