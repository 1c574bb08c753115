package dev.masksearch.opensearch.index.codec;

import dev.masksearch.codec.MaskCodec;
import dev.masksearch.codec.MaskSearch20DocValuesFormat;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.opensearch.index.codec.CodecAliases;

/**
 * The MaskSearch codec as OpenSearch selects it: {@code "index.codec": "masksearch"} (masks in
 * {@link MaskSearch20DocValuesFormat.Mode#BEST_SPEED}) or {@code "masksearch_best_compression"}
 * (masks in {@link MaskSearch20DocValuesFormat.Mode#BEST_COMPRESSION}), the other fields as the
 * index's default codec either way. It is the engine's {@link MaskCodec} under its own SPI name,
 * with the aliases OpenSearch's {@code index.codec} validation needs; the plugin builds one per
 * alias with the mapping as its mask-field predicate. The mode only changes what is written: one
 * SPI instance reads both.
 */
public final class MaskSearchCodec extends MaskCodec implements CodecAliases {
  /** The SPI name; it must stay loadable for as long as indices written with it exist. */
  public static final String NAME = "MaskSearch104OS";

  /** The value of {@code index.codec} that selects this codec, masks in best speed. */
  public static final String ALIAS = "masksearch";

  /** The value of {@code index.codec} that selects this codec, masks in best compression. */
  public static final String BEST_COMPRESSION_ALIAS = "masksearch_best_compression";

  /** For SPI (reading): every segment records its fields' formats, so no mapping is needed. */
  public MaskSearchCodec() {
    this(new Lucene104Codec(), field -> false);
  }

  public MaskSearchCodec(Codec delegate, Predicate<String> isMaskField) {
    this(delegate, isMaskField, MaskSearch20DocValuesFormat.Mode.BEST_SPEED);
  }

  public MaskSearchCodec(
      Codec delegate, Predicate<String> isMaskField, MaskSearch20DocValuesFormat.Mode mode) {
    super(NAME, delegate, isMaskField, mode);
  }

  @Override
  public Set<String> aliases() {
    return Set.of(ALIAS, BEST_COMPRESSION_ALIAS);
  }
}
