package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueScoreQuery;
import dev.masksearch.search.MaskValueTopKQuery;
import dev.masksearch.search.ValueSource;
import org.apache.lucene.search.Query;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.query.QueryShardContext;

/**
 * The three forms of the {@code cp} and {@code mask_like} queries over a value: a filter (a
 * comparison with a threshold), the exact top {@code k}, or scoring by the value.
 */
final class ValueQueryForms {
  private ValueQueryForms() {}

  /**
   * Checks the keys that choose a form: a comparison with a numeric threshold, or {@code k} of at
   * least 1, not both.
   */
  static void checkForm(String name, Comparison comparison, double threshold, Integer k) {
    if (comparison != null && k != null) {
      throw new IllegalArgumentException(
          "["
              + name
              + "] takes a comparison (gt, gte, lt, lte) to filter or [k] for the exact top k,"
              + " not both");
    }
    if (comparison != null && Double.isNaN(threshold)) {
      throw new IllegalArgumentException("[" + name + "] threshold must be a number");
    }
    if (k != null && k < 1) {
      throw new IllegalArgumentException("[" + name + "] [k] must be at least 1, got " + k);
    }
  }

  static Query toQuery(
      String name,
      ValueSource value,
      Comparison comparison,
      double threshold,
      Integer k,
      CpOrder order,
      QueryShardContext context) {
    if (comparison != null) {
      return new MaskValueFilterQuery(value, comparison, threshold, null);
    }
    if (k == null) {
      return new MaskValueScoreQuery(value, null);
    }
    int maxK = context.getIndexSettings().getMaxResultWindow(); // k hits travel like a page of them
    if (k > maxK) {
      throw new IllegalArgumentException(
          "["
              + name
              + "] [k] is "
              + k
              + ", over the index's limit of "
              + maxK
              + " ["
              + IndexSettings.MAX_RESULT_WINDOW_SETTING.getKey()
              + "]");
    }
    return new MaskValueTopKQuery(value, k, order, null, null);
  }
}
