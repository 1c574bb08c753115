package dev.masksearch.opensearch.guard;

import dev.masksearch.search.SearchGuards;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.index.shard.SearchOperationListener;
import org.opensearch.search.internal.SearchContext;

/**
 * Puts every query and fetch phase of a shard under a {@link SearchContextGuard} from its start to
 * its end, success or failure. The guard is registered for the objects that belong to this search
 * context alone: its searcher (queries, top-k, sorts, {@code script_score}), its lookup (script
 * fields, sorts, aggregations) and, only while {@code search.low_level_cancellation} wraps it for
 * this context, its reader (the script query and function-score scripts). A shared reader is never
 * a key: with low-level cancellation off, concurrent searches of a shard share one.
 */
public final class GuardingSearchListener implements SearchOperationListener {
  private final Supplier<CircuitBreaker> breaker;
  private final Map<SearchContext, Active> active = new ConcurrentHashMap<>();

  private record Active(
      SearchGuards.Registration searcher,
      SearchGuards.Registration lookup,
      SearchGuards.Registration reader) {}

  public GuardingSearchListener(Supplier<CircuitBreaker> breaker) {
    this.breaker = breaker;
  }

  @Override
  public void onPreQueryPhase(SearchContext context) {
    start(context, true);
  }

  @Override
  public void onQueryPhase(SearchContext context, long tookInNanos) {
    end(context);
  }

  @Override
  public void onFailedQueryPhase(SearchContext context) {
    end(context);
  }

  @Override
  public void onPreFetchPhase(SearchContext context) {
    start(context, false); // OpenSearch applies no timeout to fetching
  }

  @Override
  public void onFetchPhase(SearchContext context, long tookInNanos) {
    end(context);
  }

  @Override
  public void onFailedFetchPhase(SearchContext context) {
    end(context);
  }

  private void start(SearchContext context, boolean timed) {
    end(context); // a phase that did not report its end
    SearchContextGuard guard = new SearchContextGuard(context, breaker.get(), timed);
    SearchGuards.Registration searcher = SearchGuards.register(context.searcher(), guard);
    SearchGuards.Registration lookup =
        context.getQueryShardContext() == null
            ? () -> {}
            : SearchGuards.register(context.getQueryShardContext().lookup(), guard);
    // Scripts built while the query is (the script query, function-score scripts) keep a lookup
    // that
    // OpenSearch replaces before this phase; they find the guard through the search's reader, which
    // is this context's own while low-level cancellation wraps it (never register a shared one).
    SearchGuards.Registration reader =
        context.lowLevelCancellation()
            ? SearchGuards.register(context.searcher().getIndexReader(), guard)
            : () -> {};
    active.put(context, new Active(searcher, lookup, reader));
  }

  private void end(SearchContext context) {
    Active ended = active.remove(context);
    if (ended != null) {
      close(ended);
    }
  }

  private static void close(Active ended) {
    ended.searcher().close(); // returns what the search held (CHI cursors) to the breaker
    ended.lookup().close();
    ended.reader().close();
  }
}
