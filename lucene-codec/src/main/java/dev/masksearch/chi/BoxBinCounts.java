package dev.masksearch.chi;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.util.BitUtil;
import org.apache.lucene.util.BytesRef;

/**
 * One mask's pixels inside one box, counted per CHI level when the document is indexed: with them a
 * CP query over a document's own box reads a few bytes instead of bounding the box with CHI
 * look-ups, and its count is exact whenever the query's range is a union of bins (otherwise they
 * bound it as tightly as any CHI could). Written by {@link
 * dev.masksearch.document.BoxBinCountsField}; read one document at a time, reusing one instance.
 *
 * <p>Format of the value (a binary doc value; stays readable forever):
 *
 * <pre>
 * BoxBinCounts := Version(byte = 0), Bins(uint16), Width(byte), AtLeast_0 ... AtLeast_Bins
 * </pre>
 *
 * AtLeast_l is the number of pixels of the box (clipped to the mask) whose bin ({@link BinEdges})
 * is at least l, in Width bytes (1, 2 or 4: the fewest that hold AtLeast_0, the box's area), so
 * that a query reads the two to four levels of its range directly; Bins is the field's CHI bin
 * count. Values of equal width have equal lengths, which Lucene's binary doc values then address
 * without a table.
 */
public final class BoxBinCounts {
  static final byte VERSION = 0;

  private static final int HEADER_BYTES = 4;

  private byte[] bytes;
  private String field;
  private int bins;
  private int levelsStart;
  private int width;

  /** Counts the pixels of {@code box} in {@code mask} by level and encodes them. */
  public static byte[] encode(Mask mask, Roi box, int bins) {
    BinEdges edges = BinEdges.of(mask.dtype(), bins);
    long[] atLeast = new long[bins + 2];
    Roi r = box.clip(mask.width(), mask.height());
    if (!r.isEmpty()) {
      byte[] bytes = mask.dtype() == MaskDType.UINT8 ? mask.rawBytes() : null;
      for (int y = r.y1(); y < r.y2(); y++) {
        int row = y * mask.width();
        for (int i = row + r.x1(); i < row + r.x2(); i++) {
          atLeast[edges.binOf(bytes != null ? bytes[i] & 0xFF : mask.code(i))]++;
        }
      }
      for (int l = bins - 1; l >= 0; l--) { // per bin, then at least each level
        atLeast[l] += atLeast[l + 1];
      }
    }
    int width = atLeast[0] < 1 << 8 ? 1 : atLeast[0] < 1 << 16 ? 2 : 4;
    byte[] encoded = new byte[HEADER_BYTES + (bins + 1) * width];
    encoded[0] = VERSION;
    BitUtil.VH_LE_SHORT.set(encoded, 1, (short) bins);
    encoded[3] = (byte) width;
    for (int l = 0; l <= bins; l++) {
      int at = HEADER_BYTES + l * width;
      switch (width) {
        case 1 -> encoded[at] = (byte) atLeast[l];
        case 2 -> BitUtil.VH_LE_SHORT.set(encoded, at, (short) atLeast[l]);
        default -> BitUtil.VH_LE_INT.set(encoded, at, (int) atLeast[l]);
      }
    }
    return encoded;
  }

  /**
   * Reads a document's value, written for a field of {@code bins} bins; throws when it is not one
   * this class writes. The value's bytes must stay unchanged until the next read.
   */
  public BoxBinCounts read(BytesRef value, int bins, String field) throws CorruptIndexException {
    if (value.length < HEADER_BYTES) {
      throw corrupt(field, value.length + " bytes");
    }
    int at = value.offset;
    int version = value.bytes[at];
    int stored = (short) BitUtil.VH_LE_SHORT.get(value.bytes, at + 1) & 0xFFFF;
    width = value.bytes[at + 3];
    if (version != VERSION || stored != bins || (width != 1 && width != 2 && width != 4)) {
      throw corrupt(
          field,
          "version " + version + ", " + stored + " bins of " + width + " bytes, not " + bins);
    }
    levelsStart = at + HEADER_BYTES;
    if (value.length - HEADER_BYTES != (bins + 1) * width) {
      throw corrupt(field, value.length + " bytes for " + (bins + 1) + " levels of " + width);
    }
    this.bytes = value.bytes;
    this.field = field;
    this.bins = bins;
    return this;
  }

  private static CorruptIndexException corrupt(String field, String problem) {
    return new CorruptIndexException("box bin counts of [" + field + "]: " + problem, field);
  }

  /** The box's pixels (clipped to the mask) of the last read. */
  public long area() {
    return atLeast(0);
  }

  /** The box's pixels whose bin is at least {@code level} (0 .. bins + 1), of the last read. */
  public long atLeast(int level) {
    if (level > bins) {
      return 0; // no bin is that high
    }
    int at = levelsStart + level * width;
    return switch (width) {
      case 1 -> bytes[at] & 0xFFL;
      case 2 -> (short) BitUtil.VH_LE_SHORT.get(bytes, at) & 0xFFFFL;
      default -> (int) BitUtil.VH_LE_INT.get(bytes, at) & 0xFFFFFFFFL;
    };
  }

  /**
   * Bounds CP over the last read's box for a range's levels, as the CHI would at best; {@code
   * boxArea}, the document's box clipped to its mask, checks the counts are that box's.
   */
  public void bound(BinEdges.Levels levels, long boxArea, CpBounds out)
      throws CorruptIndexException {
    if (area() != boxArea) {
      throw corrupt(field, "counts " + area() + " pixels in a box of " + boxArea);
    }
    out.lower = atLeast(levels.innerFrom()) - atLeast(levels.innerTo());
    out.upper = atLeast(levels.outerFrom()) - atLeast(levels.outerTo());
    if (out.lower < 0 || out.lower > out.upper || out.upper > boxArea) {
      throw corrupt(field, "levels that do not decrease within the box");
    }
  }
}
