package dev.masksearch.codec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
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
   * Versions 2 and 3 store masks alike: merged in the same mode, every live mask keeps its stored
   * bytes (the merge copies them, {@link TiledMaskStorage#storesAs}; encoding them again gives the
   * same bytes today, so this pins the bytes rather than the path; the base class checks the
   * answers).
   */
  public void testMergeInTheSameModeKeepsStoredMasks() throws IOException {
    Path dir = createTempDir();
    unzip(dir);
    List<String> fields = List.of(MaskSegmentFixture.MIXED, MaskSegmentFixture.UNIFORM);
    try (Directory old = newFSDirectory(dir);
        Directory merged = newDirectory()) {
      IndexWriterConfig config =
          new IndexWriterConfig()
              .setCodec(
                  TestMaskCodecs.writing(frozenFormat(), new Lucene104Codec(), fields::contains));
      try (IndexWriter writer = new IndexWriter(merged, config)) {
        writer.addIndexes(old);
        writer.forceMerge(1);
      }
      int compared = 0;
      for (String field : fields) {
        Map<Long, BytesRef> before = storedById(old, field, true);
        Map<Long, BytesRef> after = storedById(merged, field, false);
        assertEquals(field, before.keySet(), after.keySet());
        for (Map.Entry<Long, BytesRef> mask : before.entrySet()) {
          assertEquals(field + " id " + mask.getKey(), mask.getValue(), after.get(mask.getKey()));
          compared++;
        }
      }
      assertTrue("masks compared: " + compared, compared > 10);
    }
  }

  /** Each live document's stored mask bytes by id (the old index's from its live documents). */
  private static Map<Long, BytesRef> storedById(Directory directory, String field, boolean old)
      throws IOException {
    Map<Long, BytesRef> stored = new HashMap<>();
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
            stored.put(ids.longValue(), new BytesRef(masks.storedMask(doc)));
          }
        }
      }
    }
    return stored;
  }
}
