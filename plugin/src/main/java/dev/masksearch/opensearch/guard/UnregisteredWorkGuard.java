package dev.masksearch.opensearch.guard;

import dev.masksearch.search.SearchGuard;
import java.util.function.Supplier;
import org.opensearch.core.common.breaker.CircuitBreaker;

/**
 * The guard of mask reads outside any query or fetch phase ({@code _explain} runs none): each
 * document's masks and pixel maps are reserved from the {@code masksearch} breaker and returned
 * when the document is done, so one explained document cannot exhaust the heap. It has no task or
 * deadline to check, and holds nothing for a search.
 */
public final class UnregisteredWorkGuard implements SearchGuard {
  private final Supplier<CircuitBreaker> breaker;

  public UnregisteredWorkGuard(Supplier<CircuitBreaker> breaker) {
    this.breaker = breaker;
  }

  @Override
  public void check() {}

  @Override
  public void reserve(long bytes, String what) {
    breaker.get().addEstimateBytesAndMaybeBreak(bytes, what + " outside a search phase");
  }

  @Override
  public void release(long bytes) {
    breaker.get().addWithoutBreaking(-bytes);
  }

  @Override
  public boolean lastsTheSearch() {
    return false;
  }
}
