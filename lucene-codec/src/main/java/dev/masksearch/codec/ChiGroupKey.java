package dev.masksearch.codec;

/**
 * What the masks of one shape group share: dtype (its stable id) and grid cells across and down.
 */
record ChiGroupKey(int dtypeId, int gx, int gy) {}
