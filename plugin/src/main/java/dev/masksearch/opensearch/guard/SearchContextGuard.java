package dev.masksearch.opensearch.guard;

import dev.masksearch.search.SearchGuard;
import org.opensearch.action.search.SearchShardTask;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.tasks.TaskCancelledException;
import org.opensearch.search.SearchService;
import org.opensearch.search.internal.SearchContext;
import org.opensearch.search.query.QueryPhase;

/**
 * The engine's {@link SearchGuard} for one OpenSearch search context: memory from the {@code
 * masksearch} breaker ({@link org.opensearch.core.common.breaker.CircuitBreakingException}, HTTP
 * 429, naming the mask), cancellation of the shard task ({@link TaskCancelledException}, as
 * OpenSearch's own low-level cancellation does), and in the query phase the search {@code timeout}
 * ({@link QueryPhase.TimeExceededException}, which OpenSearch turns into partial results with
 * {@code timed_out: true}).
 */
final class SearchContextGuard implements SearchGuard {
  private final SearchContext context;
  private final CircuitBreaker breaker;
  private final boolean cancellable;
  private final long deadline; // relative millis; Long.MAX_VALUE: none

  /**
   * A guard for a search context; {@code timed} when the search timeout applies (the query phase).
   */
  SearchContextGuard(SearchContext context, CircuitBreaker breaker, boolean timed) {
    this.context = context;
    this.breaker = breaker;
    this.cancellable = context.lowLevelCancellation() && context.getTask() != null;
    boolean timeout =
        timed
            && context.scrollContext() == null
            && context.timeout() != null
            && !context.timeout().equals(SearchService.NO_TIMEOUT);
    // The query phase starts its clock a moment later: the deadline here is never later than
    // OpenSearch's own.
    this.deadline =
        timeout
            ? context.getRelativeTimeInMillis(false) + context.timeout().millis()
            : Long.MAX_VALUE;
  }

  @Override
  public void check() {
    if (cancellable) {
      SearchShardTask task = context.getTask();
      if (task.isCancelled()) {
        throw new TaskCancelledException(
            "cancelled task with reason: " + task.getReasonCancelled());
      }
    }
    if (deadline != Long.MAX_VALUE && context.getRelativeTimeInMillis() > deadline) {
      throw new QueryPhase.TimeExceededException();
    }
  }

  @Override
  public void reserve(long bytes, String what) {
    breaker.addEstimateBytesAndMaybeBreak(
        bytes, what + " in " + context.shardTarget().getShardId());
  }

  @Override
  public void release(long bytes) {
    breaker.addWithoutBreaking(-bytes);
  }
}
