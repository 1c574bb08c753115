package dev.masksearch.codec;

import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiLookup;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.internal.hppc.IntIntHashMap;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;
import org.apache.lucene.util.Accountable;
import org.apache.lucene.util.RamUsageEstimator;

/**
 * Reads the CHI entries of one member of a shape group at a time, in any group of a field. A
 * column's header is read the first time the current block needs it, so a query touches only the
 * headers and data of the columns it asks for. Once a scan has visited {@value #DECODE_AFTER}
 * members of a block, each column it reads is decoded for the whole block with bulk reads, so the
 * rest of the block costs an array load per entry; sparse access never pays for decoding.
 *
 * <p>Memory grows with the columns the current block has opened, never with the columns a grid has
 * (a 4096 x 4096 mask's has 327,680): a hash map from column to slot is cleared when the cursor
 * moves to another block or group. Decoded columns hold at most one block, which the writer keeps
 * under {@code 2^20} entries (4 MiB). {@link #ramBytesUsed()} says what the cursor holds, so a
 * search can account it.
 */
final class ChiBlockCursor implements ChiLookup, Accountable {
  /** Members of a block visited before columns are decoded whole. */
  static final int DECODE_AFTER = 32;

  private static final long SLOT_BYTES =
      Long.BYTES + Integer.BYTES + 1 + 1 + RamUsageEstimator.NUM_BYTES_OBJECT_REF;

  private final RandomAccessInput data;
  private final IndexInput bulk;
  private final IntIntHashMap slotOf = new IntIntHashMap();
  // Per slot: the column's absolute data offset, minimum, bits per value, and its values when
  // decoded.
  private long[] offsets = new long[16];
  private int[] mins = new int[16];
  private byte[] bits = new byte[16];
  private boolean[] isDecoded = new boolean[16];
  private int[][] decoded = new int[16][]; // kept across blocks for reuse
  private long decodedBytes;
  private int slots;
  private byte[] scratch = new byte[0];

  private ChiGroup group;
  private int block = -1;
  private int row;
  private int ordinal = -1;
  private int visitedInBlock;

  /**
   * A cursor reading entries from {@code data}; {@code bulk} (a clone of the same file) decodes
   * whole columns.
   */
  ChiBlockCursor(RandomAccessInput data, IndexInput bulk) {
    this.data = data;
    this.bulk = bulk;
  }

  /**
   * Moves to the member of {@code group} with this ordinal; moving to the current member again
   * changes nothing.
   */
  void seek(ChiGroup group, int ordinal) {
    if (group == this.group && ordinal == this.ordinal) {
      return;
    }
    int b = ordinal >>> group.blockShift;
    if (group != this.group || b != block) {
      this.group = group;
      block = b;
      visitedInBlock = 0;
      slotOf.clear();
      slots = 0;
    }
    this.ordinal = ordinal;
    row = ordinal & ((1 << group.blockShift) - 1);
    visitedInBlock++;
  }

  /**
   * Moves to a block of {@code group} (as a seek to its first member does); returns its number of
   * members.
   */
  int seekBlock(ChiGroup group, int b) {
    seek(group, b << group.blockShift);
    return group.rows(b);
  }

  @Override
  public long count(int i, int j, int level) {
    return entry(Chi.index(group.gx, group.bins, i, j, level));
  }

  @Override
  public long entry(int c) {
    try {
      int slot = slotOf.getOrDefault(c, -1);
      if (slot < 0) {
        slot = open(c);
      }
      if (isDecoded[slot]) {
        return decoded[slot][row];
      }
      if (visitedInBlock > DECODE_AFTER) {
        return decode(slot)[row];
      }
      return mins[slot] + FixedWidth.delta(data, offsets[slot], bits[slot], row);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void entries(int[] indices, int count, long[] out) {
    for (int k = 0; k < count; k++) {
      out[k] = entry(indices[k]);
    }
  }

  @Override
  public int bins() {
    return group.bins;
  }

  /** The current block's values of column c, decoded whole. */
  int[] column(int c) throws IOException {
    int slot = slotOf.getOrDefault(c, -1);
    if (slot < 0) {
      slot = open(c);
    }
    return isDecoded[slot] ? decoded[slot] : decode(slot);
  }

  @Override
  public long ramBytesUsed() {
    return slotOf.ramBytesUsed() + offsets.length * SLOT_BYTES + decodedBytes + scratch.length;
  }

  private int open(int c) throws IOException {
    if (slots == offsets.length) {
      int n = slots * 2;
      offsets = java.util.Arrays.copyOf(offsets, n);
      mins = java.util.Arrays.copyOf(mins, n);
      bits = java.util.Arrays.copyOf(bits, n);
      isDecoded = java.util.Arrays.copyOf(isDecoded, n);
      decoded = java.util.Arrays.copyOf(decoded, n);
    }
    int slot = slots++;
    long header = group.blockStart(block) + (long) c * ChiGroupWriter.COLUMN_HEADER_BYTES;
    mins[slot] = data.readInt(header);
    bits[slot] = data.readByte(header + 4);
    offsets[slot] =
        group.columnDataOffset(
            block, c, bits[slot], data.readInt(header + 5)); // checked: corrupt files
    isDecoded[slot] = false;
    slotOf.put(c, slot);
    return slot;
  }

  private int[] decode(int slot) throws IOException {
    int rows = group.rows(block);
    int[] values = decoded[slot];
    if (values == null || values.length < rows) {
      decodedBytes += 4L * rows - (values == null ? 0 : 4L * values.length);
      values = decoded[slot] = new int[rows];
    }
    int scratchBytes = FixedWidth.scratchBytes(rows);
    if (scratch.length < scratchBytes) {
      scratch = new byte[scratchBytes];
    }
    FixedWidth.decode(bulk, offsets[slot], bits[slot], rows, mins[slot], values, scratch);
    isDecoded[slot] = true;
    return values;
  }
}
