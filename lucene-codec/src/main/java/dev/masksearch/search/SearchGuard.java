package dev.masksearch.search;

/**
 * What a search lets the engine spend: memory for the masks it decodes, and time (a cancelled or
 * timed-out search stops). The engine calls {@link #check()} before each document whose masks it
 * reads and every few hundred documents it bounds, and {@link #reserve} before decoding (the size
 * is known from the CHI: width x height x bytes per value), {@link #release} after. What a search
 * holds for its whole run (CHI cursors) is reserved as it grows and released when the search's
 * {@link SearchGuards.Registration} closes. Implementations stop the search by throwing an
 * unchecked exception of their choice (OpenSearch: a circuit-breaking, task-cancelled or
 * time-exceeded exception), which the engine lets through after releasing what it reserved.
 * Thread-safe: segments of one search may run on several threads.
 */
public interface SearchGuard {
  /**
   * No limits: what plain Lucene users get unless they {@link SearchGuards#register register} a
   * guard.
   */
  SearchGuard NONE =
      new SearchGuard() {
        @Override
        public void check() {}

        @Override
        public void reserve(long bytes, String what) {}

        @Override
        public void release(long bytes) {}
      };

  /** Throws when the search must stop (cancelled, or out of time). Cheap: called per document. */
  void check();

  /**
   * Accounts {@code bytes} about to be allocated for {@code what}; throws, accounting nothing, when
   * they cannot be.
   */
  void reserve(long bytes, String what);

  /** Returns bytes reserved earlier. */
  void release(long bytes);

  /**
   * Whether the guard lasts the whole search, so that memory held for the search (CHI cursors) may
   * be reserved through it and is returned when the search's registration closes. A guard for work
   * outside any registered search (see {@link SearchGuards#guardUnregistered}) answers false: it
   * accounts one document's memory at a time, and nothing is held through it.
   */
  default boolean lastsTheSearch() {
    return true;
  }
}
