/**
 * Benchmarks, not tests ({@code bin/bench}): the Lucene benchmark, incremental indexing, and the
 * plugin against the alternatives on a real node.
 */
package dev.masksearch.qa.bench;
