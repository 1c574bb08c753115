package dev.masksearch.qa.acceptance;

import dev.masksearch.qa.acceptance.LoadLog.Op;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A mixed load for a fixed time: three clients query the changing index ({@link LiveQueries}); one
 * client runs full exactness rounds ({@link CpChecks}, {@link ExprChecks}) on an index that does
 * not change; one writer indexes, one updates and one deletes ({@link ChurnWriters}), keeping the
 * live set between half of {@code liveCap} and {@code liveCap} documents so that documents keep
 * coming and going. A failed check or request is logged ({@link LoadLog}) and the load goes on.
 */
final class MixedLoad {
  /**
   * Replaced and deleted versions stay checkable this long: far beyond a refresh, so no search
   * still sees them.
   */
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Rest rest;
  private final String index;
  private final String fixedIndex;
  private final Collection<QaDoc> fixedDocs;
  private final DocHistory history;
  private final LoadLog log;
  private final int maxSide;
  private final int liveCap;

  /**
   * @param fixedIndex an index holding {@code fixedDocs}, which nothing changes during the load
   */
  MixedLoad(
      Rest rest,
      String index,
      String fixedIndex,
      Collection<QaDoc> fixedDocs,
      DocHistory history,
      LoadLog log,
      int maxSide,
      int liveCap) {
    this.rest = rest;
    this.index = index;
    this.fixedIndex = fixedIndex;
    this.fixedDocs = fixedDocs;
    this.history = history;
    this.log = log;
    this.maxSide = maxSide;
    this.liveCap = liveCap;
  }

  /** Runs the load for {@code nanos}; returns when every client has stopped. */
  void run(long seed, long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    ChurnWriters writers = new ChurnWriters(rest, index, history, log, maxSide);
    LiveQueries queries = new LiveQueries(rest, index, history, log, maxSide);
    List<Runnable> clients = new ArrayList<>();
    for (int q = 0; q < 3; q++) {
      Random random = new Random(seed + q);
      clients.add(() -> queries.one(random));
    }
    Random exact = new Random(seed + 10);
    clients.add(() -> exactRound(exact));
    Random indexing = new Random(seed + 20);
    clients.add(
        () -> {
          if (history.liveCount() < liveCap) {
            writers.indexBatch(indexing);
          } else {
            pause(50);
          }
        });
    Random updating = new Random(seed + 30);
    clients.add(() -> writers.update(updating));
    Random deleting = new Random(seed + 40);
    clients.add(
        () -> {
          history.prune(GRACE_NANOS);
          if (history.liveCount() > liveCap / 2) {
            writers.delete(deleting);
          } else {
            pause(20);
          }
        });
    ExecutorService pool = Executors.newFixedThreadPool(clients.size());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (Runnable client : clients) {
        running.add(pool.submit(() -> loop(client, deadline)));
      }
      for (Future<?> future : running) {
        try {
          future.get();
        } catch (java.util.concurrent.ExecutionException e) {
          log.error("a client stopped: " + e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  /**
   * One cp and one expression check of every form on the index that does not change: whole answers
   * exact.
   */
  private void exactRound(Random random) {
    long start = System.nanoTime();
    new CpChecks(rest, fixedIndex, fixedDocs).randomized(random, 1, maxSide);
    new ExprChecks(rest, fixedIndex, fixedDocs, random).randomized(1, 1);
    log.record(Op.EXACT_ROUND, start);
  }

  private void loop(Runnable client, long deadline) {
    while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
      try {
        client.run();
      } catch (RuntimeException
          | AssertionError e) { // a failed check, or a node that could not be reached
        log.error(e.toString());
        pause(100);
      }
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
