package dev.masksearch.search;

/**
 * Bytes reserved from a {@link SearchGuard} for one document's evaluation, all returned by {@link
 * #close()}, whether the evaluation succeeded or threw. Not thread-safe: one per evaluation.
 */
public final class Reservation implements AutoCloseable {
  private final SearchGuard guard;
  private long reserved;

  public Reservation(SearchGuard guard) {
    this.guard = guard;
  }

  /** Reserves {@code bytes} for {@code what} (see {@link SearchGuard#reserve}). */
  public void reserve(long bytes, String what) {
    guard.reserve(bytes, what);
    reserved += bytes;
  }

  @Override
  public void close() {
    if (reserved != 0) {
      guard.release(reserved);
      reserved = 0;
    }
  }
}
