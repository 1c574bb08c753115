package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.CpStats;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.opensearch.search.profile.ProfileMetric;

/**
 * One counter of what a {@code cp} or {@code mask_expr} query decided, in its profile breakdown:
 * documents accepted ({@code cp_accepted_by_bounds}) and rejected ({@code cp_rejected_by_bounds})
 * by CHI bounds, masks read to verify ({@code cp_masks_read}), and segments without the CHI ({@code
 * cp_segments_without_chi}).
 *
 * <p>The counts live in the query ({@link CpStats}): one set per shard-level query, whatever its
 * segments. OpenSearch makes one breakdown per query and shows it; under concurrent segment search
 * it also makes one per segment and shows their sum instead. So exactly one breakdown's metrics
 * report the query's counts and the others report 0: the query's own breakdown (created first), or
 * under concurrent search the first segment's (created second). Each metric's map holds exactly its
 * own name, as the concurrent breakdown looks non-timing metrics up by name.
 */
public final class CpProfileMetric extends ProfileMetric {
  /** Per query's counters and metric name, how many metrics were created so far. */
  private static final Map<CpStats, Map<String, AtomicInteger>> CREATED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final CpStats stats;
  private final ToLongFunction<CpStats> counter;
  private final boolean reports;

  private CpProfileMetric(
      String name, CpStats stats, ToLongFunction<CpStats> counter, boolean concurrent) {
    super(name);
    this.stats = stats;
    this.counter = counter;
    int index =
        CREATED
            .computeIfAbsent(stats, s -> new ConcurrentHashMap<>())
            .computeIfAbsent(name, n -> new AtomicInteger())
            .getAndIncrement();
    this.reports = index == (concurrent ? 1 : 0);
  }

  /**
   * The metrics of one breakdown of a query with these counters; {@code concurrent}: concurrent
   * segment search.
   */
  public static List<Supplier<ProfileMetric>> of(CpStats stats, boolean concurrent) {
    return List.of(
        () -> new CpProfileMetric("cp_accepted_by_bounds", stats, CpStats::accepted, concurrent),
        () -> new CpProfileMetric("cp_rejected_by_bounds", stats, CpStats::rejected, concurrent),
        () -> new CpProfileMetric("cp_masks_read", stats, CpStats::verified, concurrent),
        () ->
            new CpProfileMetric(
                "cp_segments_without_chi", stats, CpStats::segmentsWithoutChi, concurrent));
  }

  @Override
  public Map<String, Long> toBreakdownMap() {
    return Map.of(getName(), reports ? counter.applyAsLong(stats) : 0L);
  }
}
