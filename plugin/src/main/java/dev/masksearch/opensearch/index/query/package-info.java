/**
 * The query DSL: the {@code cp} query and sort, the {@code mask_expr} query and sort, their limits
 * ({@link dev.masksearch.opensearch.index.query.ExpressionLimits}) and profile counters; each
 * builds the engine's query from {@code dev.masksearch.search} on a shard.
 */
package dev.masksearch.opensearch.index.query;
