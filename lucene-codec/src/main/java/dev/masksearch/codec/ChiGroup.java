package dev.masksearch.codec;

import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiLookup;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
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

  private final FileBody chi;

  private ChiGroup(MaskDType dtype, int gx, int gy, int size, int bins, int blockShift, long[] blockStarts,
      FileBody chi) {
    this.dtype = dtype;
    this.gx = gx;
    this.gy = gy;
    this.size = size;
    this.bins = bins;
    this.columns = gx * gy * bins;
    this.blockShift = blockShift;
    this.blockStarts = blockStarts;
    this.chi = chi;
  }

  /**
   * Reads a group's meta and checks it against the field's parameters, the segment's {@code maxDoc} and the
   * {@code .mskc} body: a grid that a mask within {@link Mask#MAX_SIDE} has, a CHI within
   * {@link ChiParams#MAX_ENTRIES_PER_MASK}, the block shift and count that the size implies, and increasing blocks
   * whose column headers lie inside the file. So a cursor's per-column arrays never outgrow the file, and block
   * look-ups stay in bounds.
   */
  static ChiGroup readMeta(IndexInput meta, ChiParams params, int maxDoc, FileBody chi) throws IOException {
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
      throw new CorruptIndexException("group: grid " + gx + " x " + gy + " outside [1, " + maxCells + "]", meta);
    }
    long cells = (long) gx * gy;
    if (cells * (params.bins() + 1L) > ChiParams.MAX_ENTRIES_PER_MASK) {
      throw new CorruptIndexException("group: grid " + gx + " x " + gy + " with " + params.bins()
          + " bins has more CHI entries than a mask may", meta);
    }
    int columns = (int) cells * params.bins();
    int size = meta.readVInt();
    if (size < 1 || size > maxDoc) {
      throw new CorruptIndexException("group: size " + size + " outside [1, " + maxDoc + "]", meta);
    }
    int blockShift = meta.readByte();
    if (blockShift != ChiGroupWriter.blockShiftFor(columns)) {
      throw new CorruptIndexException("group: block shift " + blockShift + " for " + columns + " columns", meta);
    }
    int blockCount = meta.readVInt();
    if (blockCount != (size + (1 << blockShift) - 1) >>> blockShift) {
      throw new CorruptIndexException("group: " + blockCount + " blocks for " + size + " members", meta);
    }
    if ((long) blockCount * Long.BYTES > meta.length() - meta.getFilePointer() - CodecUtil.footerLength()) {
      throw new CorruptIndexException("group: " + blockCount + " block starts run past the end", meta);
    }
    long headerBytes = (long) columns * ChiGroupWriter.COLUMN_HEADER_BYTES;
    long[] blockStarts = new long[blockCount];
    long after = chi.start(); // blocks are written in order, each after the previous one's headers
    for (int b = 0; b < blockCount; b++) {
      blockStarts[b] = meta.readLong();
      if (blockStarts[b] < after || !chi.contains(blockStarts[b], headerBytes)) {
        throw new CorruptIndexException("group: block " + b + " at " + blockStarts[b] + " with " + headerBytes
            + " bytes of column headers does not follow the previous block inside " + chi.name(), meta);
      }
      after = blockStarts[b] + headerBytes;
    }
    return new ChiGroup(dtype, gx, gy, size, params.bins(), blockShift, blockStarts, chi);
  }

  /** The members of block b. */
  int rows(int block) {
    return Math.min(1 << blockShift, size - (block << blockShift));
  }

  /**
   * The absolute offset of column c's data in block b, from the width and relative offset in its header; throws
   * unless the width is one that {@link FixedWidth} writes and the data lies after the block's column headers and
   * inside the file. For a cursor's column-open code: once per column and block, never per entry.
   */
  long columnDataOffset(int block, int column, int bits, int relativeOffset) throws CorruptIndexException {
    long offset = blockStarts[block] + relativeOffset;
    if (!FixedWidth.isSupported(bits) || relativeOffset < (long) columns * ChiGroupWriter.COLUMN_HEADER_BYTES
        || !chi.contains(offset, FixedWidth.byteLength(rows(block), bits))) {
      throw new CorruptIndexException("column " + column + " of block " + block + ": " + rows(block) + " values of "
          + bits + " bits at " + offset + " do not lie in the block", chi.name());
    }
    return offset;
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
