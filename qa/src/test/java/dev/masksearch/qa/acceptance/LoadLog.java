package dev.masksearch.qa.acceptance;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a load did: the latency of every request by kind (per reporting interval and for the whole
 * run), the bad requests sent on purpose that were refused as they should be, and every unexpected
 * error.
 */
final class LoadLog {
  /** The kinds of request a load sends. */
  enum Op {
    CP_FILTER,
    CP_TOPK,
    CP_SORT,
    EXPR_FILTER,
    EXPR_SORT,
    IOU_SORT,
    SCRIPT_FIELDS,
    SCRIPT_AGGS,
    /** One round of full exactness checks on the index that does not change (several requests). */
    EXACT_ROUND,
    BULK,
    UPDATE_METADATA,
    UPDATE_MASKS,
    UPDATE_SCRIPT,
    DELETE,
    /** A request that must be refused with a 400 (sent on purpose). */
    BAD_REQUEST;

    boolean isQuery() {
      return ordinal() <= SCRIPT_AGGS.ordinal();
    }
  }

  /** Latency percentiles of one kind of request, in milliseconds (nearest rank). */
  record Percentiles(int count, double p50, double p90, double p99, double max) {
    static Percentiles of(List<Long> nanos) {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Percentiles(
          sorted.length,
          rank(sorted, 0.5),
          rank(sorted, 0.9),
          rank(sorted, 0.99),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    }

    private static double rank(long[] sorted, double p) {
      return sorted.length == 0 ? 0 : sorted[(int) Math.ceil(p * sorted.length) - 1] / 1e6;
    }
  }

  private final AtomicReference<Map<Op, Queue<Long>>> interval =
      new AtomicReference<>(new ConcurrentHashMap<>());
  private final Map<Op, Queue<Long>> total = new ConcurrentHashMap<>();
  private final Queue<String> errors = new ConcurrentLinkedQueue<>();
  private final LongAdder refused = new LongAdder();
  private final java.util.concurrent.atomic.AtomicLong errorCount =
      new java.util.concurrent.atomic.AtomicLong();

  void record(Op op, long startNanos) {
    long nanos = System.nanoTime() - startNanos;
    interval.get().computeIfAbsent(op, o -> new ConcurrentLinkedQueue<>()).add(nanos);
    total.computeIfAbsent(op, o -> new ConcurrentLinkedQueue<>()).add(nanos);
  }

  /** An unexpected error; the first hundred are kept in full, the rest only counted. */
  void error(String message) {
    if (errorCount.getAndIncrement() < 100) {
      errors.add(message.length() > 2000 ? message.substring(0, 2000) + "..." : message);
    }
  }

  long errorCount() {
    return errorCount.get();
  }

  /** A bad request sent on purpose was refused as it should be. */
  void refusedAsExpected() {
    refused.increment();
  }

  /** Latencies by kind, and of all queries together. */
  record Latencies(Map<Op, Percentiles> byOp, Percentiles queries) {}

  /** The interval's latencies; starts the next interval. */
  Latencies closeInterval() {
    return latencies(interval.getAndSet(new ConcurrentHashMap<>()));
  }

  Latencies wholeRun() {
    return latencies(total);
  }

  List<String> errors() {
    return List.copyOf(errors);
  }

  long refused() {
    return refused.sum();
  }

  private static Latencies latencies(Map<Op, Queue<Long>> byOp) {
    Map<Op, Percentiles> result = new EnumMap<>(Op.class);
    List<Long> queries = new ArrayList<>();
    byOp.forEach(
        (op, nanos) -> {
          List<Long> copy = new ArrayList<>(nanos);
          result.put(op, Percentiles.of(copy));
          if (op.isQuery()) {
            queries.addAll(copy);
          }
        });
    return new Latencies(result, Percentiles.of(queries));
  }
}
