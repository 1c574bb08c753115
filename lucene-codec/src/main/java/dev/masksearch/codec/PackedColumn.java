package dev.masksearch.codec;

import java.io.IOException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.RandomAccessInput;
import org.apache.lucene.util.LongValues;
import org.apache.lucene.util.packed.DirectReader;
import org.apache.lucene.util.packed.DirectWriter;
import org.apache.lucene.util.packed.PackedLongValues;

/**
 * A column of non-negative longs with random access: the minimum, then every value minus the minimum packed with
 * {@link DirectWriter}, or nothing when all values are equal.
 *
 * <pre>
 * ColumnMeta := Min(vlong), BitsPerValue(byte), Offset(long)    -- in the meta file; Offset points into the data file
 * ColumnData := DirectWriter-packed (value - Min), absent when BitsPerValue = 0
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
    if (values.size() == 0 || min == max) {
      return new PackedColumn(values.size() == 0 ? 0 : min, 0, data.getFilePointer());
    }
    int bpv = DirectWriter.unsignedBitsRequired(max - min);
    long offset = data.getFilePointer();
    DirectWriter writer = DirectWriter.getInstance(data, values.size(), bpv);
    for (PackedLongValues.Iterator it = values.iterator(); it.hasNext(); ) {
      writer.add(it.next() - min);
    }
    writer.finish();
    return new PackedColumn(min, bpv, offset);
  }

  void writeMeta(DataOutput meta) throws IOException {
    meta.writeVLong(min);
    meta.writeByte((byte) bitsPerValue);
    meta.writeLong(offset);
  }

  static PackedColumn readMeta(DataInput meta) throws IOException {
    return new PackedColumn(meta.readVLong(), meta.readByte(), meta.readLong());
  }

  /** Random access to the values over the data file. */
  LongValues open(RandomAccessInput data) throws IOException {
    if (bitsPerValue == 0) {
      long constant = min;
      return new LongValues() {
        @Override
        public long get(long index) {
          return constant;
        }
      };
    }
    LongValues packed = DirectReader.getInstance(data, bitsPerValue, offset);
    if (min == 0) {
      return packed;
    }
    long base = min;
    return new LongValues() {
      @Override
      public long get(long index) {
        return base + packed.get(index);
      }
    };
  }
}
