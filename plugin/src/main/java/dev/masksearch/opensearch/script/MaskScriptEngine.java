package dev.masksearch.opensearch.script;

import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.opensearch.index.query.ExpressionLimits;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.LeafExactValues;
import dev.masksearch.search.SearchGuard;
import dev.masksearch.search.SearchGuards;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.IndexSearcher;
import org.opensearch.script.AggregationScript;
import org.opensearch.script.FieldScript;
import org.opensearch.script.FilterScript;
import org.opensearch.script.NumberSortScript;
import org.opensearch.script.ScoreScript;
import org.opensearch.script.ScriptContext;
import org.opensearch.script.ScriptEngine;
import org.opensearch.script.ScriptException;
import org.opensearch.search.lookup.SearchLookup;

/**
 * The {@code masksearch} script language: a script's source is a mask expression
 * (docs/expressions.md), its value per document the expression's exact value, so CP terms, IoU and
 * their arithmetic work wherever OpenSearch takes a script:
 *
 * <ul>
 *   <li>{@code script_fields} ({@link FieldScript}): the value, or null when it is undefined;
 *   <li>{@code _script} sorts ({@link NumberSortScript}): the value, or {@code params.missing} when
 *       it is undefined (NaN otherwise, which sorts first in descending order: prefer the {@code
 *       mask_expr} sort, which puts them last in both directions and prunes with bounds);
 *   <li>aggregations ({@link AggregationScript}): metric aggregations ({@code avg}, {@code sum},
 *       {@code min}, {@code max}, {@code stats}, ...) and {@code terms} / {@code histogram} over a
 *       script; a document whose value is undefined has no value, so aggregations skip it;
 *   <li>{@code script_score} ({@link ScoreScript}): the value as the score; an undefined value
 *       scores {@code params.missing} (default 0); a negative value is an error (scores must be
 *       non-negative);
 *   <li>the {@code script} query ({@link FilterScript}): a comparison, {@code EXPR > 0.5} or {@code
 *       params.gt} (and gte, lt, lte); an undefined value never matches. It reads every candidate's
 *       masks: the {@code mask_expr} query gives the same answer with CHI bounds.
 * </ul>
 *
 * Every value is the exact value, read from the masks of the document (expressions are
 * deterministic, so results may be cached). The fields are checked against the mapping when a
 * search binds the script to a shard.
 */
public final class MaskScriptEngine implements ScriptEngine {
  public static final String LANG = "masksearch";

  private static final Set<ScriptContext<?>> CONTEXTS =
      Set.of(
          FieldScript.CONTEXT,
          NumberSortScript.CONTEXT,
          AggregationScript.CONTEXT,
          ScoreScript.CONTEXT,
          FilterScript.CONTEXT);

  private final DerivedChiCache cache;
  private final ExpressionLimits limits;

  /**
   * An engine whose expressions read derived masks' CHI through {@code cache} (may be null); a
   * script over the {@code limits} does not compile.
   */
  public MaskScriptEngine(DerivedChiCache cache, ExpressionLimits limits) {
    this.cache = cache;
    this.limits = limits;
  }

  @Override
  public String getType() {
    return LANG;
  }

  @Override
  public Set<ScriptContext<?>> getSupportedContexts() {
    return CONTEXTS;
  }

  @Override
  public <T> T compile(
      String name, String source, ScriptContext<T> context, Map<String, String> options) {
    MaskScript script;
    try {
      limits.checkLength(source);
      script = MaskScript.parse(source);
      limits.checkShape(script.expression());
      if (script.comparison() != null && context != FilterScript.CONTEXT) {
        throw new IllegalArgumentException(
            "a comparison ("
                + script.comparison().symbol()
                + ") makes a filter; in the ["
                + context.name
                + "] context the script is the expression alone");
      }
    } catch (IllegalArgumentException e) {
      throw new ScriptException(
          "compile error: " + e.getMessage(), e, List.of(), source == null ? "" : source, LANG);
    }
    Object factory;
    if (context == FieldScript.CONTEXT) {
      factory = new FieldFactory(script);
    } else if (context == NumberSortScript.CONTEXT) {
      factory = new SortFactory(script);
    } else if (context == AggregationScript.CONTEXT) {
      factory = new AggregationFactory(script);
    } else if (context == ScoreScript.CONTEXT) {
      factory = new ScoreFactory(script);
    } else if (context == FilterScript.CONTEXT) {
      factory = new FilterFactory(script);
    } else {
      throw new IllegalArgumentException(
          "["
              + LANG
              + "] scripts cannot run in the ["
              + context.name
              + "] context; they run in "
              + "script_fields, sorts, aggregations, script_score and the script query");
    }
    return context.factoryClazz.cast(factory);
  }

