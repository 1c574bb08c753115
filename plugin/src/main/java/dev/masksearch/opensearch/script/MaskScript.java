package dev.masksearch.opensearch.script;

import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.opensearch.index.query.MaskExpressions;
import dev.masksearch.search.Comparison;
import java.util.Map;
import org.opensearch.index.mapper.MapperService;
import org.opensearch.search.lookup.SearchLookup;

/**
 * A compiled {@code masksearch} script: a mask expression, and for filter scripts a comparison with
 * a threshold, written after the expression ({@code iou(saliency > 0.8, human > 0.8) < 0.2}) or
 * given as one of the params {@code gt}, {@code gte}, {@code lt}, {@code lte}.
 *
 * @param source the script as written
 * @param expression the expression (left of the comparison, if any)
 * @param comparison the comparison written in the source, or null
 * @param threshold its threshold (NaN without one)
 */
record MaskScript(
    String source, MaskExpression expression, Comparison comparison, double threshold) {

  /**
   * Parses a script: an expression, or an expression compared with a number ({@link
   * MaskExpression#parseCompared}).
   */
  static MaskScript parse(String source) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException(
          "the script is empty: write a mask expression such as cp(saliency, full, 0.8, 1.01)");
    }
    MaskExpression.Compared parsed = MaskExpression.parseCompared(source);
    return new MaskScript(source, parsed.expression(), parsed.comparison(), parsed.threshold());
  }

  /**
   * The expression ready to run on a shard: its fields checked against the shard's mapping (a clear
   * error otherwise), reading derived masks' CHI through the node's cache.
   */
  MaskExpression bind(SearchLookup lookup, DerivedChiCache cache) {
    MapperService mapping =
        lookup == null || lookup.doc() == null ? null : lookup.doc().mapperService();
    if (mapping != null) {
      String problem = MaskExpressions.fieldProblem(expression, mapping::fieldType);
      if (problem != null) {
        throw new IllegalArgumentException(
            "[" + MaskScriptEngine.LANG + "] script: " + problem + " in [" + source + "]");
      }
    }
    return MaskExpressions.withCache(expression, cache);
  }

  /**
   * The comparison of a filter script: from the source, or from exactly one of the params gt, gte,
   * lt, lte.
   */
  Comparison filterComparison(Map<String, Object> params) {
    Comparison fromParams = null;
    for (Comparison c : Comparison.values()) {
      if (params != null && params.containsKey(paramName(c))) {
        if (fromParams != null || comparison != null) {
          throw new IllegalArgumentException(filterUsage("takes one comparison"));
        }
        fromParams = c;
      }
    }
    if (comparison != null) {
      return comparison;
    }
    if (fromParams == null) {
      throw new IllegalArgumentException(filterUsage("needs a comparison"));
    }
    return fromParams;
  }

  /** The threshold of a filter script. */
  double filterThreshold(Map<String, Object> params, Comparison used) {
    if (comparison != null) {
      return threshold;
    }
    Object value = params.get(paramName(used));
    double t = value instanceof Number n ? n.doubleValue() : Double.NaN;
    if (!Double.isFinite(t)) {
      throw new IllegalArgumentException(
          "["
              + MaskScriptEngine.LANG
              + "] filter script: params."
              + paramName(used)
              + " must be a finite number, got ["
              + value
              + "]");
    }
    return t;
  }

  /** The value used for documents without one (params.missing), or {@code otherwise}. */
  static double missing(Map<String, Object> params, double otherwise) {
    Object value = params == null ? null : params.get("missing");
    if (value == null) {
      return otherwise;
    }
    if (!(value instanceof Number n) || Double.isNaN(n.doubleValue())) {
      throw new IllegalArgumentException(
          "[" + MaskScriptEngine.LANG + "] params.missing must be a number, got [" + value + "]");
    }
    return n.doubleValue();
  }

  private String filterUsage(String problem) {
    return "["
        + MaskScriptEngine.LANG
        + "] filter script "
        + problem
        + ": write it after the expression, as in ["
        + source
        + " > 0.5], or give exactly one of params.gt, params.gte, params.lt, params.lte";
  }

  private static String paramName(Comparison c) {
    return c.name().toLowerCase(java.util.Locale.ROOT);
  }
}
