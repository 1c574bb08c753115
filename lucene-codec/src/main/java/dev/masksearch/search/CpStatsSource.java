package dev.masksearch.search;

/** A query that counts how its documents were decided (for the profile API and for tests). */
public interface CpStatsSource {
  /** The counts so far, over all segments and threads that ran the query. */
  CpStats stats();
}
