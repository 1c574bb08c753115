package dev.masksearch.codec;

import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import java.io.IOException;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.IndexInput;

/**
 * The read side of one shape group: its meta, checked; {@link ChiBlockCursor} reads its
 * column-major CHI blocks.
 */
final class ChiGroup {
  final MaskDType dtype;
  final int gx;
  final int gy;
  final int size;
  final int bins;
  final int blockShift;
  private final boolean repeatLevels;
  private final boolean exactWidths;
  private final int columns;
  private final long[] blockStarts;

  private final FileBody chi;

  private ChiGroup(
      MaskDType dtype,
      int gx,
      int gy,
      int size,
      int bins,
      int blockShift,
      boolean repeatLevels,
      boolean exactWidths,
      long[] blockStarts,
      FileBody chi) {
    this.dtype = dtype;
    this.gx = gx;
    this.gy = gy;
    this.size = size;
    this.bins = bins;
    this.columns = gx * gy * bins;
    this.blockShift = blockShift;
    this.repeatLevels = repeatLevels;
    this.exactWidths = exactWidths;
    this.blockStarts = blockStarts;
    this.chi = chi;
  }

  /**
   * Reads a group's meta and checks it against the field's parameters, the segment's {@code maxDoc}
   * and the {@code .mskc} body: a grid that a mask within {@link Mask#MAX_SIDE} has, a CHI within
   * {@link ChiParams#MAX_ENTRIES_PER_MASK}, the block shift and count that the size implies, and
   * increasing blocks whose column headers lie inside the file. So a cursor's per-column arrays
   * never outgrow the file, and block look-ups stay in bounds. {@code repeatLevels} and {@code
   * exactWidths}: whether the files' version writes columns that repeat the level below and columns
   * at any width ({@link FixedWidth#exactBitsRequired}).
   */
  static ChiGroup readMeta(
      IndexInput meta,
      ChiParams params,
      int maxDoc,
      FileBody chi,
      boolean repeatLevels,
      boolean exactWidths)
      throws IOException {
    int dtypeId = meta.readByte();
    MaskDType dtype;
    try {
      dtype = MaskBytes.dtypeOf(dtypeId);
    } catch (MaskFormatException e) {
      throw new CorruptIndexException("group: unknown dtype id " + dtypeId, meta, e);
    }
    int maxCells = ChiGrid.cells(Mask.MAX_SIDE, params.gridStep());
    int gx = meta.readVInt();
    int gy = meta.readVInt();
    if (gx < 1 || gy < 1 || gx > maxCells || gy > maxCells) {
      throw new CorruptIndexException(
          "group: grid " + gx + " x " + gy + " outside [1, " + maxCells + "]", meta);
    }
    long cells = (long) gx * gy;
    if (cells * (params.bins() + 1L) > ChiParams.MAX_ENTRIES_PER_MASK) {
      throw new CorruptIndexException(
          "group: grid "
              + gx
              + " x "
              + gy
              + " with "
              + params.bins()
              + " bins has more CHI entries than a mask may",
          meta);
    }
    int columns = (int) cells * params.bins();
    int size = meta.readVInt();
    if (size < 1 || size > maxDoc) {
      throw new CorruptIndexException("group: size " + size + " outside [1, " + maxDoc + "]", meta);
    }
    int blockShift = meta.readByte();
    if (blockShift != ChiGroupWriter.blockShiftFor(columns)) {
      throw new CorruptIndexException(
          "group: block shift " + blockShift + " for " + columns + " columns", meta);
    }
    int blockCount = meta.readVInt();
    if (blockCount != (size + (1 << blockShift) - 1) >>> blockShift) {
      throw new CorruptIndexException(
          "group: " + blockCount + " blocks for " + size + " members", meta);
    }
    if ((long) blockCount * Long.BYTES
        > meta.length() - meta.getFilePointer() - CodecUtil.footerLength()) {
      throw new CorruptIndexException(
          "group: " + blockCount + " block starts run past the end", meta);
    }
    long headerBytes = (long) columns * ChiGroupWriter.COLUMN_HEADER_BYTES;
    long[] blockStarts = new long[blockCount];
    long after = chi.start(); // blocks are written in order, each after the previous one's headers
    for (int b = 0; b < blockCount; b++) {
      blockStarts[b] = meta.readLong();
      if (blockStarts[b] < after || !chi.contains(blockStarts[b], headerBytes)) {
        throw new CorruptIndexException(
            "group: block "
                + b
                + " at "
                + blockStarts[b]
                + " with "
                + headerBytes
                + " bytes of column headers does not follow the previous block inside "
                + chi.name(),
            meta);
      }
      after = blockStarts[b] + headerBytes;
    }
    return new ChiGroup(
        dtype,
        gx,
        gy,
        size,
        params.bins(),
        blockShift,
        repeatLevels,
        exactWidths,
        blockStarts,
        chi);
  }

  /** The members of block b. */
  int rows(int block) {
    return Math.min(1 << blockShift, size - (block << blockShift));
  }

  /**
   * The absolute offset of column c's data in block b, from the width and relative offset in its
   * header; throws unless the width is one that the files' version writes and the data lies after
   * the block's column headers and inside the file. For a cursor's column-open code: once per
   * column and block, never per entry.
   */
  long columnDataOffset(int block, int column, int bits, int relativeOffset)
      throws CorruptIndexException {
    long offset = blockStarts[block] + relativeOffset;
    if (!(exactWidths ? FixedWidth.isSupported(bits) : FixedWidth.isByteFriendly(bits))
        || relativeOffset < (long) columns * ChiGroupWriter.COLUMN_HEADER_BYTES
        || !chi.contains(offset, FixedWidth.byteLength(rows(block), bits))) {
      throw new CorruptIndexException(
          "column "
              + column
              + " of block "
              + block
              + ": "
              + rows(block)
              + " values of "
              + bits
              + " bits at "
              + offset
              + " do not lie in the block",
          chi.name());
    }
    return offset;
  }

  /**
   * Throws unless column c of block b may repeat the level below ({@link
   * ChiGroupWriter#REPEATS_LEVEL_BELOW}): the files' version writes repeats, and c is not a cell's
   * first level.
   */
  void checkRepeat(int block, int column) throws CorruptIndexException {
    if (!repeatLevels || column % bins == 0) {
      throw new CorruptIndexException(
          "column "
              + column
              + " of block "
              + block
              + " says it repeats the level below, which "
              + (repeatLevels ? "a cell's first level has not" : "this version does not write"),
          chi.name());
    }
  }

  /** CHI columns per member: grid cells times stored levels. */
  int columns() {
    return columns;
  }

  /** Where block b of this group's CHI starts in the {@code .mskc} file. */
  long blockStart(int b) {
    return blockStarts[b];
  }
}
