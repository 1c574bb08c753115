/** Synthetic data: scenes with saliency and human-attention masks, deterministic from a seed. */
package dev.masksearch.qa.data;
