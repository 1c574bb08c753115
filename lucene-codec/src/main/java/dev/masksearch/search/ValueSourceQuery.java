package dev.masksearch.search;

import java.util.Objects;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;

/**
 * What the filter, scoring and top-k queries over a {@link ValueSource} share: the source, the
 * counters of how documents were decided ({@link CpStats}), and a visit that reports the fields the
 * source reads.
 */
abstract class ValueSourceQuery extends Query implements CpStatsSource {
  final ValueSource spec;
  final CpStats stats;

  /** A query over {@code spec}; {@code stats} (may be null) observes how documents were decided. */
  ValueSourceQuery(ValueSource spec, CpStats stats) {
    this.spec = Objects.requireNonNull(spec);
    this.stats = stats == null ? new CpStats() : stats;
  }

  /** The value the query filters, scores or ranks by. */
  public ValueSource spec() {
    return spec;
  }

  @Override
  public CpStats stats() {
    return stats;
  }

  @Override
  public void visit(QueryVisitor visitor) {
    if (spec.fields().stream().anyMatch(visitor::acceptField)) {
      visitor.visitLeaf(this);
    }
  }
}
