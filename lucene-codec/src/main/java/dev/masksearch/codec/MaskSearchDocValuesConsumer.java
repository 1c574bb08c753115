package dev.masksearch.codec;

import static dev.masksearch.codec.MaskSearch10DocValuesFormat.*;

import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.DocValuesConsumer;
import org.apache.lucene.codecs.DocValuesProducer;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.MergeState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.packed.DirectMonotonicWriter;
import org.apache.lucene.util.packed.PackedInts;
import org.apache.lucene.util.packed.PackedLongValues;

/**
 * Writes mask fields in the {@link MaskSearch20DocValuesFormat} or the {@link
 * MaskSearch10DocValuesFormat} (as its {@link FormatVersion} says). Each mask is decoded once, its
 * CHI built and buffered in its shape group, and its pixels compressed; merges take the same path
 * over the merged values, so segments never depend on how their sources were written.
 */
final class MaskSearchDocValuesConsumer extends DocValuesConsumer {
  private IndexOutput meta;
  private IndexOutput chi;
  private IndexOutput raw;
  private final int maxDoc;
  private final SegmentWriteState state;
  private final long maxBufferedBytes;
  private final FormatVersion format;
  private final boolean planarCoded; // whether tiles may be written planar-coded (best compression)

  MaskSearchDocValuesConsumer(
      SegmentWriteState state, FormatVersion format, boolean planarCoded, long maxBufferedBytes)
      throws IOException {
    this.format = format;
    this.planarCoded = planarCoded;
    this.maxDoc = state.segmentInfo.maxDoc();
    this.state = state;
    this.maxBufferedBytes = maxBufferedBytes;
    boolean success = false;
    IndexOutput m = null;
    IndexOutput c = null;
    IndexOutput r = null;
    try {
      m = create(state, META_EXTENSION, format.metaCodec(), format.versionCurrent());
      c = create(state, CHI_EXTENSION, format.chiCodec(), format.versionCurrent());
      r = create(state, RAW_EXTENSION, format.rawCodec(), format.versionCurrent());
      success = true;
    } finally {
      if (!success) {
        IOUtils.closeWhileHandlingException(m, c, r);
      }
    }
    this.meta = m;
    this.chi = c;
    this.raw = r;
  }

  private static IndexOutput create(
      SegmentWriteState state, String extension, String codec, int version) throws IOException {
    String name =
        IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
    IndexOutput out = state.directory.createOutput(name, state.context);
    boolean success = false;
    try {
      CodecUtil.writeIndexHeader(
          out, codec, version, state.segmentInfo.getId(), state.segmentSuffix);
      success = true;
      return out;
    } finally {
      if (!success) { // the caller never sees this output, so it cannot close it
        IOUtils.closeWhileHandlingException(out);
      }
    }
  }

  @Override
  public void addBinaryField(FieldInfo field, DocValuesProducer valuesProducer) throws IOException {
    ChiParams params = paramsOf(field);
    FieldWriter writer = new FieldWriter(params, storageFor(params));
    boolean success = false;
    try {
      BinaryDocValues values = valuesProducer.getBinary(field);
      for (int doc = values.nextDoc();
          doc != DocIdSetIterator.NO_MORE_DOCS;
          doc = values.nextDoc()) {
        writer.skipTo(doc);
        Mask mask = MaskBytes.decode(values.binaryValue());
        writer.add(
            mask.dtype(),
            mask.height(),
            mask.width(),
            writer.storage.encode(mask),
            Chi.cellHistograms(mask, params));
      }
      writer.finish(field);
      success = true;
    } finally {
      if (!success) {
        writer.abort();
      }
    }
  }

