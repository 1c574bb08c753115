/**
 * What keeps a search within bounds on a node: the {@code masksearch} circuit breaker ({@link
 * dev.masksearch.opensearch.guard.MaskSearchBreaker}) and, per search context, the engine's guard
 * (breaker, cancellation, timeout), registered for the context's searcher and lookup by {@link
 * dev.masksearch.opensearch.guard.GuardingSearchListener}.
 */
package dev.masksearch.opensearch.guard;
