package dev.masksearch.search;

import java.util.concurrent.atomic.LongAdder;

/**
 * How a CP query decided its documents: {@code accepted} by bounds alone, {@code rejected} by
 * bounds alone, or {@code verified} by reading the mask. Thread-safe; pass one to a query to
 * observe it (results served from a query cache are not counted).
 */
public final class CpStats {
  private final LongAdder accepted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder verified = new LongAdder();
  private final LongAdder segmentsWithoutChi = new LongAdder();

  void accept() {
    accepted.increment();
  }

  void reject() {
    rejected.increment();
  }

  void reject(long n) {
    rejected.add(n);
  }

  void verify() {
    verified.increment();
  }

  void segmentWithoutChi() {
    segmentsWithoutChi.increment();
  }

  /**
   * Segments searched without a CHI (the field was written by another codec), whose masks were all
   * read.
   */
  public long segmentsWithoutChi() {
    return segmentsWithoutChi.sum();
  }

  /** Adds another query's counts to these. */
  public void add(CpStats other) {
    accepted.add(other.accepted());
    rejected.add(other.rejected());
    verified.add(other.verified());
    segmentsWithoutChi.add(other.segmentsWithoutChi());
  }

  public long accepted() {
    return accepted.sum();
  }

  public long rejected() {
    return rejected.sum();
  }

  public long verified() {
    return verified.sum();
  }

  /** Documents considered in all. */
  public long total() {
    return accepted() + rejected() + verified();
  }

  @Override
  public String toString() {
    return "accepted=" + accepted() + " rejected=" + rejected() + " verified=" + verified();
  }
}
