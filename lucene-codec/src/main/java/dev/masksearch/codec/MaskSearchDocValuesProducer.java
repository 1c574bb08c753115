package dev.masksearch.codec;

import static dev.masksearch.codec.MaskSearch10DocValuesFormat.*;

import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PixelCounts;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import java.io.EOFException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.DocValuesProducer;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DocValuesSkipper;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
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

/**
 * Reads mask fields written in the {@link MaskSearch10DocValuesFormat} or the {@link
 * MaskSearch20DocValuesFormat} (as its {@link FormatVersion} says). Corrupt files are reported as
 * {@link CorruptIndexException}s: the meta file is checksummed and everything in it is checked on
 * open (field numbers, CHI parameters, columns, addresses and groups against each other, {@code
 * maxDoc} and the data files' lengths); the data files are checksummed only by {@link
 * #checkIntegrity}, so what is read from them is checked before it is used (see {@link DocColumns},
 * {@link ChiGroup#columnDataOffset}, {@link MaskStorage}).
 */
final class MaskSearchDocValuesProducer extends DocValuesProducer {
  private final FormatVersion format;
  private final Map<Integer, FieldEntry> fields = new HashMap<>();
  private final IndexInput chi;
  private final IndexInput raw;
  private final int maxDoc;

  /**
   * Everything the meta file says about one field; {@code columnParams} are those of the CHI
   * columns (the first tier's when {@code recordStarts} is not null, else the field's), {@code
   * maskPixels} the pixels of all its masks (-1 before the CHI was in two tiers).
   */
  private record FieldEntry(
      ChiParams params,
      ChiParams columnParams,
      long maskPixels,
      PackedColumn groupOf,
      PackedColumn ordinal,
      PackedColumn height,
      PackedColumn width,
      MaskStorage storage,
      long rawStart,
      long addressStart,
      long addressLength,
      DirectMonotonicReader.Meta addressMeta,
      Monotonic recordStarts,
      CellSuffixRecord.Layout recordLayout,
      ChiGroup[] groups) {

    /** The bytes of the field's compressed masks (and records), which addresses point into. */
    long rawLength() {
      return addressStart - rawStart;
    }
  }

