/**
 * Loaders through {@code _bulk}: the sample behind {@code bin/run}, and a directory of images,
 * masks and a CSV behind {@code bin/load}.
 */
package dev.masksearch.qa.load;
