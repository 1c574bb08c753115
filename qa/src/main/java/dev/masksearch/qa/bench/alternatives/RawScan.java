package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.bench.alternatives.Answer.Hit;
import dev.masksearch.qa.bench.alternatives.Query.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The brute-force system: a Java scan of the raw masks in the flat file (the paper's baseline),
 * which computes every image's value afresh for each query and then filters or sorts, ties by id.
 */
final class RawScan {
  private final Reference reference;

  RawScan(Reference reference) {
    this.reference = reference;
  }

  Answer answer(Query q) {
    double[] values = reference.values(q);
    int count = values.length;
    long read = q.masks(count);
    if (q.filter()) {
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (q.matches(values[i])) {
          ids.add(i);
        }
      }
      return new Answer(ids, null, read);
    }
    if (q.kind() == Kind.AVG_BY_CLASS) {
      return new Answer(null, averages(values), read);
    }
    Integer[] order = new Integer[count];
    Arrays.setAll(order, i -> i);
    boolean desc = q.descending();
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Double.compare(values[a], values[b]);
          return c != 0 ? (desc ? -c : c) : Integer.compare(a, b);
        });
    List<Hit> hits = new ArrayList<>();
    for (int i = 0; i < Math.min(q.k(), count); i++) {
      hits.add(new Hit(order[i], values[order[i]]));
    }
    return new Answer(null, hits, read);
  }

  /** The average value per class ({@link Query#classOf}): one hit per class, in class order. */
  static List<Hit> averages(double[] values) {
    double[] sums = new double[Query.CLASSES];
    int[] counts = new int[Query.CLASSES];
    for (int i = 0; i < values.length; i++) {
      sums[Query.classOf(i)] += values[i];
      counts[Query.classOf(i)]++;
    }
    List<Hit> hits = new ArrayList<>();
    for (int c = 0; c < Query.CLASSES; c++) {
      if (counts[c] > 0) {
        hits.add(new Hit(c, sums[c] / counts[c]));
      }
    }
    return hits;
  }
}
