package dev.masksearch.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.ByteArrayDataInput;

/**
 * The byte ranges of a {@code .mskc} or {@code .mskr} file by what a change there does to a reader
 * that verifies only the header and the footer's form on open (not the checksum): {@link
 * Kind#CHECKED} bytes are verified on open, {@link Kind#VALUE} bytes hold values that every byte
 * pattern may encode (a CHI count, a compressed pixel, an address, a column's width or offset), and
 * {@link Kind#UNUSED} bytes are never read (padding, the low half of the checksum).
 */
final class FileRegions {
  enum Kind {
    CHECKED,
    VALUE,
    UNUSED
  }

  record Region(long start, long end, Kind kind, String what) {}

  final List<Region> regions = new ArrayList<>();

  private void add(long start, long end, Kind kind, String what) {
    if (end > start) {
      regions.add(new Region(start, end, kind, what));
    }
  }

  /** The regions of a .mskc file. */
  static FileRegions chi(byte[] file, int headerLength, MetaModel meta, int maxDoc) {
    FileRegions r = new FileRegions();
    r.framing(file.length, headerLength);
    String[] names = {"groupOf", "ordinal", "height", "width"};
    for (MetaModel.Field f : meta.fields) {
      for (int c = 0; c < 4; c++) {
        MetaModel.Column column = f.columns[c];
        r.packed(column.offset, column.bits, maxDoc, "field " + f.number + " " + names[c]);
      }
      for (int g = 0; g < f.groups.size(); g++) {
        MetaModel.Group group = f.groups.get(g);
        int columns = group.gx * group.gy * f.columnBins();
        for (int b = 0; b < group.blockStarts.length; b++) {
          long start = group.blockStarts[b];
          int rows = Math.min(1 << group.blockShift, group.size - (b << group.blockShift));
          String block = "field " + f.number + " group " + g + " block " + b;
          r.add(
              start,
              start + (long) columns * ChiGroupWriter.COLUMN_HEADER_BYTES,
              Kind.VALUE,
              block + " headers");
          ByteArrayDataInput in = new ByteArrayDataInput(file);
          for (int c = 0; c < columns; c++) {
            in.setPosition(
                Math.toIntExact(start + (long) c * ChiGroupWriter.COLUMN_HEADER_BYTES + 4));
            int bits = in.readByte() & 0xFF;
            int offset = in.readInt();
            if (bits != ChiGroupWriter.REPEATS_LEVEL_BELOW) { // no data of its own
              r.packed(start + offset, bits, rows, block + " column " + c);
            }
          }
        }
      }
    }
    return r;
  }

  /** The regions of a .mskr file. */
  static FileRegions raw(byte[] file, int headerLength, MetaModel meta) {
    FileRegions r = new FileRegions();
    r.framing(file.length, headerLength);
    for (MetaModel.Field f : meta.fields) {
      r.add(
          f.rawStart,
          f.addressStart,
          Kind.VALUE,
          "field " + f.number + " compressed masks and records");
      r.add(
          f.addressStart,
          f.addressStart + f.addressLength,
          Kind.VALUE,
          "field " + f.number + " addresses");
      if (f.recordStartsLength > 0) {
        r.add(
            f.recordStartsStart,
            f.recordStartsStart + f.recordStartsLength,
            Kind.VALUE,
            "field " + f.number + " record starts");
      }
    }
    return r;
  }

  private void framing(long length, int headerLength) {
    add(0, headerLength, Kind.CHECKED, "header");
    long footer = length - CodecUtil.footerLength();
    add(
        footer,
        length - Integer.BYTES,
        Kind.CHECKED,
        "footer magic, algorithm and checksum high bits");
    add(
        length - Integer.BYTES,
        length,
        Kind.UNUSED,
        "checksum low bits"); // retrieveChecksum does not verify
  }

  /** A FixedWidth column: values, then 3 bytes of padding. */
  private void packed(long offset, int bits, int count, String what) {
    if (bits == 0) {
      return;
    }
    long end = offset + ((long) count * bits + 7) / 8;
    add(offset, end, Kind.VALUE, what);
    add(end, end + 3, Kind.UNUSED, what + " padding");
  }

  /** Throws unless the regions tile the whole file, without gaps or overlaps. */
  void checkCoverage(long length) {
    List<Region> sorted = new ArrayList<>(regions);
    sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
    long at = 0;
    for (Region region : sorted) {
      if (region.start() != at) {
        throw new AssertionError("region " + region + " does not start at " + at);
      }
      at = region.end();
    }
    if (at != length) {
      throw new AssertionError("regions end at " + at + " of " + length);
    }
  }

  /**
   * A random region of a kind (regions weighted equally, not by size), or null if there is none.
   */
  Region random(Random r, Kind kind) {
    List<Region> of = regions.stream().filter(region -> region.kind() == kind).toList();
    return of.isEmpty() ? null : of.get(r.nextInt(of.size()));
  }

  /** The region holding a byte. */
  Region at(long position) {
    for (Region region : regions) {
      if (position >= region.start() && position < region.end()) {
        return region;
      }
    }
    throw new AssertionError("no region holds byte " + position);
  }
}
