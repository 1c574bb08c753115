package dev.masksearch.expr;

import static dev.masksearch.expr.ExpressionReference.A;
import static dev.masksearch.expr.ExpressionReference.B;
import static dev.masksearch.expr.ExpressionReference.BOX;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskCodec;
import dev.masksearch.codec.TestMaskCodecs;
import dev.masksearch.document.BoxField;
import dev.masksearch.document.MaskField;
import dev.masksearch.expr.ExpressionReference.Doc;
import dev.masksearch.expr.ExpressionReference.N;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpHit;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpStats;
import dev.masksearch.search.LeafExactValues;
import dev.masksearch.search.MaskValueComparator;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueTopK;
import dev.masksearch.search.SearchGuard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.Bits;

/**
 * Every answer of an expression query equals the test's independent reference ({@link
 * ExpressionReference}): filters with every comparison, exact top-k in both orders, sorting with
 * paging, {@link LeafExactValues} in any order; over two mask fields of random dtypes and sizes (a
 * document's two masks may differ in size), a box field that may be missing, several segments with
 * deletions, then one merged segment; without and with a {@link DerivedChiCache}. The profile
 * counters add up.
 */
public class MaskExpressionQueryTests extends LuceneTestCase {
  /** What the test wrote, by id (deleted documents included). */
  final Map<Integer, Doc> docs = new HashMap<>();

  final Set<Integer> deleted = new HashSet<>();

  /**
   * Over the whole run: filters that selected a proper non-empty subset of the documents with a
   * value.
   */
  int properFilters;

  int filters;
  int definedValues;
  int undefinedValues;

  static MaskCodec codec() {
    return TestMaskCodecs.random(random(), new Lucene104Codec(), f -> f.equals(A) || f.equals(B));
  }

