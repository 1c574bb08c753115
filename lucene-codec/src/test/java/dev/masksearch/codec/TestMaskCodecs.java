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
   * Writes mask fields in MaskSearch10, in MaskSearch20, or in each in turn, segment by segment
   * (and field by field), as {@code r} chooses.
   */
  public static MaskCodec random(Random r, Codec delegate, Predicate<String> isMaskField) {
    return switch (r.nextInt(3)) {
      case 0 -> writing(V10, delegate, isMaskField);
      case 1 -> writing(V20, delegate, isMaskField);
      default -> {
        AtomicInteger turn = new AtomicInteger(r.nextInt(2));
        yield new MaskCodec(delegate, isMaskField) {
          @Override
          protected DocValuesFormat maskFormat(String field) {
            return turn.getAndIncrement() % 2 == 0 ? V10 : V20;
          }
        };
      }
    };
  }
}
