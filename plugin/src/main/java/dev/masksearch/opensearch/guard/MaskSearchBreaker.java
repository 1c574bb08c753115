package dev.masksearch.opensearch.guard;

import dev.masksearch.expr.DerivedChiCache;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.MemorySizeValue;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.common.breaker.CircuitBreakingException;
import org.opensearch.core.common.breaker.NoopCircuitBreaker;
import org.opensearch.indices.breaker.BreakerSettings;

/**
 * The {@code masksearch} circuit breaker: the memory that searches decode from masks (transient,
 * per document) and the derived-mask CHIs the node keeps. A child of OpenSearch's parent breaker,
 * so it also counts toward the node's total; it shows in {@code _nodes/stats/breaker}. Limit and
 * overhead are the standard breaker settings {@code breaker.masksearch.limit} (default {@value
 * #DEFAULT_LIMIT} of the heap) and {@code breaker.masksearch.overhead} (default 1), in {@code
 * opensearch.yml} or through {@code _cluster/settings}.
 */
public final class MaskSearchBreaker implements DerivedChiCache.Account {
  public static final String NAME = "masksearch";
  public static final String DEFAULT_LIMIT = "40%";

  private volatile CircuitBreaker breaker = new NoopCircuitBreaker(NAME);

  /** The breaker's settings at node start: the standard keys when set, the defaults otherwise. */
  public static BreakerSettings settings(Settings settings) {
    var limitKey =
        BreakerSettings.CIRCUIT_BREAKER_LIMIT_SETTING.getConcreteSettingForNamespace(NAME);
    var overheadKey =
        BreakerSettings.CIRCUIT_BREAKER_OVERHEAD_SETTING.getConcreteSettingForNamespace(NAME);
    long limit =
        limitKey.exists(settings)
            ? limitKey.get(settings).getBytes()
            : MemorySizeValue.parseBytesSizeValueOrHeapRatio(DEFAULT_LIMIT, limitKey.getKey())
                .getBytes();
    double overhead = overheadKey.exists(settings) ? overheadKey.get(settings) : 1.0;
    return new BreakerSettings(
        NAME, limit, overhead, CircuitBreaker.Type.MEMORY, CircuitBreaker.Durability.TRANSIENT);
  }

  /** The default limit and overhead under the standard keys, for the node's settings. */
  public static Settings defaults() {
    return Settings.builder()
        .put(
            BreakerSettings.CIRCUIT_BREAKER_LIMIT_SETTING
                .getConcreteSettingForNamespace(NAME)
                .getKey(),
            DEFAULT_LIMIT)
        .put(
            BreakerSettings.CIRCUIT_BREAKER_OVERHEAD_SETTING
                .getConcreteSettingForNamespace(NAME)
                .getKey(),
            1.0)
        .build();
  }

  /** Set once by OpenSearch when the node's breakers are built. */
  public void set(CircuitBreaker breaker) {
    this.breaker = breaker;
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  /** Reserves for the cache when there is room; the cache then keeps the entry. */
  @Override
  public boolean tryReserve(long bytes) {
    try {
      breaker.addEstimateBytesAndMaybeBreak(bytes, "derived-mask CHI cache");
      return true;
    } catch (CircuitBreakingException e) {
      return false; // the cache only speeds queries up: it does not keep what memory cannot hold
    }
  }

  @Override
  public void release(long bytes) {
    breaker.addWithoutBreaking(-bytes);
  }
}
