package dev.masksearch.codec;

import java.util.function.Predicate;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.perfield.PerFieldDocValuesFormat;

/**
 * A codec that stores mask fields with the {@link MaskSearch20DocValuesFormat} (in a {@link
 * MaskSearch20DocValuesFormat.Mode}) and everything else as its delegate does. Which fields are
 * masks is told by a predicate on the field name (in OpenSearch, the mapping), needed only to
 * write: segments record each field's format, so the no-argument instance that SPI creates reads
 * any index written by this codec.
 */
public class MaskCodec extends FilterCodec {
  /** The SPI name; it must stay loadable for as long as indices written with it exist. */
  public static final String NAME = "MaskSearch104";

  private static final DocValuesFormat BEST_SPEED = new MaskSearch20DocValuesFormat();
  private static final DocValuesFormat BEST_COMPRESSION =
      new MaskSearch20DocValuesFormat(MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION);

  /** The name of the doc-values format that new segments store mask fields in. */
  public static final String CURRENT_MASK_FORMAT = MaskSearch20DocValuesFormat.NAME;

  private final DocValuesFormat docValuesFormat;
  private final DocValuesFormat maskFormat;

  /** For SPI (reading): no field is written as a mask. */
  public MaskCodec() {
    this(new Lucene104Codec(), field -> false);
  }

  /** A codec over {@code delegate} that writes the fields {@code isMaskField} accepts as masks. */
  public MaskCodec(Codec delegate, Predicate<String> isMaskField) {
    this(delegate, isMaskField, MaskSearch20DocValuesFormat.Mode.BEST_SPEED);
  }

  /** The same, writing masks in {@code mode}. */
  public MaskCodec(
      Codec delegate, Predicate<String> isMaskField, MaskSearch20DocValuesFormat.Mode mode) {
    this(NAME, delegate, isMaskField, mode);
  }

  /**
   * For subclasses registered under their own SPI name (such as the OpenSearch plugin's, which adds
   * aliases).
   */
  protected MaskCodec(
      String name,
      Codec delegate,
      Predicate<String> isMaskField,
      MaskSearch20DocValuesFormat.Mode mode) {
    super(name, delegate);
    this.maskFormat =
        mode == MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION ? BEST_COMPRESSION : BEST_SPEED;
    DocValuesFormat delegateFormat = delegate.docValuesFormat();
    this.docValuesFormat =
        new PerFieldDocValuesFormat() {
          @Override
          public DocValuesFormat getDocValuesFormatForField(String field) {
            if (isMaskField.test(field)) {
              return maskFormat(field);
            }
            // Unwrap the delegate's own per-field choice so formats are not nested.
            return delegateFormat instanceof PerFieldDocValuesFormat perField
                ? perField.getDocValuesFormatForField(field)
                : delegateFormat;
          }
        };
  }

  /**
   * The doc-values format that new segments store a mask field in: the current one, in this codec's
   * mode (tests override it to write older versions beside it).
   */
  protected DocValuesFormat maskFormat(String field) {
    return maskFormat;
  }

  @Override
  public final DocValuesFormat docValuesFormat() {
    return docValuesFormat;
  }
}
