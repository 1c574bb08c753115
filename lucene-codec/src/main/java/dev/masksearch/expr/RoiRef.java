package dev.masksearch.expr;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;

/**
 * The region an expression counts in: the whole mask ({@code full}), a constant box written in the
 * expression, a constant region of any shape that the request declares by name, or each document's
 * box from a {@code mask_roi} / {@link dev.masksearch.document.BoxField} field.
 *
 * @param region the constant region ({@link Roi#FULL} for {@code full}); null for a box field
 * @param field the box field; null for a constant region
 * @param name the name the request declared the constant region under; null otherwise
 */
record RoiRef(Region region, String field, String name) {
  static final RoiRef FULL = new RoiRef(Roi.FULL, null, null);

  /** Each document's box from {@code field}. */
  static RoiRef boxField(String field) {
    return new RoiRef(null, field, null);
  }

  /** A box written in the expression. */
  static RoiRef box(Roi box) {
    return new RoiRef(box, null, null);
  }

  /** A region the request declared as {@code name}. */
  static RoiRef named(String name, Region region) {
    return new RoiRef(region, null, name);
  }

  @Override
  public String toString() {
    if (field != null) {
      return field;
    }
    if (name != null) {
      return name;
    }
    Roi box = (Roi) region;
    return box.equals(Roi.FULL)
        ? "full"
        : "[" + box.x1() + ", " + box.y1() + ", " + box.x2() + ", " + box.y2() + "]";
  }
}
