package dev.masksearch.search;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskCodec;
import dev.masksearch.codec.MaskDocValues;
import dev.masksearch.document.MaskField;
import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.NamedThreadFactory;

/**
 * Every form that reads masks at search time (filter, scoring, top-k, sort, expressions, exact
 * values for scripts) reserves the memory of each read from the search's {@link SearchGuard} before
 * decoding and returns all of it after, whether the query succeeds or the guard stops it; and
 * stops, reading few masks, once the guard says the search is cancelled; on one thread and with
 * segments searched concurrently.
 */
public class SearchGuardTests extends LuceneTestCase {
  private static final int SIZE = 64;

  /** A region off the CHI grid, so that bounds leave many documents undecided. */
  private static final Roi ROI = new Roi(3, 5, 61, 59);

  private static final CpSpec SPEC =
      new CpSpec("saliency", ROI, null, new ValueRange(0.3, 0.7), false);
  private static final MaskExpression EXPR =
      MaskExpression.parse(
          "iou(saliency > 0.5, human > 0.5, [3, 5, 61, 59]) + cp(saliency, [3, 5, 61, 59], 0.3, 0.7)");

  /**
   * What reading one float32 mask of the index needs at least: its decoded pixels (a tiled mask's
   * read reserves them and a tile's scratch besides).
   */
  private static final long MASK_BYTES = (long) SIZE * SIZE * Float.BYTES;

  private Directory dir;
  private DirectoryReader reader;
  private int docs;
  private ExecutorService executor;

  @Override
  public void setUp() throws Exception {
    super.setUp();
    dir = newDirectory();
    ChiParams params = new ChiParams(16, 8);
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(
                new MaskCodec(TestUtil.getDefaultCodec(), Set.of("saliency", "human")::contains))
            .setMaxBufferedDocs(300)
            .setMergePolicy(NoMergePolicy.INSTANCE);
    docs = atLeast(300) + 60; // a segment of 300 (longer than a check interval), and more

    try (IndexWriter writer = new IndexWriter(dir, config)) {
      for (int i = 0; i < docs; i++) {
        Document doc = new Document();
        doc.add(new MaskField("saliency", noise(), params));
        doc.add(new MaskField("human", noise(), params));
        writer.addDocument(doc);
      }
    }
    reader = DirectoryReader.open(dir);
    executor = Executors.newFixedThreadPool(3, new NamedThreadFactory("guard-test"));
  }

  @Override
  public void tearDown() throws Exception {
    executor.shutdown();
    reader.close();
    dir.close();
    super.tearDown();
  }

  private Mask noise() {
    float[] values = RandomMasks.noise(random(), SIZE, SIZE);
    return Mask.ofFloats(SIZE, SIZE, values);
  }

  /**
   * One query form, run on a searcher; its result compared with the same form run without a guard.
   */
  private interface Form {
    Object run(IndexSearcher searcher, CpStats stats) throws IOException;
  }

