package dev.masksearch.search;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import java.util.Objects;

/**
 * What a CP query counts: pixels of the mask field {@code field} inside the ROI whose value lies in
 * {@code range}; with {@code normalize}, that count divided by the ROI's area (clipped to the mask;
 * an empty ROI gives 0).
 *
 * @param field the mask field
 * @param roi a constant region (a box or any shape), or null when {@code boxField} gives one per
 *     document
 * @param boxField the {@link dev.masksearch.document.BoxField} holding each document's region, or
 *     null
 * @param range the value range {@code [lv, uv)}
 * @param normalize whether to divide by the ROI's area
 */
public record CpSpec(String field, Region roi, String boxField, ValueRange range, boolean normalize)
    implements ValueSource {
  public CpSpec {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(range, "range");
    if ((roi == null) == (boxField == null)) {
      throw new IllegalArgumentException(
          "a CP query needs exactly one of a constant roi and a box field");
    }
  }

  /** CP over a constant region. */
  public static CpSpec of(String field, Region roi, ValueRange range) {
    return new CpSpec(field, roi, null, range, false);
  }

  /** CP over each document's box. */
  public static CpSpec perDocument(String field, String boxField, ValueRange range) {
    return new CpSpec(field, null, boxField, range, false);
  }

  /** The same count divided by the region's area. */
  public CpSpec normalized() {
    return new CpSpec(field, roi, boxField, range, true);
  }

  /** The value a CP count takes under this spec, for a region of {@code area} pixels. */
  public double value(long count, long area) {
    if (!normalize) {
      return count;
    }
    return area == 0 ? 0 : (double) count / area;
  }

  @Override
  public LeafEvaluator leaf(org.apache.lucene.index.LeafReader reader, SearchGuard guard)
      throws java.io.IOException {
    return leaf(new LeafMaskFields(reader, guard));
  }

  /**
   * The evaluator for a segment, sharing the fields' doc values and CHI cursors with other terms.
   */
  public LeafEvaluator leaf(LeafMaskFields fields) throws java.io.IOException {
    return LeafCpEvaluator.create(fields, this);
  }

  /**
   * The field of the mask's pixels per bin in each document's box ({@link
   * dev.masksearch.document.BoxBinCountsField}), or null for a constant region.
   */
  public String boxBinCountsField() {
    return boxField == null
        ? null
        : dev.masksearch.document.BoxBinCountsField.name(field, boxField);
  }

  @Override
  public java.util.Set<String> fields() {
    return boxField == null ? java.util.Set.of(field) : java.util.Set.of(field, boxField);
  }

  @Override
  public boolean isCacheable(org.apache.lucene.index.LeafReaderContext context) {
    return boxField == null
        ? org.apache.lucene.index.DocValues.isCacheable(context, field)
        : org.apache.lucene.index.DocValues.isCacheable(
            context, field, boxField, boxBinCountsField());
  }

  @Override
  public String toString() {
    String region =
        roi == null
            ? "box:" + boxField
            : switch (roi) {
              case Roi box when box.equals(Roi.FULL) -> "full";
              case Roi box -> box.x1() + "," + box.y1() + "," + box.x2() + "," + box.y2();
              case Shape shape -> shape.toString();
            };
    return (normalize ? "cp_normalized(" : "cp(") + field + ", " + region + ", " + range + ")";
  }
}
