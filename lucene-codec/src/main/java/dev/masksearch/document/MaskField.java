package dev.masksearch.document;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskSearch10DocValuesFormat;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.util.BytesRef;

/**
 * A document's mask: a binary doc value in {@link MaskBytes} form, whose field type carries the CHI
 * parameters as field attributes for the mask doc-values formats ({@link
 * MaskSearch10DocValuesFormat}). One mask per field and document.
 */
public final class MaskField extends Field {
  private final Mask mask;
  private final ChiParams params;

  /** A mask field with the default CHI parameters. */
  public MaskField(String name, Mask mask) {
    this(name, mask, ChiParams.DEFAULT);
  }

  /**
   * A mask field whose segments build the CHI with {@code params}; use the same params for every
   * document.
   */
  public MaskField(String name, Mask mask, ChiParams params) {
    super(name, new BytesRef(MaskBytes.encode(checkFits(mask, params))), fieldType(params));
    this.mask = mask;
    this.params = params;
  }

  /** The CHI parameters the field was made with. */
  public ChiParams params() {
    return params;
  }

  /** The mask, for fields computed from it in the same document ({@link BoxBinCountsField}). */
  public Mask mask() {
    return mask;
  }

  private static Mask checkFits(Mask mask, ChiParams params) {
    params.checkFits(mask.height(), mask.width());
    return mask;
  }

  /** The field type of mask fields with these CHI parameters. */
  public static FieldType fieldType(ChiParams params) {
    FieldType type = new FieldType();
    type.setDocValuesType(DocValuesType.BINARY);
    type.putAttribute(
        MaskSearch10DocValuesFormat.GRID_STEP_ATTRIBUTE, Integer.toString(params.gridStep()));
    type.putAttribute(MaskSearch10DocValuesFormat.BINS_ATTRIBUTE, Integer.toString(params.bins()));
    type.freeze();
    return type;
  }
}
