package dev.masksearch.codec;

import static dev.masksearch.codec.MaskDocValuesFormat.*;

import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.DocValuesConsumer;
import org.apache.lucene.codecs.DocValuesProducer;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.packed.DirectMonotonicWriter;
import org.apache.lucene.util.packed.PackedInts;
import org.apache.lucene.util.packed.PackedLongValues;

/**
 * Writes mask fields in the {@link MaskDocValuesFormat}. Each mask is decoded once, its CHI built and buffered in
 * its shape group, and its pixels compressed; merges take the same path over the merged values, so segments never
 * depend on how their sources were written.
 */
final class MaskDocValuesConsumer extends DocValuesConsumer {
  private final IndexOutput meta;
  private final IndexOutput chi;
  private final IndexOutput raw;
  private final int maxDoc;

  MaskDocValuesConsumer(SegmentWriteState state) throws IOException {
    this.maxDoc = state.segmentInfo.maxDoc();
    boolean success = false;
    IndexOutput m = null;
    IndexOutput c = null;
    IndexOutput r = null;
    try {
      m = create(state, META_EXTENSION, META_CODEC);
      c = create(state, CHI_EXTENSION, CHI_CODEC);
      r = create(state, RAW_EXTENSION, RAW_CODEC);
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

  private static IndexOutput create(SegmentWriteState state, String extension, String codec) throws IOException {
    String name = IndexFileNames.segmentFileName(state.segmentInfo.name, state.segmentSuffix, extension);
    IndexOutput out = state.directory.createOutput(name, state.context);
    CodecUtil.writeIndexHeader(out, codec, VERSION_CURRENT, state.segmentInfo.getId(), state.segmentSuffix);
    return out;
  }

  @Override
  public void addBinaryField(FieldInfo field, DocValuesProducer valuesProducer) throws IOException {
    ChiParams params = paramsOf(field);
    PackedLongValues.Builder groupOf = PackedLongValues.packedBuilder(PackedInts.COMPACT);
    PackedLongValues.Builder ordinal = PackedLongValues.packedBuilder(PackedInts.COMPACT);
    PackedLongValues.Builder heights = PackedLongValues.packedBuilder(PackedInts.COMPACT);
    PackedLongValues.Builder widths = PackedLongValues.packedBuilder(PackedInts.COMPACT);
    PackedLongValues.Builder addresses = PackedLongValues.monotonicBuilder(PackedInts.COMPACT);
    Map<ChiGroupKey, ChiGroupWriter> groups = new LinkedHashMap<>();
    Map<ChiGroupKey, Integer> groupNumbers = new LinkedHashMap<>();
    long rawStart = raw.getFilePointer();

    BinaryDocValues values = valuesProducer.getBinary(field);
    int doc = 0;
    for (int next = values.nextDoc(); ; next = values.nextDoc()) {
      int until = next == DocIdSetIterator.NO_MORE_DOCS ? maxDoc : next;
      for (; doc < until; doc++) { // documents without a mask
        addresses.add(raw.getFilePointer() - rawStart);
        groupOf.add(0);
        ordinal.add(0);
        heights.add(0);
        widths.add(0);
      }
      if (next == DocIdSetIterator.NO_MORE_DOCS) {
        break;
      }
      Mask mask = MaskBytes.decode(values.binaryValue());
      ChiGrid grid = new ChiGrid(params.gridStep(), mask.width(), mask.height());
      ChiGroupKey key = new ChiGroupKey(MaskBytes.id(mask.dtype()), grid.gx(), grid.gy());
      ChiGroupWriter group = groups.computeIfAbsent(key, k -> new ChiGroupWriter(k, params.bins()));
      int groupNumber = groupNumbers.computeIfAbsent(key, k -> groupNumbers.size());

      addresses.add(raw.getFilePointer() - rawStart);
      byte[] compressed = RawMaskCompression.compress(mask);
      raw.writeBytes(compressed, compressed.length);
      groupOf.add(groupNumber + 1L);
      ordinal.add(group.add(Chi.build(mask, params).counts(), chi));
      heights.add(mask.height());
      widths.add(mask.width());
      doc++;
    }
    addresses.add(raw.getFilePointer() - rawStart);
    for (ChiGroupWriter group : groups.values()) {
      group.flush(chi);
    }

    meta.writeInt(field.number);
    meta.writeVInt(params.gridStep());
    meta.writeVInt(params.bins());
    for (PackedLongValues column : new PackedLongValues[] {groupOf.build(), ordinal.build(), heights.build(), widths.build()}) {
      PackedColumn.write(column, chi).writeMeta(meta);
    }
    writeAddresses(addresses.build(), rawStart);
    meta.writeVInt(groups.size());
    for (ChiGroupWriter group : groups.values()) {
      group.writeMeta(meta);
    }
  }

  private void writeAddresses(PackedLongValues addresses, long rawStart) throws IOException {
    meta.writeLong(rawStart);
    meta.writeLong(raw.getFilePointer());
    meta.writeVInt(ADDRESS_BLOCK_SHIFT);
    long addressStart = raw.getFilePointer();
    DirectMonotonicWriter writer = DirectMonotonicWriter.getInstance(meta, raw, addresses.size(), ADDRESS_BLOCK_SHIFT);
    for (PackedLongValues.Iterator it = addresses.iterator(); it.hasNext(); ) {
      writer.add(it.next());
    }
    writer.finish();
    meta.writeLong(raw.getFilePointer() - addressStart);
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

  private static UnsupportedOperationException unsupported(FieldInfo field, String type) {
    return new UnsupportedOperationException(
        "field [" + field.name + "] uses " + NAME + ", which stores masks as binary doc values, not " + type);
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
    }
  }
}
