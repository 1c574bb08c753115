/**
 * Layer 4: queries by filter-verification over any {@link dev.masksearch.search.ValueSource} (one
 * CP term, {@link dev.masksearch.search.CpSpec}, or an expression): bounds from the CHI decide most
 * documents, and only the undecided ones read their masks. The forms: {@link
 * dev.masksearch.search.MaskValueFilterQuery}, {@link dev.masksearch.search.MaskValueScoreQuery},
 * the exact top k ({@link dev.masksearch.search.MaskValueTopK}, {@link
 * dev.masksearch.search.MaskValueTopKQuery}) and the sort ({@link
 * dev.masksearch.search.MaskValueComparator}). A search's memory and time are bounded by its {@link
 * dev.masksearch.search.SearchGuard}, found through {@link dev.masksearch.search.SearchGuards}.
 * Depends on the layers below.
 */
package dev.masksearch.search;
