/**
 * Layer 3: the on-disk format. {@code MaskSearch10DocValuesFormat} (SPI name {@code MaskSearch10})
 * stores each mask compressed and its CHI in column-major blocks per shape group; its javadoc holds
 * the files' grammar. {@link dev.masksearch.codec.MaskCodec} ({@code MaskSearch104}) wraps a Lucene
 * codec and writes the mask fields with that format. Registered names and formats stay readable
 * forever: a change is a new version. Depends on {@code mask} and {@code chi}.
 */
package dev.masksearch.codec;
