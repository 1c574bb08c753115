package dev.masksearch.expr;

import dev.masksearch.mask.Roi;

/**
 * The region an expression counts in: the whole mask ({@code full}), a constant box, or each
 * document's box from a {@code mask_roi} / {@link dev.masksearch.document.BoxField} field.
 *
 * @param box the constant region ({@link Roi#FULL} for {@code full}); null for a box field
 * @param field the box field; null for a constant region
 */
record RoiRef(Roi box, String field) {
  static final RoiRef FULL = new RoiRef(Roi.FULL, null);

  @Override
  public String toString() {
    if (field != null) {
      return field;
    }
    return box.equals(Roi.FULL)
        ? "full"
        : "[" + box.x1() + ", " + box.y1() + ", " + box.x2() + ", " + box.y2() + "]";
  }
}
