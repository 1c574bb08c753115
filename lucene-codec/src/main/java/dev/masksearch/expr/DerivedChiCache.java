package dev.masksearch.expr;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;

/**
 * Incremental indexing (MaskSearch's): CHIs of derived masks, such as {@code saliency > 0.8 & human
 * > 0.8}, built the first time a query has to read a document's masks anyway and kept per segment
 * for later queries. Entries belong to a segment's core and go when it closes (merged away or the
 * index deleted); segments whose mask doc values were updated in place are not cached. Bounded by
 * {@code maxBytes}: when full, new CHIs are not kept (answers stay exact, only slower). Every byte
 * kept is also reserved from an {@link Account} (OpenSearch: the {@code masksearch} circuit
 * breaker) and returned when its segment closes; an entry the account refuses is not kept either.
 * Thread-safe; one instance per node.
 */
public final class DerivedChiCache {
  private final long maxBytes;
  private final Account account;
  private final AtomicLong bytes = new AtomicLong();
  private final java.util.concurrent.atomic.LongAdder hits =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder builds =
      new java.util.concurrent.atomic.LongAdder();
  // Read-only statistics (the stats API): entries held, dropped with their segment, and not kept
  // for lack of room.
  private final AtomicLong entries = new AtomicLong();
  private final java.util.concurrent.atomic.LongAdder evictions =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder rejections =
      new java.util.concurrent.atomic.LongAdder();
  private final Map<Object, Segment> segments = new ConcurrentHashMap<>();

  /** Memory the cache keeps, accounted outside it. */
  public interface Account {
    /** No accounting. */
    Account NONE =
        new Account() {
          @Override
          public boolean tryReserve(long bytes) {
            return true;
          }

          @Override
          public void release(long bytes) {}
        };

    /** Reserves {@code bytes} if they are available; false (nothing reserved) otherwise. */
    boolean tryReserve(long bytes);

    void release(long bytes);
  }

  public DerivedChiCache(long maxBytes) {
    this(maxBytes, Account.NONE);
  }

  public DerivedChiCache(long maxBytes, Account account) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be non-negative, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.account = account;
  }

  /** Bytes held. */
  public long sizeInBytes() {
    return bytes.get();
  }

  /** The most bytes it holds. */
  public long maxBytes() {
    return maxBytes;
  }

  /** Derived CHIs held. */
  public long entries() {
    return entries.get();
  }

  /**
   * Derived CHIs dropped because their segment closed (merged away, or its index closed or
   * deleted).
   */
  public long evictions() {
    return evictions.sum();
  }

  /** Derived CHIs built but not kept because the cache was full. */
  public long rejections() {
    return rejections.sum();
  }

  /** Derived CHIs used for bounds. */
  public long hits() {
    return hits.sum();
  }

  /** Derived CHIs built. */
  public long builds() {
    return builds.sum();
  }

  /** The segment's entries, or null when the segment cannot be cached. */
  Segment segment(LeafReader reader) {
    IndexReader.CacheHelper helper = reader.getCoreCacheHelper();
    if (helper == null) {
      return null;
    }
    return segments.computeIfAbsent(
        helper.getKey(),
        key -> {
          Segment segment = new Segment();
          helper.addClosedListener(
              closed -> {
                Segment gone = segments.remove(closed);
                if (gone != null) {
                  long size = gone.bytes.getAndSet(0);
                  bytes.addAndGet(-size);
                  account.release(size);
                  long dropped = gone.entries.getAndSet(0);
                  entries.addAndGet(-dropped);
                  evictions.add(dropped);
                }
              });
          return segment;
        });
  }

  /** One segment's derived CHIs, by predicate (canonical text) and document. */
  final class Segment {
    private final Map<String, Entries> byPredicate = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong entries = new AtomicLong();

    /**
     * The derived CHIs of {@code predicate} kept so far, or null when there are none: an evaluator
     * holds them from the first one on instead of looking the predicate up per document. Looking up
     * creates nothing: only a CHI kept adds a predicate.
     */
    Entries entries(String predicate) {
      return byPredicate.get(predicate);
    }

    boolean contains(String predicate, int doc) {
      Entries docs = entries(predicate);
      return docs != null && docs.get(doc) != null;
    }

    void put(String predicate, int doc, DerivedChi chi) {
      long size = chi.sizeInBytes();
      if (DerivedChiCache.this.bytes.addAndGet(size) > maxBytes || !account.tryReserve(size)) {
        DerivedChiCache.this.bytes.addAndGet(-size);
        rejections.increment();
        return;
      }
      Entries docs = byPredicate.computeIfAbsent(predicate, p -> new Entries());
      if (docs.byDoc.putIfAbsent(doc, chi) == null) {
        bytes.addAndGet(size);
        entries.incrementAndGet();
        DerivedChiCache.this.entries.incrementAndGet();
        builds.increment();
      } else {
        DerivedChiCache.this.bytes.addAndGet(-size);
        account.release(size);
      }
    }
  }

  /** One predicate's derived CHIs in one segment, by document. */
  final class Entries {
    private final Map<Integer, DerivedChi> byDoc = new ConcurrentHashMap<>();

    /** The document's derived CHI, or null. */
    DerivedChi get(int doc) {
      return byDoc.get(doc);
    }

    /** Counts a derived CHI used for bounds. */
    void hit() {
      hits.increment();
    }
  }
}