  private static List<Form> forms() {
    List<Form> forms = new ArrayList<>();
    forms.add(
        (s, stats) ->
            s.count(new MaskValueFilterQuery(SPEC, Comparison.GT, 0.4 * ROI.area(), stats)));
    forms.add(
        (s, stats) ->
            s.count(
                new MaskValueFilterQuery(
                    EXPR.withCache(new DerivedChiCache(0)),
                    Comparison.GT,
                    0.5 * ROI.area(),
                    stats)));
    forms.add(
        (s, stats) ->
            hits(
                s.search(
                    new MaskValueScoreQuery(SPEC, stats),
                    new TopScoreDocCollectorManager(10, Integer.MAX_VALUE))));
    forms.add(
        (s, stats) ->
            hits(s.search(new MaskValueTopKQuery(SPEC, 10, CpOrder.DESC, null, stats), 10)));
    forms.add(
        (s, stats) ->
            hits(s.search(new MaskValueTopKQuery(EXPR, 10, CpOrder.ASC, null, stats), 10)));
    forms.add((s, stats) -> sorted(s, SPEC, stats, true));
    forms.add((s, stats) -> sorted(s, EXPR, stats, false));
    forms.add(
        (s, stats) -> { // as a script reads values: every document, in order
          double sum = 0;
          for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            LeafExactValues values = LeafExactValues.create(leaf, EXPR, SearchGuards.of(s));
            for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
              stats.verify();
              sum += values.value(doc);
            }
          }
          return sum;
        });
    return forms;
  }

  /** The first hits of all documents sorted by {@code source}, read under the searcher's guard. */
  private static String sorted(IndexSearcher s, ValueSource source, CpStats stats, boolean reverse)
      throws IOException {
    SortField field = new SortField("value", MaskValueComparator.source(source, stats, s), reverse);
    return hits(s.search(new MatchAllDocsQuery(), 10, new Sort(field)));
  }

  private static String hits(TopDocs top) {
    StringBuilder out = new StringBuilder();
    for (ScoreDoc hit : top.scoreDocs) {
      out.append(hit.doc)
          .append(':')
          .append(
              hit instanceof org.apache.lucene.search.FieldDoc f
                  ? Arrays.toString(f.fields)
                  : hit.score)
          .append(' ');
    }
    return out.toString();
  }

  /**
   * A searcher without a query cache (a cached filter reads no mask), on one thread or a slice per
   * segment.
   */
  private IndexSearcher searcher(boolean concurrent) {
    IndexSearcher searcher =
        !concurrent
            ? new IndexSearcher(reader)
            : new IndexSearcher(reader, executor) {
              @Override
              protected LeafSlice[] slices(List<LeafReaderContext> leaves) {
                return slices(leaves, 1, 1, false); // a slice per segment, searched in parallel
              }
            };
    searcher.setQueryCache(null);
    return searcher;
  }

  public void testReadsAreReservedAndReleased() throws IOException {
    assertTrue("the test needs several segments", reader.leaves().size() > 1);
    for (boolean concurrent : new boolean[] {false, true}) {
      List<Form> forms = forms();
      for (int f = 0; f < forms.size(); f++) {
        Object expected = forms.get(f).run(searcher(concurrent), new CpStats());
        IndexSearcher searcher = searcher(concurrent);
        TestGuard guard = new TestGuard(Long.MAX_VALUE, Integer.MAX_VALUE);
        Object got;
        try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
          got = forms.get(f).run(searcher, new CpStats());
        }
        String form = "form " + f + (concurrent ? " (concurrent)" : "");
        assertEquals(form + ": a guard that allows everything changes no answer", expected, got);
        assertTrue(form + ": masks were read and reserved", guard.reservations.get() > 0);
        assertTrue(
            form + ": at least a mask's pixels were reserved at once",
            guard.peak.get() >= MASK_BYTES);
        assertEquals(form + ": every reserved byte is released", 0, guard.used.get());
        assertSame(SearchGuard.NONE, SearchGuards.of(searcher));
      }
    }
  }

  public void testOverLimitStopsTheQueryAndReleasesEverything() throws IOException {
    for (boolean concurrent : new boolean[] {false, true}) {
      List<Form> forms = forms();
      for (int f = 0; f < forms.size(); f++) {
        IndexSearcher searcher = searcher(concurrent);
        TestGuard guard =
            new TestGuard(MASK_BYTES / 2, Integer.MAX_VALUE); // less than one mask needs
        Form form = forms.get(f);
        OverLimit e;
        try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
          e = expectThrows(OverLimit.class, () -> form.run(searcher, new CpStats()));
        }
        assertTrue(
            e.getMessage(),
            e.getMessage()
                .matches(
                    "mask \\[(saliency|human)\\] 64x64 float32 of document \\d+ needs \\d+ bytes"));
        assertEquals("form " + f + ": every reserved byte is released", 0, guard.used.get());
      }
    }
  }

  /**
   * With room for a document's two masks but not for two of its pixel maps, an expression stops on
   * the maps.
   */
  public void testExpressionPixelMapsAreReserved() throws IOException {
    long fewest = Long.MAX_VALUE; // the least that a document's two masks need
    long most = 0;
    for (LeafReaderContext leaf : reader.leaves()) {
      MaskDocValues saliency = (MaskDocValues) leaf.reader().getBinaryDocValues("saliency");
      MaskDocValues human = (MaskDocValues) leaf.reader().getBinaryDocValues("human");
      for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
        long both = saliency.maskSize(doc).readBytes() + human.maskSize(doc).readBytes();
        fewest = Math.min(fewest, both);
        most = Math.max(most, both);
      }
    }
    long map = SIZE * SIZE;
    long limit = fewest + map + map / 2;
    assumeTrue("masks compress to similar sizes", most <= limit);
    IndexSearcher searcher = searcher(false);
    TestGuard guard = new TestGuard(limit, Integer.MAX_VALUE);
    OverLimit e;
    try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
      e =
          expectThrows(
              OverLimit.class,
              () ->
                  searcher.count(
                      new MaskValueFilterQuery(EXPR, Comparison.GT, 0.5 * ROI.area(), null)));
    }
    assertTrue(e.getMessage(), e.getMessage().startsWith("the pixels where ["));
    assertTrue(e.getMessage(), e.getMessage().contains("] holds, 64x64, of document "));
    assertEquals(0, guard.used.get());
  }

  public void testCancellationStopsEarly() throws IOException {
    for (boolean concurrent : new boolean[] {false, true}) {
      List<Form> forms = forms();
      for (int f = 0; f < forms.size(); f++) {
        IndexSearcher searcher = searcher(concurrent);
        int allowed = TestUtil.nextInt(random(), 0, 5);
        TestGuard guard = new TestGuard(Long.MAX_VALUE, allowed);
        CpStats stats = new CpStats();
        Form form = forms.get(f);
        try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
          expectThrows(Cancelled.class, () -> form.run(searcher, stats));
        }
        // Every mask read is preceded by a check, so once cancelled no further mask is read by this
        // thread; the
        // other threads of a concurrent search stop at their next check.
        int threads = concurrent ? 3 : 1;
        assertTrue(
            "form " + f + ": read " + guard.masks.get() + " masks of " + 2 * docs,
            guard.masks.get() <= 2L * (allowed + threads));
        assertTrue(
            "form " + f + ": verified " + stats.verified() + " of " + docs,
            stats.verified() < docs / 4);
        assertEquals(0, guard.used.get());
      }
    }
  }

  /** A bounds-only scan (no mask read) still checks the guard every few hundred documents. */
  public void testBoundsOnlyScanChecks() throws IOException {
    IndexSearcher searcher = searcher(false);
    TestGuard guard = new TestGuard(Long.MAX_VALUE, 0);
    MaskValueFilterQuery nothing =
        new MaskValueFilterQuery(
            SPEC, Comparison.GT, ROI.area() + 1, null); // rejected by every bound
    try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
      expectThrows(Cancelled.class, () -> searcher.count(nothing));
    }
    assertEquals("no mask was read", 0, guard.masks.get());
  }

  /**
   * Two searches over one reader (OpenSearch shares it when low-level cancellation is off) each run
   * under their own guard: one is cancelled, the other answers, and neither's reservations reach
   * the other's guard.
   */
  public void testGuardsArePerSearcher() throws IOException {
    IndexSearcher cancelled = searcher(false);
    IndexSearcher allowed = searcher(random().nextBoolean());
    assertSame(
        "both searchers share the reader", cancelled.getIndexReader(), allowed.getIndexReader());
    TestGuard stops = new TestGuard(Long.MAX_VALUE, 0);
    TestGuard counts = new TestGuard(Long.MAX_VALUE, Integer.MAX_VALUE);
    MaskValueFilterQuery query =
        new MaskValueFilterQuery(SPEC, Comparison.GT, 0.4 * ROI.area(), null);
    int expected = searcher(false).count(query);
    try (SearchGuards.Registration first = SearchGuards.register(cancelled, stops);
        SearchGuards.Registration second = SearchGuards.register(allowed, counts);
        SearchGuards.Registration again = SearchGuards.register(allowed, new TestGuard(0, 0))) {
      expectThrows(Cancelled.class, () -> cancelled.count(query));
      assertEquals(expected, allowed.count(query));
      again.close(); // the third registration did not take: closing it leaves the second in place
      assertEquals(expected, allowed.count(query));
      assertEquals("the cancelled search read no mask", 0, stops.masks.get());
      assertTrue("the other search read masks under its own guard", counts.masks.get() > 0);
      assertSame(SearchGuard.NONE, SearchGuards.of(reader));
    }
    assertSame(SearchGuard.NONE, SearchGuards.of(allowed));
    assertEquals("closing the registration returned what the search held", 0, counts.used.get());
  }

  /**
   * A guard that cannot grant what the CHI cursors or the top-k candidates need stops the search
   * with a message naming them, and nothing stays reserved.
   */
  public void testCursorsAndCandidatesTripNamingWhatNeededTheMemory() throws IOException {
    for (String refused :
        new String[] {"the CHI entries read from [saliency]", "top-k candidates"}) {
      IndexSearcher searcher = searcher(random().nextBoolean());
      TestGuard counts = new TestGuard(Long.MAX_VALUE, Integer.MAX_VALUE);
      SearchGuard guard =
          new SearchGuard() {
            @Override
            public void check() {}

            @Override
            public void reserve(long bytes, String what) {
              if (what.startsWith(refused)) {
                throw new OverLimit(what + " needs " + bytes + " bytes");
              }
              counts.reserve(bytes, what);
            }

            @Override
            public void release(long bytes) {
              counts.release(bytes);
            }
          };
      OverLimit e;
      try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
        e =
            expectThrows(
                OverLimit.class,
                () ->
                    searcher.search(
                        new MaskValueTopKQuery(SPEC, 10, CpOrder.DESC, null, null), 10));
      }
      assertTrue(e.getMessage(), e.getMessage().startsWith(refused));
      assertEquals(refused + ": nothing stays reserved", 0, counts.used.get());
    }
  }

  /**
   * What a search holds for its whole run (CHI cursors, candidates) is reserved, and returned when
   * it ends.
   */
  public void testSearchLongMemoryIsReservedAndReturned() throws IOException {
    IndexSearcher searcher = searcher(false);
    TestGuard guard = new TestGuard(Long.MAX_VALUE, Integer.MAX_VALUE);
    try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
      searcher.search(new MaskValueTopKQuery(SPEC, 10, CpOrder.DESC, null, null), 10);
      assertTrue(
          "the top-k's cursors and candidates are reserved while the search runs",
          guard.held.get() > 0);
    }
    assertEquals(0, guard.used.get());
  }

  /**
   * A shape region or a query mask laid on a grid is reserved before it is built, kept while the
   * search runs, and returned when it ends; a guard that refuses it stops the query cleanly.
   */
  public void testRegionsLaidOnGridsAreReserved() throws IOException {
    IndexSearcher searcher = searcher(false);
    Shape polygon = Shape.ofPolygon(List.of(new double[] {3, 1, 60, 9, 30, 62, 12, 40}));
    Mask like = Mask.ofFloats(SIZE, SIZE, new float[SIZE * SIZE]);
    List<ValueSource> sources =
        List.of(
            CpSpec.of("saliency", polygon, new ValueRange(0.3, 0.7)),
            SimilaritySpec.of("saliency", like, 0.5, polygon, Similarity.IOU));
    for (ValueSource source : sources) {
      TestGuard guard = new TestGuard(Long.MAX_VALUE, Integer.MAX_VALUE);
      try (SearchGuards.Registration ignored = SearchGuards.register(searcher, guard)) {
        searcher.search(new MaskValueTopKQuery(source, 10, CpOrder.DESC, null, null), 10);
        assertTrue(source + " held " + guard.held.get(), guard.held.get() > 0);
      }
      assertEquals(0, guard.used.get());
      SearchGuard refuses =
          new SearchGuard() {
            @Override
            public void check() {}

            @Override
            public void reserve(long bytes, String what) {
              if (what.contains("laid on a grid")) {
                throw new OverLimit(what);
              }
            }

            @Override
            public void release(long bytes) {}
          };
      try (SearchGuards.Registration ignored = SearchGuards.register(searcher, refuses)) {
        OverLimit e =
            expectThrows(
                OverLimit.class,
                () ->
                    searcher.search(
                        new MaskValueFilterQuery(source, Comparison.GT, 0.5, null), 10));
        assertTrue(e.getMessage(), e.getMessage().contains("saliency"));
      }
    }
  }

  static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("cancelled");
    }
  }

  static final class OverLimit extends RuntimeException {
    OverLimit(String message) {
      super(message);
    }
  }

  /** Counts reservations against a limit, and cancels after a number of checks. */
  static final class TestGuard implements SearchGuard {
    final long limit;
    final int checksAllowed;
    final AtomicLong used = new AtomicLong();
    final AtomicLong peak = new AtomicLong();
    final AtomicInteger checks = new AtomicInteger();
    final AtomicInteger reservations = new AtomicInteger();
    final AtomicInteger masks = new AtomicInteger();

    /** Bytes reserved for what a search keeps for its whole run, not for one document. */
    final AtomicLong held = new AtomicLong();

    TestGuard(long limit, int checksAllowed) {
      this.limit = limit;
      this.checksAllowed = checksAllowed;
    }

    @Override
    public void check() {
      if (checks.incrementAndGet() > checksAllowed) {
        throw new Cancelled();
      }
    }

    /**
     * Refuses what one document's evaluation needs (a mask, a pixel map) beyond the limit; what the
     * search holds for its whole run (CHI cursors, top-k candidates) is counted as held and never
     * refused, so that a limit below one mask stops the search on a mask whatever the cursors hold.
     */
    @Override
    public void reserve(long bytes, String what) {
      boolean perDocument = what.startsWith("mask [") || what.startsWith("the pixels where [");
      if (perDocument && used.get() - held.get() + bytes > limit) {
        throw new OverLimit(what + " needs " + bytes + " bytes");
      }
      long now = used.addAndGet(bytes);
      reservations.incrementAndGet();
      if (what.startsWith("mask [")) {
        masks.incrementAndGet();
      } else if (!perDocument) {
        held.addAndGet(bytes);
      }
      peak.accumulateAndGet(now, Math::max);
    }

    @Override
    public void release(long bytes) {
      assertTrue(used.addAndGet(-bytes) >= 0);
    }
  }
}
