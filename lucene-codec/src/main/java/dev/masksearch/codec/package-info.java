/**
 * Layer 3: the on-disk format. {@code MaskSearch20DocValuesFormat} (SPI name {@code MaskSearch20},
 * written by new segments) stores each mask in tiles on the CHI grid ({@code TiledMaskStorage},
 * {@code TileEncoding}) and its CHI in column-major blocks per shape group; {@code
 * MaskSearch10DocValuesFormat} ({@code MaskSearch10}), the same but each mask in one DEFLATE
 * stream, stays readable. Both share one reader and one writer ({@code FormatVersion} says what
 * differs); their javadoc holds the files' grammar. {@link dev.masksearch.codec.MaskCodec} ({@code
 * MaskSearch104}) wraps a Lucene codec and writes the mask fields with the current format.
 * Registered names and formats stay readable forever: a change is a new version. Depends on {@code
 * mask} and {@code chi}.
 */
package dev.masksearch.codec;
