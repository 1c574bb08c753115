/**
 * Field mappers: {@code mask} (a mask and its CHI parameters) and {@code mask_roi} (a box per
 * document), and the parsing and limits of their values.
 */
package dev.masksearch.opensearch.index.mapper;
