package dev.masksearch.search;

import java.io.IOException;
import java.util.Set;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;

/**
 * A numeric value per document computed from its masks, with bounds that the CHI gives without
 * reading them: one CP term ({@link CpSpec}) or an expression over several ({@code
 * dev.masksearch.expr.MaskExpression}). The filter ({@link MaskValueFilterQuery}), top-k ({@link
 * MaskValueTopK}), scoring ({@link MaskValueScoreQuery}) and sort ({@link MaskValueComparator}) run
 * filter–verification over any value source. Implementations are immutable and have value equality
 * (queries are cached by it).
 */
public interface ValueSource {
  /**
   * The evaluator for one segment, or null when no document of it can have a value; it reads masks
   * within {@code guard}'s limits.
   */
  LeafEvaluator leaf(LeafReader reader, SearchGuard guard) throws IOException;

  /** The evaluator for one segment, without limits. */
  default LeafEvaluator leaf(LeafReader reader) throws IOException {
    return leaf(reader, SearchGuard.NONE);
  }

  /** The fields read, for query visitors. */
  Set<String> fields();

  /**
   * Whether results over a segment may be cached: not when the fields' doc values were updated in
   * place.
   */
  boolean isCacheable(LeafReaderContext context);
}