  /**
   * Merges by copying each mask's CHI (its cells' histograms) when every source segment stores the
   * field in a mask format with the same parameters and the merge keeps document order, and its
   * stored bytes too when the source stores masks as this format does (else they are decoded and
   * stored again); otherwise rebuilds from the masks.
   */
  @Override
  public void mergeBinaryField(FieldInfo field, MergeState mergeState) throws IOException {
    ChiParams params = paramsOf(field);
    MaskDocValues[] sources = copyableSources(field, mergeState, params);
    if (sources == null) {
      super.mergeBinaryField(field, mergeState);
      return;
    }
    FieldWriter writer = new FieldWriter(params, storageFor(params));
    boolean success = false;
    try {
      copy(sources, mergeState, params, writer);
      writer.finish(field);
      success = true;
    } finally {
      if (!success) {
        writer.abort();
      }
    }
  }

  /** Copies the sources' live masks and CHI rows, in the merged order. */
  private static void copy(
      MaskDocValues[] sources, MergeState mergeState, ChiParams params, FieldWriter writer)
      throws IOException {
    for (int i = 0; i < sources.length; i++) {
      MaskDocValues source = sources[i];
      if (source == null) {
        continue;
      }
      MaskDocValues.ChiCursor cursor = source.chiCursor();
      MergeState.DocMap docMap = mergeState.docMaps[i];
      for (int doc = source.nextDoc();
          doc != DocIdSetIterator.NO_MORE_DOCS;
          doc = source.nextDoc()) {
        int newDoc = docMap.get(doc);
        if (newDoc == -1) {
          continue; // deleted
        }
        writer.skipTo(newDoc);
        cursor.seek(doc);
        ChiGrid grid = cursor.grid();
        byte[] stored =
            source.storage().storesAs(writer.storage)
                ? source.storedMask(doc)
                : writer.storage.encode(source.mask(doc));
        writer.add(cursor.dtype(), grid.height(), grid.width(), stored, cursor.cellHistograms());
      }
    }
  }

  /** The sources' mask doc values if all can be copied, else null. */
  private static MaskDocValues[] copyableSources(
      FieldInfo field, MergeState mergeState, ChiParams params) throws IOException {
    if (mergeState.needsIndexSort) {
      return null;
    }
    MaskDocValues[] sources = new MaskDocValues[mergeState.docValuesProducers.length];
    for (int i = 0; i < sources.length; i++) {
      FieldInfo sourceField = mergeState.fieldInfos[i].fieldInfo(field.name);
      if (sourceField == null || sourceField.getDocValuesType() != DocValuesType.BINARY) {
        continue;
      }
      DocValuesProducer producer = mergeState.docValuesProducers[i];
      BinaryDocValues values = producer == null ? null : producer.getBinary(sourceField);
      if (!(values instanceof MaskDocValues masks) || !masks.params().equals(params)) {
        return null;
      }
      sources[i] = masks;
    }
    return sources;
  }

  /** How this format stores the masks of a field with these CHI parameters. */
  private MaskStorage storageFor(ChiParams params) {
    return format.storage(
        format.versionCurrent(), TiledMaskStorage.tileSideFor(params.gridStep()), planarCoded);
  }

  /** Accumulates one field's documents in order, then writes its columns and meta. */
  private final class FieldWriter {
    private final ChiParams params;
    // the CHI's columns: at the first tier's parameters when it is stored in two tiers
    private final boolean twoTiers = format.twoTiers(format.versionCurrent());
    private final CellSuffixRecord.Layout recordLayout =
        format.recordLayout(format.versionCurrent());
    private final ChiParams columnParams;
    final MaskStorage storage;
    private final PackedLongValues.Builder groupOf =
        PackedLongValues.packedBuilder(PackedInts.COMPACT);
    private final PackedLongValues.Builder ordinal =
        PackedLongValues.packedBuilder(PackedInts.COMPACT);
    private final PackedLongValues.Builder heights =
        PackedLongValues.packedBuilder(PackedInts.COMPACT);
    private final PackedLongValues.Builder widths =
        PackedLongValues.packedBuilder(PackedInts.COMPACT);
    private final PackedLongValues.Builder addresses =
        PackedLongValues.monotonicBuilder(PackedInts.COMPACT);
    // where each document's record starts, after its mask (two tiers only)
    private final PackedLongValues.Builder recordStarts =
        twoTiers ? PackedLongValues.monotonicBuilder(PackedInts.COMPACT) : null;
    private final Map<ChiGroupKey, ChiGroupWriter> groups = new LinkedHashMap<>();
    private final Map<ChiGroupKey, Integer> groupNumbers = new LinkedHashMap<>();
    private final long rawStart = raw.getFilePointer();
    private int doc;
    private long maskPixels; // of every mask added
    private long bufferedBytes; // what the groups' buffers hold together
    private IndexOutput spill; // created when they hold too much

