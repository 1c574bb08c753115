package dev.masksearch.document;

import dev.masksearch.chi.BoxBinCounts;
import dev.masksearch.mask.Roi;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.util.BytesRef;

/**
 * A mask's pixels per CHI bin inside its document's box ({@link BoxBinCounts}), indexed beside the
 * {@link MaskField} and the {@link BoxField}, under {@link #name}: CP queries over that box field
 * then bound every document with one small read, exactly where their range is a union of bins, and
 * read no mask there. Documents without it (indexed before, or without a box) are bounded from the
 * CHI as usual; add it to every document that has both fields, computed from the same mask and box.
 */
public final class BoxBinCountsField extends BinaryDocValuesField {
  /**
   * A {@code mask} field is a leaf, so no user field lives under its name: the suffix cannot
   * collide.
   */
  private static final String SUFFIX = "._box_bin_counts.";

  /** The field of the counts of mask field {@code maskField} inside box field {@code boxField}. */
  public static String name(String maskField, String boxField) {
    return maskField + SUFFIX + boxField;
  }

  /**
   * The counts of the pixels of {@code mask} inside {@code box}, two fields of the same document;
   * made from the fields themselves, so that the counts are those of the values indexed.
   */
  public BoxBinCountsField(MaskField mask, BoxField box) {
    super(
        name(mask.name(), box.name()),
        new BytesRef(
            BoxBinCounts.encode(
                mask.mask(), Roi.unpack(box.numericValue().longValue()), mask.params().bins())));
  }
}
