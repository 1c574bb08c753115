package dev.masksearch.search;

import dev.masksearch.mask.Region;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.LongHeap;
import org.apache.lucene.util.NumericUtils;

/**
 * Exact top-k by CP across all segments of a searcher. One pass bounds the candidates (ranking
 * keys: the value, negated for {@link CpOrder#ASC}); those whose best case cannot reach the k-th
 * best worst case are dropped, most of them as the pass goes (the k best worst cases seen so far
 * are kept in a heap), and without a filter query a block of equal masks skips them unbounded; the
 * rest are verified best-bound first, and the search stops as soon as no unverified candidate can
 * enter the top k. A candidate whose bounds are equal needs no read. Ties go to the smaller doc id,
 * as in a brute-force sort.
 */
public final class MaskValueTopK {
  /** Documents bounded between two checks of the search's guard (minus one: a mask). */
  static final int CHECK_EVERY = 255;

  private MaskValueTopK() {}

  /**
   * The exact top k by {@code spec} among live documents that match {@code filter} (null: all
   * documents with the field), best first.
   */
  public static List<CpHit> search(
      IndexSearcher searcher, ValueSource spec, int k, CpOrder order, Query filter, CpStats stats)
      throws IOException {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    CpStats counters = stats == null ? new CpStats() : stats;
    SearchGuard guard = SearchGuards.of(searcher);
    Weight filterWeight =
        filter == null
            ? null
            : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    try (Reservation reservation = new Reservation(guard)) {
      Candidates candidates = new Candidates(reservation, k, counters);
      List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
      LeafEvaluator[] evaluators = new LeafEvaluator[leaves.size()];
      for (LeafReaderContext leaf : leaves) {
        evaluators[leaf.ord] =
            collectBounds(leaf, spec, order, filterWeight, candidates, counters, guard);
      }
      return verifyBestFirst(candidates, k, leaves, evaluators, order, counters, guard);
    }
  }

