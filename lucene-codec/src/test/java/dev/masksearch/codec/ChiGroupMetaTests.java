package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.ByteBuffersIndexInput;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * A group's meta is checked against the field, maxDoc and the .mskc body; so are the column headers
 * it locates.
 */
public class ChiGroupMetaTests extends LuceneTestCase {
  private static final ChiParams PARAMS = new ChiParams(8, 3);
  private static final FileBody CHI = new FileBody(40, 10_000, "test.mskc");
  private static final int MAX_DOC = 5000;

  /** 2 x 2 cells x 3 bins. */
  private static final int COLUMNS = 12;

  /**
   * A group meta: dtype, gx, gy, size, block shift, block count, block starts; then footer-sized
   * filler.
   */
  private static ChiGroup read(
      int dtype, int gx, int gy, int size, int shift, int count, long... starts)
      throws IOException {
    return read(random().nextBoolean(), dtype, gx, gy, size, shift, count, starts);
  }

  /** The same, of files whose version writes columns at any width or not. */
  private static ChiGroup read(
      boolean exactWidths,
      int dtype,
      int gx,
      int gy,
      int size,
      int shift,
      int count,
      long... starts)
      throws IOException {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    out.writeByte((byte) dtype);
    out.writeVInt(gx);
    out.writeVInt(gy);
    out.writeVInt(size);
    out.writeByte((byte) shift);
    out.writeVInt(count);
    for (long start : starts) {
      out.writeLong(start);
    }
    out.writeBytes(new byte[CodecUtil.footerLength()]);
    ByteBuffersIndexInput meta =
        new ByteBuffersIndexInput(
            new ByteBuffersDataInput(List.of(ByteBuffer.wrap(out.toArrayCopy()))), "test meta");
    return ChiGroup.readMeta(meta, PARAMS, MAX_DOC, CHI, random().nextBoolean(), exactWidths);
  }

  private static int shift() {
    return ChiGroupWriter.blockShiftFor(COLUMNS);
  }

  public void testValidMeta() throws IOException {
    ChiGroup group = read(1, 2, 2, 10, shift(), 1, 100);
    assertEquals(10, group.rows(0));
    assertEquals(2, group.gx);
    // a column's data right after the headers, and one ending at the body's end
    assertEquals(100 + COLUMNS * 9, group.columnDataOffset(0, 0, 8, COLUMNS * 9));
    long last = CHI.end() - FixedWidth.byteLength(10, 16);
    assertEquals(last, group.columnDataOffset(0, 3, 16, (int) (last - 100)));
  }

  public void testRejectsInconsistentMeta() {
    expectThrows(CorruptIndexException.class, () -> read(7, 2, 2, 10, shift(), 1, 100)); // dtype
    expectThrows(CorruptIndexException.class, () -> read(-1, 2, 2, 10, shift(), 1, 100));
    expectThrows(CorruptIndexException.class, () -> read(1, 0, 2, 10, shift(), 1, 100)); // grid
    expectThrows(
        CorruptIndexException.class,
        () -> read(1, 2, 513, 10, shift(), 1, 100)); // 4096 / 8 = 512 cells
    expectThrows(CorruptIndexException.class, () -> read(1, 2, 2, 0, shift(), 1, 100)); // size
    expectThrows(CorruptIndexException.class, () -> read(1, 2, 2, MAX_DOC + 1, shift(), 1, 100));
    expectThrows(
        CorruptIndexException.class, () -> read(1, 2, 2, 10, shift() - 1, 1, 100)); // block shift
    expectThrows(
        CorruptIndexException.class, () -> read(1, 2, 2, 10, shift(), 2, 100, 300)); // block count
    expectThrows(
        CorruptIndexException.class,
        () -> read(1, 2, 2, 10, shift(), Integer.MAX_VALUE)); // no allocation
    expectThrows(
        CorruptIndexException.class, () -> read(1, 2, 2, 10, shift(), 1, 39)); // in the header
    expectThrows(
        CorruptIndexException.class,
        () -> read(1, 2, 2, 10, shift(), 1, CHI.end() - COLUMNS * 9 + 1));
    expectThrows(CorruptIndexException.class, () -> read(1, 2, 2, 10, shift(), 1, -1));
  }

  public void testBlocksFollowEachOther() throws IOException {
    int shift = ChiGroupWriter.blockShiftFor(COLUMNS);
    int size = (1 << shift) + 1; // two blocks
    ChiGroup group = read(0, 2, 2, size, shift, 2, 100, 100 + COLUMNS * 9);
    assertEquals(1, group.rows(1));
    expectThrows(
        CorruptIndexException.class,
        () -> read(0, 2, 2, size, shift, 2, 100, 100 + COLUMNS * 9 - 1));
    expectThrows(CorruptIndexException.class, () -> read(0, 2, 2, size, shift, 2, 500, 100));
  }

  public void testRejectsCorruptColumnHeaders() throws IOException {
    for (boolean exactWidths : new boolean[] {false, true}) {
      rejectsCorruptColumnHeaders(exactWidths);
    }
  }

  private void rejectsCorruptColumnHeaders(boolean exactWidths) throws IOException {
    ChiGroup group = read(exactWidths, 1, 2, 2, 10, shift(), 1, 100);
    int data = COLUMNS * 9;
    for (int bits : new int[] {1, 7, 9, 20, 25}) { // widths of version 5 alone
      if (exactWidths) {
        assertEquals(100 + data, group.columnDataOffset(0, 0, bits, data));
      } else {
        expectThrows(CorruptIndexException.class, () -> group.columnDataOffset(0, 0, bits, data));
      }
    }
    for (int bits : new int[] {26, 31, 33, 64, -1}) {
      expectThrows(CorruptIndexException.class, () -> group.columnDataOffset(0, 0, bits, data));
    }
    expectThrows(
        CorruptIndexException.class,
        () -> group.columnDataOffset(0, 0, 8, data - 1)); // in the headers
    expectThrows(
        CorruptIndexException.class,
        () -> group.columnDataOffset(0, 0, 8, -200)); // before the file
    expectThrows(
        CorruptIndexException.class, () -> group.columnDataOffset(0, 0, 8, Integer.MAX_VALUE));
    int last = (int) (CHI.end() - 100 - FixedWidth.byteLength(10, 32));
    assertEquals(100 + last, group.columnDataOffset(0, 0, 32, last));
    expectThrows(
        CorruptIndexException.class,
        () -> group.columnDataOffset(0, 0, 32, last + 1)); // runs past the end
  }
}
