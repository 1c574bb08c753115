package dev.masksearch.search;

import java.io.IOException;
import java.util.Set;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;

/**
 * A numeric value per document computed from its masks, with bounds that the CHI gives without reading them: one
 * CP term ({@link CpSpec}) or an expression over several ({@code dev.masksearch.expr.MaskExpression}). The
 * filter ({@link CpFilterQuery}), top-k ({@link CpTopK}), scoring ({@link CpScoreQuery}) and sort
 * ({@link CpFieldComparator}) run filter–verification over any value source. Implementations are immutable and
 * have value equality (queries are cached by it).
 */
public interface ValueSource {
  /** The evaluator for one segment, or null when no document of it can have a value. */
  LeafEvaluator leaf(LeafReader reader) throws IOException;

  /** The fields read, for query visitors. */
  Set<String> fields();

  /** Whether results over a segment may be cached: not when the fields' doc values were updated in place. */
  boolean isCacheable(LeafReaderContext context);
}
