package dev.masksearch.search;

/** One top-k hit: a top-level document id and its exact CP value. */
public record CpHit(int doc, double value) {}
