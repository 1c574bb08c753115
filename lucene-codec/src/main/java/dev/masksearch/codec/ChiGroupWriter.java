package dev.masksearch.codec;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.packed.PackedInts;
import org.apache.lucene.util.packed.PackedLongValues;

/**
 * Buffers the CHI rows of one shape group (masks of one dtype and grid size) and writes them in
 * column-major blocks, so that a query streams just the columns its ROI and range need. See {@link
 * MaskSearch10DocValuesFormat} for the block layout. In memory a group holds at most one block
 * (under 2^20 entries), growing with the rows actually buffered; when the field's groups together
 * hold more than the writer allows, the writer {@link #spill}s them to a temporary file and writes
 * their remaining blocks when the field is finished ({@link #finishSpilled}), one block in memory
 * at a time.
 */
final class ChiGroupWriter {
  /** Entries (rows x columns) a block holds at most, which bounds the buffer to 4 MiB. */
  private static final int MAX_BLOCK_ENTRIES = 1 << 20;

  /** Bytes of one column header in a block: Min(int32), BitsPerValue(byte), Offset(int32). */
  static final int COLUMN_HEADER_BYTES = 9;

  /** The largest block shift (4096 rows a block). */
  static final int MAX_BLOCK_SHIFT = 12;

  /**
   * A column header's BitsPerValue when the column equals the column of the level below ({@code c -
   * 1}) for every member of the block, so that it has no data (MaskSearch20 version 1 on). Binary
   * and segmentation masks put every pixel in the first or the top bin, so all their levels but one
   * repeat.
   */
  static final int REPEATS_LEVEL_BELOW = 0xFF;

  final ChiGroupKey key;
  final int columns;
  final int blockShift;
  private final int bins;
  private final boolean repeatLevels;
  private final boolean exactWidths;
  private int[] buffer = new int[0]; // grows with the rows of the current block, up to one block
  private int bufferedRows;
  private int size;
  private long[] blockStarts = new long[4];
  private int blocks;

  /**
   * Once spilled: where each row after the last written block starts in the spill file, in ordinal
   * order.
   */
  private PackedLongValues.Builder spilled;

  /**
   * A group writer; {@code repeatLevels}: whether a column that repeats the level below is written
   * as {@link #REPEATS_LEVEL_BELOW} (MaskSearch20 version 1 on) or in full; {@code exactWidths}:
   * whether a column takes the narrowest width that holds it ({@link FixedWidth#exactBitsRequired},
   * MaskSearch20 version 5 on) or the narrowest byte-friendly one.
   */
  ChiGroupWriter(ChiGroupKey key, int bins, boolean repeatLevels, boolean exactWidths) {
    this.key = key;
    this.bins = bins;
    this.repeatLevels = repeatLevels;
    this.exactWidths = exactWidths;
    this.columns = key.gx() * key.gy() * bins;
    this.blockShift = blockShiftFor(columns);
  }

  static int blockShiftFor(int columns) {
    int shift = MAX_BLOCK_SHIFT;
    while (shift > 0 && ((long) columns << shift) > MAX_BLOCK_ENTRIES) {
      shift--;
    }
    return shift;
  }

  /**
   * Adds one mask's CHI entries, buffered or (once spilled) appended to {@code spill}; returns its
   * ordinal.
   */
  int add(int[] row, IndexOutput data, IndexOutput spill) throws IOException {
    if (spilled != null) {
      writeRow(row, 0, spill);
      return size++;
    }
    if (buffer.length
        < (bufferedRows + 1)
            * columns) { // many groups of few masks must not each hold a full block
      int rows =
          Math.min(1 << blockShift, ArrayUtil.oversize(bufferedRows + 1, Integer.BYTES * columns));
      buffer = ArrayUtil.growExact(buffer, rows * columns);
    }
    System.arraycopy(row, 0, buffer, bufferedRows * columns, columns);
    bufferedRows++;
    if (bufferedRows == 1 << blockShift) {
      writeBlock(buffer, bufferedRows, data);
      bufferedRows = 0;
    }
    return size++;
  }

  /** The bytes this group's buffer holds. */
  long bufferedBytes() {
    return (long) Integer.BYTES * buffer.length;
  }

