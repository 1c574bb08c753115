package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.bench.alternatives.Answer.Hit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Checks a system's answer against the exact values of every image: a filter's ids as a set, a top
 * k as the k exact values in order and each hit's own exact value, at float precision (scores are
 * floats). A difference is an {@link AssertionError} naming the system, the query and the first
 * difference.
 */
final class AnswerCheck {
  private AnswerCheck() {}

  /**
   * Checks {@code got} against the exact values {@code ref} of every image; {@code who} names the
   * system.
   */
  static void check(String who, Query q, Answer got, double[] ref) {
    int count = ref.length;
    String where = who + ", " + q.name() + ": ";
    if (q.filter()) {
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (q.matches(ref[i])) {
          expected.add(i);
        }
      }
      if (!expected.equals(got.ids())) {
        TreeSet<Integer> missing = new TreeSet<>(expected);
        missing.removeAll(got.ids());
        TreeSet<Integer> extra = new TreeSet<>(got.ids());
        extra.removeAll(expected);
        throw new AssertionError(
            where
                + got.ids().size()
                + " matches, expected "
                + expected.size()
                + "; missing "
                + head(missing)
                + ", extra "
                + head(extra));
      }
      return;
    }
    if (q.kind() == Query.Kind.AVG_BY_CLASS) {
      checkAverages(where, got.hits(), RawScan.averages(ref));
      return;
    }
    double[] sortedRef = ref.clone();
    Arrays.sort(sortedRef);
    boolean desc = q.descending();
    int k = Math.min(q.k(), count);
    if (got.hits().size() != k) {
      throw new AssertionError(where + got.hits().size() + " hits, expected " + k);
    }
    for (int i = 0; i < k; i++) {
      Hit hit = got.hits().get(i);
      double expected = desc ? sortedRef[count - 1 - i] : sortedRef[i];
      // Scores are floats: compare every value at float precision.
      if ((float) hit.value() != (float) expected || (float) ref[hit.id()] != (float) hit.value()) {
        throw new AssertionError(
            where
                + "hit "
                + i
                + " is image "
                + hit.id()
                + " with value "
                + hit.value()
                + "; its exact value is "
                + ref[hit.id()]
                + " and the "
                + i
                + "th value is "
                + expected);
      }
    }
  }

  /**
   * An aggregation's averages, class by class, to a billionth of the value: each system sums the
   * same doubles in its own order.
   */
  private static void checkAverages(String where, List<Hit> got, List<Hit> expected) {
    if (got.size() != expected.size()) {
      throw new AssertionError(where + got.size() + " classes, expected " + expected.size());
    }
    for (int c = 0; c < expected.size(); c++) {
      Hit g = got.get(c);
      Hit e = expected.get(c);
      if (g.id() != e.id()
          || Math.abs(g.value() - e.value()) > 1e-9 * Math.abs(e.value()) + 1e-12) {
        throw new AssertionError(
            where
                + "class "
                + g.id()
                + " averages "
                + g.value()
                + "; class "
                + e.id()
                + " "
                + e.value());
      }
    }
  }

  private static String head(TreeSet<Integer> ids) {
    return ids.stream().limit(10).toList() + (ids.size() > 10 ? "..." : "");
  }
}