    FieldWriter(ChiParams params, MaskStorage storage) {
      this.params = params;
      this.columnParams = twoTiers ? params.firstTier() : params;
      this.storage = storage;
    }

    /** Records the documents before {@code target} as having no mask. */
    void skipTo(int target) {
      for (; doc < target; doc++) {
        addresses.add(raw.getFilePointer() - rawStart);
        if (twoTiers) {
          recordStarts.add(raw.getFilePointer() - rawStart);
        }
        groupOf.add(0);
        ordinal.add(0);
        heights.add(0);
        widths.add(0);
      }
    }

    /**
     * Adds the next document's mask: its stored bytes and its cells' histograms at the field's
     * parameters ({@link Chi#cellHistograms}).
     */
    void add(MaskDType dtype, int height, int width, byte[] compressed, int[] cells)
        throws IOException {
      ChiGrid grid = new ChiGrid(params.gridStep(), width, height);
      int[] chiCounts =
          twoTiers
              ? Chi.fromCells(
                      new ChiGrid(columnParams.gridStep(), width, height),
                      columnParams.bins(),
                      Chi.coarsen(cells, grid, params))
                  .counts()
              : Chi.fromCells(grid, params.bins(), cells).counts();
      ChiGroupKey key =
          new ChiGroupKey(
              MaskBytes.id(dtype),
              ChiGrid.cells(width, columnParams.gridStep()),
              ChiGrid.cells(height, columnParams.gridStep()));
      ChiGroupWriter group =
          groups.computeIfAbsent(
              key,
              k ->
                  new ChiGroupWriter(
                      k,
                      columnParams.bins(),
                      format.repeatsLevels(format.versionCurrent()),
                      format.compactChi(format.versionCurrent())));
      int groupNumber = groupNumbers.computeIfAbsent(key, k -> groupNumbers.size());
      addresses.add(raw.getFilePointer() - rawStart);
      raw.writeBytes(compressed, compressed.length);
      if (twoTiers) {
        recordStarts.add(raw.getFilePointer() - rawStart);
        CellSuffixRecord.write(cells, params.bins() + 1, recordLayout, raw);
      }
      groupOf.add(groupNumber + 1L);
      long before = group.bufferedBytes();
      ordinal.add(group.add(chiCounts, chi, spill));
      bufferedBytes += group.bufferedBytes() - before;
      if (bufferedBytes > maxBufferedBytes) {
        spillGroups();
      }
      heights.add(height);
      widths.add(width);
      maskPixels += (long) height * width;
      doc++;
    }

    private void spillGroups() throws IOException {
      if (spill == null) {
        spill = state.directory.createTempOutput(state.segmentInfo.name, "mskchi", state.context);
      }
      for (ChiGroupWriter group : groups.values()) {
        group.spill(spill);
      }
      bufferedBytes = 0;
    }