  /**
   * Moves the buffered rows to {@code spill} and frees the buffer; from now on rows go to the spill
   * file.
   */
  void spill(IndexOutput spill) throws IOException {
    if (spilled == null) {
      spilled = PackedLongValues.monotonicBuilder(PackedInts.COMPACT);
    }
    for (int r = 0; r < bufferedRows; r++) {
      writeRow(buffer, r * columns, spill);
    }
    bufferedRows = 0;
    buffer = new int[0];
  }

  private void writeRow(int[] values, int from, IndexOutput spill) throws IOException {
    spilled.add(spill.getFilePointer());
    for (int c = 0; c < columns; c++) {
      spill.writeInt(values[from + c]);
    }
  }

  /** Writes the buffered rows as the group's last block; call when the field is finished. */
  void flush(IndexOutput data) throws IOException {
    if (bufferedRows > 0) {
      writeBlock(buffer, bufferedRows, data);
      bufferedRows = 0;
    }
  }

  /**
   * Writes the blocks of the rows spilled to {@code spill} (closed and reopened for reading), one
   * at a time.
   */
  void finishSpilled(IndexInput spill, IndexOutput data) throws IOException {
    if (spilled == null) {
      return;
    }
    PackedLongValues.Iterator starts = spilled.build().iterator();
    int rows = (int) Math.min(1L << blockShift, Math.max(1, size));
    int[] block = new int[rows * columns];
    int inBlock = 0;
    while (starts.hasNext()) {
      spill.seek(starts.next());
      spill.readInts(block, inBlock * columns, columns);
      if (++inBlock == 1 << blockShift) {
        writeBlock(block, inBlock, data);
        inBlock = 0;
      }
    }
    if (inBlock > 0) {
      writeBlock(block, inBlock, data);
    }
    spilled = null;
  }

  /** Writes {@code rows} rows of {@code values} (row-major) as one column-major block. */
  private void writeBlock(int[] values, int rows, IndexOutput data) throws IOException {
    if (blocks == blockStarts.length) {
      blockStarts = Arrays.copyOf(blockStarts, blocks * 2);
    }
    long blockStart = data.getFilePointer();
    blockStarts[blocks++] = blockStart;
    ByteBuffersDataOutput packed = new ByteBuffersDataOutput();
    long dataStart = (long) columns * COLUMN_HEADER_BYTES;
    for (int c = 0; c < columns; c++) {
      if (repeatLevels && c % bins != 0 && repeatsLevelBelow(values, rows, c)) {
        writeHeader(data, 0, REPEATS_LEVEL_BELOW, 0);
        continue;
      }
      int min = Integer.MAX_VALUE;
      int max = Integer.MIN_VALUE;
      for (int r = 0; r < rows; r++) {
        int v = values[r * columns + c];
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      int bits =
          exactWidths
              ? FixedWidth.exactBitsRequired((long) max - min)
              : FixedWidth.bitsRequired((long) max - min);
      writeHeader(data, min, bits, Math.toIntExact(dataStart + packed.size()));
      int column = c;
      int base = min;
      FixedWidth.write(packed, r -> values[r * columns + column] - base, rows, bits);
    }
    packed.copyTo(data);
  }

  /** Whether column c equals column c - 1 (the same cell, one level below) in every row. */
  private boolean repeatsLevelBelow(int[] values, int rows, int c) {
    for (int r = 0; r < rows; r++) {
      if (values[r * columns + c] != values[r * columns + c - 1]) {
        return false;
      }
    }
    return true;
  }

  private static void writeHeader(DataOutput out, int min, int bpv, int offset) throws IOException {
    out.writeInt(min);
    out.writeByte((byte) bpv);
    out.writeInt(offset);
  }

  /** Writes the group's meta; call after the last block is written. */
  void writeMeta(DataOutput meta) throws IOException {
    meta.writeByte((byte) key.dtypeId());
    meta.writeVInt(key.gx());
    meta.writeVInt(key.gy());
    meta.writeVInt(size);
    meta.writeByte((byte) blockShift);
    meta.writeVInt(blocks);
    for (int b = 0; b < blocks; b++) {
      meta.writeLong(blockStarts[b]);
    }
  }
}
