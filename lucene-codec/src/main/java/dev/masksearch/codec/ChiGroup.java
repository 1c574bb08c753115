package dev.masksearch.codec;

import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiLookup;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;

/** The read side of one shape group: its meta, and {@link Cursor}s over its column-major CHI blocks. */
final class ChiGroup {
  final MaskDType dtype;
  final int gx;
  final int gy;
  final int size;
  private final int bins;
  private final int columns;
  private final int blockShift;
  private final long[] blockStarts;

  private ChiGroup(MaskDType dtype, int gx, int gy, int size, int bins, int blockShift, long[] blockStarts) {
    this.dtype = dtype;
    this.gx = gx;
    this.gy = gy;
    this.size = size;
    this.bins = bins;
    this.columns = gx * gy * bins;
    this.blockShift = blockShift;
    this.blockStarts = blockStarts;
  }

  static ChiGroup readMeta(DataInput meta, int bins) throws IOException {
    MaskDType dtype = MaskBytes.dtypeOf(meta.readByte());
    int gx = meta.readVInt();
    int gy = meta.readVInt();
    int size = meta.readVInt();
    int blockShift = meta.readByte();
    long[] blockStarts = new long[meta.readVInt()];
    for (int b = 0; b < blockStarts.length; b++) {
      blockStarts[b] = meta.readLong();
    }
    return new ChiGroup(dtype, gx, gy, size, bins, blockShift, blockStarts);
  }

  /** A cursor reading entries from {@code data}; {@code bulk} (a clone of the same file) decodes whole columns. */
  Cursor cursor(RandomAccessInput data, IndexInput bulk) {
    return new Cursor(data, bulk);
  }

  /**
   * Reads the CHI entries of one group member at a time. A column's header is read the first time the current
   * block needs it, so a query touches only the headers and data of the columns it asks for. Once a scan has
   * visited {@value #DECODE_AFTER} members of a block, each column it reads is decoded for the whole block with
   * bulk reads, so the rest of the block costs an array load per entry; sparse access never pays for decoding.
   */
  final class Cursor implements ChiLookup {
    /** Members of a block visited before columns are decoded whole. */
    static final int DECODE_AFTER = 32;

    private final RandomAccessInput data;
    private final IndexInput bulk;
    // Per column, valid for the current block only when its stamp equals the block's: moving to another block
    // costs nothing however many columns a grid has (a 4096 x 4096 mask's has 327,680).
    private final int[] openedIn = new int[columns];
    private final int[] decodedIn = new int[columns];
    private final long[] offsets = new long[columns]; // absolute data offset of each opened column
    private final int[] mins = new int[columns];
    private final byte[] bits = new byte[columns];
    private final int[][] decoded = new int[columns][]; // per column, reused across blocks
    private final byte[] scratch = new byte[FixedWidth.scratchBytes(1 << blockShift)];
    private int block = -1;
    private int row;
    private int visitedInBlock;

    private Cursor(RandomAccessInput data, IndexInput bulk) {
      this.data = data;
      this.bulk = bulk;
    }

    /** Moves to the group member with this ordinal. */
    void seek(int ordinal) {
      int b = ordinal >>> blockShift;
      if (b != block) {
        block = b;
        visitedInBlock = 0;
      }
      row = ordinal & ((1 << blockShift) - 1);
      visitedInBlock++;
    }

    @Override
    public long count(int i, int j, int level) {
      return entry(Chi.index(gx, bins, i, j, level));
    }

    /** Stamps are block + 1, so the zeroed arrays mean "not for any block". */
    private int stamp() {
      return block + 1;
    }

    @Override
    public long entry(int c) {
      if (decodedIn[c] == stamp()) {
        return decoded[c][row];
      }
      try {
        if (openedIn[c] != stamp()) {
          openColumn(c);
        }
        if (visitedInBlock > DECODE_AFTER) {
          decode(c);
          return decoded[c][row];
        }
        return mins[c] + FixedWidth.delta(data, offsets[c], bits[c], row);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void entries(int[] indices, int count, long[] out) {
      for (int k = 0; k < count; k++) {
        int c = indices[k];
        out[k] = decodedIn[c] == stamp() ? decoded[c][row] : entry(c);
      }
    }

    @Override
    public int bins() {
      return bins;
    }

    /** Moves to a block (as a seek to its first member does); returns its number of members. */
    int seekBlock(int b) {
      seek(b << blockShift);
      return Math.min(1 << blockShift, size - (b << blockShift));
    }

    int blockShift() {
      return blockShift;
    }

    /** The current block's values of column c, decoded whole. */
    int[] column(int c) throws IOException {
      if (decodedIn[c] != stamp()) {
        if (openedIn[c] != stamp()) {
          openColumn(c);
        }
        decode(c);
      }
      return decoded[c];
    }

    private void openColumn(int c) throws IOException {
      long blockStart = blockStarts[block];
      long header = blockStart + (long) c * ChiGroupWriter.COLUMN_HEADER_BYTES;
      mins[c] = data.readInt(header);
      bits[c] = data.readByte(header + 4);
      offsets[c] = blockStart + data.readInt(header + 5);
      openedIn[c] = stamp();
    }

    private void decode(int c) throws IOException {
      int blockSize = 1 << blockShift;
      int rows = Math.min(blockSize, size - block * blockSize);
      if (decoded[c] == null) {
        decoded[c] = new int[blockSize];
      }
      FixedWidth.decode(bulk, offsets[c], bits[c], rows, mins[c], decoded[c], scratch);
      decodedIn[c] = stamp();
    }
  }
}
