package dev.masksearch.opensearch.index.codec;

import dev.masksearch.codec.MaskCodec;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.opensearch.index.codec.CodecAliases;

/**
 * The MaskSearch codec as OpenSearch selects it: {@code "index.codec": "masksearch"}. It is the
 * engine's {@link MaskCodec} under its own SPI name, with the alias OpenSearch's {@code
 * index.codec} validation needs; the plugin builds it over the index's default codec with the
 * mapping as its mask-field predicate.
 */
public final class MaskSearchCodec extends MaskCodec implements CodecAliases {
  /** The SPI name; it must stay loadable for as long as indices written with it exist. */
  public static final String NAME = "MaskSearch104OS";

  /** The value of {@code index.codec} that selects this codec. */
  public static final String ALIAS = "masksearch";

  /** For SPI (reading): every segment records its fields' formats, so no mapping is needed. */
  public MaskSearchCodec() {
    this(new Lucene104Codec(), field -> false);
  }

  public MaskSearchCodec(Codec delegate, Predicate<String> isMaskField) {
    super(NAME, delegate, isMaskField);
  }

  @Override
  public Set<String> aliases() {
    return Set.of(ALIAS);
  }
}
