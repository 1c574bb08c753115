package dev.masksearch.search;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskCodec;
import dev.masksearch.codec.TestMaskCodecs;
import dev.masksearch.document.BoxBinCountsField;
import dev.masksearch.document.BoxField;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.Bits;

/**
 * Every CP query answer equals a brute-force computation over the raw masks: filters with every
 * operator, plain and normalized, constant and per-document ROIs, exact top-k in both directions
 * with and without a filter, over many segments with deletions, before and after merging; both
 * through the CHI and through the fallback that reads every mask.
 */
public class CpQueryTests extends LuceneTestCase {
  private static final String MASK = "saliency";
  private static final String BOX = "box";

  /** What the test knows about each indexed document, by id. */
  private final Map<Integer, Mask> masks = new HashMap<>();

  private final Map<Integer, Roi> boxes = new HashMap<>();
  private final Map<Integer, String> tags = new HashMap<>();

  /** The references of the shapes of queries made so far. */
  private final Map<Region, RandomRegions.Case> shapes = new HashMap<>();

  /**
   * When set, every document gets a uint8 mask of this size (height, width), so segments are
   * uniform.
   */
  private int[] uniformSize;

  /**
   * Percent of the documents with a mask and a box that also index the mask's bin counts in the box
   * ({@link BoxBinCountsField}): none, some or all, so segments mix both ways of bounding a box.
   */
  private int boxBinCountsPercent;

  @Override
  public void setUp() throws Exception {
    super.setUp();
    boxBinCountsPercent = new int[] {0, 50, 100}[random().nextInt(3)];
  }

