package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;

/**
 * The index frozen when {@link MaskSearch20DocValuesFormat} was current at version 2 of its files
 * ({@code index.masksearch20-v2.zip}), written in best compression: one-byte tiles as prefix-coded
 * planar residuals where shorter, the CHI in one tier of columns at the field's own grid and bins.
 */
public class MaskSearch20V2BackwardsCompatibilityTests
    extends BaseMaskFormatBackwardsCompatibilityTestCase {
  @Override
  protected String resource() {
    return "index.masksearch20-v2.zip";
  }

  @Override
  protected int frozenVersion() {
    return 2;
  }

  @Override
  protected DocValuesFormat frozenFormat() {
    return new MaskSearch20DocValuesFormat(MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION);
  }

  /**
   * Merged in the same mode into the current version, which adds packed planar tiles to both modes
   * (version 4), every live mask is stored again: its bytes are what the current storage writes for
   * it, and some differ from the frozen ones (the base class checks the answers).
   */
  public void testMergeInTheSameModeStoresMasksAgainInTheCurrentVersion() throws IOException {
    Path dir = createTempDir();
    unzip(dir);
    Map<String, ChiParams> fields =
        Map.of(
            MaskSegmentFixture.MIXED, FrozenIndex.MIXED_PARAMS,
            MaskSegmentFixture.UNIFORM, FrozenIndex.UNIFORM_PARAMS);
    try (Directory old = newFSDirectory(dir);
        Directory merged = newDirectory()) {
      IndexWriterConfig config =
          new IndexWriterConfig()
              .setCodec(
                  TestMaskCodecs.writing(
                      frozenFormat(), new Lucene104Codec(), fields::containsKey));
      try (IndexWriter writer = new IndexWriter(merged, config)) {
        writer.addIndexes(old);
        writer.forceMerge(1);
      }
      int compared = 0;
      int changed = 0;
      for (Map.Entry<String, ChiParams> field : fields.entrySet()) {
        TiledMaskStorage current =
            new TiledMaskStorage(
                TiledMaskStorage.tileSideFor(field.getValue().gridStep()),
                FormatVersion.V20.versionCurrent(),
                true);
        Map<Long, Stored> before = storedById(old, field.getKey(), true);
        Map<Long, Stored> after = storedById(merged, field.getKey(), false);
        assertEquals(field.getKey(), before.keySet(), after.keySet());
        for (Map.Entry<Long, Stored> mask : after.entrySet()) {
          String what = field.getKey() + " id " + mask.getKey();
          assertEquals(
              what, new BytesRef(current.encode(mask.getValue().mask())), mask.getValue().bytes());
          changed += before.get(mask.getKey()).bytes().equals(mask.getValue().bytes()) ? 0 : 1;
          compared++;
        }
      }
      assertTrue("masks compared: " + compared, compared > 10);
      assertTrue("masks stored again differently: " + changed, changed > 0);
    }
  }

  /** A live document's stored mask bytes and the mask they decode to. */
  private record Stored(BytesRef bytes, Mask mask) {}

  /** Each live document's stored mask by id (the old index's from its live documents). */
  private static Map<Long, Stored> storedById(Directory directory, String field, boolean old)
      throws IOException {
    Map<Long, Stored> stored = new HashMap<>();
    try (DirectoryReader reader = DirectoryReader.open(directory)) {
      assertEquals(old ? 2 : 1, reader.leaves().size());
      for (LeafReaderContext leaf : reader.leaves()) {
        MaskDocValues masks = (MaskDocValues) leaf.reader().getBinaryDocValues(field);
        NumericDocValues ids = leaf.reader().getNumericDocValues(MaskSegmentFixture.ID);
        for (int doc = masks.nextDoc();
            doc != DocIdSetIterator.NO_MORE_DOCS;
            doc = masks.nextDoc()) {
          if (leaf.reader().getLiveDocs() == null || leaf.reader().getLiveDocs().get(doc)) {
            assertTrue(ids.advanceExact(doc));
            stored.put(
                ids.longValue(), new Stored(new BytesRef(masks.storedMask(doc)), masks.mask(doc)));
          }
        }
      }
    }
    return stored;
  }
}