  MaskSearchDocValuesProducer(SegmentReadState state, FormatVersion format) throws IOException {
    this.format = format;
    this.maxDoc = state.segmentInfo.maxDoc();
    boolean success = false;
    DataFile c = null;
    DataFile r = null;
    try {
      c = open(state, CHI_EXTENSION, format.chiCodec());
      r = open(state, RAW_EXTENSION, format.rawCodec());
      readMeta(state, c, r);
      for (FieldEntry entry : fields.values()) {
        checkAddressEnds(entry, r.in());
      }
      success = true;
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(c == null ? null : c.in(), r == null ? null : r.in());
      }
    }
    this.chi = c.in();
    this.raw = r.in();
  }

  /** Monotonic values that Lucene's DirectMonotonicReader reads from {@code .mskr}. */
  private record Monotonic(long start, long length, DirectMonotonicReader.Meta meta) {
    LongValues open(IndexInput raw) throws IOException {
      return DirectMonotonicReader.getInstance(meta, raw.randomAccessSlice(start, length));
    }
  }

  /** An open data file, its format version and its body. */
  private record DataFile(IndexInput in, int version, FileBody body) {}

  /**
   * Opens a data file: its header is checked, and its footer's form (its checksum only by
   * checkIntegrity).
   */
  private DataFile open(SegmentReadState state, String extension, String codec) throws IOException {
    String name =
        IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
    IndexInput in = state.directory.openInput(name, state.context);
    boolean success = false;
    try {
      checkLength(in, codec, state.segmentSuffix);
      int version =
          CodecUtil.checkIndexHeader(
              in,
              codec,
              FormatVersion.VERSION_START,
              format.versionCurrent(),
              state.segmentInfo.getId(),
              state.segmentSuffix);
      FileBody body = FileBody.of(in);
      CodecUtil.retrieveChecksum(in);
      success = true;
      return new DataFile(in, version, body);
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(in);
      }
    }
  }

  /**
   * A file shorter than a header and a footer is cut short (reading its header would hit its end).
   */
  private static void checkLength(IndexInput in, String codec, String suffix)
      throws CorruptIndexException {
    long least = CodecUtil.indexHeaderLength(codec, suffix) + (long) CodecUtil.footerLength();
    if (in.length() < least) {
      throw new CorruptIndexException(
          "file of " + in.length() + " bytes, shorter than a header and a footer", in);
    }
  }

  private void readMeta(SegmentReadState state, DataFile chiFile, DataFile rawFile)
      throws IOException {
    String metaName =
        IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, META_EXTENSION);
    try (ChecksumIndexInput meta = state.directory.openChecksumInput(metaName)) {
      Throwable priorE = null;
      try {
        checkLength(meta, format.metaCodec(), state.segmentSuffix);
        int version =
            CodecUtil.checkIndexHeader(
                meta,
                format.metaCodec(),
                FormatVersion.VERSION_START,
                format.versionCurrent(),
                state.segmentInfo.getId(),
                state.segmentSuffix);
        if (version != chiFile.version() || version != rawFile.version()) {
          throw new CorruptIndexException(
              "format versions mismatch: meta="
                  + version
                  + ", "
                  + CHI_EXTENSION
                  + "="
                  + chiFile.version()
                  + ", "
                  + RAW_EXTENSION
                  + "="
                  + rawFile.version(),
              meta);
        }
        readFields(meta, version, state.fieldInfos, chiFile.body(), rawFile.body());
      } catch (EOFException e) { // the meta ends before its fields do
        priorE = new CorruptIndexException("meta ends early: " + e.getMessage(), meta, e);
      } catch (Throwable exception) {
        priorE = exception;
      } finally {
        CodecUtil.checkFooter(meta, priorE);
      }
    }
  }

  private void readFields(
      ChecksumIndexInput meta, int version, FieldInfos infos, FileBody chiBody, FileBody rawBody)
      throws IOException {
    for (int number = meta.readInt(); number != -1; number = meta.readInt()) {
      FieldInfo info = number < 0 ? null : infos.fieldInfo(number);
      if (info == null || info.getDocValuesType() != DocValuesType.BINARY) {
        throw new CorruptIndexException(
            "field number " + number + " is not a field with binary doc values", meta);
      }
      if (fields.containsKey(number)) {
        throw new CorruptIndexException("field " + number + " appears twice", meta);
      }
      ChiParams params = readParams(meta);
      MaskStorage storage = readStorage(meta, version, params);
      boolean twoTiers = format.twoTiers(version);
      ChiParams columnParams = twoTiers ? readParams(meta) : params;
      if (twoTiers && !columnParams.equals(params.firstTier())) {
        throw new CorruptIndexException(
            "first tier " + columnParams + " is not the first tier of " + params, meta);
      }
      long maskPixels = twoTiers ? meta.readVLong() : -1;
      if (maskPixels < -1 || maskPixels > (long) maxDoc * Mask.MAX_SIDE * Mask.MAX_SIDE) {
        throw new CorruptIndexException(
            maskPixels + " pixels of masks in " + maxDoc + " documents", meta);
      }
      PackedColumn groupOf = PackedColumn.readMeta(meta);
      PackedColumn ordinal = PackedColumn.readMeta(meta);
      PackedColumn height = PackedColumn.readMeta(meta);
      PackedColumn width = PackedColumn.readMeta(meta);
      ordinal.check("ordinal", maxDoc, maxDoc - 1L, chiBody, meta);
      height.check("height", maxDoc, Mask.MAX_SIDE, chiBody, meta);
      width.check("width", maxDoc, Mask.MAX_SIDE, chiBody, meta);
      long rawStart = meta.readLong();
      long addressStart = meta.readLong();
      long rawLength = addressStart - rawStart;
      if (!rawBody.contains(rawStart, rawLength)) {
        throw new CorruptIndexException(
            "masks at [" + rawStart + ", " + addressStart + ") outside " + rawBody, meta);
      }
      AddressMeta addresses = AddressMeta.read(meta, maxDoc + 1L);
      long addressLength = meta.readLong();
      if (!rawBody.contains(addressStart, addressLength)) {
        throw new CorruptIndexException(
            "addresses of " + addressLength + " bytes at " + addressStart + " outside " + rawBody,
            meta);
      }
      DirectMonotonicReader.Meta addressMeta = addresses.load(addressLength, meta);
      Monotonic recordStarts = twoTiers ? readMonotonic(meta, rawBody, maxDoc) : null;
      int groupCount = meta.readVInt();
      if (groupCount < 0 || groupCount > maxDoc) {
        throw new CorruptIndexException(
            "group count " + groupCount + " outside [0, " + maxDoc + "]", meta);
      }
      ChiGroup[] groups = new ChiGroup[groupCount];
      long members = 0;
      for (int g = 0; g < groups.length; g++) {
        groups[g] =
            ChiGroup.readMeta(
                meta,
                columnParams,
                maxDoc,
                chiBody,
                format.repeatsLevels(version),
                format.compactChi(version));
        members += groups[g].size;
      }
      if (members > maxDoc) {
        throw new CorruptIndexException(
            "groups of " + members + " masks in " + maxDoc + " documents", meta);
      }
      groupOf.check("group", maxDoc, groupCount, chiBody, meta);
      checkConstants(groupOf, height, width, groups, columnParams, meta);
      fields.put(
          number,
          new FieldEntry(
              params,
              columnParams,
              maskPixels,
              groupOf,
              ordinal,
              height,
              width,
              storage,
              rawStart,
              addressStart,
              addressLength,
              addressMeta,
              recordStarts,
              format.recordLayout(version),
              groups));
    }
  }

  /** Monotonic values of {@code count} documents: their start, meta and length. */
  private static Monotonic readMonotonic(ChecksumIndexInput meta, FileBody rawBody, long count)
      throws IOException {
    long start = meta.readLong();
    AddressMeta values = AddressMeta.read(meta, count);
    long length = meta.readLong();
    if (!rawBody.contains(start, length)) {
      throw new CorruptIndexException(
          "record starts of " + length + " bytes at " + start + " outside " + rawBody, meta);
    }
    return new Monotonic(start, length, values.load(length, meta));
  }

  private static ChiParams readParams(ChecksumIndexInput meta) throws IOException {
    int gridStep = meta.readVInt();
    int bins = meta.readVInt();
    try {
      return new ChiParams(gridStep, bins);
    } catch (IllegalArgumentException e) {
      throw new CorruptIndexException("CHI parameters: " + e.getMessage(), meta, e);
    }
  }

  /** How the field's masks are stored: whole, or in tiles of the side the meta gives. */
  private MaskStorage readStorage(ChecksumIndexInput meta, int version, ChiParams params)
      throws IOException {
    if (!format.tiled()) {
      return format.storage(version, 0, false);
    }
    int tileSide = meta.readVInt();
    if (tileSide < 1 || tileSide > Mask.MAX_SIDE || tileSide % params.gridStep() != 0) {
      throw new CorruptIndexException(
          "tile side " + tileSide + " is not a multiple of the grid step " + params.gridStep(),
          meta);
    }
    boolean planarCoded = false; // version 2 on: whether the tiles were written in best compression
    if (version >= MaskSearch20DocValuesFormat.VERSION_PLANAR_CODED) {
      byte mode = meta.readByte();
      if (mode != 0 && mode != 1) {
        throw new CorruptIndexException("tile mode " + mode, meta);
      }
      planarCoded = mode == 1;
    }
    // a merge copies stored masks only into a writer that stores them alike (MaskStorage.storesAs)
    return format.storage(version, tileSide, planarCoded);
  }

  /**
   * Checks the columns that hold one value for every document, which readers use without reading
   * per document: a constant group (then that group holds every document), and a constant height or
   * width of its masks.
   */
  private void checkConstants(
      PackedColumn groupOf,
      PackedColumn height,
      PackedColumn width,
      ChiGroup[] groups,
      ChiParams params,
      ChecksumIndexInput meta)
      throws CorruptIndexException {
    if (groupOf.bitsPerValue() != 0 || groupOf.min() == 0) {
      return;
    }
    ChiGroup group = groups[(int) groupOf.min() - 1];
    if (group.size != maxDoc) {
      throw new CorruptIndexException(
          "every document is in a group of " + group.size + " masks", meta);
    }
    if (height.bitsPerValue() == 0
        && !DocColumns.fitsCells(height.min(), group.gy, params.gridStep())) {
      throw new CorruptIndexException(
          "every mask has height "
              + height.min()
              + ", but its group's grid has "
              + group.gy
              + " rows",
          meta);
    }
    if (width.bitsPerValue() == 0
        && !DocColumns.fitsCells(width.min(), group.gx, params.gridStep())) {
      throw new CorruptIndexException(
          "every mask has width "
              + width.min()
              + ", but its group's grid has "
              + group.gx
              + " columns",
          meta);
    }
  }

  /**
   * The first address is 0 and the last is the end of the field's masks, or the addresses are
   * corrupt.
   */
  private void checkAddressEnds(FieldEntry entry, IndexInput rawInput) throws IOException {
    LongValues addresses =
        DirectMonotonicReader.getInstance(
            entry.addressMeta(),
            rawInput.randomAccessSlice(entry.addressStart(), entry.addressLength()));
    long first = addresses.get(0);
    long last = addresses.get(maxDoc);
    if (first != 0 || last != entry.rawLength()) {
      throw new CorruptIndexException(
          "addresses run from " + first + " to " + last + ", not from 0 to " + entry.rawLength(),
          rawInput);
    }
  }

  @Override
  public BinaryDocValues getBinary(FieldInfo field) throws IOException {
    FieldEntry entry = fields.get(field.number);
    if (entry
        == null) { // the field infos give the field this format, but the meta does not have it
      throw new CorruptIndexException(
          "field [" + field.name + "] has no " + format.name() + " doc values in the meta", chi);
    }
    return new Values(entry);
  }

  /**
   * The doc values of one field: iteration over the documents with a mask, plus CHI and mask
   * access.
   */
  private final class Values extends MaskDocValues {
    private final FieldEntry entry;
    private final RandomAccessInput chiData;
    private final DocColumns.Column groupOf;
    private final DocColumns.Column ordinal;
    private final DocColumns.Column heights;
    private final DocColumns.Column widths;
    private final LongValues addresses;
    private final LongValues recordStarts; // null: the CHI is in one tier, the columns
    private int doc = -1;
    private final BytesRef scratch = new BytesRef();

    Values(FieldEntry entry) throws IOException {
      this.entry = entry;
      this.chiData = chi.randomAccessSlice(0, chi.length());
      DocColumns columns =
          new DocColumns(
              entry.groupOf(),
              entry.ordinal(),
              entry.height(),
              entry.width(),
              entry.groups(),
              entry.columnParams().gridStep(),
              chiData,
              chi.toString());
      this.groupOf = columns.groupOf;
      this.ordinal = columns.ordinal;
      this.heights = columns.heights;
      this.widths = columns.widths;
      this.addresses =
          DirectMonotonicReader.getInstance(
              entry.addressMeta(),
              raw.randomAccessSlice(entry.addressStart(), entry.addressLength()));
      this.recordStarts = entry.recordStarts() == null ? null : entry.recordStarts().open(raw);
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
      if (entry.maskPixels() >= 0) {
        return masks == 0 ? 0 : (float) ((double) entry.maskPixels() / masks);
      }
      int step = entry.params().gridStep(); // before two tiers: cells at the field's step
      return masks == 0 ? 0 : (float) (cells / masks * step * step);
    }

    @Override
    public ChiCursor chiCursor() throws IOException {
      return readsRecords()
          ? new RecordChiCursor(
              entry.params().bins(), entry.recordLayout(), this::record, raw.clone())
          : new Cursor();
    }

    @Override
    public ChiCursor firstTierCursor() {
      return readsRecords() ? new Cursor() : null;
    }

    /**
     * Whether the field's CHI is read from the records: in two tiers, unless the first tier has the
     * field's parameters (a step too large to double and odd bins), when its columns hold the same
     * counts and are read for both stages, as one tier is.
     */
    private boolean readsRecords() {
      return recordStarts != null && !entry.columnParams().equals(entry.params());
    }

    /** Where a document's record lies (after its mask), checked; null without a mask. */
    private RecordChiCursor.Location record(int target) throws IOException {
      long group = groupOf.get(target);
      if (group == 0) {
        return null;
      }
      long maskStart = addresses.get(target);
      long start = recordStarts.get(target);
      long end = addresses.get(target + 1L);
      if (maskStart < 0 || start < maskStart || end < start || end > entry.rawLength()) {
        throw new CorruptIndexException(
            "record of document "
                + target
                + " at ["
                + start
                + ", "
                + end
                + ") outside its mask's place from "
                + maskStart
                + " in the field's "
                + entry.rawLength()
                + " bytes",
            raw);
      }
      ChiGrid grid =
          new ChiGrid(
              entry.params().gridStep(), (int) widths.get(target), (int) heights.get(target));
      int slots = entry.params().bins() + 1;
      if ((long) grid.gx() * grid.gy() * slots > ChiParams.MAX_ENTRIES_PER_MASK) {
        // no writer stores it (ChiParams.checkFits); checked before the cursor allocates its tables
        throw new CorruptIndexException(
            "record of document " + target + " has a grid of " + grid.gx() + "x" + grid.gy(), raw);
      }
      // checked before the cursor allocates it: a cell takes at most a 2-byte header, a bitmap and
      // 4 bytes a bin (a run's header and count, under 3 bytes a cell), after a record's length of
      // headers (version 5, a VInt)
      long most = (long) grid.gx() * grid.gy() * (2 + (slots + 7) / 8 + 4L * slots) + 5;
      if (end - start > most) {
        throw new CorruptIndexException(
            "record of document " + target + " has " + (end - start) + " bytes", raw);
      }
      return new RecordChiCursor.Location(
          grid,
          entry.groups()[(int) group - 1].dtype,
          entry.rawStart() + start,
          (int) (end - start));
    }

    @Override
    public Mask mask(int target) throws IOException {
      StoredMask stored = stored(target);
      try {
        return entry.storage().decode(input(stored), stored);
      } catch (CorruptIndexException e) {
        throw new CorruptIndexException("mask of document " + target, raw, e);
      }
    }

    @Override
    public CpBounds.Pixels pixels(int target, ValueRange range) throws IOException {
      StoredMask stored = stored(target);
      long codes = PixelCounts.codes(stored.dtype(), range);
      CpBounds.Pixels pixels =
          entry.storage().pixels(input(stored), stored, (int) (codes >>> 32), (int) codes);
      return new CpBounds.Pixels() { // a corrupt mask names its document
        @Override
        public long count(int x1, int y1, int x2, int y2) throws IOException {
          try {
            return pixels.count(x1, y1, x2, y2);
          } catch (CorruptIndexException e) {
            throw new CorruptIndexException("mask of document " + target, raw, e);
          }
        }

        @Override
        public long count(Shape shape, int x1, int y1, int x2, int y2) throws IOException {
          try {
            return pixels.count(shape, x1, y1, x2, y2);
          } catch (CorruptIndexException e) {
            throw new CorruptIndexException("mask of document " + target, raw, e);
          }
        }
      };
    }

    @Override
    public MaskSize maskSize(int target) throws IOException {
      StoredMask stored = stored(target);
      return new MaskSize(
          stored.width(),
          stored.height(),
          stored.dtype(),
          stored.length(),
          entry.storage().readBytes(input(stored), stored));
    }

    @Override
    MaskStorage storage() {
      return entry.storage();
    }

    @Override
    byte[] storedMask(int target) throws IOException {
      StoredMask stored = stored(target);
      byte[] bytes = new byte[(int) stored.length()];
      input(stored).readBytes(bytes, 0, bytes.length);
      return bytes;
    }

    /**
     * Where a document's mask is stored and what it is, checked before anything is allocated for
     * it.
     */
    private StoredMask stored(int target) throws IOException {
      long group = groupOf.get(target);
      if (group == 0) {
        throw new IllegalArgumentException("document " + target + " has no mask");
      }
      MaskDType dtype = entry.groups()[(int) group - 1].dtype;
      int height = (int) heights.get(target);
      int width = (int) widths.get(target);
      long start = addresses.get(target);
      // two tiers: the record follows the mask
      long end = recordStarts == null ? addresses.get(target + 1L) : recordStarts.get(target);
      if (start < 0 || end < start || end > entry.rawLength()) {
        throw new CorruptIndexException(
            "mask of document "
                + target
                + " at ["
                + start
                + ", "
                + end
                + ") outside the field's "
                + entry.rawLength()
                + " bytes of masks",
            raw);
      }
      entry.storage().checkLength(end - start, dtype, height, width, raw.toString());
      return new StoredMask(dtype, height, width, entry.rawStart() + start, end - start);
    }

    /** The stored bytes of a mask, alone: reading past them is an EOF. */
    private IndexInput input(StoredMask stored) throws IOException {
      return raw.slice("mask", stored.offset(), stored.length());
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

    /**
     * Seeks the documents' group members in the CHI columns (the first tier's when the CHI is in
     * two tiers); one {@link ChiBlockCursor} serves every group.
     */
    private final class Cursor implements ChiCursor {
      private final ChiBlockCursor cursor = new ChiBlockCursor(chiData, chi.clone());
      private ChiGroup currentGroup;
      private ChiGrid grid;

      /** One group, every document in it, one size: the common case of a dataset of equal masks. */
      private final boolean uniform;

      Cursor() {
        PackedColumn g = entry.groupOf();
        uniform =
            g.bitsPerValue() == 0
                && g.min() == 1
                && entry.height().bitsPerValue() == 0
                && entry.width().bitsPerValue() == 0;
        if (uniform) {
          currentGroup = entry.groups()[0];
          grid =
              new ChiGrid(
                  entry.columnParams().gridStep(),
                  (int) entry.width().min(),
                  (int) entry.height().min());
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
          grid = new ChiGrid(entry.columnParams().gridStep(), w, h);
        }
        return true;
      }

      @Override
      public boolean locate(int target) throws IOException {
        return uniform || seek(target); // uniform: every document has a mask, all of one shape
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
        return entry.columnParams().bins();
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
