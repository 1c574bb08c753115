package dev.masksearch.codec;

import static dev.masksearch.codec.MaskDocValuesFormat.*;

import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.DocValuesProducer;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DocValuesSkipper;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.LongValues;
import org.apache.lucene.util.packed.DirectMonotonicReader;

/** Reads mask fields written in the {@link MaskDocValuesFormat}. */
final class MaskDocValuesProducer extends DocValuesProducer {
  private final Map<Integer, FieldEntry> fields = new HashMap<>();
  private final IndexInput chi;
  private final IndexInput raw;
  private final int maxDoc;

  /** Everything the meta file says about one field. */
  private record FieldEntry(
      ChiParams params,
      PackedColumn groupOf,
      PackedColumn ordinal,
      PackedColumn height,
      PackedColumn width,
      long rawStart,
      long addressStart,
      long addressLength,
      DirectMonotonicReader.Meta addressMeta,
      ChiGroup[] groups) {}

  MaskDocValuesProducer(SegmentReadState state) throws IOException {
    this.maxDoc = state.segmentInfo.maxDoc();
    String metaName = IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, META_EXTENSION);
    int version;
    try (ChecksumIndexInput meta = state.directory.openChecksumInput(metaName)) {
      Throwable priorE = null;
      version = -1;
      try {
        version = CodecUtil.checkIndexHeader(
            meta, META_CODEC, VERSION_START, VERSION_CURRENT, state.segmentInfo.getId(), state.segmentSuffix);
        readFields(meta);
      } catch (Throwable exception) {
        priorE = exception;
      } finally {
        CodecUtil.checkFooter(meta, priorE);
      }
    }
    boolean success = false;
    IndexInput c = null;
    IndexInput r = null;
    try {
      c = open(state, CHI_EXTENSION, CHI_CODEC, version);
      r = open(state, RAW_EXTENSION, RAW_CODEC, version);
      success = true;
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(c, r);
      }
    }
    this.chi = c;
    this.raw = r;
  }

  private static IndexInput open(SegmentReadState state, String extension, String codec, int version)
      throws IOException {
    String name = IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
    IndexInput in = state.directory.openInput(name, state.context);
    boolean success = false;
    try {
      int fileVersion = CodecUtil.checkIndexHeader(
          in, codec, VERSION_START, VERSION_CURRENT, state.segmentInfo.getId(), state.segmentSuffix);
      if (fileVersion != version) {
        throw new CorruptIndexException("format versions mismatch: meta=" + version + ", " + extension + "=" + fileVersion, in);
      }
      CodecUtil.retrieveChecksum(in);
      success = true;
      return in;
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(in);
      }
    }
  }

  private void readFields(ChecksumIndexInput meta) throws IOException {
    for (int number = meta.readInt(); number != -1; number = meta.readInt()) {
      ChiParams params = new ChiParams(meta.readVInt(), meta.readVInt());
      PackedColumn groupOf = PackedColumn.readMeta(meta);
      PackedColumn ordinal = PackedColumn.readMeta(meta);
      PackedColumn height = PackedColumn.readMeta(meta);
      PackedColumn width = PackedColumn.readMeta(meta);
      long rawStart = meta.readLong();
      long addressStart = meta.readLong();
      int blockShift = meta.readVInt();
      DirectMonotonicReader.Meta addressMeta = DirectMonotonicReader.loadMeta(meta, maxDoc + 1L, blockShift);
      long addressLength = meta.readLong();
      ChiGroup[] groups = new ChiGroup[meta.readVInt()];
      for (int g = 0; g < groups.length; g++) {
        groups[g] = ChiGroup.readMeta(meta, params.bins());
      }
      fields.put(number, new FieldEntry(
          params, groupOf, ordinal, height, width, rawStart, addressStart, addressLength, addressMeta, groups));
    }
  }

  @Override
  public BinaryDocValues getBinary(FieldInfo field) throws IOException {
    FieldEntry entry = fields.get(field.number);
    if (entry == null) {
      throw new IllegalStateException("field [" + field.name + "] has no " + NAME + " doc values");
    }
    return new Values(entry);
  }

  /** The doc values of one field: iteration over the documents with a mask, plus CHI and mask access. */
  private final class Values extends MaskDocValues {
    private final FieldEntry entry;
    private final RandomAccessInput chiData;
    private final IndexInput rawData;
    private final FixedWidth.Reader groupOf;
    private final FixedWidth.Reader ordinal;
    private final FixedWidth.Reader heights;
    private final FixedWidth.Reader widths;
    private final LongValues addresses;
    private int doc = -1;
    private final BytesRef scratch = new BytesRef();

    Values(FieldEntry entry) throws IOException {
      this.entry = entry;
      this.chiData = chi.randomAccessSlice(0, chi.length());
      this.rawData = raw.clone();
      this.groupOf = entry.groupOf().open(chiData);
      this.ordinal = entry.ordinal().open(chiData);
      this.heights = entry.height().open(chiData);
      this.widths = entry.width().open(chiData);
      this.addresses = DirectMonotonicReader.getInstance(
          entry.addressMeta(), raw.randomAccessSlice(entry.addressStart(), entry.addressLength()));
    }

    @Override
    public ChiParams params() {
      return entry.params();
    }

    @Override
    public float averageMaskPixels() {
      long masks = 0;
      double cells = 0;
      for (ChiGroup g : entry.groups()) {
        masks += g.size;
        cells += (double) g.size * g.gx * g.gy;
      }
      int step = entry.params().gridStep();
      return masks == 0 ? 0 : (float) (cells / masks * step * step);
    }

    @Override
    public ChiCursor chiCursor() throws IOException {
      return new Cursor();
    }

    @Override
    public Mask mask(int target) throws IOException {
      byte[] compressed = compressedMask(target);
      MaskDType dtype = entry.groups()[(int) groupOf.get(target) - 1].dtype;
      int h = (int) heights.get(target);
      int w = (int) widths.get(target);
      return Mask.of(dtype, h, w, RawMaskCompression.decompress(compressed, 0, compressed.length, dtype, h, w));
    }

    @Override
    public MaskSize maskSize(int target) throws IOException {
      long group = groupOf.get(target);
      if (group == 0) {
        throw new IllegalArgumentException("document " + target + " has no mask");
      }
      return new MaskSize((int) widths.get(target), (int) heights.get(target), entry.groups()[(int) group - 1].dtype,
          addresses.get(target + 1L) - addresses.get(target));
    }

    @Override
    byte[] compressedMask(int target) throws IOException {
      if (groupOf.get(target) == 0) {
        throw new IllegalArgumentException("document " + target + " has no mask");
      }
      long start = addresses.get(target);
      byte[] compressed = new byte[Math.toIntExact(addresses.get(target + 1L) - start)];
      rawData.seek(entry.rawStart() + start);
      rawData.readBytes(compressed, 0, compressed.length);
      return compressed;
    }

    @Override
    public BytesRef binaryValue() throws IOException {
      byte[] bytes = MaskBytes.encode(mask(doc));
      scratch.bytes = bytes;
      scratch.offset = 0;
      scratch.length = bytes.length;
      return scratch;
    }

    @Override
    public boolean advanceExact(int target) throws IOException {
      doc = target;
      return groupOf.get(target) != 0;
    }

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public int nextDoc() throws IOException {
      return advance(doc + 1);
    }

    @Override
    public int advance(int target) throws IOException {
      for (int d = target; d < maxDoc; d++) {
        if (groupOf.get(d) != 0) {
          return doc = d;
        }
      }
      return doc = NO_MORE_DOCS;
    }

    @Override
    public long cost() {
      return maxDoc;
    }

    /** Seeks the documents' group members; one {@link ChiBlockCursor} serves every group. */
    private final class Cursor implements ChiCursor {
      private final ChiBlockCursor cursor = new ChiBlockCursor(chiData, chi.clone());
      private ChiGroup currentGroup;
      private ChiGrid grid;
      /** One group, every document in it, one size: the common case of a dataset of equal masks. */
      private final boolean uniform;

      Cursor() {
        PackedColumn g = entry.groupOf();
        uniform = g.bitsPerValue() == 0 && g.min() == 1
            && entry.height().bitsPerValue() == 0 && entry.width().bitsPerValue() == 0;
        if (uniform) {
          currentGroup = entry.groups()[0];
          grid = new ChiGrid(entry.params().gridStep(), (int) entry.width().min(), (int) entry.height().min());
        }
      }

      @Override
      public boolean seek(int target) throws IOException {
        if (uniform) { // every document has a mask of the same size: only the ordinal varies
          cursor.seek(currentGroup, (int) ordinal.get(target));
          return true;
        }
        int g = (int) groupOf.get(target);
        if (g == 0) {
          return false;
        }
        currentGroup = entry.groups()[g - 1];
        cursor.seek(currentGroup, (int) ordinal.get(target));
        int w = (int) widths.get(target);
        int h = (int) heights.get(target);
        if (grid == null || grid.width() != w || grid.height() != h) {
          grid = new ChiGrid(entry.params().gridStep(), w, h);
        }
        return true;
      }

      @Override
      public ChiGrid grid() {
        return grid;
      }

      @Override
      public BlockAccess blocks() {
        if (!uniform) {
          return null;
        }
        ChiGroup group = currentGroup;
        return new BlockAccess() {
          @Override
          public int blockShift() {
            return group.blockShift;
          }

          @Override
          public int seekBlock(int block) {
            return cursor.seekBlock(group, block);
          }

          @Override
          public int[] column(int entry) throws IOException {
            return cursor.column(entry);
          }
        };
      }

      @Override
      public MaskDType dtype() {
        return currentGroup.dtype;
      }

      @Override
      public long count(int i, int j, int level) {
        return cursor.count(i, j, level);
      }

      @Override
      public long entry(int index) {
        return cursor.entry(index);
      }

      @Override
      public void entries(int[] indices, int count, long[] out) {
        cursor.entries(indices, count, out);
      }

      @Override
      public int bins() {
        return entry.params().bins();
      }

      @Override
      public long ramBytesUsed() {
        return cursor.ramBytesUsed();
      }
    }
  }

  @Override
  public NumericDocValues getNumeric(FieldInfo field) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SortedDocValues getSorted(FieldInfo field) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SortedNumericDocValues getSortedNumeric(FieldInfo field) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SortedSetDocValues getSortedSet(FieldInfo field) {
    throw new UnsupportedOperationException();
  }

  @Override
  public DocValuesSkipper getSkipper(FieldInfo field) {
    return null;
  }

  @Override
  public void checkIntegrity() throws IOException {
    CodecUtil.checksumEntireFile(chi);
    CodecUtil.checksumEntireFile(raw);
  }

  @Override
  public void close() throws IOException {
    IOUtils.close(chi, raw);
  }
}
