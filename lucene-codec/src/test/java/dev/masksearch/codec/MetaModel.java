package dev.masksearch.codec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;

/**
 * A {@code .mskm} file parsed by the grammar of {@link MaskSearch10DocValuesFormat}, independently
 * of the reader, into values a test can change and write back (with a valid checksum). Unchanged,
 * it writes the same bytes.
 */
final class MetaModel {
  final byte[] header;
  final List<Field> fields = new ArrayList<>();

  /** PackedColumn meta: Min(vlong), BitsPerValue(byte), Offset(int64). */
  static final class Column {
    long min;
    byte bits;
    long offset;
  }

  /**
   * One block of Lucene's DirectMonotonic meta: min, average (float bits), data offset, bits per
   * value.
   */
  static final class AddressBlock {
    long min;
    int averageBits;
    long offset;
    byte bitsPerValue;
  }

  static final class Group {
    byte dtype;
    int gx;
    int gy;
    int size;
    byte blockShift;
    int blockCount; // as written; blockStarts holds what follows it
    long[] blockStarts;
  }

  static final class Field {
    int number;
    int gridStep;
    int bins;
    int tileSide; // MaskSearch20 only
    byte mode; // MaskSearch20 from version 2 on
    int firstStep; // MaskSearch20 from version 3 on: the first tier's parameters
    int firstBins;
    long maskPixels;

    /** The bins of the CHI columns: the first tier's when the CHI is in two tiers. */
    int columnBins() {
      return firstBins > 0 ? firstBins : bins;
    }

    /** groupOf, ordinal, height, width. */
    final Column[] columns = new Column[4];

    long rawStart;
    long addressStart;
    int addressShift;
    final List<AddressBlock> addressBlocks = new ArrayList<>();
    long addressLength;
    long recordStartsStart; // MaskSearch20 from version 3 on
    int recordStartsShift;
    final List<AddressBlock> recordStartsBlocks = new ArrayList<>();
    long recordStartsLength;
    int groupCount; // as written
    final List<Group> groups = new ArrayList<>();
  }

  static final int GROUP_OF = 0;
  static final int ORDINAL = 1;
  static final int HEIGHT = 2;
  static final int WIDTH = 3;

  private final FormatVersion version;
  private final boolean hasMode;
  private final boolean hasTwoTiers;

  private MetaModel(byte[] header, FormatVersion version) {
    this.header = header;
    this.version = version;
    // the header's version follows its magic and codec name
    int fileVersion =
        java.nio.ByteBuffer.wrap(header).getInt(Integer.BYTES + 1 + version.metaCodec().length());
    this.hasMode =
        version.tiled() && fileVersion >= MaskSearch20DocValuesFormat.VERSION_PLANAR_CODED;
    this.hasTwoTiers = version.twoTiers(fileVersion);
  }

