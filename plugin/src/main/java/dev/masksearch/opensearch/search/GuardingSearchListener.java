package dev.masksearch.opensearch.search;

import dev.masksearch.search.SearchGuards;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.index.shard.SearchOperationListener;
import org.opensearch.search.internal.SearchContext;

/**
 * Puts every query and fetch phase of a shard under a {@link SearchContextGuard}, registered for the phase's reader
 * (each search context has a reader of its own) from its start to its end, success or failure.
 */
public final class GuardingSearchListener implements SearchOperationListener {
  private static final Logger LOGGER = LogManager.getLogger(GuardingSearchListener.class);

  private final Supplier<CircuitBreaker> breaker;
  private final Map<SearchContext, Active> active = new ConcurrentHashMap<>();

  private record Active(SearchContextGuard guard, SearchGuards.Registration registration) {}

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
    active.put(context, new Active(guard, SearchGuards.register(context.searcher().getIndexReader(), guard)));
  }

  private void end(SearchContext context) {
    Active ended = active.remove(context);
    if (ended != null) {
      close(ended);
    }
  }

  private static void close(Active ended) {
    ended.registration().close();
    long left = ended.guard().releaseAll();
    if (left != 0) {
      LOGGER.warn("a search left {} bytes reserved in the [masksearch] breaker; released", left);
    }
  }
}
