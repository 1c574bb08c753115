package dev.masksearch.codec;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.DocValuesFormat;

/**
 * Codecs that write mask fields in a chosen format version, so that every brute-force comparison
 * runs over each version and over indices that mix them.
 */
public final class TestMaskCodecs {
  private static final DocValuesFormat V10 = new MaskSearch10DocValuesFormat();
  private static final DocValuesFormat V20 = new MaskSearch20DocValuesFormat();
  private static final DocValuesFormat V20_COMPRESSED =
      new MaskSearch20DocValuesFormat(MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION);
  private static final DocValuesFormat[] FORMATS = {V10, V20, V20_COMPRESSED};

  private TestMaskCodecs() {}

  /** Writes mask fields in {@code format}. */
  public static MaskCodec writing(
      DocValuesFormat format, Codec delegate, Predicate<String> isMaskField) {
    return new MaskCodec(delegate, isMaskField) {
      @Override
      protected DocValuesFormat maskFormat(String field) {
        return format;
      }
    };
  }

  /**
   * Writes mask fields in MaskSearch10, in MaskSearch20 (best speed or best compression), or in
   * each in turn, segment by segment (and field by field), as {@code r} chooses.
   */
  public static MaskCodec random(Random r, Codec delegate, Predicate<String> isMaskField) {
    int choice = r.nextInt(FORMATS.length + 1);
    if (choice < FORMATS.length) {
      return writing(FORMATS[choice], delegate, isMaskField);
    }
    AtomicInteger turn = new AtomicInteger(r.nextInt(FORMATS.length));
    return new MaskCodec(delegate, isMaskField) {
      @Override
      protected DocValuesFormat maskFormat(String field) {
        return FORMATS[turn.getAndIncrement() % FORMATS.length];
      }
    };
  }
}
