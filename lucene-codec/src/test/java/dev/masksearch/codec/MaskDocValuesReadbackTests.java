package dev.masksearch.codec;

import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SlowCodecReaderWrapper;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.BytesRef;

/**
 * Indexes random masks through {@link MaskCodec} and reads every one back through each access path
 * of {@link MaskDocValues} (iteration, advance, random access, CHI cursor), comparing with the
 * masks the test built and with {@link dev.masksearch.chi.Chi#build}: many segments, deletions,
 * updates, doc-values updates, index sorting, sparse fields, several shape groups per segment,
 * multi-block groups, merges (copying and rebuilding) and addIndexes. Readers are plain {@link
 * DirectoryReader}s, so the leaves are the codec's own doc values.
 */
public class MaskDocValuesReadbackTests extends LuceneTestCase {
  private static final String ID = "id";
  private static final String SORT = "sort";
  private static final String MASK = "mask";
  private static final String MASK2 = "mask2";
  private static final List<String> FIELDS = List.of(MASK, MASK2);

  private static Codec maskCodec() {
    return TestMaskCodecs.random(
        random(), TestUtil.getDefaultCodec(), field -> field.startsWith(MASK));
  }

  /** The masks the test indexed, by unique id, and which ids are live. */
  private static final class Model {
    final Map<Long, Mask[]> masks = new HashMap<>();
    final Set<Long> live = new HashSet<>();
    final List<Long> liveList = new ArrayList<>();
    long nextId;

    /**
     * Whether doc-values updates were made (they may give a segment the default CHI parameters).
     */
    boolean dvUpdates;

    long add(Mask[] docMasks) {
      long id = nextId++;
      masks.put(id, docMasks);
      live.add(id);
      liveList.add(id);
      return id;
    }

    void delete(long id) {
      live.remove(id);
      liveList.remove(id);
    }

    long randomLive() {
      return liveList.get(random().nextInt(liveList.size()));
    }
  }

  /** The mask codec, flushing only on commit and never merging: one segment per commit. */
  private static IndexWriterConfig oneFlushConfig() {
    return new IndexWriterConfig(new MockAnalyzer(random()))
        .setCodec(maskCodec())
        .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
        .setRAMBufferSizeMB(256)
        .setMergePolicy(NoMergePolicy.INSTANCE);
  }

  private static Document document(long id, Mask[] masks, List<ChiParams> params) {
    Document doc = new Document();
    doc.add(new StringField(ID, Long.toString(id), Field.Store.NO));
    doc.add(new NumericDocValuesField(ID, id));
    doc.add(new NumericDocValuesField(SORT, random().nextInt(1000)));
    for (int f = 0; f < masks.length; f++) {
      if (masks[f] != null) {
        doc.add(new MaskField(FIELDS.get(f), masks[f], params.get(f)));
      }
    }
    return doc;
  }

  private static MergePolicy randomMergePolicy() {
    return switch (random().nextInt(4)) {
      case 0 -> NoMergePolicy.INSTANCE;
      case 1 -> newLogMergePolicy(random());
      case 2 -> newTieredMergePolicy(random());
      default -> newMergePolicy(random());
    };
  }

