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
 * headers and data of the columns it asks for. A column read more than an eighth of a block's
 * members times ({@link #DECODE_AFTER_SHIFT}), in a block of at least {@value #DECODE_MIN_ROWS}
 * members, is decoded for the whole block with bulk reads, so the rest of the block costs an array
 * load per entry; a column read a few times in a block never pays for decoding (reads count, not
 * members: one member's reads of two levels that share a column count twice).
 *
 * <p>Memory grows with the columns the current block has opened, never with the columns of a large
 * grid (a 4096 x 4096 mask's has 327,680): a map from column to slot (arrays for grids of up to
 * {@value #DENSE_COLUMNS} columns, a hash map beyond) is cleared when the cursor moves to another
 * block or group. Decoded columns hold one block's values (the writer keeps a block under {@code
 * 2^20} entries) in arrays reused across blocks at the largest size seen. {@link #ramBytesUsed()}
 * says what the cursor holds, so a search can account it.
 */
final class ChiBlockCursor implements ChiLookup, Accountable {
  /**
   * A column read more than {@code rows >>> DECODE_AFTER_SHIFT} times (an eighth of the members) in
   * the current block is decoded whole: about where decoding a block's column costs as much as
   * reading that many entries one by one. A column every document reads (a constant ROI's first
   * stage) is decoded early in the block; the few documents of a block that a second stage refines,
   * or boxes of each document's own, read entry by entry. Measured with {@code WorkloadBenchmark}
   * (blocks of 1,024): the 1% constant-ROI filter 2.17 -> 1.90 ms against decoding after 4 reads,
   * the per-image box workloads unchanged or faster.
   */
  static final int DECODE_AFTER_SHIFT = 3;

  /**
   * Blocks of fewer members are read entry by entry (except through {@link #column}, which a block
   * scan asks for): a few reads cost less than decoding, and a small segment of a large grid would
   * otherwise hold a decoded copy of every column read.
   */
  static final int DECODE_MIN_ROWS = 64;

  private static final long SLOT_BYTES =
      Long.BYTES + 2 * Integer.BYTES + 1 + 1 + RamUsageEstimator.NUM_BYTES_OBJECT_REF;

  private final RandomAccessInput data;
  private final IndexInput bulk;

  /**
   * Groups with at most this many columns map a column to its slot through two arrays (one load per
   * entry, 512 KiB at most); larger grids through a hash map, so that memory follows the columns
   * read rather than the grid.
   */
  static final int DENSE_COLUMNS = 1 << 16;

  private final IntIntHashMap hashSlots = new IntIntHashMap();
  // hashSlots' size, kept as it grows: searches read it per document
  private long hashSlotsBytes = hashSlots.ramBytesUsed();
  private boolean dense;
  // Dense: the slot of column c is denseSlot[c] while denseStamp[c] == generation, so moving to
  // another block clears the map in constant time.
  private int[] denseSlot = new int[0];
  private int[] denseStamp = new int[0];
  private int generation = 1;
  // Per slot: the column's absolute data offset, minimum, bits per value, and its values when
  // decoded.
  private long[] offsets = new long[16];
  private int[] mins = new int[16];
  private byte[] bits = new byte[16];
  private boolean[] isDecoded = new boolean[16];
  private int[] hits = new int[16];
  private int[][] decoded = new int[16][]; // kept across blocks for reuse
  private long decodedBytes;
  private int slots;
  private byte[] scratch = new byte[0];

  private ChiGroup group;
  private int block = -1;
  // reads of a column in the current block before it is decoded (never in a block of fewer than
  // DECODE_MIN_ROWS members)
  private int decodeAfter;
  private int row;
  private int ordinal = -1;

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
      int rows = group.rows(b);
      decodeAfter = rows >= DECODE_MIN_ROWS ? rows >>> DECODE_AFTER_SHIFT : Integer.MAX_VALUE;
      clearSlots(group);
      slots = 0;
    }
    this.ordinal = ordinal;
    row = ordinal & ((1 << group.blockShift) - 1);
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
      int slot = slotOf(c);
      if (slot < 0) {
        slot = open(c);
      }
      if (isDecoded[slot]) {
        return decoded[slot][row];
      }
      if (++hits[slot] > decodeAfter) {
        return decode(slot)[row];
      }
      return mins[slot] + FixedWidth.delta(data, offsets[slot], bits[slot], row);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Two passes: the first opens each entry's column, counts its read (decoding the column once it
   * is read often enough) and answers from decoded columns; the second, when some entries are left,
   * makes their single reads in a loop of nothing else. A document's entries lie in as many
   * columns, a cache miss each in a large block; issued back to back, the misses overlap instead of
   * each waiting behind the bookkeeping of the one before.
   */
  @Override
  public void entries(int[] indices, int count, long[] out) {
    try {
      boolean singleReads = false;
      for (int k = 0; k < count; k++) {
        int slot = slotOf(indices[k]);
        if (slot < 0) {
          slot = open(indices[k]);
        }
        if (isDecoded[slot]) {
          out[k] = decoded[slot][row];
        } else if (++hits[slot] > decodeAfter) {
          out[k] = decode(slot)[row];
        } else {
          singleReads = true;
        }
      }
      if (!singleReads) {
        return;
      }
      // every entry again (a column may have been decoded after an entry of it was passed over)
      for (int k = 0; k < count; k++) {
        int slot = slotOf(indices[k]);
        out[k] =
            isDecoded[slot]
                ? decoded[slot][row]
                : mins[slot] + FixedWidth.delta(data, offsets[slot], bits[slot], row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public int bins() {
    return group.bins;
  }

  /** The current block's values of column c, decoded whole. */
  int[] column(int c) throws IOException {
    int slot = slotOf(c);
    if (slot < 0) {
      slot = open(c);
    }
    return isDecoded[slot] ? decoded[slot] : decode(slot);
  }

  @Override
  public long ramBytesUsed() {
    return hashSlotsBytes
        + 8L * denseSlot.length
        + offsets.length * SLOT_BYTES
        + decodedBytes
        + scratch.length;
  }

  private int slotOf(int c) {
    if (dense) {
      return denseStamp[c] == generation ? denseSlot[c] : -1;
    }
    return hashSlots.getOrDefault(c, -1);
  }

  /** Forgets every opened column, for a new block of {@code group}. */
  private void clearSlots(ChiGroup group) {
    hashSlots.clear();
    dense = group.columns() <= DENSE_COLUMNS;
    if (dense && denseSlot.length < group.columns()) {
      denseSlot = new int[group.columns()];
      denseStamp = new int[group.columns()];
      generation = 1;
    } else if (++generation == 0) { // wrapped: stamps of 0 must mean "not opened"
      java.util.Arrays.fill(denseStamp, 0);
      generation = 1;
    }
  }

  private int open(int c) throws IOException {
    if (slots == offsets.length) {
      int n = slots * 2;
      offsets = java.util.Arrays.copyOf(offsets, n);
      mins = java.util.Arrays.copyOf(mins, n);
      bits = java.util.Arrays.copyOf(bits, n);
      isDecoded = java.util.Arrays.copyOf(isDecoded, n);
      hits = java.util.Arrays.copyOf(hits, n);
      decoded = java.util.Arrays.copyOf(decoded, n);
    }
    long header = group.blockStart(block) + (long) c * ChiGroupWriter.COLUMN_HEADER_BYTES;
    int width = data.readByte(header + 4) & 0xFF;
    if (width == ChiGroupWriter.REPEATS_LEVEL_BELOW) {
      // the level below's column, shared: at most `bins` opens deep, once per column and block
      group.checkRepeat(block, c);
      int below = slotOf(c - 1);
      int slot = below >= 0 ? below : open(c - 1);
      mapColumn(c, slot);
      return slot;
    }
    int slot = slots++;
    mins[slot] = data.readInt(header);
    bits[slot] = (byte) width;
    offsets[slot] =
        group.columnDataOffset(
            block, c, bits[slot], data.readInt(header + 5)); // checked: corrupt files
    isDecoded[slot] = false;
    hits[slot] = 0;
    mapColumn(c, slot);
    return slot;
  }

  private void mapColumn(int c, int slot) {
    if (dense) {
      denseSlot[c] = slot;
      denseStamp[c] = generation;
    } else {
      hashSlots.put(c, slot);
      hashSlotsBytes = hashSlots.ramBytesUsed();
    }
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