  public void testChiAnswersEqualBruteForce() throws IOException {
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 1, 40), TestUtil.nextInt(random(), 1, 20));
    try (Directory dir = newDirectory()) {
      MaskCodec codec = TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals);
      indexRandomDocuments(dir, codec, params);
      CpStats all = checkQueries(dir, atLeast(60), true);
      assertTrue(
          "bounds should decide some documents without reading: " + all,
          all.accepted() + all.rejected() > 0);
      mergeToOneSegment(dir, codec);
      checkQueries(dir, atLeast(20), true);
      TestUtil.checkIndex(dir);
    }
  }

  /**
   * A grid step too large to double: with even bins the CHI's two tiers share one grid and differ
   * only in their bins, so a plan laid for one tier must never serve the other; with odd bins the
   * first tier is the field's CHI, read as the only tier. Exact either way.
   */
  public void testTiersSharingAGridAnswerEqualBruteForce() throws IOException {
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 2049, 4096), TestUtil.nextInt(random(), 1, 20));
    assertEquals(params.gridStep(), params.firstTier().gridStep());
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(dir, new MaskCodec(TestUtil.getDefaultCodec(), MASK::equals), params);
      checkQueries(dir, atLeast(60), true);
    }
  }

  /** Segments whose masks all share one size take the block-at-a-time bounds path: still exact. */
  public void testEqualMasksAnswerEqualBruteForce() throws IOException {
    uniformSize = new int[] {TestUtil.nextInt(random(), 1, 70), TestUtil.nextInt(random(), 1, 70)};
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 2, 40), TestUtil.nextInt(random(), 1, 20));
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(
          dir, TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals), params);
      checkQueries(dir, atLeast(30), true);
    }
  }

  /**
   * A scan over a segment of equal masks skips a block's documents whose first-stage bounds reject
   * them, and only those ({@link LeafEvaluator#firstCandidate}): every document skipped, bounded on
   * its own by a new evaluator, is rejected, its exact value fails the comparison, and thresholds
   * near the end of the values skip some. Fine grids make blocks of 64 to 512 documents (more than
   * the 32 a scan visits before bounding a block at once), so a scan crosses from block to block.
   */
  public void testFirstCandidateSkipsOnlyDocumentsTheBoundsReject() throws IOException {
    uniformSize =
        new int[] {TestUtil.nextInt(random(), 24, 48), TestUtil.nextInt(random(), 24, 48)};
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 2, 4), TestUtil.nextInt(random(), 2, 20));
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(dir, new MaskCodec(TestUtil.getDefaultCodec(), MASK::equals), params);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        long skipped = 0;
        for (int q = 0; q < 10; q++) {
          CpSpec spec = CpSpec.of(MASK, randomRoi(random(), 70), randomRange(random()));
          spec = random().nextBoolean() ? spec.normalized() : spec;
          List<Double> values = new ArrayList<>(brute(reader, spec).values());
          Collections.sort(values);
          Comparison comparison = Comparison.values()[q % 4]; // a document's value is a threshold
          boolean greater = comparison.passesAbove();
          double threshold =
              values.isEmpty()
                  ? 0
                  : values.get(greater ? values.size() * 9 / 10 : values.size() / 10);
          Map<Integer, Double> exact = brute(reader, spec);
          for (LeafReaderContext leaf : reader.leaves()) {
            skipped += assertSkipsOnlyRejected(leaf, spec, comparison, threshold, exact);
          }
        }
        assertTrue("no document was skipped", skipped > 0);
      }
    }
  }

  /**
   * The top k over equal masks skips whole runs of a block whose best case is at most the floor as
   * it stands ({@link LeafEvaluator#firstCandidate} fed by the heap): exact both ways, with
   * deletions inside blocks, blocks where every document ties (a range holding every value), and k
   * of one, of a few, and past the number of documents. One merged segment of 1,500 documents or
   * more, in blocks of up to 4,096 (crossing from block to block is {@link
   * #testFirstCandidateSkipsOnlyDocumentsTheBoundsReject}'s).
   */
  public void testTopKOverEqualMasksSkipsBlocksExactly() throws IOException {
    uniformSize =
        new int[] {TestUtil.nextInt(random(), 24, 48), TestUtil.nextInt(random(), 24, 48)};
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 2, 4), TestUtil.nextInt(random(), 2, 20));
    try (Directory dir = newDirectory()) {
      MaskCodec codec = new MaskCodec(TestUtil.getDefaultCodec(), MASK::equals);
      indexRandomDocuments(dir, codec, params);
      mergeToOneSegment(dir, codec);
      deleteSome(dir, codec);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = searcher(reader);
        for (int q = 0; q < 24; q++) { // every mix of ties or not, order, k and normalizing
          ValueRange range = q % 2 == 0 ? new ValueRange(0, 1.5) : randomRange(random());
          CpSpec spec = CpSpec.of(MASK, randomRoi(random(), 70), range);
          spec = q < 12 ? spec : spec.normalized();
          CpOrder order = q / 2 % 2 == 0 ? CpOrder.DESC : CpOrder.ASC;
          int k =
              switch (q / 4 % 3) {
                case 0 -> 1;
                case 1 -> TestUtil.nextInt(random(), 2, 40);
                default -> reader.numDocs() + 5;
              };
          assertTopK(searcher, reader, spec, k, order, null, new CpStats());
        }
      }
    }
  }

  /**
   * Walks a segment as the filter's approximation does; checks each document skipped against its
   * own bounds and, when live, its exact value (by global doc id); returns how many were skipped.
   */
  private static long assertSkipsOnlyRejected(
      LeafReaderContext leaf,
      CpSpec spec,
      Comparison comparison,
      double threshold,
      Map<Integer, Double> exact)
      throws IOException {
    LeafEvaluator scan = spec.leaf(leaf.reader(), SearchGuard.NONE);
    DocBounds bounds = new DocBounds();
    DocBounds own = new DocBounds();
    int maxDoc = leaf.reader().maxDoc();
    long skipped = 0;
    for (int doc = 0; doc < maxDoc; ) {
      int candidate = scan.firstCandidate(doc, comparison, threshold);
      assertTrue(candidate >= doc);
      for (int d = doc; d < Math.min(candidate, maxDoc); d++, skipped++) {
        LeafEvaluator alone = spec.leaf(leaf.reader(), SearchGuard.NONE); // no block cached
        assertTrue("document " + d + " has a value", alone.bounds(d, own));
        Double value = exact.get(leaf.docBase + d);
        assertTrue(
            "document " + d + " skipped with value " + value,
            value == null || !comparison.test(value, threshold));
        assertTrue(
            "document " + d + " skipped with bounds " + own.lower + ", " + own.upper,
            comparison.rejectsAll(own.lower, own.upper, threshold));
      }
      if (candidate < maxDoc) {
        scan.bounds(candidate, bounds);
      }
      doc = candidate + 1;
    }
    return skipped;
  }

  public void testFallbackWithoutChiAnswersEqualBruteForce() throws IOException {
    try (Directory dir = newDirectory()) {
      // The default codec stores the mask field as plain binary doc values: no CHI, every mask is
      // read.
      indexRandomDocuments(dir, TestUtil.getDefaultCodec(), ChiParams.DEFAULT);
      CpStats all = checkQueries(dir, atLeast(20), false);
      assertEquals(0, all.accepted());
      assertTrue(all.verified() > 0);
    }
  }

  public void testAlignedQueriesReadNoMask() throws IOException {
    ChiParams params = new ChiParams(16, 8);
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(
          dir, TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals), params);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = searcher(reader);
        // Grid-aligned ROI (or past the edge) and bin-aligned range: bounds are exact, so no mask
        // is read.
        CpSpec spec = CpSpec.of(MASK, new Roi(16, 0, 48, 5000), new ValueRange(0.25, 1.0));
        CpStats stats = new CpStats();
        Set<Integer> got =
            ids(searcher, new MaskValueFilterQuery(spec, Comparison.GTE, 100, stats));
        assertEquals(expectedFilter(reader, spec, Comparison.GTE, 100, null), got);
        assertEquals(0, stats.verified());
        CpStats topStats = new CpStats();
        assertTopK(searcher, reader, spec, 10, CpOrder.DESC, null, topStats);
        assertEquals(0, topStats.verified());
      }
    }
  }

  /**
   * With every document's bin counts in its box indexed, per-document-box queries over whole bins
   * read no mask and no CHI entry, and still equal the brute force.
   */
  public void testBoxBinCountsDecideBoxQueriesWithoutReadingMasks() throws IOException {
    boxBinCountsPercent = 100;
    ChiParams params = new ChiParams(TestUtil.nextInt(random(), 1, 40), 20);
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(
          dir, TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals), params);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = searcher(reader);
        for (double lv : new double[] {0, 0.2, 0.6, 0.8}) {
          CpSpec spec = CpSpec.perDocument(MASK, BOX, new ValueRange(lv, 1.5));
          if (random().nextBoolean()) {
            spec = spec.normalized();
          }
          double threshold = randomThreshold(random(), reader, spec);
          CpStats stats = new CpStats();
          assertEquals(
              expectedFilter(reader, spec, Comparison.GT, threshold, null),
              ids(searcher, new MaskValueFilterQuery(spec, Comparison.GT, threshold, stats)));
          assertTopK(searcher, reader, spec, 10, CpOrder.ASC, null, stats);
          assertEquals(spec + ": " + stats, 0, stats.verified());
          int doc = anyDocWithValue(reader, spec);
          String explanation =
              searcher
                  .explain(new MaskValueFilterQuery(spec, Comparison.GT, threshold, null), doc)
                  .toString();
          assertTrue(explanation, explanation.contains("bin counts in its box"));
          assertFalse(explanation, explanation.contains("mask read"));
        }
      }
    }
  }

  /** A live document (its number in the reader) that has a value for {@code spec}. */
  private int anyDocWithValue(DirectoryReader reader, CpSpec spec) throws IOException {
    return brute(reader, spec).keySet().iterator().next();
  }

  /** Bin counts that do not add up to their document's box are a corrupt index, not an answer. */
  public void testBoxBinCountsOfAnotherBoxAreCorrupt() throws IOException {
    Mask mask = RandomMasks.mask(random(), MaskDType.UINT8, 20, 20);
    try (Directory dir = newDirectory()) {
      try (IndexWriter writer =
          new IndexWriter(
              dir,
              newIndexWriterConfig()
                  .setCodec(
                      TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals)))) {
        Document doc = new Document();
        doc.add(new MaskField(MASK, mask));
        doc.add(new BoxField(BOX, new Roi(0, 0, 10, 10)));
        doc.add( // the counts of a box the document does not have
            new BoxBinCountsField(
                new MaskField(MASK, mask), new BoxField(BOX, new Roi(0, 0, 5, 10))));
        writer.addDocument(doc);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        CpSpec spec = CpSpec.perDocument(MASK, BOX, new ValueRange(0.5, 1.5));
        Exception e =
            expectThrows(
                Exception.class,
                () ->
                    searcher(reader)
                        .count(new MaskValueFilterQuery(spec, Comparison.GT, 1, new CpStats())));
        Throwable cause = e;
        while (cause != null && !(cause instanceof CorruptIndexException)) {
          cause = cause.getCause();
        }
        assertNotNull("a CorruptIndexException: " + e, cause);
        assertTrue(cause.getMessage(), cause.getMessage().contains("50 pixels in a box of 100"));
      }
    }
  }

  public void testSortByCpEqualsBruteForce() throws IOException {
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 4, 40), TestUtil.nextInt(random(), 1, 20));
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(
          dir, TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals), params);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = searcher(reader);
        CpStats all = new CpStats();
        for (int q = 0; q < atLeast(20); q++) {
          CpSpec spec = randomSpec(random());
          boolean reverse = random().nextBoolean();
          Query query =
              random().nextBoolean()
                  ? new MatchAllDocsQuery()
                  : new TermQuery(new Term("tag", "a"));
          Set<Integer> matching = ids(searcher, query);
          Map<Integer, Double> values = brute(reader, spec);
          double missing = reverse ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
          Comparator<Integer> byValue =
              Comparator.comparingDouble(doc -> values.getOrDefault(doc, missing));
          List<Integer> expected =
              matching.stream()
                  .sorted(
                      (reverse ? byValue.reversed() : byValue)
                          .thenComparing(Comparator.naturalOrder()))
                  .toList();
          int n = TestUtil.nextInt(random(), 1, 30);
          Sort sort = new Sort(new SortField("cp", MaskValueComparator.source(spec, all), reverse));
          TopFieldDocs page = searcher.search(query, n, sort);
          assertPage(expected, values, missing, 0, page.scoreDocs);
          if (page.scoreDocs.length == n) { // the next page, after the last hit
            TopDocs next = searcher.searchAfter(page.scoreDocs[n - 1], query, n, sort);
            assertPage(expected, values, missing, n, next.scoreDocs);
          }
        }
        assertTrue("bounds should spare some mask reads: " + all, all.rejected() > 0);
      }
    }
  }

  /**
   * A sort by CP then by id, paged with searchAfter to the end (as OpenSearch pages a {@code cp}
   * sort with a tie-breaker): every document comes once, in the brute-force order. Many documents
   * tie (masks without a pixel in the range), so pages start and end inside runs of ties.
   */
  public void testSortThenIdPagesThroughEveryDocument() throws IOException {
    ChiParams params =
        random().nextBoolean()
            ? ChiParams.DEFAULT
            : new ChiParams(TestUtil.nextInt(random(), 4, 40), TestUtil.nextInt(random(), 1, 20));
    try (Directory dir = newDirectory()) {
      MaskCodec codec = TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals);
      indexRandomDocuments(dir, codec, params);
      for (int round = 0; round < 2; round++) {
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
          IndexSearcher searcher = searcher(reader);
          for (int q = 0; q < atLeast(10); q++) {
            assertPagesThroughEveryDocument(searcher, reader, randomSpec(random()));
          }
        }
        mergeToOneSegment(dir, codec);
      }
    }
  }

  private void assertPagesThroughEveryDocument(
      IndexSearcher searcher, DirectoryReader reader, CpSpec spec) throws IOException {
    boolean reverse = random().nextBoolean();
    Map<Integer, Double> values = brute(reader, spec);
    Map<Integer, Long> ids = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues id = leaf.reader().getNumericDocValues("id");
      for (int doc = id.nextDoc(); doc != NumericDocValues.NO_MORE_DOCS; doc = id.nextDoc()) {
        ids.put(leaf.docBase + doc, id.longValue());
      }
    }
    Comparator<Integer> byValue = Comparator.comparingDouble(values::get);
    List<Integer> expected =
        values.keySet().stream()
            .sorted((reverse ? byValue.reversed() : byValue).thenComparing(ids::get))
            .toList();
    Sort sort =
        new Sort(
            new SortField("cp", MaskValueComparator.source(spec, null), reverse),
            new SortField("id", SortField.Type.LONG));
    Query withValue = new MaskValueFilterQuery(spec, Comparison.GTE, 0, null);
    int n = TestUtil.nextInt(random(), 1, 40);
    List<Integer> got = new ArrayList<>();
    ScoreDoc after = null;
    while (true) {
      ScoreDoc[] page =
          (after == null
                  ? searcher.search(withValue, n, sort)
                  : searcher.searchAfter(after, withValue, n, sort))
              .scoreDocs;
      if (page.length == 0) {
        break;
      }
      for (ScoreDoc hit : page) {
        got.add(hit.doc);
        assertTrue(spec + ": doc " + hit.doc + " has no value", values.containsKey(hit.doc));
        assertTrue(spec + ": more hits than documents, pages repeat", got.size() <= values.size());
        assertEquals(
            spec + " doc " + hit.doc, values.get(hit.doc), (Double) ((FieldDoc) hit).fields[0], 0);
      }
      after = page[page.length - 1]; // ids are unique: its sort values alone place the next page
    }
    assertEquals(spec + (reverse ? " desc" : " asc") + ", pages of " + n, expected, got);
  }

  /**
   * Scoring by CP: the top n hits of a plain search are the exact top n, pruned once the collector
   * allows.
   */
  public void testScoreQueryTopHitsEqualBruteForce() throws IOException {
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 4, 40), TestUtil.nextInt(random(), 1, 20));
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(
          dir, TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals), params);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = searcher(reader);
        CpStats all = new CpStats();
        for (int q = 0; q < atLeast(20); q++) {
          CpSpec spec = randomSpec(random());
          if (spec.normalize()) { // float scores of ratios can tie where doubles differ; counts are
            // exact floats
            spec = new CpSpec(spec.field(), spec.roi(), spec.boxField(), spec.range(), false);
          }
          Map<Integer, Double> values = brute(reader, spec);
          int n = TestUtil.nextInt(random(), 1, 40);
          List<Map.Entry<Integer, Double>> expected =
              values.entrySet().stream()
                  .sorted(
                      Map.Entry.<Integer, Double>comparingByValue()
                          .reversed()
                          .thenComparing(Map.Entry.comparingByKey()))
                  .limit(n)
                  .toList();
          // A total-hits threshold of n lets the collector prune, as track_total_hits=false does in
          // OpenSearch.
          TopDocs top =
              searcher.search(
                  new MaskValueScoreQuery(spec, all), new TopScoreDocCollectorManager(n, n));
          assertEquals(expected.size(), top.scoreDocs.length);
          for (int i = 0; i < expected.size(); i++) {
            assertEquals(spec + " hit " + i, (int) expected.get(i).getKey(), top.scoreDocs[i].doc);
            assertEquals((float) (double) expected.get(i).getValue(), top.scoreDocs[i].score, 0f);
          }
        }
        assertTrue(
            "bounds should skip documents below the competitive score: " + all, all.rejected() > 0);
      }
    }
  }

  private static void assertPage(
      List<Integer> expected,
      Map<Integer, Double> values,
      double missing,
      int from,
      ScoreDoc[] hits) {
    List<Integer> expectedPage =
        expected.subList(
            Math.min(from, expected.size()), Math.min(from + hits.length, expected.size()));
    List<Integer> got = new ArrayList<>();
    for (ScoreDoc hit : hits) {
      got.add(hit.doc);
      assertEquals(values.getOrDefault(hit.doc, missing), (Double) ((FieldDoc) hit).fields[0], 0.0);
    }
    assertEquals(expectedPage, got);
  }

  private void indexRandomDocuments(
      Directory dir, org.apache.lucene.codecs.Codec codec, ChiParams params) throws IOException {
    Random random = random();
    IndexWriterConfig config =
        newIndexWriterConfig()
            .setCodec(codec)
            .setMaxBufferedDocs(
                uniformSize != null
                    ? TestUtil.nextInt(random, 100, 5000)
                    : TestUtil.nextInt(random, 5, 60));
    // A few common sizes (several shape groups) and random odd ones (sizes the grid does not
    // divide).
    int[][] sizes = {
      {1, 1}, {32, 32}, {48, 40}, {TestUtil.nextInt(random, 1, 90), TestUtil.nextInt(random, 1, 90)}
    };
    int count = uniformSize != null ? atLeast(1500) : atLeast(300);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      for (int id = 0; id < count; id++) {
        Document doc = new Document();
        doc.add(new StringField("id", Integer.toString(id), Field.Store.NO));
        doc.add(new NumericDocValuesField("id", id));
        String tag = random.nextBoolean() ? "a" : "b";
        tags.put(id, tag);
        doc.add(new StringField("tag", tag, Field.Store.NO));
        Mask mask = null;
        MaskField maskField = null;
        if (uniformSize != null || random.nextInt(20) != 0) { // some documents have no mask
          int[] hw =
              uniformSize != null
                  ? uniformSize
                  : random.nextInt(4) == 0
                      ? new int[] {TestUtil.nextInt(random, 1, 80), TestUtil.nextInt(random, 1, 80)}
                      : sizes[random.nextInt(sizes.length)];
          mask =
              uniformSize != null
                  ? RandomMasks.mask(
                      random, MaskDType.UINT8, hw[0], hw[1]) // one dtype and size: one shape group
                  : RandomMasks.mask(random, hw[0], hw[1]);
          masks.put(id, mask);
          maskField = new MaskField(MASK, mask, params);
          doc.add(maskField);
        }
        if (random.nextInt(10) != 0) { // some documents have no box
          Roi box = randomRoi(random, 90);
          boxes.put(id, Roi.unpack(box.pack()));
          BoxField boxField = new BoxField(BOX, box);
          doc.add(boxField);
          if (maskField != null && random.nextInt(100) < boxBinCountsPercent) {
            doc.add(new BoxBinCountsField(maskField, boxField));
          }
        }
        writer.addDocument(doc);
        if (random.nextInt(15) == 0) {
          int victim = random.nextInt(id + 1);
          writer.deleteDocuments(new Term("id", Integer.toString(victim)));
          masks.remove(victim);
          boxes.remove(victim);
          tags.remove(victim);
        }
        if (random.nextInt(100) == 0) {
          writer.commit();
        }
      }
    }
  }

  private static void mergeToOneSegment(Directory dir, org.apache.lucene.codecs.Codec codec)
      throws IOException {
    try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setCodec(codec))) {
      writer.forceMerge(1);
    }
  }

  /** Deletes about one document in 20 (inside blocks, for a merged segment). */
  private void deleteSome(Directory dir, org.apache.lucene.codecs.Codec codec) throws IOException {
    try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setCodec(codec))) {
      for (Integer id : new ArrayList<>(masks.keySet())) {
        if (random().nextInt(20) == 0) {
          writer.deleteDocuments(new Term("id", Integer.toString(id)));
          masks.remove(id);
          boxes.remove(id);
          tags.remove(id);
        }
      }
    }
  }

  /** Runs random queries of every form; returns their combined stats. */
  private CpStats checkQueries(Directory dir, int queries, boolean expectChi) throws IOException {
    CpStats all = new CpStats();
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher searcher = searcher(reader);
      Random random = random();
      for (int q = 0; q < queries; q++) {
        CpSpec spec = randomSpec(random);
        Query filter = random.nextInt(3) == 0 ? new TermQuery(new Term("tag", "a")) : null;
        Comparison op = Comparison.values()[random.nextInt(4)];
        double threshold = randomThreshold(random, reader, spec);
        CpStats stats = new CpStats();
        MaskValueFilterQuery query = new MaskValueFilterQuery(spec, op, threshold, stats);
        Set<Integer> got = ids(searcher, query);
        assertEquals(
            spec + " " + op + " " + threshold,
            expectedFilter(reader, spec, op, threshold, null),
            got);
        // every live document with a value decided once (deleted ones may be visited too)
        long decided = stats.total();
        long live = brute(reader, spec).size();
        assertTrue(stats + " for " + spec, decided >= live);
        assertTrue(stats + " for " + spec, decided <= live + reader.numDeletedDocs());
        for (int e = 0;
            e < 5;
            e++) { // _explain agrees with the search and says how the document was decided
          int doc = random.nextInt(reader.maxDoc());
          if (isLive(reader, doc)) {
            Explanation explanation = searcher.explain(query, doc);
            assertEquals(explanation.toString(), got.contains(doc), explanation.isMatch());
          }
        }
        assertTopK(
            searcher,
            reader,
            spec,
            TestUtil.nextInt(random, 1, 40),
            random.nextBoolean() ? CpOrder.DESC : CpOrder.ASC,
            filter,
            stats);
        if (!expectChi) {
          assertEquals("without a CHI nothing is accepted unread", 0, stats.accepted());
        }
        add(all, stats);
      }
    }
    return all;
  }

  private static void add(CpStats into, CpStats from) {
    into.add(from);
  }

  private CpSpec randomSpec(Random random) {
    ValueRange range = randomRange(random);
    CpSpec spec =
        random.nextInt(3) == 0
            ? CpSpec.perDocument(MASK, BOX, range)
            : CpSpec.of(MASK, randomRegion(random), range);
    return random.nextBoolean() ? spec.normalized() : spec;
  }

  /** A constant region: the whole mask, a box, or (a quarter of the time) any shape. */
  private Region randomRegion(Random random) {
    if (random.nextInt(8) == 0) {
      return Roi.FULL;
    }
    if (random.nextInt(4) > 0) {
      return randomRoi(random, 100);
    }
    RandomRegions.Case shape = RandomRegions.shape(random, 100);
    shapes.put(shape.region(), shape);
    return shape.region();
  }

  static Roi randomRoi(Random random, int extent) {
    return switch (random.nextInt(6)) {
      case 0 ->
          new Roi(
              random.nextInt(extent),
              random.nextInt(extent),
              random.nextInt(extent),
              random.nextInt(extent)); // maybe empty
      case 1 -> { // one pixel
        int x = random.nextInt(extent), y = random.nextInt(extent);
        yield new Roi(x, y, x + 1, y + 1);
      }
      case 2 ->
          new Roi(
              -random.nextInt(20),
              -random.nextInt(20),
              extent + random.nextInt(100),
              extent + random.nextInt(100));
      case 3 -> { // grid-aligned for common steps
        int s = 1 << random.nextInt(6);
        int x = s * random.nextInt(4), y = s * random.nextInt(4);
        yield new Roi(x, y, x + s * (1 + random.nextInt(4)), y + s * (1 + random.nextInt(4)));
      }
      default -> {
        int x = random.nextInt(extent), y = random.nextInt(extent);
        yield new Roi(x, y, x + 1 + random.nextInt(extent), y + 1 + random.nextInt(extent));
      }
    };
  }

  static ValueRange randomRange(Random random) {
    double[] edges = {0, 0.2, 0.25, 0.5, 0.6, 0.8, 0.85, 1.0, 204 / 255.0};
    double lv = random.nextInt(3) == 0 ? random.nextDouble() : edges[random.nextInt(edges.length)];
    double uv =
        switch (random.nextInt(5)) {
          case 0 -> 1.0;
          case 1 -> 1.5; // includes 1.0
          case 2 -> random.nextDouble();
          case 3 -> Math.nextUp(edges[random.nextInt(edges.length)]);
          default -> edges[random.nextInt(edges.length)];
        };
    if (random.nextInt(10) == 0) {
      lv = Math.nextDown(lv);
    }
    return new ValueRange(lv, uv);
  }

  /** A threshold near real values, so that filters are selective and land on exact values too. */
  private double randomThreshold(Random random, DirectoryReader reader, CpSpec spec)
      throws IOException {
    List<Double> values = new ArrayList<>(brute(reader, spec).values());
    if (values.isEmpty() || random.nextInt(10) == 0) {
      return random.nextDouble() * 100;
    }
    double v = values.get(random.nextInt(values.size()));
    return random.nextBoolean()
        ? v
        : v + (random.nextBoolean() ? 0.5 : -0.5) * (spec.normalize() ? 0.01 : 1);
  }

  /** Global doc id -> exact value for every live document that has a mask and a region. */
  private Map<Integer, Double> brute(DirectoryReader reader, CpSpec spec) throws IOException {
    Map<Integer, Double> values = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues ids = leaf.reader().getNumericDocValues("id");
      Bits live = leaf.reader().getLiveDocs();
      for (int doc = ids.nextDoc(); doc != NumericDocValues.NO_MORE_DOCS; doc = ids.nextDoc()) {
        int id = (int) ids.longValue();
        Mask mask = masks.get(id);
        Region roi = spec.roi() != null ? spec.roi() : boxes.get(id);
        if ((live == null || live.get(doc)) && mask != null && roi != null) {
          values.put(
              leaf.docBase + doc,
              roi instanceof Roi box
                  ? BruteForce.value(mask, box, spec.range(), spec.normalize())
                  : BruteForce.value(mask, shapes.get(roi), spec.range(), spec.normalize()));
        }
      }
    }
    return values;
  }

  private Set<Integer> expectedFilter(
      DirectoryReader reader, CpSpec spec, Comparison op, double t, String tag) throws IOException {
    Set<Integer> expected = new HashSet<>();
    brute(reader, spec)
        .forEach(
            (doc, v) -> {
              if (op.test(v, t)) {
                expected.add(doc);
              }
            });
    return expected;
  }

  private void assertTopK(
      IndexSearcher searcher,
      DirectoryReader reader,
      CpSpec spec,
      int k,
      CpOrder order,
      Query filter,
      CpStats stats)
      throws IOException {
    Map<Integer, Double> values = brute(reader, spec);
    Set<Integer> allowed = filter == null ? values.keySet() : ids(searcher, filter);
    Comparator<Map.Entry<Integer, Double>> byValue = Map.Entry.comparingByValue();
    if (order == CpOrder.DESC) {
      byValue = byValue.reversed();
    }
    List<CpHit> expected =
        values.entrySet().stream()
            .filter(e -> allowed.contains(e.getKey()))
            .sorted(byValue.thenComparing(Map.Entry.comparingByKey()))
            .limit(k)
            .map(e -> new CpHit(e.getKey(), e.getValue()))
            .toList();
    List<CpHit> got = MaskValueTopK.search(searcher, spec, k, order, filter, stats);
    assertEquals("top " + k + " " + order + " by " + spec, expected, got);

    // The query form matches the same documents, each scored by its value.
    TopDocs top = searcher.search(new MaskValueTopKQuery(spec, k, order, filter, null), k + 5);
    assertEquals(expected.size(), top.scoreDocs.length);
    Map<Integer, Double> expectedByDoc = new HashMap<>();
    expected.forEach(h -> expectedByDoc.put(h.doc(), h.value()));
    for (ScoreDoc sd : top.scoreDocs) {
      assertEquals((float) (double) expectedByDoc.get(sd.doc), sd.score, 0f);
    }
  }

  private static boolean isLive(DirectoryReader reader, int doc) {
    LeafReaderContext leaf = reader.leaves().get(ReaderUtil.subIndex(doc, reader.leaves()));
    Bits live = leaf.reader().getLiveDocs();
    return live == null || live.get(doc - leaf.docBase);
  }

  private static Set<Integer> ids(IndexSearcher searcher, Query query) throws IOException {
    Set<Integer> docs = new HashSet<>();
    for (ScoreDoc sd : searcher.search(query, Integer.MAX_VALUE).scoreDocs) {
      docs.add(sd.doc);
    }
    return docs;
  }

  private static IndexSearcher searcher(DirectoryReader reader) {
    // A plain searcher: LuceneTestCase#newSearcher may wrap readers, which hides the CHI doc
    // values.
    IndexSearcher searcher = new IndexSearcher(reader);
    searcher.setQueryCache(null);
    return searcher;
  }
}