  /** Parses a valid meta file of a segment of {@code maxDoc} documents. */
  static MetaModel parse(byte[] file, int headerLength, int maxDoc, FormatVersion version)
      throws IOException {
    MetaModel model = new MetaModel(Arrays.copyOf(file, headerLength), version);
    ByteArrayDataInput in = new ByteArrayDataInput(file, headerLength, file.length - headerLength);
    for (int number = in.readInt(); number != -1; number = in.readInt()) {
      Field f = new Field();
      f.number = number;
      f.gridStep = in.readVInt();
      f.bins = in.readVInt();
      if (version.tiled()) {
        f.tileSide = in.readVInt();
      }
      if (model.hasMode) {
        f.mode = in.readByte();
      }
      if (model.hasTwoTiers) {
        f.firstStep = in.readVInt();
        f.firstBins = in.readVInt();
        f.maskPixels = in.readVLong();
      }
      for (int c = 0; c < 4; c++) {
        Column column = new Column();
        column.min = in.readVLong();
        column.bits = in.readByte();
        column.offset = in.readLong();
        f.columns[c] = column;
      }
      f.rawStart = in.readLong();
      f.addressStart = in.readLong();
      f.addressShift = in.readVInt();
      readBlocks(in, maxDoc + 1L, f.addressShift, f.addressBlocks);
      f.addressLength = in.readLong();
      if (model.hasTwoTiers) {
        f.recordStartsStart = in.readLong();
        f.recordStartsShift = in.readVInt();
        readBlocks(in, maxDoc, f.recordStartsShift, f.recordStartsBlocks);
        f.recordStartsLength = in.readLong();
      }
      f.groupCount = in.readVInt();
      for (int g = 0; g < f.groupCount; g++) {
        Group group = new Group();
        group.dtype = in.readByte();
        group.gx = in.readVInt();
        group.gy = in.readVInt();
        group.size = in.readVInt();
        group.blockShift = in.readByte();
        group.blockCount = in.readVInt();
        group.blockStarts = new long[group.blockCount];
        for (int b = 0; b < group.blockCount; b++) {
          group.blockStarts[b] = in.readLong();
        }
        f.groups.add(group);
      }
      model.fields.add(f);
    }
    if (in.length() - in.getPosition() != CodecUtil.footerLength()) {
      throw new IllegalStateException("meta parsed to " + in.getPosition() + " of " + in.length());
    }
    return model;
  }

  private static void readBlocks(
      ByteArrayDataInput in, long values, int shift, List<AddressBlock> blocks) {
    long count = (values + (1L << shift) - 1) >>> shift;
    for (long b = 0; b < count; b++) {
      AddressBlock block = new AddressBlock();
      block.min = in.readLong();
      block.averageBits = in.readInt();
      block.offset = in.readLong();
      block.bitsPerValue = in.readByte();
      blocks.add(block);
    }
  }

  private static void writeBlocks(ByteBuffersDataOutput out, List<AddressBlock> blocks) {
    for (AddressBlock block : blocks) {
      out.writeLong(block.min);
      out.writeInt(block.averageBits);
      out.writeLong(block.offset);
      out.writeByte(block.bitsPerValue);
    }
  }

  /**
   * The file: the original header, the fields as they are now, and a footer with a valid checksum.
   */
  byte[] write() throws IOException {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    out.writeBytes(header);
    for (Field f : fields) {
      out.writeInt(f.number);
      out.writeVInt(f.gridStep);
      out.writeVInt(f.bins);
      if (version.tiled()) {
        out.writeVInt(f.tileSide);
      }
      if (hasMode) {
        out.writeByte(f.mode);
      }
      if (hasTwoTiers) {
        out.writeVInt(f.firstStep);
        out.writeVInt(f.firstBins);
        out.writeVLong(f.maskPixels);
      }
      for (Column column : f.columns) {
        out.writeVLong(column.min);
        out.writeByte(column.bits);
        out.writeLong(column.offset);
      }
      out.writeLong(f.rawStart);
      out.writeLong(f.addressStart);
      out.writeVInt(f.addressShift);
      writeBlocks(out, f.addressBlocks);
      out.writeLong(f.addressLength);
      if (hasTwoTiers) {
        out.writeLong(f.recordStartsStart);
        out.writeVInt(f.recordStartsShift);
        writeBlocks(out, f.recordStartsBlocks);
        out.writeLong(f.recordStartsLength);
      }
      out.writeVInt(f.groupCount);
      for (Group group : f.groups) {
        out.writeByte(group.dtype);
        out.writeVInt(group.gx);
        out.writeVInt(group.gy);
        out.writeVInt(group.size);
        out.writeByte(group.blockShift);
        out.writeVInt(group.blockCount);
        for (long start : group.blockStarts) {
          out.writeLong(start);
        }
      }
    }
    out.writeInt(-1);
    return MaskSegmentFixture.withFooter(out.toArrayCopy());
  }

  Field field(int number) {
    for (Field f : fields) {
      if (f.number == number) {
        return f;
      }
    }
    throw new IllegalArgumentException("no field " + number);
  }
}
