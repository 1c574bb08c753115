package dev.masksearch.codec;

import dev.masksearch.mask.Mask;
import java.io.IOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.RandomAccessInput;

/**
 * A field's per-document columns in {@code .mskc} (group number, ordinal in the group, height,
 * width), each value checked against the field's groups as it is read: a corrupt value is reported
 * before it indexes an array, sizes an allocation or places a grid line. The checks cost a few
 * comparisons per value, and the ordinal, height and width each read the group column again.
 */
final class DocColumns {
  /** Random access to one column by document. */
  @FunctionalInterface
  interface Column {
    long get(long doc) throws IOException;
  }

  /** 0 for a document without a mask, {@code g + 1} for a mask in group g. */
  final Column groupOf = this::group;

  /** The mask's position in its group: below the group's size. */
  final Column ordinal = this::ordinal;

  /** The mask's height: within {@link Mask#MAX_SIDE}, and in the group's last row of grid cells. */
  final Column heights = this::height;

  /**
   * The mask's width: within {@link Mask#MAX_SIDE}, and in the group's last column of grid cells.
   */
  final Column widths = this::width;

  private final FixedWidth.Reader groups;
  private final FixedWidth.Reader ordinals;
  private final FixedWidth.Reader heightValues;
  private final FixedWidth.Reader widthValues;
  private final ChiGroup[] groupMeta;
  private final int gridStep;
  private final String resource;

  DocColumns(
      PackedColumn groupOf,
      PackedColumn ordinal,
      PackedColumn height,
      PackedColumn width,
      ChiGroup[] groups,
      int gridStep,
      RandomAccessInput chiData,
      String resource) {
    this.groups = groupOf.open(chiData);
    this.ordinals = ordinal.open(chiData);
    this.heightValues = height.open(chiData);
    this.widthValues = width.open(chiData);
    this.groupMeta = groups;
    this.gridStep = gridStep;
    this.resource = resource;
  }

  private long group(long doc) throws IOException {
    long g = groups.get(doc);
    if (g > groupMeta.length) { // never negative: the column's minimum is checked on open
      throw new CorruptIndexException(
          "document " + doc + " is in group " + g + " of " + groupMeta.length, resource);
    }
    return g;
  }

  private long ordinal(long doc) throws IOException {
    long o = ordinals.get(doc);
    long g = group(doc);
    if (g != 0 && o >= groupMeta[(int) g - 1].size) {
      throw new CorruptIndexException(
          "document "
              + doc
              + " has ordinal "
              + o
              + " in group "
              + (g - 1)
              + " of "
              + groupMeta[(int) g - 1].size
              + " masks",
          resource);
    }
    return o;
  }

  private long height(long doc) throws IOException {
    return side(doc, heightValues.get(doc), true);
  }

  private long width(long doc) throws IOException {
    return side(doc, widthValues.get(doc), false);
  }

  /**
   * A mask's height (vertical) or width, which must place its edge in the last cell of its group's
   * grid.
   */
  private long side(long doc, long length, boolean vertical) throws IOException {
    long g = group(doc);
    if (g != 0) {
      ChiGroup group = groupMeta[(int) g - 1];
      int cells = vertical ? group.gy : group.gx;
      if (!fitsCells(length, cells, gridStep)) {
        throw new CorruptIndexException(
            "document "
                + doc
                + " has "
                + (vertical ? "height " : "width ")
                + length
                + ", but its group's grid has "
                + cells
                + (vertical ? " rows" : " columns")
                + " of "
                + gridStep
                + " pixels",
            resource);
      }
    }
    return length;
  }

  /**
   * Whether a mask side of {@code length} pixels has {@code cells} grid cells: ceil(length / step),
   * no division.
   */
  static boolean fitsCells(long length, int cells, int step) {
    return length <= Mask.MAX_SIDE
        && length <= (long) cells * step
        && length > (long) (cells - 1) * step;
  }
}