    void finish(FieldInfo field) throws IOException {
      skipTo(maxDoc);
      addresses.add(raw.getFilePointer() - rawStart);
      for (ChiGroupWriter group : groups.values()) {
        group.flush(chi);
      }
      writeSpilledBlocks();
      meta.writeInt(field.number);
      meta.writeVInt(params.gridStep());
      meta.writeVInt(params.bins());
      if (storage instanceof TiledMaskStorage tiled) {
        meta.writeVInt(tiled.tileSide());
        if (tiled.planarCoded()) { // version 2 on: the mode that wrote the tiles
          meta.writeByte((byte) (tiled.bestCompression() ? 1 : 0));
        }
      }
      if (twoTiers) {
        meta.writeVInt(columnParams.gridStep());
        meta.writeVInt(columnParams.bins());
        meta.writeVLong(maskPixels);
      }
      for (PackedLongValues column :
          new PackedLongValues[] {
            groupOf.build(), ordinal.build(), heights.build(), widths.build()
          }) {
        PackedColumn.write(column, chi).writeMeta(meta);
      }
      writeAddresses(addresses.build(), rawStart);
      if (twoTiers) {
        meta.writeLong(raw.getFilePointer());
        writeMonotonic(recordStarts.build());
      }
      meta.writeVInt(groups.size());
      for (ChiGroupWriter group : groups.values()) {
        group.writeMeta(meta);
      }
    }

    private void writeSpilledBlocks() throws IOException {
      if (spill == null) {
        return;
      }
      String name = spill.getName();
      try {
        spill.close();
        try (IndexInput in = state.directory.openInput(name, state.context)) {
          for (ChiGroupWriter group : groups.values()) {
            group.finishSpilled(in, chi);
          }
        }
      } finally {
        IOUtils.deleteFilesIgnoringExceptions(state.directory, name);
      }
    }

    /** Deletes the spill file of a field whose writing failed. */
    void abort() {
      if (spill != null) {
        IOUtils.closeWhileHandlingException(spill);
        IOUtils.deleteFilesIgnoringExceptions(state.directory, spill.getName());
      }
    }
  }

  private void writeAddresses(PackedLongValues addresses, long rawStart) throws IOException {
    meta.writeLong(rawStart);
    meta.writeLong(raw.getFilePointer());
    writeMonotonic(addresses);
  }

  /**
   * Writes monotonic values into {@code .mskr} with Lucene's DirectMonotonicWriter: in the meta,
   * the block shift, the writer's meta and the bytes written.
   */
  private void writeMonotonic(PackedLongValues values) throws IOException {
    meta.writeVInt(ADDRESS_BLOCK_SHIFT);
    long start = raw.getFilePointer();
    DirectMonotonicWriter writer =
        DirectMonotonicWriter.getInstance(meta, raw, values.size(), ADDRESS_BLOCK_SHIFT);
    for (PackedLongValues.Iterator it = values.iterator(); it.hasNext(); ) {
      writer.add(it.next());
    }
    writer.finish();
    meta.writeLong(raw.getFilePointer() - start);
  }

  @Override
  public void addNumericField(FieldInfo field, DocValuesProducer valuesProducer) {
    throw unsupported(field, "numeric");
  }

  @Override
  public void addSortedField(FieldInfo field, DocValuesProducer valuesProducer) {
    throw unsupported(field, "sorted");
  }

  @Override
  public void addSortedNumericField(FieldInfo field, DocValuesProducer valuesProducer) {
    throw unsupported(field, "sorted numeric");
  }

  @Override
  public void addSortedSetField(FieldInfo field, DocValuesProducer valuesProducer) {
    throw unsupported(field, "sorted set");
  }

  private UnsupportedOperationException unsupported(FieldInfo field, String type) {
    return new UnsupportedOperationException(
        "field ["
            + field.name
            + "] uses "
            + format.name()
            + ", which stores masks as binary doc values, not "
            + type);
  }

  @Override
  public void close() throws IOException {
    boolean success = false;
    try {
      if (meta != null) {
        meta.writeInt(-1);
        CodecUtil.writeFooter(meta);
      }
      if (chi != null) {
        CodecUtil.writeFooter(chi);
      }
      if (raw != null) {
        CodecUtil.writeFooter(raw);
      }
      success = true;
    } finally {
      if (success) {
        IOUtils.close(meta, chi, raw);
      } else {
        IOUtils.closeWhileHandlingException(meta, chi, raw);
      }
      meta = chi = raw = null; // a second close does nothing (Closeable contract)
    }
  }
}
