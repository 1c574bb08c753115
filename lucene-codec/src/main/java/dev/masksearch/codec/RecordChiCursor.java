package dev.masksearch.codec;

import dev.masksearch.chi.CellLevelCounts;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.RamUsageEstimator;

/**
 * Random access to each document's CHI at its field's own grid and bins, read from the documents'
 * {@link CellSuffixRecord}s (the second tier of a CHI stored in two tiers). Seeking a document
 * reads its record, one sequential read; a level is decoded the first time an entry asks for it,
 * every cell at once, into a table of the grid points' cumulative counts, so that an entry is then
 * one load. The levels a first entry asks for together ({@link #entries}) are decoded in one pass.
 * Holds the record and at most one table a level, of the largest grid seen: {@link #ramBytesUsed}.
 * A reader that adds cells up itself reads them straight from the record ({@link #cells}), with no
 * table. No block access. Not thread-safe.
 */
final class RecordChiCursor implements MaskDocValues.ChiCursor {
  /** Where a document's record is, and the shape of its mask. */
  record Location(ChiGrid grid, MaskDType dtype, long offset, int length) {}

  /** Locates documents' records. */
  @FunctionalInterface
  interface Locator {
    /** Where {@code doc}'s record is, or null when it has no mask. */
    Location locate(int doc) throws IOException;
  }

  private final int bins;
  private final CellSuffixRecord.Layout layout;
  private final Locator locator;
  private final IndexInput data;
  private ChiGrid grid;
  private MaskDType dtype;
  private CellSuffixRecord.Reader reader;
  private byte[] record = new byte[0];
  private int recordLength;
  private long recordOffset = -1; // where the held record was read from; -1 when none is held
  private final int[][] tables; // per level 1 .. bins: (gx + 1) x (gy + 1), row 0 zeros
  // per level: the seek whose record its table holds (-seek while it waits in pending)
  private final int[] decodedFor;
  private int seeks;
  private int[] pending; // levels to decode in one pass
  private int[] cellCounts = new int[0];
  private long tableBytes; // of every table held, kept as they grow: ramBytesUsed is per document
  private final CellLevelCounts.Reader cellReader = this::readCells;
  private final int[] everyLevel; // 1 .. bins

  RecordChiCursor(int bins, CellSuffixRecord.Layout layout, Locator locator, IndexInput data) {
    this.bins = bins;
    this.layout = layout;
    this.locator = locator;
    this.data = data;
    this.tables = new int[bins + 1][];
    this.decodedFor = new int[bins + 1];
    this.pending = new int[bins];
    this.everyLevel = java.util.stream.IntStream.rangeClosed(1, bins).toArray();
  }

  @Override
  public boolean seek(int doc) throws IOException {
    Location at = locator.locate(doc);
    if (at == null) {
      return false;
    }
    if (at.offset() == recordOffset && at.grid().equals(grid) && at.length() == recordLength) {
      return true; // the record held (a refine, then the same document's verification)
    }
    // a new seek before any read: if one fails, no table looks decoded for what is held
    if (++seeks == Integer.MAX_VALUE) { // before it wraps
      Arrays.fill(decodedFor, 0);
      seeks = 1;
    }
    recordOffset = -1;
    if (!at.grid().equals(grid)) {
      grid = at.grid();
      reader = new CellSuffixRecord.Reader(grid, bins + 1, layout, data.toString());
    }
    dtype = at.dtype();
    record = ArrayUtil.growNoCopy(record, at.length());
    data.seek(at.offset());
    data.readBytes(record, 0, at.length());
    recordLength = at.length();
    recordOffset = at.offset();
    return true;
  }

  @Override
  public ChiGrid grid() {
    return grid;
  }

  @Override
  public MaskDType dtype() {
    return dtype;
  }

  @Override
  public CellLevelCounts.Reader cells() {
    return cellReader;
  }

  /** Reads the held record's cells at {@code levels[0, n)} straight into {@code out}. */
  private void readCells(int[] levels, int n, int[] out) throws IOException {
    reader.read(record, recordLength, levels, n, out);
  }