  public void testRandomExpressionsEqualReference() throws IOException {
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(dir, random(), false);
      int queries = atLeast(25);
      DerivedChiCache cache = new DerivedChiCache(1L << 30);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertTrue("several segments expected", reader.leaves().size() > 1 || reader.maxDoc() < 60);
        checkRandomExpressions(reader, queries, cache);
      }
      assertEquals("a closed segment drops its derived CHIs", 0, cache.sizeInBytes());
      try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setCodec(codec()))) {
        writer.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertEquals(1, reader.leaves().size());
        checkRandomExpressions(reader, atLeast(10), cache);
      }
      TestUtil.checkIndex(dir);
    }
    assertTrue(
        "too few filters select a proper non-empty subset: " + properFilters + " of " + filters,
        properFilters * 3 >= filters);
    assertTrue(
        "too few defined values: " + definedValues + ", undefined " + undefinedValues,
        definedValues > undefinedValues);
    if (VERBOSE) {
      System.out.println(
          "proper filters "
              + properFilters
              + "/"
              + filters
              + ", values "
              + definedValues
              + " defined, "
              + undefinedValues
              + " undefined");
    }
  }

  /**
   * Segments whose masks all share one dtype and size take the block-at-a-time bounds path: still
   * exact.
   */
  public void testUniformSegmentsEqualReference() throws IOException {
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(dir, random(), true);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        checkRandomExpressions(reader, atLeast(8), new DerivedChiCache(1L << 30));
      }
    }
  }

  /**
   * A divisor that is 0 for some documents makes them undefined: no filter, no rank, sorted last.
   */
  public void testDivisionByZeroPerDocument() throws IOException {
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(dir, random(), false);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        for (String text :
            new String[] {
              "cp(a, box, 0.5, 1.01) / cp(b, box, 0.9, 1.01)",
              "cp(a, full, 0.5, 1.01) / cp(b, [0, 0, 8, 8], 0.99, 1.01)",
              "iou(a > 0.5, b > 0.5) / (cp(a > 0.9, full) - cp(b > 0.9, full))"
            }) {
          MaskExpression expression = MaskExpression.parse(text);
          // the reference tree for these: built by hand
          N reference = handBuilt(text);
          checkExpression(reader, expression, reference, random());
          checkExpression(
              reader, expression.withCache(new DerivedChiCache(1L << 30)), reference, random());
        }
      }
    }
  }

  private static N handBuilt(String text) {
    ExpressionReference.Region box = new ExpressionReference.BoxRegion();
    ExpressionReference.Region full = new ExpressionReference.Full();
    return switch (text) {
      case "cp(a, box, 0.5, 1.01) / cp(b, box, 0.9, 1.01)" ->
          new ExpressionReference.Bin(
              '/',
              new ExpressionReference.CpRange(A, box, 0.5, 1.01),
              new ExpressionReference.CpRange(B, box, 0.9, 1.01));
      case "cp(a, full, 0.5, 1.01) / cp(b, [0, 0, 8, 8], 0.99, 1.01)" ->
          new ExpressionReference.Bin(
              '/',
              new ExpressionReference.CpRange(A, full, 0.5, 1.01),
              new ExpressionReference.CpRange(
                  B, new ExpressionReference.Rect(0, 0, 8, 8), 0.99, 1.01));
      default ->
          new ExpressionReference.Bin(
              '/',
              new ExpressionReference.Iou(
                  new ExpressionReference.Cmp(A, ">", 0.5),
                  new ExpressionReference.Cmp(B, ">", 0.5),
                  null),
              new ExpressionReference.Bin(
                  '-',
                  new ExpressionReference.CpPred(new ExpressionReference.Cmp(A, ">", 0.9), full),
                  new ExpressionReference.CpPred(new ExpressionReference.Cmp(B, ">", 0.9), full)));
    };
  }

  /**
   * Incremental indexing: an IoU filter (and top-k) run again with the same cache reads fewer
   * masks, since the documents verified the first time now have derived CHIs that make their bounds
   * exact; answers stay exact.
   */
  public void testDerivedChisSpareVerification() throws IOException {
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(dir, random(), false);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = plainSearcher(reader);
        Random random = random();
        int checkedFilters = 0;
        int checkedTopK = 0;
        for (int attempt = 0; attempt < 40 && (checkedFilters < 3 || checkedTopK < 2); attempt++) {
          double[] ts = {0.2, 0.5, 0.8, 0.25, 0.6};
          ExpressionReference.Region region =
              switch (random.nextInt(3)) {
                case 0 -> null;
                case 1 -> new ExpressionReference.Full();
                default ->
                    new ExpressionReference.Rect(
                        0,
                        0,
                        32 * (1 + random.nextInt(2)),
                        32 * (1 + random.nextInt(2))); // grid-aligned
              };
          ExpressionReference.P left =
              new ExpressionReference.Cmp(
                  A, random.nextBoolean() ? ">" : ">=", ts[random.nextInt(ts.length)]);
          ExpressionReference.P right =
              new ExpressionReference.Cmp(
                  B, random.nextBoolean() ? ">" : "<", ts[random.nextInt(ts.length)]);
          if (random.nextBoolean()) {
            right = new ExpressionReference.Or(right, new ExpressionReference.Cmp(A, ">", 0.9));
          }
          N node = new ExpressionReference.Iou(left, right, region);
          MaskExpression expression =
              MaskExpression.parse(
                  ExpressionReference.render(node), ExpressionReference.declared(node));
          Map<Integer, Double> values = liveValues(reader, node);
          List<Double> defined =
              values.values().stream().filter(v -> !Double.isNaN(v)).sorted().toList();
          if (defined.isEmpty()) {
            continue;
          }
          double threshold = defined.get(defined.size() / 2);
          Set<Integer> expected = new HashSet<>();
          values.forEach(
              (doc, v) -> {
                if (v >= threshold) {
                  expected.add(doc);
                }
              });
          DerivedChiCache cache = new DerivedChiCache(1L << 30);
          MaskExpression cached = expression.withCache(cache);
          long[] verified = new long[3];
          for (int run = 0; run < 3; run++) {
            CpStats stats = new CpStats();
            assertEquals(
                expression + " run " + run,
                expected,
                ids(searcher, new MaskValueFilterQuery(cached, Comparison.GTE, threshold, stats)));
            verified[run] = stats.verified();
          }
          if (verified[0] > 0) {
            checkedFilters++;
            String message =
                expression
                    + " >= "
                    + threshold
                    + " verified per run "
                    + java.util.Arrays.toString(verified);
            assertTrue(message, verified[1] < verified[0]);
            assertTrue(message, verified[2] < verified[0]);
            assertTrue(message, verified[2] <= verified[1]);
            assertTrue(message, cache.builds() > 0 && cache.hits() > 0 && cache.sizeInBytes() > 0);
          }
          // top-k with a fresh cache
          DerivedChiCache topCache = new DerivedChiCache(1L << 30);
          CpOrder order = random.nextBoolean() ? CpOrder.DESC : CpOrder.ASC;
          int k = TestUtil.nextInt(random, 1, 20);
          Layout layout = layout(reader);
          long[] topVerified = new long[3];
          for (int run = 0; run < 3; run++) {
            topVerified[run] =
                checkTopK(
                    searcher,
                    layout,
                    expression.withCache(topCache),
                    values,
                    k,
                    order,
                    null,
                    "run " + run + " " + expression);
          }
          if (topVerified[0] > 0) {
            checkedTopK++;
            String message =
                "top "
                    + k
                    + " "
                    + order
                    + " by "
                    + expression
                    + " verified per run "
                    + java.util.Arrays.toString(topVerified);
            assertTrue(message, topVerified[1] < topVerified[0]);
            assertTrue(message, topVerified[2] < topVerified[0]);
          }
        }
        assertTrue("no IoU filter had to verify masks on its first run", checkedFilters > 0);
        assertTrue("no IoU top-k had to verify masks on its first run", checkedTopK > 0);
      }
    }
  }

  /**
   * A cache too small for any derived CHI keeps nothing: the same answers and the same work every
   * run.
   */
  public void testTinyCacheKeepsNothing() throws IOException {
    try (Directory dir = newDirectory()) {
      indexRandomDocuments(dir, random(), false);
      DerivedChiCache tiny =
          new DerivedChiCache(random().nextInt(64)); // the smallest derived CHI takes 64 bytes
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = plainSearcher(reader);
        Random random = random();
        for (int q = 0; q < atLeast(5); q++) {
          N node = ExpressionReference.expression(random, true);
          MaskExpression expression =
              MaskExpression.parse(
                      ExpressionReference.render(node), ExpressionReference.declared(node))
                  .withCache(tiny);
          checkExpression(reader, expression, node, random);
          Map<Integer, Double> values = liveValues(reader, node);
          List<Double> defined = values.values().stream().filter(v -> !Double.isNaN(v)).toList();
          double threshold = defined.isEmpty() ? 0 : defined.get(random.nextInt(defined.size()));
          long first = -1;
          for (int run = 0; run < 3; run++) {
            CpStats stats = new CpStats();
            ids(searcher, new MaskValueFilterQuery(expression, Comparison.GT, threshold, stats));
            if (first < 0) {
              first = stats.verified();
            }
            assertEquals(expression + " run " + run, first, stats.verified());
          }
        }
        assertEquals(0, tiny.builds());
        assertEquals(0, tiny.sizeInBytes());
        assertEquals(0, tiny.hits());
      }
    }
  }

  Map<Integer, Double> liveValues(DirectoryReader reader, N node) throws IOException {
    Layout layout = layout(reader);
    Map<Integer, Double> values = new HashMap<>();
    for (int doc = 0; doc < reader.maxDoc(); doc++) {
      Double v = ExpressionReference.evaluate(node, docs.get(layout.ids()[doc]));
      if (v != null && layout.live()[doc]) {
        values.put(doc, v);
      }
    }
    return values;
  }

  static IndexSearcher plainSearcher(DirectoryReader reader) {
    IndexSearcher searcher =
        new IndexSearcher(reader); // plain: newSearcher may wrap readers and hide the CHI
    searcher.setQueryCache(null); // a cached filter would not verify anything on a second run
    return searcher;
  }

  // ------------------------------------------------------------------------------------------
  // indexing

  void indexRandomDocuments(Directory dir, Random random, boolean uniform) throws IOException {
    ChiParams paramsA =
        new ChiParams(
            TestUtil.nextInt(random, uniform ? 2 : 1, 40), TestUtil.nextInt(random, 1, 20));
    ChiParams paramsB =
        random.nextBoolean()
            ? paramsA
            : new ChiParams(
                TestUtil.nextInt(random, uniform ? 2 : 1, 40), TestUtil.nextInt(random, 1, 20));
    IndexWriterConfig config =
        newIndexWriterConfig()
            .setCodec(codec())
            .setMaxBufferedDocs(
                uniform ? TestUtil.nextInt(random, 100, 2000) : TestUtil.nextInt(random, 5, 60));
    if (!uniform) { // several segments, as the test says: a random merge policy merged them all at
      // times
      config.setMergePolicy(org.apache.lucene.index.NoMergePolicy.INSTANCE);
    }
    int[][] common = {
      {1, 1}, {32, 32}, {48, 40}, {TestUtil.nextInt(random, 1, 80), TestUtil.nextInt(random, 1, 80)}
    };
    int[] uniformSize = {TestUtil.nextInt(random, 1, 70), TestUtil.nextInt(random, 1, 70)};
    int count = uniform ? atLeast(600) : atLeast(250);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      for (int id = 0; id < count; id++) {
        Document doc = new Document();
        doc.add(new StringField("id", Integer.toString(id), Field.Store.NO));
        doc.add(new NumericDocValuesField("id", id));
        String tag = random.nextBoolean() ? "a" : "b";
        doc.add(new StringField("tag", tag, Field.Store.NO));
        Mask a = null;
        Mask b = null;
        if (uniform) {
          a =
              dev.masksearch.search.RandomMasks.of(
                  MaskDType.UINT8,
                  uniformSize[0],
                  uniformSize[1],
                  toFloats(ExpressionReference.mask(random, uniformSize[0], uniformSize[1])));
          b =
              dev.masksearch.search.RandomMasks.of(
                  MaskDType.UINT8,
                  uniformSize[0],
                  uniformSize[1],
                  toFloats(ExpressionReference.mask(random, uniformSize[0], uniformSize[1])));
        } else {
          int[] hwA =
              random.nextInt(3) == 0
                  ? new int[] {TestUtil.nextInt(random, 1, 80), TestUtil.nextInt(random, 1, 80)}
                  : common[random.nextInt(common.length)];
          int[] hwB =
              random.nextInt(3) != 0
                  ? hwA // usually the same size, sometimes another
                  : new int[] {TestUtil.nextInt(random, 1, 80), TestUtil.nextInt(random, 1, 80)};
          if (random.nextInt(20) != 0) {
            a = ExpressionReference.mask(random, hwA[0], hwA[1]);
          }
          if (random.nextInt(20) != 0) {
            b = ExpressionReference.mask(random, hwB[0], hwB[1]);
          }
        }
        if (a != null) {
          doc.add(new MaskField(A, a, paramsA));
        }
        if (b != null) {
          doc.add(new MaskField(B, b, paramsB));
        }
        int[] box = null;
        if (random.nextInt(10) != 0) {
          int[] r = ExpressionReference.rect(random, 90);
          Roi stored =
              Roi.unpack(
                  new Roi(r[0], r[1], r[2], r[3]).pack()); // clamped to [0, 65535] when stored
          box = new int[] {stored.x1(), stored.y1(), stored.x2(), stored.y2()};
          doc.add(new BoxField(BOX, new Roi(r[0], r[1], r[2], r[3])));
        }
        docs.put(id, new Doc(a, b, box, tag));
        writer.addDocument(doc);
        if (random.nextInt(15) == 0) {
          int victim = random.nextInt(id + 1);
          writer.deleteDocuments(new Term("id", Integer.toString(victim)));
          deleted.add(victim);
        }
        if (random.nextInt(100) == 0) {
          writer.commit();
        }
      }
    }
  }

  private static float[] toFloats(Mask mask) {
    float[] values = new float[mask.pixelCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) mask.value(i / mask.width(), i % mask.width());
    }
    return values;
  }

  // ------------------------------------------------------------------------------------------
  // checks

  void checkRandomExpressions(DirectoryReader reader, int queries, DerivedChiCache cache)
      throws IOException {
    Random random = random();
    boolean hasBoxes = true;
    for (int q = 0; q < queries; q++) {
      N node = ExpressionReference.expression(random, hasBoxes);
      String text = ExpressionReference.render(node);
      Map<String, Region> regions = ExpressionReference.declared(node);
      MaskExpression expression = MaskExpression.parse(text, regions);
      assertEquals(text, expression, MaskExpression.parse(expression.toString(), regions));
      checkExpression(reader, expression, node, random);
      // With derived CHIs (the cache fills as queries read masks): the same answers.
      checkExpression(reader, expression.withCache(cache), node, random);
      checkExpression(reader, expression.withCache(cache), node, random);
    }
  }

  /** The document's global ids, ids and liveness for a reader. */
  record Layout(int[] ids, boolean[] live) {}

  static Layout layout(DirectoryReader reader) throws IOException {
    int[] ids = new int[reader.maxDoc()];
    boolean[] live = new boolean[reader.maxDoc()];
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues values = leaf.reader().getNumericDocValues("id");
      Bits liveDocs = leaf.reader().getLiveDocs();
      for (int doc = values.nextDoc();
          doc != NumericDocValues.NO_MORE_DOCS;
          doc = values.nextDoc()) {
        ids[leaf.docBase + doc] = (int) values.longValue();
        live[leaf.docBase + doc] = liveDocs == null || liveDocs.get(doc);
      }
    }
    return new Layout(ids, live);
  }

  void checkExpression(DirectoryReader reader, MaskExpression expression, N node, Random random)
      throws IOException {
    IndexSearcher searcher = plainSearcher(reader);
    Layout layout = layout(reader);
    // Reference values of every document (deleted ones too): null = no value, NaN = undefined.
    Double[] all = new Double[reader.maxDoc()];
    Map<Integer, Double> values = new HashMap<>(); // live documents that have a value
    int allWithValue = 0;
    for (int doc = 0; doc < reader.maxDoc(); doc++) {
      Doc d = docs.get(layout.ids()[doc]);
      assertEquals(deleted.contains(layout.ids()[doc]), !layout.live()[doc]);
      all[doc] = ExpressionReference.evaluate(node, d);
      if (all[doc] != null) {
        allWithValue++;
        if (layout.live()[doc]) {
          values.put(doc, all[doc]);
          if (Double.isNaN(all[doc])) {
            undefinedValues++;
          } else {
            definedValues++;
          }
        }
      }
    }
    String what =
        expression.source()
            + " (canonical "
            + expression
            + ", cache "
            + (expression.cache != null)
            + ")";
    checkFilters(searcher, expression, values, allWithValue, random, what);
    for (CpOrder order : CpOrder.values()) {
      Query filter = random.nextInt(3) == 0 ? new TermQuery(new Term("tag", "a")) : null;
      checkTopK(
          searcher,
          layout,
          expression,
          values,
          TestUtil.nextInt(random, 1, 40),
          order,
          filter,
          what);
    }
    for (boolean reverse : new boolean[] {false, true}) {
      checkSort(searcher, expression, values, reverse, random, what);
    }
    checkLeafExactValues(reader, expression, all, random, what);
    checkBoundsHoldValues(reader, expression, all, what);
  }

  /**
   * Bounds, and refined bounds, hold every document's exact value; documents without a value have
   * no bounds.
   */
  private static void checkBoundsHoldValues(
      DirectoryReader reader, MaskExpression expression, Double[] all, String what)
      throws IOException {
    for (LeafReaderContext leaf : reader.leaves()) {
      dev.masksearch.search.LeafEvaluator evaluator = expression.leaf(leaf.reader());
      dev.masksearch.search.DocBounds bounds = new dev.masksearch.search.DocBounds();
      for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
        Double expected = all[leaf.docBase + doc];
        boolean has = evaluator != null && evaluator.bounds(doc, bounds);
        String message = what + " bounds of doc " + doc + " in segment " + leaf.ord;
        assertEquals(message, expected != null, has);
        if (!has) {
          continue;
        }
        for (int pass = 0; pass < 2; pass++) {
          String m =
              message
                  + (pass == 0 ? "" : " (refined)")
                  + ": ["
                  + bounds.lower
                  + ", "
                  + bounds.upper
                  + "] value "
                  + expected;
          if (Double.isNaN(expected)) {
            assertFalse(m, bounds.isExact());
          } else {
            assertTrue(m, bounds.lower <= expected && expected <= bounds.upper);
          }
          evaluator.refine(doc, bounds);
        }
      }
    }
  }

  private void checkFilters(
      IndexSearcher searcher,
      MaskExpression expression,
      Map<Integer, Double> values,
      int allWithValue,
      Random random,
      String what)
      throws IOException {
    List<Double> defined = values.values().stream().filter(v -> !Double.isNaN(v)).toList();
    double threshold;
    if (defined.isEmpty() || random.nextInt(10) == 0) {
      threshold = random.nextDouble() * 10 - 2;
    } else {
      double v = defined.get(random.nextInt(defined.size()));
      threshold =
          switch (random.nextInt(4)) {
            case 0 -> v + 0.5;
            case 1 -> v - 0.5;
            case 2 -> Math.nextUp(v);
            default -> v; // equal to some document's value
          };
    }
    for (Comparison op : Comparison.values()) {
      CpStats stats = new CpStats();
      MaskValueFilterQuery query = new MaskValueFilterQuery(expression, op, threshold, stats);
      Set<Integer> got = ids(searcher, query);
      int maxDoc = searcher.getIndexReader().maxDoc();
      for (int e = 0; e < 3; e++) { // _explain agrees with the search
        int doc = random.nextInt(maxDoc);
        if (!isDeleted(searcher, doc)) {
          org.apache.lucene.search.Explanation explanation =
              searcher.explain(new MaskValueFilterQuery(expression, op, threshold, null), doc);
          assertEquals(explanation.toString(), got.contains(doc), explanation.isMatch());
        }
      }
      Set<Integer> expected = new HashSet<>();
      values.forEach(
          (doc, v) -> {
            if (op.test(v, threshold)) {
              expected.add(doc);
            }
          });
      String message = what + " " + op.symbol() + " " + threshold;
      assertEquals(message, expected, got);
      filters++;
      if (!expected.isEmpty() && expected.size() < values.size()) {
        properFilters++;
      }
      // Every document with a value is decided once: by bounds (accepted, rejected) or by reading
      // (verified).
      // Deleted documents may be decided by bounds too; deleted undecided ones are never verified.
      assertTrue(message + " " + stats + " live=" + values.size(), stats.total() >= values.size());
      assertTrue(message + " " + stats + " all=" + allWithValue, stats.total() <= allWithValue);
      assertTrue(
          message + " " + stats, stats.accepted() <= got.size() + allWithValue - values.size());
      assertTrue(message + " " + stats, got.size() <= stats.accepted() + stats.verified());
      assertEquals(0, stats.segmentsWithoutChi());
    }
  }

  private long checkTopK(
      IndexSearcher searcher,
      Layout layout,
      MaskExpression expression,
      Map<Integer, Double> values,
      int k,
      CpOrder order,
      Query filter,
      String what)
      throws IOException {
    Set<Integer> allowed = filter == null ? values.keySet() : ids(searcher, filter);
    Comparator<Map.Entry<Integer, Double>> byValue = Map.Entry.comparingByValue();
    if (order == CpOrder.DESC) {
      byValue = byValue.reversed();
    }
    List<Map.Entry<Integer, Double>> expected =
        values.entrySet().stream()
            .filter(e -> allowed.contains(e.getKey()) && !Double.isNaN(e.getValue()))
            .sorted(byValue.thenComparing(Map.Entry.comparingByKey()))
            .limit(k)
            .toList();
    CpStats stats = new CpStats();
    List<CpHit> got = MaskValueTopK.search(searcher, expression, k, order, filter, stats);
    String message = "top " + k + " " + order + (filter == null ? "" : " filtered") + " by " + what;
    assertEquals(message + ": " + got + " expected " + expected, expected.size(), got.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(
          message + " hit " + i + ": " + got, (int) expected.get(i).getKey(), got.get(i).doc());
      assertEquals(message + " hit " + i, expected.get(i).getValue(), got.get(i).value(), 0.0);
    }
    // Each candidate (a live, allowed document with a value) is counted exactly once.
    long candidates = values.keySet().stream().filter(allowed::contains).count();
    assertEquals(message + " " + stats, candidates, stats.total());
    return stats.verified();
  }

  private void checkSort(
      IndexSearcher searcher,
      MaskExpression expression,
      Map<Integer, Double> values,
      boolean reverse,
      Random random,
      String what)
      throws IOException {
    Query query =
        random.nextBoolean() ? new MatchAllDocsQuery() : new TermQuery(new Term("tag", "b"));
    Set<Integer> matching = ids(searcher, query);
    double missing = reverse ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    Map<Integer, Double> sortValues = new HashMap<>();
    for (int doc : matching) {
      Double v = values.get(doc);
      sortValues.put(doc, v == null || Double.isNaN(v) ? missing : v);
    }
    Comparator<Integer> byValue = Comparator.comparingDouble(sortValues::get);
    List<Integer> expected =
        matching.stream()
            .sorted(
                (reverse ? byValue.reversed() : byValue).thenComparing(Comparator.naturalOrder()))
            .toList();
    Sort sort =
        new Sort(new SortField("expr", MaskValueComparator.source(expression, null), reverse));
    int n = TestUtil.nextInt(random, 1, 30);
    int from = 0;
    ScoreDoc after = null;
    for (int page = 0; page < 3; page++) {
      TopDocs hits =
          after == null
              ? searcher.search(query, n, sort)
              : searcher.searchAfter(after, query, n, sort);
      List<Integer> expectedPage =
          expected.subList(Math.min(from, expected.size()), Math.min(from + n, expected.size()));
      List<Integer> got = new ArrayList<>();
      for (ScoreDoc hit : hits.scoreDocs) {
        got.add(hit.doc);
        assertEquals(
            what + " sort value of " + hit.doc,
            sortValues.get(hit.doc),
            (Double) ((FieldDoc) hit).fields[0],
            0.0);
      }
      if (!expectedPage.equals(got)) {
        StringBuilder diff = new StringBuilder();
        Set<Integer> differing = new HashSet<>(expectedPage);
        differing.addAll(got);
        for (int doc : differing) {
          if (!expectedPage.contains(doc) || !got.contains(doc)) {
            diff.append(" doc ")
                .append(doc)
                .append(": reference ")
                .append(values.get(doc))
                .append(" engine ")
                .append(engineValue(searcher, expression, doc));
          }
        }
        fail(
            what
                + " sorted "
                + (reverse ? "desc" : "asc")
                + " page "
                + page
                + " of "
                + n
                + " expected "
                + expectedPage
                + " got "
                + got
                + diff);
      }
      if (hits.scoreDocs.length < n) {
        break;
      }
      after = hits.scoreDocs[n - 1];
      from += n;
    }
  }

  private void checkLeafExactValues(
      DirectoryReader reader, MaskExpression expression, Double[] all, Random random, String what)
      throws IOException {
    for (LeafReaderContext leaf : reader.leaves()) {
      LeafExactValues exact = LeafExactValues.create(leaf, expression, SearchGuard.NONE);
      int maxDoc = leaf.reader().maxDoc();
      int asks = Math.min(3 * maxDoc, 200);
      int doc = random.nextInt(maxDoc);
      for (int i = 0; i < asks; i++) {
        doc =
            switch (random.nextInt(4)) {
              case 0 -> random.nextInt(maxDoc); // anywhere
              case 1 -> Math.max(0, doc - 1 - random.nextInt(3)); // backwards
              case 2 -> doc; // the same again
              default -> Math.min(maxDoc - 1, doc + 1 + random.nextInt(3)); // forwards
            };
        Double expected = all[leaf.docBase + doc];
        double got = exact.value(doc);
        String message = what + " LeafExactValues of doc " + doc + " in segment " + leaf.ord;
        if (expected == null || Double.isNaN(expected)) {
          assertTrue(message + ": expected no value, got " + got, Double.isNaN(got));
        } else {
          assertEquals(message, expected, got, 0.0);
        }
      }
    }
  }

  private static boolean isDeleted(IndexSearcher searcher, int doc) {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
    Bits live = leaf.reader().getLiveDocs();
    return live != null && !live.get(doc - leaf.docBase);
  }

  static double engineValue(IndexSearcher searcher, MaskExpression expression, int doc)
      throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(doc, leaves));
    return LeafExactValues.create(leaf, expression, SearchGuard.NONE).value(doc - leaf.docBase);
  }

  static Set<Integer> ids(IndexSearcher searcher, Query query) throws IOException {
    Set<Integer> docs = new HashSet<>();
    for (ScoreDoc sd : searcher.search(query, Integer.MAX_VALUE).scoreDocs) {
      docs.add(sd.doc);
    }
    return docs;
  }
}
