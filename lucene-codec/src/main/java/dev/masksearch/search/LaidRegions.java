package dev.masksearch.search;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A query's constant region laid on the grids of a segment's mask sizes (a compiled plan, covers),
 * kept per key so that masks of alternating sizes do not rebuild them, and reserved from the
 * search's guard before each is built: a shape on a fine grid may touch millions of cells. At most
 * {@value #MAX_KEPT} are kept; the oldest is dropped, and its bytes returned, to make room. Not
 * thread-safe: one per segment evaluator.
 */
public final class LaidRegions<K, V> {
  static final int MAX_KEPT = 16;

  private final SearchGuard guard;
  private final String what;
  private final Map<K, Kept<V>> kept = new LinkedHashMap<>();

  private record Kept<V>(V value, long bytes) {}

  /** Regions laid for {@code what} (a message's subject), reserved from {@code guard}. */
  public LaidRegions(SearchGuard guard, String what) {
    this.guard = guard;
    this.what = what;
  }

  /** The value for {@code key}, built after reserving {@code bytes} for it the first time. */
  public V get(K key, long bytes, Supplier<V> build) {
    Kept<V> found = kept.get(key);
    if (found != null) {
      return found.value();
    }
    if (kept.size() == MAX_KEPT) {
      K oldest = kept.keySet().iterator().next();
      release(kept.remove(oldest).bytes());
    }
    guard.reserve(bytes, what);
    V value;
    try {
      value = build.get();
    } catch (RuntimeException | Error e) {
      guard.release(bytes);
      throw e;
    }
    if (!guard.lastsTheSearch()) { // nothing would return it later: account the build alone
      guard.release(bytes);
      bytes = 0;
    }
    kept.put(key, new Kept<>(value, bytes));
    return value;
  }

  private void release(long bytes) {
    if (bytes > 0) {
      guard.release(bytes);
    }
  }
}
