package dev.masksearch.search;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The guard of each running search, found from an object that belongs to that search alone: the
 * {@link org.apache.lucene.search.IndexSearcher} it runs on (queries, top-k and sorts find it
 * there) or any other object the caller has per search (OpenSearch's scripts see only their
 * search's lookup). Queries are cached and compared by value, so a guard cannot travel inside them.
 * A key is never the index reader: searches may share one (OpenSearch does when {@code
 * search.low_level_cancellation} is off), and they must not share a guard.
 *
 * <p>A registration also holds what the engine keeps for the whole search (CHI cursors, candidate
 * lists): the engine reserves those bytes through the registered guard and never releases them
 * itself; closing the registration does. A key without a registration searches under {@link
 * SearchGuard#NONE}.
 */
public final class SearchGuards {
  private static final Map<Object, Registered> GUARDS =
      new ConcurrentHashMap<>(); // keys compare by identity

  private static volatile SearchGuard unregistered = SearchGuard.NONE;

  private SearchGuards() {}

  /** Registration of a guard, closed when the search ends. */
  public interface Registration extends AutoCloseable {
    /** Unregisters the guard and releases whatever the search still holds reserved. */
    @Override
    void close();
  }

  /**
   * Guards every search that finds its guard through {@code key} until the registration is closed.
   * A key already registered keeps its guard, and the returned registration does nothing.
   */
  public static Registration register(Object key, SearchGuard guard) {
    Registered registered = new Registered(guard);
    if (GUARDS.putIfAbsent(new Key(key), registered) != null) {
      return () -> {};
    }
    return () -> {
      GUARDS.remove(new Key(key), registered);
      registered.releaseAll();
    };
  }

  /**
   * The guard of work that finds no registration (an {@code _explain}, which runs no search phase):
   * it should account each document's memory (masks, pixel maps) and answer false to {@link
   * SearchGuard#lastsTheSearch()}. {@link SearchGuard#NONE} unless set (OpenSearch: the {@code
   * masksearch} breaker).
   */
  public static void guardUnregistered(SearchGuard guard) {
    unregistered = guard;
  }

  /** The guard registered for {@code key}, or the guard of unregistered work. */
  public static SearchGuard of(Object key) {
    if (GUARDS.isEmpty()) {
      return unregistered;
    }
    SearchGuard guard = GUARDS.get(new Key(key));
    return guard == null ? unregistered : guard;
  }

  /**
   * Identity of the registered object (an IndexSearcher's equals is identity, but a caller's key
   * may not be).
   */
  private record Key(Object key) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key k && k.key == key;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(key);
    }
  }

  /**
   * A registered guard that remembers what is still reserved, so the registration can return it.
   */
  private static final class Registered implements SearchGuard {
    private final SearchGuard guard;
    private final AtomicLong reserved = new AtomicLong();

    Registered(SearchGuard guard) {
      this.guard = guard;
    }

    @Override
    public void check() {
      guard.check();
    }

    @Override
    public void reserve(long bytes, String what) {
      guard.reserve(bytes, what);
      reserved.addAndGet(bytes);
    }

    @Override
    public void release(long bytes) {
      reserved.addAndGet(-bytes);
      guard.release(bytes);
    }

    void releaseAll() {
      long left = reserved.getAndSet(0);
      if (left != 0) {
        guard.release(left);
      }
    }
  }
}
