package dev.masksearch.document;

import dev.masksearch.mask.Roi;
import org.apache.lucene.document.NumericDocValuesField;

/**
 * A per-document region of interest (an object detector's box), stored as one numeric doc value:
 * the box's four coordinates, each clamped to {@code [0, 65535]}, packed by {@link Roi#pack()}.
 * Clamping keeps the meaning, since CP clips the region to the mask and no mask is larger than 4096
 * pixels.
 */
public final class BoxField extends NumericDocValuesField {
  public BoxField(String name, Roi box) {
    super(name, box.pack());
  }
}