  private static LeafEvaluator collectBounds(
      LeafReaderContext leaf,
      ValueSource spec,
      CpOrder order,
      Weight filterWeight,
      Candidates out,
      CpStats stats,
      SearchGuard guard)
      throws IOException {
    LeafEvaluator evaluator = spec.leaf(leaf.reader(), guard);
    if (evaluator == null) {
      return null;
    }
    DocIdSetIterator docs;
    if (filterWeight == null) {
      docs = new Candidates.BoundedDocs(evaluator, leaf.reader().maxDoc(), order, out);
    } else {
      Scorer scorer = filterWeight.scorer(leaf);
      if (scorer == null) {
        return evaluator;
      }
      TwoPhaseIterator twoPhase = scorer.twoPhaseIterator();
      docs = twoPhase == null ? scorer.iterator() : TwoPhaseIterator.asDocIdSetIterator(twoPhase);
    }
    Bits live = leaf.reader().getLiveDocs();
    DocBounds bounds = new DocBounds();
    int visited = 0;
    for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
      if ((++visited & CHECK_EVERY) == 0) {
        guard.check();
      }
      if ((live == null || live.get(doc)) && evaluator.bounds(doc, bounds)) {
        if (bounds.readMask) {
          stats.verify();
        }
        double worst = order.key(order == CpOrder.DESC ? bounds.lower : bounds.upper);
        double best = order.key(order == CpOrder.DESC ? bounds.upper : bounds.lower);
        out.add(leaf.docBase + doc, worst, best, bounds.roi);
      }
    }
    return evaluator;
  }

  private static List<CpHit> verifyBestFirst(
      Candidates c,
      int k,
      List<LeafReaderContext> leaves,
      LeafEvaluator[] evaluators,
      CpOrder order,
      CpStats stats,
      SearchGuard guard)
      throws IOException {
    // The k-th largest worst case: no candidate whose best case is below it can make the top k.
    double floor = c.floor();
    // Candidates that may make the top k, best case first (ties: smaller doc first).
    PriorityQueue<Integer> queue =
        new PriorityQueue<>(
            Comparator.<Integer>comparingDouble(i -> -c.best[i]).thenComparingInt(i -> c.docs[i]));
    for (int i = 0; i < c.size; i++) {
      if (c.best[i] >= floor) {
        queue.add(i);
      } else {
        stats.reject();
      }
    }

    // Min-heap of the current top k by (key, -doc): its head is the hit a newcomer has to beat.
    PriorityQueue<double[]> top =
        new PriorityQueue<>(
            Comparator.<double[]>comparingDouble(h -> h[0]).thenComparing(h -> -h[1]));
    boolean[] refined = new boolean[c.size];
    DocBounds scratch = new DocBounds();
    int visited = 0;
    while (!queue.isEmpty()) {
      if ((++visited & CHECK_EVERY) == 0) {
        guard.check(); // reading a mask checks too
      }
      int i = queue.poll();
      if (top.size() == k && !beats(c.best[i], c.docs[i], top.peek())) {
        stats.reject(queue.size() + 1L);
        break;
      }
      int leaf = ReaderUtil.subIndex(c.docs[i], leaves);
      int leafDoc = c.docs[i] - leaves.get(leaf).docBase;
      LeafEvaluator evaluator = evaluators[leaf];
      double key;
      if (c.worst[i] == c.best[i]) {
        key = c.best[i];
        if (evaluator.usesChi()) {
          stats.accept();
        }
      } else if (!refined[i]) {
        // Second stage: tighten the bounds without reading the mask, then let the candidate queue
        // up again.
        refined[i] = true;
        scratch.lower = order == CpOrder.DESC ? c.worst[i] : -c.best[i];
        scratch.upper = order == CpOrder.DESC ? c.best[i] : -c.worst[i];
        scratch.roi = c.rois[i];
        evaluator.refine(leafDoc, scratch);
        c.worst[i] = order.key(order == CpOrder.DESC ? scratch.lower : scratch.upper);
        c.best[i] = order.key(order == CpOrder.DESC ? scratch.upper : scratch.lower);
        queue.add(i);
        continue;
      } else {
        stats.verify();
        double value = evaluator.exact(leafDoc, c.rois[i]);
        if (Double.isNaN(value)) {
          continue; // undefined (a division by zero): no rank
        }
        key = order.key(value);
      }
      double[] hit = {key, c.docs[i]};
      if (top.size() < k) {
        top.add(hit);
      } else if (beats(key, c.docs[i], top.peek())) {
        top.poll();
        top.add(hit);
      }
    }

    List<CpHit> hits = new ArrayList<>(top.size());
    for (double[] h : top) {
      hits.add(new CpHit((int) h[1], order.key(h[0])));
    }
    hits.sort(
        Comparator.<CpHit>comparingDouble(h -> -order.key(h.value())).thenComparingInt(CpHit::doc));
    return hits;
  }

  /** Whether (key, doc) ranks strictly before the heap entry {key, doc}. */
  private static boolean beats(double key, int doc, double[] entry) {
    return key > entry[0] || (key == entry[0] && doc < entry[1]);
  }

  /**
   * Growable parallel arrays of the candidates that may make the top k, and a heap of the k largest
   * worst cases seen (as sortable longs, which order like {@link Double#compare}, as a sort would
   * order them; Lucene's {@link LongHeap}): a document whose best case is below its head is dropped
   * at once, since the floor only rises. Their memory (and the queue {@link #verifyBestFirst} makes
   * of them) is reserved from the guard before each growth.
   */
  private static final class Candidates {
    /** Per candidate: doc, keys, region (its reference and a per-document box), the queue entry. */
    static final long BYTES_PER_CANDIDATE = 4 + 8 + 8 + 8 + 32 + 1 + 24;

    private final Reservation reservation;
    private final CpStats stats;
    private final int k;
    private final LongHeap kthLargest; // min-heap of the k largest worst cases
    int size;
    int[] docs = new int[64];
    double[] worst = new double[64];
    double[] best = new double[64];
    Region[] rois = new Region[64];

    Candidates(Reservation reservation, int k, CpStats stats) {
      this.reservation = reservation;
      this.stats = stats;
      reservation.reserve(64 * BYTES_PER_CANDIDATE + 8L * k, "top-k candidates");
      this.k = k;
      this.kthLargest = new LongHeap(k);
    }

    /**
     * The k-th largest worst case of all documents added, or -infinity with fewer than k: no
     * candidate whose best case is below it can make the top k.
     */
    double floor() {
      return kthLargest.size() < k
          ? Double.NEGATIVE_INFINITY
          : NumericUtils.sortableLongToDouble(kthLargest.top());
    }

    /**
     * Every document of a segment whose best case may beat the floor as it stands: the evaluator
     * skips, without bounding them one by one, those a block's bounds put at or below it ({@link
     * LeafEvaluator#firstCandidate}), which {@link #add} would drop or which could only tie the
     * documents before them.
     */
    static final class BoundedDocs extends DocIdSetIterator {
      private final LeafEvaluator evaluator;
      private final int maxDoc;
      private final CpOrder order;
      private final Candidates candidates;
      private int doc = -1;

      BoundedDocs(LeafEvaluator evaluator, int maxDoc, CpOrder order, Candidates candidates) {
        this.evaluator = evaluator;
        this.maxDoc = maxDoc;
        this.order = order;
        this.candidates = candidates;
      }

      @Override
      public int docID() {
        return doc;
      }

      @Override
      public int nextDoc() throws IOException {
        return advance(doc + 1);
      }

      @Override
      public int advance(int target) throws IOException {
        if (target >= maxDoc) {
          return doc = NO_MORE_DOCS;
        }
        // Skips documents whose best case is at most the floor (keys are values negated for ASC):
        // the k documents that set the floor come first and are at least as good, so one whose
        // value is at most the floor can only tie them, and ties go to the smaller doc id.
        double floor = candidates.floor();
        if (Double.isNaN(floor)) {
          return doc = target; // no order to skip by
        }
        int next =
            order == CpOrder.DESC
                ? evaluator.firstCandidate(target, Comparison.GT, floor)
                : evaluator.firstCandidate(target, Comparison.LT, -floor);
        if (next > target) {
          candidates.stats.reject(Math.min(next, maxDoc) - target);
        }
        return doc = next >= maxDoc ? NO_MORE_DOCS : next;
      }

      @Override
      public long cost() {
        return maxDoc;
      }
    }

    void add(int doc, double worstKey, double bestKey, Region roi) {
      kthLargest.insertWithOverflow(NumericUtils.doubleToSortableLong(worstKey));
      if (bestKey < floor()) { // below the final floor too: never verified
        stats.reject();
        return;
      }
      if (size == docs.length) {
        int n = size * 2;
        reservation.reserve(
            (long) (n - size) * BYTES_PER_CANDIDATE, "top-k candidates: " + n + " documents");
        docs = Arrays.copyOf(docs, n);
        worst = Arrays.copyOf(worst, n);
        best = Arrays.copyOf(best, n);
        rois = Arrays.copyOf(rois, n);
      }
      docs[size] = doc;
      worst[size] = worstKey;
      best[size] = bestKey;
      rois[size] = roi;
      size++;
    }
  }
}
