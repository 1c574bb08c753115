package dev.masksearch.codec;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.ArrayUtil;

/**
 * Buffers the CHI rows of one shape group (masks of one dtype and grid size) and writes them in column-major
 * blocks, so that a query streams just the columns its ROI and range need. See {@link MaskDocValuesFormat} for the
 * block layout. Memory is bounded by one block per group, and grows with the rows actually buffered.
 */
final class ChiGroupWriter {
  /** Entries (rows x columns) a block holds at most, which bounds the buffer to 4 MiB. */
  private static final int MAX_BLOCK_ENTRIES = 1 << 20;

  /** Bytes of one column header in a block: Min(int32), BitsPerValue(byte), Offset(int32). */
  static final int COLUMN_HEADER_BYTES = 9;

  /** The largest block shift (4096 rows a block). */
  static final int MAX_BLOCK_SHIFT = 12;

  final ChiGroupKey key;
  final int columns;
  final int blockShift;
  private int[] buffer = new int[0]; // grows with the rows of the current block, up to one block
  private int bufferedRows;
  private int size;
  private long[] blockStarts = new long[4];
  private int blocks;

  ChiGroupWriter(ChiGroupKey key, int bins) {
    this.key = key;
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

  /** Adds one mask's CHI entries; returns its ordinal within the group. */
  int add(int[] row, IndexOutput data) throws IOException {
    if (buffer.length < (bufferedRows + 1) * columns) { // many groups of few masks must not each hold a full block
      buffer = ArrayUtil.growExact(buffer, Math.min(1 << blockShift, Math.max(16, 2 * (bufferedRows + 1))) * columns);
    }
    System.arraycopy(row, 0, buffer, bufferedRows * columns, columns);
    bufferedRows++;
    if (bufferedRows == 1 << blockShift) {
      flush(data);
    }
    return size++;
  }

  /** Writes the buffered rows as one block. */
  void flush(IndexOutput data) throws IOException {
    if (bufferedRows == 0) {
      return;
    }
    if (blocks == blockStarts.length) {
      blockStarts = Arrays.copyOf(blockStarts, blocks * 2);
    }
    long blockStart = data.getFilePointer();
    blockStarts[blocks++] = blockStart;
    ByteBuffersDataOutput packed = new ByteBuffersDataOutput();
    long dataStart = (long) columns * COLUMN_HEADER_BYTES;
    for (int c = 0; c < columns; c++) {
      int min = Integer.MAX_VALUE;
      int max = Integer.MIN_VALUE;
      for (int r = 0; r < bufferedRows; r++) {
        int v = buffer[r * columns + c];
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      int bits = FixedWidth.bitsRequired((long) max - min);
      writeHeader(data, min, bits, Math.toIntExact(dataStart + packed.size()));
      int column = c;
      int base = min;
      FixedWidth.write(packed, r -> buffer[r * columns + column] - base, bufferedRows, bits);
    }
    packed.copyTo(data);
    bufferedRows = 0;
  }

  private static void writeHeader(DataOutput out, int min, int bpv, int offset) throws IOException {
    out.writeInt(min);
    out.writeByte((byte) bpv);
    out.writeInt(offset);
  }

  /** Writes the group's meta; call after the last {@link #flush}. */
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
