package dev.masksearch.fuzz;

import dev.masksearch.mask.Mask;
import java.lang.management.ManagementFactory;

/**
 * The properties every fuzz target checks besides "no other exception": a rejection's message says
 * something, a decoded mask has the pixels of its re-decoded canonical form, and an input does not
 * allocate far more than it could describe.
 */
public final class FuzzChecks {
  /**
   * The most one input may allocate. The largest valid mask (4096 x 4096 float32) is 64 MiB (a PNG
   * decodes straight into its mask: 32 MiB at most); an input that makes a parser allocate more
   * claims a size no mask may have and must be rejected before allocating.
   */
  public static final long MAX_ALLOCATION_BYTES = 256L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private FuzzChecks() {}

  /** Something that parses an input and may throw. */
  @FunctionalInterface
  public interface Parse {
    void run() throws Exception;
  }

  /**
   * Runs {@code parse}, then fails if it allocated more than {@link #MAX_ALLOCATION_BYTES} twice in
   * a row (the first inputs also load and instrument classes on this thread, which allocates too).
   */
  public static void boundedAllocation(int inputLength, Parse parse) throws Exception {
    long allocated = allocation(parse);
    if (allocated > MAX_ALLOCATION_BYTES
        && (allocated = allocation(parse)) > MAX_ALLOCATION_BYTES) {
      throw new AssertionError(
          "an input of " + inputLength + " bytes allocated " + (allocated >> 20) + " MiB");
    }
  }

  private static long allocation(Parse parse) throws Exception {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    parse.run();
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  /** Reads an input into a value; throws what the reader throws for a bad one. */
  @FunctionalInterface
  public interface Reader<T> {
    T read() throws Exception;
  }

  /** Checks a value that was read. */
  @FunctionalInterface
  public interface Check<T> {
    void check(T value) throws Exception;
  }

  /**
   * The shape of every parser target: within {@link #boundedAllocation}, {@code read} either
   * rejects the input with a {@code rejection} that says what is wrong, or gives a value that
   * passes {@code check}.
   */
  public static <T> void readOrReject(
      byte[] input, Class<? extends Exception> rejection, Reader<T> read, Check<T> check)
      throws Exception {
    boundedAllocation(
        input.length,
        () -> {
          T value;
          try {
            value = read.read();
          } catch (Exception e) {
            if (!rejection.isInstance(e)) {
              throw e;
            }
            requireMessage(e);
            return;
          }
          check.check(value);
        });
  }

  /** A validation error must say what is wrong. */
  public static void requireMessage(Exception e) {
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      throw new AssertionError("a validation error without a message", e);
    }
  }

  /**
   * Same dtype, shape and codes (the codes of a float -0.0 are stored as 0.0, so codes compare
   * exactly).
   */
  public static void requireSamePixels(Mask expected, Mask actual) {
    if (expected.dtype() != actual.dtype()
        || expected.height() != actual.height()
        || expected.width() != actual.width()) {
      throw new AssertionError("round trip changed " + expected + " into " + actual);
    }
    for (int i = 0; i < expected.pixelCount(); i++) {
      if (expected.code(i) != actual.code(i)) {
        throw new AssertionError(
            "round trip changed pixel "
                + i
                + " of "
                + expected
                + ": "
                + Integer.toHexString(expected.code(i))
                + " became "
                + Integer.toHexString(actual.code(i)));
      }
    }
  }

  /** Fails unless {@code condition}. */
  public static void require(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }
}
