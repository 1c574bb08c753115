package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import java.io.IOException;
import java.util.Map;
import org.apache.lucene.codecs.DocValuesConsumer;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.DocValuesProducer;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Doc values for mask fields, version 1: each document's mask (a binary doc value in {@link
 * dev.masksearch.mask.MaskBytes} form) is stored compressed, and its Cumulative Histogram Index
 * (CHI) is stored beside it, laid out so that a query reads only the CHI entries its ROI and value
 * range need. The binary doc value reads back unchanged.
 *
 * <p>New segments are written in {@link MaskSearch20DocValuesFormat}, which differs only in how a
 * mask is stored (in tiles, read one at a time); this format stays readable for the indices written
 * with it, and merging them rewrites their masks in tiles. {@code
 * MaskSearch10BackwardsCompatibilityTests} keeps an index of it frozen.
 *
 * <p>The CHI parameters come from the field's attributes {@value #GRID_STEP_ATTRIBUTE} and {@value
 * #BINS_ATTRIBUTE} (see {@link dev.masksearch.document.MaskField}); they are written into the
 * segment, so a reader never depends on the writer's configuration.
 *
 * <h2>Files</h2>
 *
 * <ul>
 *   <li>{@code .mskm}: meta, read entirely when the segment opens;
 *   <li>{@code .mskc}: per-document columns and the CHI blocks;
 *   <li>{@code .mskr}: the compressed masks and their addresses, read only to verify or return a
 *       mask.
 * </ul>
 *
 * Every file starts with {@link org.apache.lucene.codecs.CodecUtil#writeIndexHeader an index
 * header} and ends with a checksum footer.
 *
 * <h2>Meta (.mskm)</h2>
 *
 * <pre>
 * Meta        := Header, Field*, -1 (int32), Footer
 * Field       := FieldNumber(int32), GridStep(vint), Bins(vint),
 *                GroupOf(PackedColumn), Ordinal(PackedColumn), Height(PackedColumn), Width(PackedColumn),
 *                RawAddresses, GroupCount(vint), Group[GroupCount]
 * PackedColumn:= Min(vlong), BitsPerValue(byte), Offset(int64 into .mskc)      -- maxDoc values; see PackedColumn
 * RawAddresses:= RawStart(int64), AddressStart(int64), BlockShift(vint), DirectMonotonicMeta, AddressLength(int64)
 *                -- maxDoc + 1 addresses relative to RawStart, their data at AddressStart in .mskr
 * Group       := DType(byte), GX(vint), GY(vint), Size(vint), BlockShift(byte), BlockCount(vint),
 *                BlockStart(int64 into .mskc)[BlockCount]
 * </pre>
 *
 * GroupOf is 0 for a document without a mask and {@code g + 1} for a mask in group g; Ordinal is
 * the mask's position within its group. A group holds the masks of one dtype and one grid size
 * ({@code GX = ceil(width / GridStep)}, {@code GY = ceil(height / GridStep)}), so its members share
 * one set of CHI columns while their exact heights and widths (which place the last grid line on
 * the mask's edge) come from the Height and Width columns.
 *
 * <h2>CHI blocks (.mskc)</h2>
 *
 * A group's members are split into blocks of {@code 2^BlockShift} consecutive ordinals (the shift
 * keeps a block under 2^20 entries). Within a block the CHI is column-major: column {@code c = ((j
 * - 1) * GX + (i - 1)) * Bins + (l - 1)} holds, for every member, the number of pixels in {@code
 * [0, x_i) x [0, y_j)} whose value bin is at least l (see {@link dev.masksearch.chi.Chi}).
 *
 * <pre>
 * Block        := ColumnHeader[GX * GY * Bins], ColumnData*
 * ColumnHeader := Min(int32), BitsPerValue(byte), Offset(int32, from the block start)   -- fixed width, so column
 *                 c's header sits at BlockStart + 9 c and a query touches only the columns it needs
 * ColumnData   := (count - Min) of the block's members packed by FixedWidth (0, 8, 12, 16, 24 or 32 bits;
 *                 from MaskSearch20 version 5, any width from 1 to 25 bits or 32);
 *                 absent when BitsPerValue = 0
 * </pre>
 *
 * <h2>Masks (.mskr)</h2>
 *
 * <pre>
 * Raw          := Header, CompressedMask*, AddressData, Footer
 * </pre>
 *
 * Document d's compressed mask spans {@code [address(d), address(d + 1))} (empty without a mask);
 * see {@link RawMaskCompression} for the compression.
 *
 * <h2>Corrupt files</h2>
 *
 * A reader reports corruption as a {@link org.apache.lucene.index.CorruptIndexException}, never
 * with another exception or an allocation beyond what the segment's masks need. The meta file is
 * checksummed when the segment opens, and everything in it is checked against the grammar's
 * constraints, {@code maxDoc} and the lengths of the data files. The data files' checksums are
 * verified only by {@code checkIntegrity} (CheckIndex, merges), so values read from them are
 * checked where they are used: a document's group, ordinal, height and width against its group, its
 * mask's address against the field's masks and its compressed length against its shape, a column
 * header's width and data offset against its block, and the inflated size of a mask. A changed CHI
 * count or pixel that is still a valid value cannot be told from a real one without the checksum.
 */
public final class MaskSearch10DocValuesFormat extends DocValuesFormat {
  /** The SPI name; it must stay loadable for as long as indices written with it exist. */
  public static final String NAME = "MaskSearch10";

  // The file extensions and address layout below are shared by MaskSearch20.

  /** Field attribute holding the CHI grid step. */
  public static final String GRID_STEP_ATTRIBUTE = "masksearch.grid_step";

  /** Field attribute holding the CHI bin count. */
  public static final String BINS_ATTRIBUTE = "masksearch.bins";

  static final String META_EXTENSION = "mskm";
  static final String CHI_EXTENSION = "mskc";
  static final String RAW_EXTENSION = "mskr";
  static final int ADDRESS_BLOCK_SHIFT = 14;

  /**
   * The most bytes of CHI rows the shape groups of a field buffer together while it is written;
   * beyond it they spill to a temporary file (thousands of masks of distinct large shapes would
   * otherwise hold a block each).
   */
  static final long MAX_BUFFERED_BYTES = 32L << 20;

  public MaskSearch10DocValuesFormat() {
    super(NAME);
  }

  @Override
  public DocValuesConsumer fieldsConsumer(SegmentWriteState state) throws IOException {
    return new MaskSearchDocValuesConsumer(state, FormatVersion.V10, false, MAX_BUFFERED_BYTES);
  }

  @Override
  public DocValuesProducer fieldsProducer(SegmentReadState state) throws IOException {
    return new MaskSearchDocValuesProducer(state, FormatVersion.V10);
  }

  /** The CHI parameters a field's attributes ask for, or the defaults. */
  static ChiParams paramsOf(FieldInfo field) {
    Map<String, String> attributes = field.attributes();
    String step = attributes.get(GRID_STEP_ATTRIBUTE);
    String bins = attributes.get(BINS_ATTRIBUTE);
    return new ChiParams(
        step == null ? ChiParams.DEFAULT_GRID_STEP : Integer.parseInt(step),
        bins == null ? ChiParams.DEFAULT_BINS : Integer.parseInt(bins));
  }
}
