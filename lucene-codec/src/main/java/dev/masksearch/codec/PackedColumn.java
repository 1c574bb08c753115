package dev.masksearch.codec;

import java.io.IOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.RandomAccessInput;
import org.apache.lucene.util.packed.PackedLongValues;

/**
 * A per-document column with random access: the minimum, then every value minus the minimum at a
 * {@link FixedWidth} width, or nothing when all values are equal.
 *
 * <pre>
 * ColumnMeta := Min(vlong), BitsPerValue(byte), Offset(int64)    -- in the meta file; Offset points into .mskc
 * ColumnData := FixedWidth-packed (value - Min), absent when BitsPerValue = 0
 * </pre>
 */
record PackedColumn(long min, int bitsPerValue, long offset) {

  /** Writes the values' data to {@code data} and returns the column's meta. */
  static PackedColumn write(PackedLongValues values, IndexOutput data) throws IOException {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (PackedLongValues.Iterator it = values.iterator(); it.hasNext(); ) {
      long v = it.next();
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (values.size() == 0) {
      return new PackedColumn(0, 0, data.getFilePointer());
    }
    int bits = FixedWidth.bitsRequired(max - min);
    long offset = data.getFilePointer();
    long base = min;
    FixedWidth.write(data, i -> values.get(i) - base, Math.toIntExact(values.size()), bits);
    return new PackedColumn(min, bits, offset);
  }

  void writeMeta(DataOutput meta) throws IOException {
    meta.writeVLong(min);
    meta.writeByte((byte) bitsPerValue);
    meta.writeLong(offset);
  }

  static PackedColumn readMeta(DataInput meta) throws IOException {
    return new PackedColumn(meta.readVLong(), meta.readByte(), meta.readLong());
  }

  /**
   * Throws unless the column is one {@link #write} could have written for {@code count} values of
   * at most {@code maxValue} (so at least its minimum is) into the data file's body: checked when
   * the meta is read, so that reading values never leaves the file.
   */
  void check(String name, long count, long maxValue, FileBody data, DataInput meta)
      throws CorruptIndexException {
    if (!FixedWidth.isByteFriendly(bitsPerValue)) { // the widths bitsRequired() gives
      throw new CorruptIndexException(
          name + " column: unsupported width " + bitsPerValue + " bits", meta);
    }
    if (min < 0 || min > maxValue) {
      throw new CorruptIndexException(
          name + " column: minimum " + min + " outside [0, " + maxValue + "]", meta);
    }
    if (bitsPerValue > 0 && !data.contains(offset, FixedWidth.byteLength(count, bitsPerValue))) {
      throw new CorruptIndexException(
          name
              + " column: "
              + count
              + " values of "
              + bitsPerValue
              + " bits at "
              + offset
              + " do not fit "
              + data,
          meta);
    }
  }

  /** Random access to the values over the data file. */
  FixedWidth.Reader open(RandomAccessInput data) {
    return new FixedWidth.Reader(data, offset, bitsPerValue, min);
  }
}