  /**
   * The exact value of the current document of one segment (set by the script's {@code
   * setDocument}).
   */
  private static final class DocValue {
    private final LeafExactValues values;
    int doc;

    /**
     * The values of a segment within the guard of the search the script runs in: found by the
     * searcher where OpenSearch gives one ({@code script_score}), else by the lookup the script was
     * bound with (script fields, sorts, aggregations), else by the search's own reader (scripts
     * built while the query is, whose lookup OpenSearch replaces afterwards: the {@code script}
     * query and function-score scripts; OpenSearch gives each search a reader of its own while
     * {@code search.low_level_cancellation} is on, the default).
     */
    DocValue(
        MaskExpression expression, LeafReaderContext leaf, Object searcher, SearchLookup lookup)
        throws IOException {
      SearchGuard guard = searcher == null ? SearchGuard.NONE : SearchGuards.of(searcher);
      if (guard == SearchGuard.NONE) {
        guard = SearchGuards.of(lookup);
      }
      if (guard == SearchGuard.NONE) {
        guard = SearchGuards.of(ReaderUtil.getTopLevelContext(leaf).reader());
      }
      values = LeafExactValues.create(leaf, expression, guard);
    }

    /**
     * The value; NaN when undefined. Masks that cannot be read fail the search, they are not a
     * missing value. A zero is always +0.0: arithmetic can give -0.0 (0 times a negative number),
     * which equals 0 but would make a bucket or a sort position of its own (a histogram then has
     * two buckets for 0).
     */
    double get() {
      try {
        return values.value(doc) + 0.0;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final class FieldFactory implements FieldScript.Factory {
    private final MaskScript script;

    FieldFactory(MaskScript script) {
      this.script = script;
    }

    @Override
    public boolean isResultDeterministic() {
      return true;
    }

    @Override
    public FieldScript.LeafFactory newFactory(Map<String, Object> params, SearchLookup lookup) {
      MaskExpression expression = script.bind(lookup, cache);
      double missing = MaskScript.missing(params, Double.NaN);
      return leaf -> {
        DocValue current = new DocValue(expression, leaf, null, lookup);
        return new FieldScript() {
          @Override
          public void setDocument(int doc) {
            current.doc = doc;
          }

          @Override
          public Object execute() {
            double value = current.get();
            if (Double.isNaN(value)) {
              value = missing;
            }
            return Double.isNaN(value) ? null : value;
          }
        };
      };
    }
  }

  private final class SortFactory implements NumberSortScript.Factory {
    private final MaskScript script;

    SortFactory(MaskScript script) {
      this.script = script;
    }

    @Override
    public boolean isResultDeterministic() {
      return true;
    }

    @Override
    public NumberSortScript.LeafFactory newFactory(
        Map<String, Object> params, SearchLookup lookup) {
      MaskExpression expression = script.bind(lookup, cache);
      double missing = MaskScript.missing(params, Double.NaN);
      return new NumberSortScript.LeafFactory() {
        @Override
        public NumberSortScript newInstance(LeafReaderContext leaf) throws IOException {
          DocValue current = new DocValue(expression, leaf, null, lookup);
          return new NumberSortScript() {
            @Override
            public void setDocument(int doc) {
              current.doc = doc;
            }

            @Override
            public double execute() {
              double value = current.get();
              return Double.isNaN(value) ? missing : value;
            }
          };
        }

        @Override
        public boolean needs_score() {
          return false;
        }
      };
    }
  }

  private final class AggregationFactory implements AggregationScript.Factory {
    private final MaskScript script;

    AggregationFactory(MaskScript script) {
      this.script = script;
    }

    @Override
    public boolean isResultDeterministic() {
      return true;
    }

    @Override
    public AggregationScript.LeafFactory newFactory(
        Map<String, Object> params, SearchLookup lookup) {
      MaskExpression expression = script.bind(lookup, cache);
      return new AggregationScript.LeafFactory() {
        @Override
        public AggregationScript newInstance(LeafReaderContext leaf) throws IOException {
          DocValue current = new DocValue(expression, leaf, null, lookup);
          return new AggregationScript() {
            @Override
            public void setDocument(int doc) {
              current.doc = doc;
            }

            /** Null (no value: aggregations skip the document) when the value is undefined. */
            @Override
            public Object execute() {
              double value = current.get();
              return Double.isNaN(value) ? null : value;
            }

            @Override
            public double runAsDouble() {
              return current.get();
            }

            @Override
            public long runAsLong() {
              double value = current.get();
              if (Double.isNaN(value)) {
                throw new IllegalArgumentException(
                    "["
                        + LANG
                        + "] script ["
                        + script.source()
                        + "] has no value for document ["
                        + current.doc
                        + "] (no mask or box, or a division by zero)");
              }
              return (long) value;
            }
          };
        }

        @Override
        public boolean needs_score() {
          return false;
        }
      };
    }
  }

  private final class ScoreFactory implements ScoreScript.Factory {
    private final MaskScript script;

    ScoreFactory(MaskScript script) {
      this.script = script;
    }

    @Override
    public boolean isResultDeterministic() {
      return true;
    }

    @Override
    public ScoreScript.LeafFactory newFactory(
        Map<String, Object> params, SearchLookup lookup, IndexSearcher searcher) {
      MaskExpression expression = script.bind(lookup, cache);
      double missing = MaskScript.missing(params, 0);
      if (missing < 0) {
        throw new IllegalArgumentException(
            "["
                + LANG
                + "] script_score: params.missing must be non-negative, got ["
                + missing
                + "]");
      }
      return new ScoreScript.LeafFactory() {
        @Override
        public boolean needs_score() {
          return false;
        }

        @Override
        public ScoreScript newInstance(LeafReaderContext leaf) throws IOException {
          DocValue current = new DocValue(expression, leaf, searcher, lookup);
          return new ScoreScript(params, lookup, searcher, leaf) {
            @Override
            public double execute(ExplanationHolder explanation) {
              current.doc = _getDocId();
              double value = current.get();
              boolean undefined = Double.isNaN(value);
              if (undefined) {
                value = missing;
              } else if (value < 0) {
                throw new IllegalArgumentException(
                    "["
                        + LANG
                        + "] script_score: ["
                        + script.source()
                        + "] is "
                        + value
                        + " for document ["
                        + _getDocId()
                        + "], and scores must be non-negative; rank by a value that can be "
                        + "negative with the mask_expr sort, or shift the expression (e.g. add a constant)");
              }
              if (explanation != null) {
                explanation.set(
                    undefined
                        ? "["
                            + script.source()
                            + "] is undefined (no mask or box, or a division by zero): params.missing "
                            + value
                        : "[" + script.source() + "] = " + value);
              }
              return value;
            }
          };
        }
      };
    }
  }

  private final class FilterFactory implements FilterScript.Factory {
    private final MaskScript script;

    FilterFactory(MaskScript script) {
      this.script = script;
    }

    @Override
    public boolean isResultDeterministic() {
      return true;
    }

    @Override
    public FilterScript.LeafFactory newFactory(Map<String, Object> params, SearchLookup lookup) {
      MaskExpression expression = script.bind(lookup, cache);
      Comparison comparison = script.filterComparison(params);
      double threshold = script.filterThreshold(params, comparison);
      return leaf -> {
        DocValue current = new DocValue(expression, leaf, null, lookup);
        return new FilterScript(params, lookup, leaf) {
          @Override
          public void setDocument(int doc) {
            current.doc = doc;
          }

          @Override
          public boolean execute() {
            return comparison.test(current.get(), threshold); // NaN compares false
          }
        };
      };
    }
  }
}
