package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.Comparison;
import java.util.Locale;
import java.util.function.Function;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;

/**
 * The keys the {@code cp} and {@code mask_expr} queries share: at most one comparison ({@code gt},
 * {@code gte}, {@code lt}, {@code lte}) with its threshold, {@code boost} and {@code _name}.
 */
final class FilterKeys {
  Comparison comparison;
  double threshold = Double.NaN;
  float boost = AbstractQueryBuilder.DEFAULT_BOOST;
  String queryName;

  private void compare(Comparison c, double value) {
    if (comparison != null) {
      throw new IllegalArgumentException("only one of gt, gte, lt, lte");
    }
    comparison = c;
    threshold = value;
  }

  /** Declares the keys on a query's parser whose drafts hold them at {@code keys}. */
  static <D> void declare(
      ObjectParser<D, Void> parser,
      Function<D, FilterKeys> keys,
      DeclaredFields.ValueReader<Double> threshold) {
    for (Comparison c : Comparison.values()) {
      DeclaredFields.declare(
          parser,
          c.name().toLowerCase(Locale.ROOT),
          threshold,
          (d, v) -> keys.apply(d).compare(c, v));
    }
    DeclaredFields.declare(
        parser,
        AbstractQueryBuilder.BOOST_FIELD.getPreferredName(),
        XContentParser::floatValue,
        (d, v) -> keys.apply(d).boost = v);
    DeclaredFields.declare(
        parser,
        AbstractQueryBuilder.NAME_FIELD.getPreferredName(),
        p -> DeclaredFields.string(p, "_name"),
        (d, v) -> keys.apply(d).queryName = v);
  }
}
