package dev.masksearch.qa.bench.jmh;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.chi.BoundsPlan;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.codec.MaskDocValues;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.qa.bench.SyntheticIndex;
import dev.masksearch.qa.data.SyntheticDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Documents per second per core for CP bounds read from an on-disk (memory-mapped) index of 20,000
 * synthetic 224 x 224 saliency maps, against the baseline of reading and counting the masks
 * themselves. Each operation is one document; compare the scores as ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BoundsBenchmark {
  static final int DOCS = 20_000;

  /**
   * Masks verified per invocation of the read baseline (reading all 20,000 would take too long per
   * call).
   */
  static final int READS = 500;

  private static final Roi UNALIGNED = new Roi(50, 50, 200, 200);
  private static final Roi ALIGNED = new Roi(64, 64, 192, 192);

  /** Off the bin edges at 20 bins (0.6 would be on one), so that both dimensions are unaligned. */
  private static final ValueRange SALIENT = new ValueRange(0.62, Double.POSITIVE_INFINITY);

  private Path path;
  private Directory dir;
  private DirectoryReader reader;
  private MaskDocValues masks;
  private MaskDocValues.ChiCursor cursor;
  private BinEdges.Levels unalignedLevels;
  private BinEdges.Levels alignedLevels;
  private final CpBounds bounds = new CpBounds();
  private final long[] lower = new long[1 << 12];
  private final long[] upper = new long[1 << 12];

  @Setup
  public void setUp() throws IOException {
    path = Files.createTempDirectory("masksearch-jmh");
    dir = FSDirectory.open(path);
    SyntheticIndex.build(dir, new SyntheticDataset(7), DOCS, ChiParams.DEFAULT, 1);
    reader = DirectoryReader.open(dir);
    masks =
        (MaskDocValues) reader.leaves().get(0).reader().getBinaryDocValues(SyntheticIndex.SALIENCY);
    cursor = masks.chiCursor();
    int bins = masks.params().bins();
    unalignedLevels = BinEdges.of(MaskDType.UINT8, bins).levels(SALIENT);
    alignedLevels =
        BinEdges.of(MaskDType.UINT8, bins).levels(new ValueRange(0.5, Double.POSITIVE_INFINITY));
  }

  @TearDown
  public void tearDown() throws IOException {
    IOUtils.close(reader, dir);
    IOUtils.rm(path);
  }

  /**
   * First-stage bounds of a constant ROI as queries compute them (a {@link BoundsPlan}), ROI and
   * range aligned.
   */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsAligned(Blackhole bh) throws IOException {
    BoundsPlan plan = null;
    for (int doc = 0; doc < DOCS; doc++) {
      cursor.seek(doc);
      if (plan == null || !plan.appliesTo(cursor.grid())) {
        plan = new BoundsPlan(cursor.grid(), cursor.bins(), ALIGNED, alignedLevels);
      }
      bh.consume(plan.evaluate(cursor, bounds).upper);
    }
  }

  /**
   * The same for the paper's ROI (50, 50, 200, 200), off the grid, and the range [0.62, 1], off the
   * bins.
   */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsUnaligned(Blackhole bh) throws IOException {
    BoundsPlan plan = null;
    for (int doc = 0; doc < DOCS; doc++) {
      cursor.seek(doc);
      if (plan == null || !plan.appliesTo(cursor.grid())) {
        plan = new BoundsPlan(cursor.grid(), cursor.bins(), UNALIGNED, unalignedLevels);
      }
      bh.consume(plan.evaluate(cursor, bounds).upper);
    }
  }

  /**
   * The same query as a scan computes it over a segment of equal masks: the plan evaluated a block
   * of documents at a time, column by column.
   */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsUnalignedBlocks(Blackhole bh) throws IOException {
    MaskDocValues.BlockAccess blocks = cursor.blocks();
    cursor.seek(0);
    BoundsPlan plan = new BoundsPlan(cursor.grid(), cursor.bins(), UNALIGNED, unalignedLevels);
    int blockSize = 1 << blocks.blockShift();
    for (int block = 0; block * blockSize < DOCS; block++) {
      int rows = blocks.seekBlock(block);
      plan.evaluateBlock(blocks::column, rows, lower, upper);
      bh.consume(upper[rows - 1]);
    }
  }

  /** First-stage bounds with the geometry worked out per document, as for a per-document box. */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsPerDocumentRoi(Blackhole bh) throws IOException {
    for (int doc = 0; doc < DOCS; doc++) {
      cursor.seek(doc);
      bh.consume(bounds.compute(cursor.grid(), cursor, UNALIGNED, unalignedLevels).upper);
    }
  }

  /** Second-stage (per-cell) bounds for the same query. */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsRefined(Blackhole bh) throws IOException {
    for (int doc = 0; doc < DOCS; doc++) {
      cursor.seek(doc);
      bh.consume(bounds.computeRefined(cursor.grid(), cursor, UNALIGNED, unalignedLevels).upper);
    }
  }

  /** The baseline: decompress the mask and count its pixels. */
  @Benchmark
  @OperationsPerInvocation(READS)
  public void readAndCount(Blackhole bh) throws IOException {
    for (int doc = 0; doc < READS; doc++) {
      bh.consume(masks.mask(doc * (DOCS / READS)).countPixels(UNALIGNED, SALIENT));
    }
  }
}
