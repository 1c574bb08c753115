package dev.masksearch.search;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;

/**
 * The guard of each running search, found from the top-level reader it searches. Queries are cached and compared by
 * value, so a guard cannot travel inside them; sort comparators and scripts see only a segment's context. A search
 * that wants limits registers its guard for its searcher's reader (OpenSearch gives every search context a reader of
 * its own) and closes the registration when it ends; a reader without one searches under {@link SearchGuard#NONE}.
 */
public final class SearchGuards {
  private static final Map<IndexReader, SearchGuard> GUARDS = new ConcurrentHashMap<>(); // readers compare by identity

  private SearchGuards() {}

  /** Registration of a guard, closed when the search ends. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Guards every search over {@code topReader} until the registration is closed. A reader already guarded keeps its
   * guard, and the returned registration does nothing.
   */
  public static Registration register(IndexReader topReader, SearchGuard guard) {
    if (GUARDS.putIfAbsent(topReader, guard) != null) {
      return () -> {};
    }
    return () -> GUARDS.remove(topReader, guard);
  }

  /** The guard of searches over this top-level reader. */
  public static SearchGuard of(IndexReader topReader) {
    return GUARDS.getOrDefault(topReader, SearchGuard.NONE);
  }

  /** The guard of the search this segment belongs to. */
  public static SearchGuard of(LeafReaderContext leaf) {
    return GUARDS.isEmpty() ? SearchGuard.NONE : of(ReaderUtil.getTopLevelContext(leaf).reader());
  }
}