  /**
   * The held record's histograms in one read of its cells at every level, where entry look-ups
   * would read it once a level and build a table each.
   */
  @Override
  public int[] cellHistograms() throws IOException {
    int cellCount = grid.gx() * grid.gy();
    int[] atLeast = cellCounts(Math.multiplyExact(cellCount, bins));
    readCells(everyLevel, bins, atLeast);
    int slots = bins + 1;
    int[] histograms = new int[Math.multiplyExact(cellCount, slots)];
    for (int c = 0; c < cellCount; c++) {
      int cx = c % grid.gx();
      int cy = c / grid.gx();
      long above = grid.cellArea(cx, cy); // at level 0
      for (int s = 0; s < slots; s++) {
        long next = s < bins ? atLeast[c * bins + s] : 0; // at level s + 1
        if (next > above) {
          throw new CorruptIndexException(
              "cell record: cell " + c + " counts more pixels at level " + (s + 1), data);
        }
        histograms[c * slots + s] = (int) (above - next);
        above = next;
      }
    }
    return histograms;
  }

  @Override
  public MaskDocValues.BlockAccess blocks() {
    return null;
  }

  @Override
  public int bins() {
    return bins;
  }

  @Override
  public long count(int i, int j, int level) {
    if (decodedFor[level] != seeks) {
      pending[0] = level;
      decode(1);
    }
    return tables[level][j * (grid.gx() + 1) + i];
  }

  @Override
  public long entry(int index) {
    int point = index / bins;
    return count(point % grid.gx() + 1, point / grid.gx() + 1, index % bins + 1);
  }

  @Override
  public void entries(int[] indices, int count, long[] out) {
    int missing = 0;
    for (int k = 0; k < count; k++) {
      int level = indices[k] % bins + 1;
      if (decodedFor[level] != seeks && decodedFor[level] != -seeks) {
        decodedFor[level] = -seeks; // collected once
        pending[missing++] = level;
      }
    }
    if (missing > 0) {
      try {
        decode(missing);
      } catch (RuntimeException e) {
        for (int k = 0; k < missing; k++) { // not decoded: a later read tries again
          decodedFor[pending[k]] = 0;
        }
        throw e;
      }
    }
    int gx = grid.gx();
    for (int k = 0; k < count; k++) {
      int point = indices[k] / bins;
      out[k] = tables[indices[k] % bins + 1][(point / gx + 1) * (gx + 1) + point % gx + 1];
    }
  }

  /** Decodes the levels {@code pending[0, n)} of the current record into their tables. */
  private void decode(int n) {
    int gx = grid.gx();
    int gy = grid.gy();
    int[] counts = cellCounts(gx * gy * n);
    try {
      reader.read(record, recordLength, pending, n, counts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int w = gx + 1;
    for (int k = 0; k < n; k++) {
      int level = pending[k];
      int[] table = tables[level];
      if (table == null || table.length < w * (gy + 1)) {
        tableBytes -= table == null ? 0 : RamUsageEstimator.sizeOf(table);
        table = tables[level] = new int[w * (gy + 1)];
        tableBytes += RamUsageEstimator.sizeOf(table);
      }
      Arrays.fill(table, 0, w, 0); // a smaller grid's row 0 may hold a larger one's counts
      for (int j = 1; j <= gy; j++) { // each row's running sum on the row above
        int row = 0;
        for (int i = 1; i <= gx; i++) {
          row += counts[((j - 1) * gx + i - 1) * n + k];
          table[j * w + i] = table[(j - 1) * w + i] + row;
        }
      }
      decodedFor[level] = seeks;
    }
  }

  /** The cursor's scratch for per-cell counts, of at least {@code size} ints. */
  private int[] cellCounts(int size) {
    if (cellCounts.length < size) {
      cellCounts = new int[size];
    }
    return cellCounts;
  }

  @Override
  public long ramBytesUsed() {
    return RamUsageEstimator.sizeOf(record)
        + RamUsageEstimator.sizeOf(cellCounts)
        + tableBytes
        + 2L * RamUsageEstimator.sizeOf(pending);
  }
}
