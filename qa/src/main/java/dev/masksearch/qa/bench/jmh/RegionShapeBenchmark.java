package dev.masksearch.qa.bench.jmh;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.chi.BoundsPlan;
import dev.masksearch.chi.CellCover;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.codec.MaskDocValues;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.qa.bench.SyntheticIndex;
import dev.masksearch.qa.bench.alternatives.RegionShapes;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpSpec;
import dev.masksearch.search.CpStats;
import dev.masksearch.search.MaskValueFilterQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Polygon regions (the ten-pointed star, the square with a hole) against centred squares of the
 * same areas (issue 17's "within 2x"): the 1% filter CP(saliency, region, [0.6, 1.01)) &gt; t over
 * 20,000 synthetic 224 x 224 maps on the default grid, whole query and the verification of the
 * masks it leaves undecided. Compare the scores of one region against the square's as ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RegionShapeBenchmark {
  static final int DOCS = 20_000;
  private static final ValueRange SALIENT = new ValueRange(0.6, 1.01);
  private static final int SIDE = 224;

  private Path path;
  private Directory dir;
  private DirectoryReader reader;
  private IndexSearcher searcher;
  private MaskDocValues masks;
  private BinEdges.Levels levels;
  private Case star;
  private Case square;
  private Case hole;
  private Case holeSquare;

  /** One region's query: its 1% threshold and the masks its CHI bounds leave undecided. */
  private record Case(Region roi, double threshold, int[] undecided) {}

  @Setup
  public void setUp() throws IOException {
    path = Files.createTempDirectory("masksearch-jmh-shapes");
    dir = FSDirectory.open(path);
    SyntheticIndex.build(dir, new SyntheticDataset(42), DOCS, ChiParams.DEFAULT, 1);
    reader = DirectoryReader.open(dir);
    searcher = new IndexSearcher(reader);
    searcher.setQueryCache(null);
    masks =
        (MaskDocValues) reader.leaves().get(0).reader().getBinaryDocValues(SyntheticIndex.SALIENCY);
    levels = BinEdges.of(MaskDType.UINT8, masks.params().bins()).levels(SALIENT);
    star = setUp(polygon("ten-pointed star"));
    square = setUp(squareOf(star.roi()));
    hole = setUp(polygon("square with a square hole"));
    holeSquare = setUp(squareOf(hole.roi()));
  }

  private static Shape polygon(String name) {
    return Shape.ofPolygon(List.of(RegionShapes.POLYGONS.get(name)));
  }

  /** A centred square of about the region's pixels, as {@code RegionShapes} lays it. */
  private static Roi squareOf(Region region) {
    int s = (int) Math.round(Math.sqrt(region.area(SIDE, SIDE)));
    int x1 = (SIDE - s) / 2;
    return new Roi(x1, x1, x1 + s, x1 + s);
  }

  private Case setUp(Region roi) throws IOException {
    long[] counts = new long[DOCS];
    for (int doc = 0; doc < DOCS; doc++) {
      counts[doc] = roi.countPixels(masks.mask(doc), SALIENT);
    }
    long[] sorted = counts.clone();
    Arrays.sort(sorted);
    double threshold = sorted[DOCS - DOCS / 100 - 1];
    // the first stage reads the first tier, the second the field's own CHI (as LeafCpEvaluator)
    MaskDocValues.ChiCursor firstTier = masks.firstTierCursor();
    MaskDocValues.ChiCursor cursor = masks.chiCursor();
    firstTier = firstTier != null ? firstTier : cursor;
    BinEdges.Levels firstLevels = BinEdges.of(MaskDType.UINT8, firstTier.bins()).levels(SALIENT);
    List<Integer> open = new ArrayList<>();
    CpBounds bounds = new CpBounds();
    BoundsPlan firstPlan = null;
    BoundsPlan plan = null;
    int openAfterPlan = 0;
    for (int doc = 0; doc < DOCS; doc++) {
      firstTier.seek(doc);
      cursor.seek(doc);
      if (plan == null) {
        firstPlan = new BoundsPlan(firstTier.grid(), firstTier.bins(), roi, firstLevels);
        plan = new BoundsPlan(cursor.grid(), cursor.bins(), roi, levels);
      }
      firstPlan.evaluate(firstTier, bounds);
      openAfterPlan += bounds.lower <= threshold && threshold < bounds.upper ? 1 : 0;
      bounds.computeRefined(plan.cellCounts(cursor), plan.cover());
      if (bounds.lower <= threshold && threshold < bounds.upper) {
        open.add(doc);
      }
    }
    int[] undecided = open.stream().mapToInt(Integer::intValue).toArray();
    System.out.println(
        String.format(
            Locale.ROOT,
            "%s: %,d pixels, threshold %.0f, %d undecided by the first stage and %d by the"
                + " second of %d",
            roi,
            roi.area(SIDE, SIDE),
            threshold,
            openAfterPlan,
            undecided.length,
            DOCS));
    return new Case(roi, threshold, undecided);
  }

  @TearDown
  public void tearDown() throws IOException {
    IOUtils.close(reader, dir);
    IOUtils.rm(path);
  }

  /** The star's whole filter, as a search runs it. */
  @Benchmark
  public int filterStar() throws IOException {
    return filter(star);
  }

  /** The square's whole filter. */
  @Benchmark
  public int filterSquare() throws IOException {
    return filter(square);
  }

  /** The square with a square hole's whole filter. */
  @Benchmark
  public int filterHole() throws IOException {
    return filter(hole);
  }

  /** The whole filter of a square of its area. */
  @Benchmark
  public int filterHoleSquare() throws IOException {
    return filter(holeSquare);
  }

  /** The exact counts of the star's undecided masks (per mask: divide by their number). */
  @Benchmark
  public void verifyStar(Blackhole bh) throws IOException {
    verify(star, bh);
  }

  /** The exact counts of the square's undecided masks. */
  @Benchmark
  public void verifySquare(Blackhole bh) throws IOException {
    verify(square, bh);
  }

  private int filter(Case c) throws IOException {
    return searcher.count(
        new MaskValueFilterQuery(
            CpSpec.of(SyntheticIndex.SALIENCY, c.roi(), SALIENT),
            Comparison.GT,
            c.threshold(),
            new CpStats()));
  }

  private void verify(Case c, Blackhole bh) throws IOException {
    MaskDocValues.ChiCursor cursor = masks.chiCursor();
    for (int doc : c.undecided()) {
      cursor.seek(doc);
      bh.consume(
          CpBounds.exactCount(
              cursor, CellCover.of(cursor.grid(), c.roi()), levels, masks.pixels(doc, SALIENT)));
    }
  }
}