  private static void check(Directory dir, List<ChiParams> params, Model model) throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      CodecTestMasks.checkIndex(
          reader, ID, FIELDS, params, model.dvUpdates, model.masks, model.live, random());
    }
  }

  /** Checks the index against the model, runs CheckIndex, and closes the directory. */
  private static void checkAndClose(Directory dir, List<ChiParams> params, Model model)
      throws IOException {
    check(dir, params, model);
    TestUtil.checkIndex(dir);
    dir.close();
  }

  /** Force-merges to one segment through the mask codec, then {@link #checkAndClose}. */
  private static void mergeCheckAndClose(Directory dir, List<ChiParams> params, Model model)
      throws IOException {
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMergePolicy(new LogDocMergePolicy());
    try (IndexWriter w = new IndexWriter(dir, config)) {
      forceMerge(w, 1);
    }
    checkAndClose(dir, params, model);
  }

  /** Force-merges, replacing a NoMergePolicy (which ignores forceMerge) by a LogDocMergePolicy. */
  private static void forceMerge(IndexWriter w, int segments) throws IOException {
    if (w.getConfig().getMergePolicy() instanceof NoMergePolicy) {
      w.getConfig().setMergePolicy(new LogDocMergePolicy());
    }
    w.forceMerge(segments);
  }

  /**
   * Random adds (sparse fields, mixed dtypes and shapes), deletes, updates and doc-values updates
   * over many segments with a random merge policy and sometimes an index sort; checked on an NRT
   * reader, after commit, and after force-merging.
   */
  public void testRandomIndexing() throws IOException {
    List<ChiParams> params =
        List.of(CodecTestMasks.randomParams(random()), CodecTestMasks.randomParams(random()));
    Directory dir = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMaxBufferedDocs(TestUtil.nextInt(random(), 2, 40))
            .setMergePolicy(randomMergePolicy());
    boolean sorted = random().nextInt(3) == 0;
    if (sorted) {
      config.setIndexSort(new Sort(new SortField(SORT, SortField.Type.LONG)));
    }
    Model model = new Model();
    int numOps = atLeast(250);
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (int op = 0; op < numOps; op++) {
        int kind = op == 0 ? 0 : random().nextInt(20);
        if (kind < 14 || model.liveList.isEmpty()) { // add
          Mask[] masks = new Mask[2];
          if (op == 0 || random().nextInt(4) != 0) {
            masks[0] = CodecTestMasks.randomMask(random(), params.get(0));
          }
          if (op == 0 || random().nextInt(3) == 0) {
            masks[1] = CodecTestMasks.randomMask(random(), params.get(1));
          }
          long id = model.add(masks);
          w.addDocument(document(id, masks, params));
        } else if (kind < 16) { // delete
          long id = model.randomLive();
          model.delete(id);
          w.deleteDocuments(new Term(ID, Long.toString(id)));
        } else if (kind < 18) { // replace the document
          long old = model.randomLive();
          Mask[] masks = {
            random().nextBoolean() ? CodecTestMasks.randomMask(random(), params.get(0)) : null, null
          };
          model.delete(old);
          long id = model.add(masks);
          w.updateDocument(new Term(ID, Long.toString(old)), document(id, masks, params));
        } else { // update one mask as a doc-values update
          long id = model.randomLive();
          int f = random().nextInt(2);
          Mask mask = CodecTestMasks.randomMask(random(), params.get(f));
          model.masks.get(id)[f] = mask;
          model.dvUpdates = true;
          w.updateBinaryDocValue(
              new Term(ID, Long.toString(id)), FIELDS.get(f), new BytesRef(MaskBytes.encode(mask)));
        }
        if (random().nextInt(60) == 0) {
          w.commit();
        }
        if (random().nextInt(150) == 0) {
          try (DirectoryReader nrt = DirectoryReader.open(w)) {
            CodecTestMasks.checkIndex(
                nrt, ID, FIELDS, params, model.dvUpdates, model.masks, model.live, random());
          }
        }
      }
      w.commit();
      check(dir, params, model);
      TestUtil.checkIndex(dir);

      forceMerge(w, TestUtil.nextInt(random(), 1, 3));
      w.commit();
      check(dir, params, model);
      TestUtil.checkIndex(dir);

      forceMerge(w, 1);
      w.commit();
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals(1, reader.leaves().size());
    }
    checkAndClose(dir, params, model);
  }

  /**
   * More than 4096 (the largest block) small masks in one shape group of one segment, so the group
   * spans several CHI blocks, interleaved with a second group, a third in another dtype and
   * documents without a mask; then merged with a second segment so the merged group is multi-block
   * too.
   */
  public void testMultiBlockGroups() throws IOException {
    ChiParams params =
        new ChiParams(random().nextBoolean() ? 8 : 4, random().nextBoolean() ? 16 : 5);
    List<ChiParams> fieldParams = List.of(params, CodecTestMasks.randomParams(random()));
    Directory dir = newDirectory();
    IndexWriterConfig config = oneFlushConfig();
    Model model = new Model();
    MaskDType main = CodecTestMasks.randomDType(random());
    MaskDType otherType = MaskDType.values()[(main.ordinal() + 1) % MaskDType.values().length];
    int first = TestUtil.nextInt(random(), 4097, 9000);
    try (IndexWriter w = new IndexWriter(dir, config)) {
      int mainMasks = 0;
      while (mainMasks < first) {
        Mask[] masks = new Mask[2];
        int kind = random().nextInt(20);
        if (kind < 16) { // the big group: 8x8 (or 7x7, 5x8 ...: same grid)
          int side =
              params.gridStep() == 8
                  ? TestUtil.nextInt(random(), 1, 8)
                  : TestUtil.nextInt(random(), 5, 8);
          masks[0] = CodecTestMasks.randomMask(random(), main, side, 8);
          mainMasks++;
        } else if (kind < 18) { // a second grid size
          masks[0] =
              CodecTestMasks.randomMask(random(), main, 17, TestUtil.nextInt(random(), 9, 16));
        } else if (kind < 19) { // another dtype
          masks[0] = CodecTestMasks.randomMask(random(), otherType, 8, 8);
        } // else no mask
        if (random().nextInt(50) == 0) {
          masks[1] = CodecTestMasks.randomMask(random(), fieldParams.get(1));
        }
        long id = model.add(masks);
        w.addDocument(document(id, masks, fieldParams));
      }
      w.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(1, reader.leaves().size());
      }
      check(dir, fieldParams, model);

      // a second segment, some deletions, then one merged segment
      int second = TestUtil.nextInt(random(), 100, 2000);
      for (int i = 0; i < second; i++) {
        Mask[] masks = {
          random().nextInt(10) == 0 ? null : CodecTestMasks.randomMask(random(), main, 8, 8), null
        };
        long id = model.add(masks);
        w.addDocument(document(id, masks, fieldParams));
      }
      for (int i = 0; i < 50; i++) {
        long id = model.randomLive();
        model.delete(id);
        w.deleteDocuments(new Term(ID, Long.toString(id)));
      }
      w.commit();
      check(dir, fieldParams, model);
      forceMerge(w, 1);
      w.commit();
    }
    checkAndClose(dir, fieldParams, model);
  }

  /**
   * A bulk read in which a column crosses the decode threshold within the call (its earlier entries
   * left to the second pass, then the column decoded whole) answers every entry as the CHI built
   * from the mask does, and the members read after it answer from the decoded column.
   */
  public void testBulkReadDecodingAColumnPartway() throws IOException {
    ChiParams params = new ChiParams(4, 5);
    int docs = TestUtil.nextInt(random(), ChiBlockCursor.DECODE_MIN_ROWS, 400); // one block
    Mask[] masks = new Mask[docs];
    Directory dir = newDirectory();
    IndexWriterConfig config = oneFlushConfig();
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (int d = 0; d < docs; d++) {
        masks[d] = CodecTestMasks.randomMask(random(), MaskDType.UINT8, 16, 16);
        w.addDocument(document(d, new Mask[] {masks[d]}, List.of(params)));
      }
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      LeafReader leaf = getOnlyLeafReader(reader);
      // the CHI's columns: the first tier's, at its own parameters, when the CHI is in two tiers
      MaskDocValues values = (MaskDocValues) leaf.getBinaryDocValues(MASK);
      MaskDocValues.ChiCursor cursor = CodecTestMasks.columnCursor(values);
      ChiParams columns = values.firstTierCursor() != null ? params.firstTier() : params;
      int gx = ChiGrid.cells(16, columns.gridStep());
      int bins = columns.bins();
      int column = randomEntry(gx, bins);
      // more reads of one column than the block allows before decoding it, other entries between
      int columnReads = (docs >>> ChiBlockCursor.DECODE_AFTER_SHIFT) + 1 + random().nextInt(8);
      int[] indices = new int[2 * columnReads];
      int n = 0;
      for (int k = 0; k < columnReads; k++) {
        if (random().nextInt(4) == 0) {
          indices[n++] = randomEntry(gx, bins);
        }
        indices[n++] = column;
      }
      int first = random().nextInt(docs);
      assertTrue(cursor.seek(first));
      long before = cursor.ramBytesUsed();
      assertBulkRead(masks[first], columns, cursor, indices, n);
      assertTrue(
          "the column was decoded within the call",
          cursor.ramBytesUsed() >= before + (long) Integer.BYTES * docs);
      for (int k = 0; k < 20; k++) {
        int doc = random().nextInt(docs);
        assertTrue(cursor.seek(doc));
        assertBulkRead(masks[doc], columns, cursor, indices, 1 + random().nextInt(n));
      }
    }
    dir.close();
  }

  private static int randomEntry(int gx, int bins) {
    return Chi.index(
        gx, bins, 1 + random().nextInt(gx), 1 + random().nextInt(gx), 1 + random().nextInt(bins));
  }

  private static void assertBulkRead(
      Mask mask, ChiParams params, MaskDocValues.ChiCursor cursor, int[] indices, int n) {
    Chi chi = Chi.build(mask, params);
    long[] expected = new long[n];
    for (int k = 0; k < n; k++) {
      expected[k] = chi.entry(indices[k]);
    }
    long[] read = new long[n];
    cursor.entries(indices, n, read);
    assertArrayEquals(expected, read);
  }

  /**
   * Groups whose CHI is wide (many grid cells and bins) get smaller blocks; several of them in one
   * segment.
   */
  public void testWideGroupsUseSmallerBlocks() throws IOException {
    ChiParams params = new ChiParams(4, 16); // a 200x200 mask has 50 * 50 * 16 = 40,000 CHI entries
    int columns = ChiGrid.cells(200, 4) * ChiGrid.cells(200, 4) * 16;
    int rowsPerBlock = 1 << ChiGroupWriter.blockShiftFor(columns);
    assertTrue(rowsPerBlock < 4096);
    List<ChiParams> fieldParams = List.of(params, params);
    Directory dir = newDirectory();
    IndexWriterConfig config = oneFlushConfig();
    Model model = new Model();
    int n = rowsPerBlock * 2 + TestUtil.nextInt(random(), 1, rowsPerBlock);
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (int i = 0; i < n; i++) {
        Mask[] masks = new Mask[2];
        masks[0] =
            CodecTestMasks.randomMask(
                random(),
                MaskDType.UINT8,
                TestUtil.nextInt(random(), 197, 200),
                TestUtil.nextInt(random(), 197, 200));
        if (random().nextInt(4) == 0) {
          masks[1] = CodecTestMasks.randomMask(random(), params);
        }
        long id = model.add(masks);
        w.addDocument(document(id, masks, fieldParams));
      }
    }
    checkAndClose(dir, fieldParams, model);
  }

  /**
   * Masks of many distinct shapes in one segment make more shape groups than the writer may buffer
   * together: the groups spill to a temporary file and are written when the field is finished, on
   * flush and on merge alike, with multi-block groups among them; everything reads back as written
   * and no temporary file is left.
   */
  public void testShapeGroupsSpillBeyondTheBufferLimit() throws IOException {
    // 96 x 96 at step 2: 48 * 48 * (4..8) columns, so blocks of 32 or 64 masks and a big group of
    // several blocks: blocks written before the spill, from the spill file, and a last partial one
    ChiParams params = new ChiParams(2, TestUtil.nextInt(random(), 4, 8));
    List<ChiParams> fieldParams = List.of(params, params);
    long limit =
        TestUtil.nextInt(random(), 1, 64 << 10); // bytes: a few rows, sometimes less than one
    Codec codec =
        TestMaskCodecs.writing(
            new MaskSearch20DocValuesFormat(
                random().nextBoolean()
                    ? MaskSearch20DocValuesFormat.Mode.BEST_SPEED
                    : MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION,
                limit),
            TestUtil.getDefaultCodec(),
            field -> field.startsWith(MASK));
    Directory dir = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(codec)
            .setMaxBufferedDocs(TestUtil.nextInt(random(), 50, 400))
            .setMergePolicy(NoMergePolicy.INSTANCE);
    Model model = new Model();
    int docs = atLeast(300);
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (int i = 0; i < docs; i++) {
        Mask[] masks = new Mask[2];
        if (random().nextInt(3) == 0) { // one big group of several blocks
          masks[0] = CodecTestMasks.randomMask(random(), MaskDType.UINT8, 96, 96);
        } else if (random().nextInt(10) > 0) { // many groups of a few masks each
          masks[0] =
              CodecTestMasks.randomMask(
                  random(),
                  CodecTestMasks.randomDType(random()),
                  TestUtil.nextInt(random(), 1, 40),
                  TestUtil.nextInt(random(), 1, 40));
        }
        if (random().nextBoolean()) {
          masks[1] = CodecTestMasks.randomMask(random(), params);
        }
        long id = model.add(masks);
        w.addDocument(document(id, masks, fieldParams));
        if (random().nextInt(20) == 0) {
          long gone = model.randomLive();
          model.delete(gone);
          w.deleteDocuments(new Term(ID, Long.toString(gone)));
        }
      }
      w.commit();
      check(dir, fieldParams, model);
      forceMerge(w, 1);
      w.commit();
    }
    check(dir, fieldParams, model);
    TestUtil.checkIndex(dir);
    for (String file : dir.listAll()) {
      assertFalse("temporary file left: " + file, file.contains("mskchi"));
    }
    dir.close();
  }

  /**
   * Grids of more than {@link ChiBlockCursor#DENSE_COLUMNS} columns: the cursor maps their columns
   * through a hash map; mixed with small grids in one segment, so one cursor switches between both.
   */
  public void testLargeGridsReadBackThroughTheHashedColumns() throws IOException {
    ChiParams params = new ChiParams(4, 16); // 264 x 264: 66 * 66 * 16 = 69,696 columns
    assertTrue(ChiGrid.cells(264, 4) * ChiGrid.cells(264, 4) * 16 > ChiBlockCursor.DENSE_COLUMNS);
    List<ChiParams> fieldParams = List.of(params, params);
    Directory dir = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMergePolicy(NoMergePolicy.INSTANCE);
    Model model = new Model();
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (int i = 0; i < 12; i++) {
        int side = random().nextBoolean() ? TestUtil.nextInt(random(), 261, 264) : 9;
        Mask[] masks = {CodecTestMasks.randomMask(random(), MaskDType.UINT8, side, side), null};
        long id = model.add(masks);
        w.addDocument(document(id, masks, fieldParams));
      }
    }
    mergeCheckAndClose(dir, fieldParams, model);
  }

  /**
   * A first tier of the field's own parameters (a step too large to double, odd bins) holds the
   * same counts as the records: the field is read as one tier, its columns for both stages, so no
   * refine reads a record for the bounds it has.
   */
  public void testFirstTierOfTheFieldsParametersIsReadAsTheOnlyTier() throws IOException {
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 2049, 4096), 2 * random().nextInt(10) + 1);
    assertEquals(params, params.firstTier());
    Mask[] masks = new Mask[TestUtil.nextInt(random(), 1, 40)];
    try (Directory dir = newDirectory()) {
      IndexWriterConfig config =
          oneFlushConfig().setCodec(new MaskCodec(TestUtil.getDefaultCodec(), MASK::equals));
      try (IndexWriter w = new IndexWriter(dir, config)) {
        for (int d = 0; d < masks.length; d++) {
          masks[d] =
              CodecTestMasks.randomMask(
                  random(),
                  CodecTestMasks.randomDType(random()),
                  TestUtil.nextInt(random(), 1, 70),
                  TestUtil.nextInt(random(), 1, 70));
          w.addDocument(document(d, new Mask[] {masks[d]}, List.of(params)));
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        MaskDocValues values = (MaskDocValues) getOnlyLeafReader(reader).getBinaryDocValues(MASK);
        assertNull(values.firstTierCursor());
        MaskDocValues.ChiCursor cursor = values.chiCursor();
        for (int d = masks.length - 1; d >= 0; d--) {
          assertTrue(cursor.seek(d));
          CodecTestMasks.assertSameChi("doc " + d, masks[d], params, cursor, random());
        }
      }
    }
  }

  /**
   * A field whose every mask is deleted before a merge: the merged segment may keep the field, with
   * no values.
   */
  public void testAllMasksDeletedThenMerged() throws IOException {
    ChiParams params = CodecTestMasks.randomParams(random());
    List<ChiParams> fieldParams = List.of(params, params);
    Directory dir = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMergePolicy(NoMergePolicy.INSTANCE);
    Model model = new Model();
    try (IndexWriter w = new IndexWriter(dir, config)) {
      List<Long> withMask = new ArrayList<>();
      int n = TestUtil.nextInt(random(), 2, 40);
      for (int i = 0; i < n; i++) {
        boolean has = i == 0 || random().nextBoolean();
        Mask[] masks = {has ? CodecTestMasks.randomMask(random(), params) : null, null};
        long id = model.add(masks);
        if (has) {
          withMask.add(id);
        }
        w.addDocument(document(id, masks, fieldParams));
      }
      // keep one document alive, without a mask
      long keep = model.add(new Mask[2]);
      w.addDocument(document(keep, new Mask[2], fieldParams));
      w.commit();
      for (long id : withMask) {
        model.delete(id);
        w.deleteDocuments(new Term(ID, Long.toString(id)));
      }
      forceMerge(w, 1);
      w.commit();
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      LeafReader leaf = getOnlyLeafReader(reader);
      assertEquals(model.live.size(), leaf.maxDoc());
      BinaryDocValues values = leaf.getBinaryDocValues(MASK);
      if (values != null) {
        assertTrue(values instanceof MaskDocValues);
        assertEquals(BinaryDocValues.NO_MORE_DOCS, values.nextDoc());
        MaskDocValues masks = (MaskDocValues) leaf.getBinaryDocValues(MASK);
        MaskDocValues.ChiCursor cursor = masks.chiCursor();
        for (int doc = 0; doc < leaf.maxDoc(); doc++) {
          assertFalse(cursor.seek(doc));
        }
        assertEquals(0f, masks.averageMaskPixels(), 0f);
      }
      CodecTestMasks.checkIndex(reader, ID, FIELDS, fieldParams, model.masks, model.live, random());
    }
    TestUtil.checkIndex(dir);
    dir.close();
  }

  /**
   * Doc-values updates write new generations of the field through the format, with the field's
   * parameters.
   */
  public void testDocValuesUpdates() throws IOException {
    List<ChiParams> params =
        List.of(CodecTestMasks.randomParams(random()), CodecTestMasks.randomParams(random()));
    Directory dir = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMergePolicy(NoMergePolicy.INSTANCE);
    Model model = new Model();
    try (IndexWriter w = new IndexWriter(dir, config)) {
      int n = TestUtil.nextInt(random(), 10, 60);
      for (int i = 0; i < n; i++) {
        Mask[] masks = {
          i == 0 || random().nextBoolean()
              ? CodecTestMasks.randomMask(random(), params.get(0))
              : null,
          i == 0 || random().nextBoolean()
              ? CodecTestMasks.randomMask(random(), params.get(1))
              : null
        };
        long id = model.add(masks);
        w.addDocument(document(id, masks, params));
        if (random().nextInt(10) == 0) {
          w.commit();
        }
      }
      w.commit();
      for (int round = 0; round < 3; round++) {
        int updates = TestUtil.nextInt(random(), 1, 10);
        for (int u = 0; u < updates; u++) {
          long id = model.randomLive();
          int f = random().nextInt(2);
          // sometimes another dtype and shape than before, and on documents that had no mask
          Mask mask = CodecTestMasks.randomMask(random(), params.get(f));
          model.masks.get(id)[f] = mask;
          model.dvUpdates = true;
          w.updateBinaryDocValue(
              new Term(ID, Long.toString(id)), FIELDS.get(f), new BytesRef(MaskBytes.encode(mask)));
        }
        w.commit();
        check(dir, params, model);
      }
      forceMerge(w, 1);
      w.commit();
    }
    checkAndClose(dir, params, model);
  }

  /**
   * A doc-values update that brings the field into a segment which had no document with it. Lucene
   * builds that segment's field info from the global field numbers, which keep no attributes, so
   * the format cannot see the field's CHI parameters there and uses the defaults: the segment must
   * still be self-consistent (the parameters it reports are the ones its CHI was built with), read
   * back exactly, and merge with the other segments.
   */
  public void testDocValuesUpdateBringingTheFieldIntoASegment() throws IOException {
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 5, 20), TestUtil.nextInt(random(), 2, 8));
    List<ChiParams> fieldParams = List.of(params, params);
    Directory dir = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMergePolicy(NoMergePolicy.INSTANCE);
    Model model = new Model();
    try (IndexWriter w = new IndexWriter(dir, config)) {
      List<Long> firstSegment = new ArrayList<>();
      for (int i = 0; i < 10; i++) { // segment 0: only "mask"
        Mask[] masks = {CodecTestMasks.randomMask(random(), params), null};
        firstSegment.add(model.add(masks));
        w.addDocument(document(firstSegment.get(i), masks, fieldParams));
      }
      w.commit();
      for (int i = 0; i < 10; i++) { // segment 1: both fields, so "mask2" exists in the index
        Mask[] masks = {null, CodecTestMasks.randomMask(random(), params)};
        long id = model.add(masks);
        w.addDocument(document(id, masks, fieldParams));
      }
      w.commit();
      long id = firstSegment.get(random().nextInt(firstSegment.size()));
      Mask mask = CodecTestMasks.randomMask(random(), params);
      model.masks.get(id)[1] = mask;
      w.updateBinaryDocValue(
          new Term(ID, Long.toString(id)), MASK2, new BytesRef(MaskBytes.encode(mask)));
      w.commit();
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(2, reader.leaves().size());
        MaskDocValues first =
            (MaskDocValues) reader.leaves().get(0).reader().getBinaryDocValues(MASK2);
        MaskDocValues second =
            (MaskDocValues) reader.leaves().get(1).reader().getBinaryDocValues(MASK2);
        assertEquals(params, second.params());
        assertTrue(
            first.params().toString(),
            first.params().equals(params) || first.params().equals(ChiParams.DEFAULT));
        CodecTestMasks.checkIndex(
            reader, ID, FIELDS, fieldParams, true, model.masks, model.live, random());
      }
      forceMerge(w, 1);
      w.commit();
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      CodecTestMasks.checkIndex(
          reader, ID, FIELDS, fieldParams, true, model.masks, model.live, random());
    }
    TestUtil.checkIndex(dir);
    dir.close();
  }

  /**
   * Segments whose mask field was written by another format (here: the SPI codec, which writes no
   * field as a mask, so the delegate's format stores the canonical bytes) merge with mask-format
   * segments into one mask-format segment.
   */
  public void testMergeWithSegmentsOfAnotherFormat() throws IOException {
    ChiParams params = CodecTestMasks.randomParams(random());
    List<ChiParams> fieldParams = List.of(params, params);
    Directory dir = newDirectory();
    Model model = new Model();
    for (int round = 0; round < 4; round++) {
      boolean asMask = round % 2 == 1;
      IndexWriterConfig config =
          new IndexWriterConfig(new MockAnalyzer(random()))
              .setCodec(asMask ? maskCodec() : new MaskCodec())
              .setMergePolicy(NoMergePolicy.INSTANCE);
      try (IndexWriter w = new IndexWriter(dir, config)) {
        int n =
            TestUtil.nextInt(
                random(), 2, 30); // two at least: the one deletion never empties a segment
        for (int i = 0; i < n; i++) {
          // The first document of a round always has a mask, so every segment has the field to
          // check.
          Mask[] masks = {
            i > 0 && random().nextInt(5) == 0 ? null : CodecTestMasks.randomMask(random(), params),
            random().nextBoolean() ? CodecTestMasks.randomMask(random(), params) : null
          };
          long id = model.add(masks);
          w.addDocument(document(id, masks, fieldParams));
        }
        if (round == 3) {
          long id = model.randomLive();
          model.delete(id);
          w.deleteDocuments(new Term(ID, Long.toString(id)));
        }
      }
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      assertEquals(4, reader.leaves().size());
      for (LeafReaderContext context : reader.leaves()) {
        BinaryDocValues values = context.reader().getBinaryDocValues(MASK);
        boolean expectMaskFormat = context.ord % 2 == 1;
        assertEquals("segment " + context.ord, expectMaskFormat, values instanceof MaskDocValues);
      }
    }
    mergeCheckAndClose(dir, fieldParams, model);
  }

  /**
   * A field whose CHI parameters differ between segments (the attributes are per segment): each
   * segment's CHI is built with the parameters it reports, before and after merging, whichever
   * parameters the merge keeps.
   */
  public void testParametersChangingBetweenSegments() throws IOException {
    Directory dir = newDirectory();
    Model model = new Model();
    List<ChiParams> unknown = new ArrayList<>();
    unknown.add(null);
    unknown.add(null);
    for (int round = 0; round < 3; round++) {
      ChiParams params = CodecTestMasks.randomParams(random());
      List<ChiParams> fieldParams = List.of(params, params);
      IndexWriterConfig config =
          new IndexWriterConfig(new MockAnalyzer(random()))
              .setCodec(maskCodec())
              .setMergePolicy(NoMergePolicy.INSTANCE);
      try (IndexWriter w = new IndexWriter(dir, config)) {
        int n = TestUtil.nextInt(random(), 1, 20);
        for (int i = 0; i < n; i++) {
          Mask[] masks = {CodecTestMasks.randomMask(random(), params), null};
          long id = model.add(masks);
          w.addDocument(document(id, masks, fieldParams));
        }
      } catch (IllegalArgumentException e) {
        // Lucene may refuse a field whose attributes changed: then that is the behaviour and
        // nothing was added
        return;
      }
    }
    check(dir, unknown, model);
    mergeCheckAndClose(dir, unknown, model);
  }

  /**
   * addIndexes of directories (file copy) and of codec readers (a merge, through a wrapper or not).
   */
  public void testAddIndexes() throws IOException {
    List<ChiParams> params =
        List.of(CodecTestMasks.randomParams(random()), CodecTestMasks.randomParams(random()));
    Model model = new Model();
    Directory source = newDirectory();
    IndexWriterConfig sourceConfig =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMaxBufferedDocs(TestUtil.nextInt(random(), 2, 20))
            .setMergePolicy(NoMergePolicy.INSTANCE);
    try (IndexWriter w = new IndexWriter(source, sourceConfig)) {
      int n = TestUtil.nextInt(random(), 5, 60);
      for (int i = 0; i < n; i++) {
        Mask[] masks = {
          random().nextInt(4) == 0 ? null : CodecTestMasks.randomMask(random(), params.get(0)),
          random().nextBoolean() ? CodecTestMasks.randomMask(random(), params.get(1)) : null
        };
        long id = model.add(masks);
        w.addDocument(document(id, masks, params));
      }
      long id = model.randomLive();
      model.delete(id);
      w.deleteDocuments(new Term(ID, Long.toString(id)));
    }

    Directory target = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMergePolicy(NoMergePolicy.INSTANCE);
    try (IndexWriter w = new IndexWriter(target, config)) {
      w.addIndexes(source);
      w.commit();
      try (DirectoryReader reader = DirectoryReader.open(target)) {
        CodecTestMasks.checkIndex(reader, ID, FIELDS, params, model.masks, model.live, random());
      }
    }
    Directory viaReaders = newDirectory();
    IndexWriterConfig readersConfig =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(maskCodec())
            .setMergePolicy(NoMergePolicy.INSTANCE);
    try (IndexWriter w = new IndexWriter(viaReaders, readersConfig);
        DirectoryReader reader = DirectoryReader.open(source)) {
      List<CodecReader> readers = new ArrayList<>();
      for (LeafReaderContext context : reader.leaves()) {
        readers.add(
            random().nextBoolean()
                ? (CodecReader) context.reader()
                : SlowCodecReaderWrapper.wrap(
                    new org.apache.lucene.index.FilterLeafReader(context.reader()) {
                      @Override
                      public CacheHelper getCoreCacheHelper() {
                        return null;
                      }

                      @Override
                      public CacheHelper getReaderCacheHelper() {
                        return null;
                      }
                    }));
      }
      w.addIndexes(readers.toArray(new CodecReader[0]));
      w.commit();
    }
    try (DirectoryReader reader = DirectoryReader.open(viaReaders)) {
      CodecTestMasks.checkIndex(reader, ID, FIELDS, params, model.masks, model.live, random());
    }
    TestUtil.checkIndex(target);
    TestUtil.checkIndex(viaReaders);
    source.close();
    target.close();
    viaReaders.close();
  }
}
