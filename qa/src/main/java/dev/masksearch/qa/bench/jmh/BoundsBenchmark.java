package dev.masksearch.qa.bench.jmh;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.chi.BoundsPlan;
import dev.masksearch.chi.CellCover;
import dev.masksearch.chi.CellLevelCounts;
import dev.masksearch.chi.CellSource;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.codec.MaskDocValues;
import dev.masksearch.codec.MaskSearch10DocValuesFormat;
import dev.masksearch.codec.MaskSearch20DocValuesFormat;
import dev.masksearch.mask.Mask;
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
import org.apache.lucene.index.IndexWriterConfig;
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

  /** The verification case: an unaligned 100 x 100 ROI. */
  private static final Roi UNALIGNED_100 = new Roi(50, 50, 150, 150);

  private static final Roi ALIGNED = new Roi(64, 64, 192, 192);

  /** Off the bin edges at 20 bins (0.6 would be on one), so that both dimensions are unaligned. */
  private static final ValueRange SALIENT = new ValueRange(0.62, Double.POSITIVE_INFINITY);

  private Path path;
  private Directory dir;
  private DirectoryReader reader;
  private MaskDocValues masks;

  /** The same masks in the MaskSearch10 format (whole masks, DEFLATE), for the before/after. */
  private Path v10Path;

  private Directory v10Dir;
  private DirectoryReader v10Reader;
  private MaskDocValues v10Masks;

  /** The same masks in MaskSearch20's best compression (planar-coded tiles). */
  private Path compressedPath;

  private Directory compressedDir;
  private DirectoryReader compressedReader;
  private MaskDocValues compressedMasks;
  private MaskDocValues.ChiCursor compressedCursor;

  /**
   * Documents whose CP over {@link #UNALIGNED_100} and the salient range the CHI leaves undecided
   * (per-cell bounds apart): the masks a filter verifies.
   */
  private int[] undecided;

  /** Their masks decoded, for the raw-scan baseline (what a script scanning the pixels does). */
  private Mask[] decoded;

  /** Per document, a box of its own (seeded). */
  private Roi[] boxes;

  /** The CHI at the field's parameters: what refines and verifications read. */
  private MaskDocValues.ChiCursor cursor;

  /**
   * The CHI first stages read: the first tier when the CHI is in two tiers (MaskSearch20 from
   * version 3), else {@link #cursor}; with its levels of the two ranges.
   */
  private MaskDocValues.ChiCursor firstTier;

  private BinEdges.Levels firstUnalignedLevels;
  private BinEdges.Levels firstAlignedLevels;
  private BinEdges.Levels unalignedLevels;
  private CellLevelCounts levelCounts; // for cells(), on the grid of the masks last sought
  private ChiGrid levelCountsGrid;
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
    firstTier = masks.firstTierCursor() != null ? masks.firstTierCursor() : masks.chiCursor();
    unalignedLevels = BinEdges.of(MaskDType.UINT8, masks.params().bins()).levels(SALIENT);
    BinEdges firstEdges = BinEdges.of(MaskDType.UINT8, firstTier.bins());
    firstUnalignedLevels = firstEdges.levels(SALIENT);
    firstAlignedLevels = firstEdges.levels(new ValueRange(0.5, Double.POSITIVE_INFINITY));
    java.util.Random random = new java.util.Random(7);
    boxes = new Roi[DOCS];
    for (int doc = 0; doc < DOCS; doc++) { // an object's box: 32 to 192 px a side, anywhere
      int w = 32 + random.nextInt(161);
      int h = 32 + random.nextInt(161);
      int x = random.nextInt(225 - w);
      int y = random.nextInt(225 - h);
      boxes[doc] = new Roi(x, y, x + w, y + h);
    }
    undecided = new int[READS];
    decoded = new Mask[READS];
    int found = 0;
    for (int doc = 0; doc < DOCS && found < READS; doc++) {
      cursor.seek(doc);
      if (!bounds.computeRefined(cursor.grid(), cursor, UNALIGNED_100, unalignedLevels).isExact()) {
        undecided[found] = doc;
        decoded[found++] = masks.mask(doc);
      }
    }
    if (found < READS) {
      throw new IllegalStateException("only " + found + " undecided masks");
    }
    v10Path = Files.createTempDirectory("masksearch-jmh-v10");
    v10Dir = FSDirectory.open(v10Path);
    IndexWriterConfig config =
        new IndexWriterConfig().setCodec(SyntheticIndex.codec(MaskSearch10DocValuesFormat.NAME));
    SyntheticIndex.rewrite(dir, v10Dir, config);
    v10Reader = DirectoryReader.open(v10Dir);
    if (!SyntheticIndex.maskFormat(v10Reader).equals(MaskSearch10DocValuesFormat.NAME)) {
      throw new IllegalStateException("the copy is not in MaskSearch10");
    }
    v10Masks =
        (MaskDocValues)
            v10Reader.leaves().get(0).reader().getBinaryDocValues(SyntheticIndex.SALIENCY);
    compressedPath = Files.createTempDirectory("masksearch-jmh-compressed");
    compressedDir = FSDirectory.open(compressedPath);
    SyntheticIndex.rewrite(
        dir,
        compressedDir,
        new IndexWriterConfig()
            .setCodec(SyntheticIndex.codec(MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION)));
    compressedReader = DirectoryReader.open(compressedDir);
    compressedMasks =
        (MaskDocValues)
            compressedReader.leaves().get(0).reader().getBinaryDocValues(SyntheticIndex.SALIENCY);
    compressedCursor = compressedMasks.chiCursor();
  }

  @TearDown
  public void tearDown() throws IOException {
    IOUtils.close(reader, dir, v10Reader, v10Dir, compressedReader, compressedDir);
    IOUtils.rm(path, v10Path, compressedPath);
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
      firstTier.seek(doc);
      if (plan == null || !plan.appliesTo(firstTier.grid())) {
        plan = new BoundsPlan(firstTier.grid(), firstTier.bins(), ALIGNED, firstAlignedLevels);
      }
      bh.consume(plan.evaluate(firstTier, bounds).upper);
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
      firstTier.seek(doc);
      if (plan == null || !plan.appliesTo(firstTier.grid())) {
        plan = new BoundsPlan(firstTier.grid(), firstTier.bins(), UNALIGNED, firstUnalignedLevels);
      }
      bh.consume(plan.evaluate(firstTier, bounds).upper);
    }
  }

  /**
   * The same query as a scan computes it over a segment of equal masks: the plan evaluated a block
   * of documents at a time, column by column.
   */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsUnalignedBlocks(Blackhole bh) throws IOException {
    MaskDocValues.BlockAccess blocks = firstTier.blocks();
    firstTier.seek(0);
    BoundsPlan plan =
        new BoundsPlan(firstTier.grid(), firstTier.bins(), UNALIGNED, firstUnalignedLevels);
    int blockSize = 1 << blocks.blockShift();
    for (int block = 0; block * blockSize < DOCS; block++) {
      int rows = blocks.seekBlock(block);
      plan.evaluateBlock(blocks::column, rows, lower, upper);
      bh.consume(upper[rows - 1]);
    }
  }

  /**
   * Both rectangles' bounds ({@code CpBounds.compute}) with the geometry worked out per document:
   * what a per-document box cost before its first stage became the outer rectangle alone.
   */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsPerDocumentRoi(Blackhole bh) throws IOException {
    for (int doc = 0; doc < DOCS; doc++) {
      firstTier.seek(doc);
      bh.consume(
          bounds.compute(firstTier.grid(), firstTier, UNALIGNED, firstUnalignedLevels).upper);
    }
  }

  /**
   * First-stage bounds in each document's own box (the {@code "roi": {"field": ...}} form, its
   * outer rectangle only, as searches compute them): boxes that differ per document touch different
   * CHI columns, unlike a constant ROI.
   */
  @Benchmark
  @OperationsPerInvocation(DOCS)
  public void boundsPerImageBox(Blackhole bh) throws IOException {
    for (int doc = 0; doc < DOCS; doc++) {
      firstTier.seek(doc);
      bh.consume(
          bounds.computeOuter(firstTier.grid(), firstTier, boxes[doc], firstUnalignedLevels).upper);
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

  /** The baseline: decode the whole mask (all its tiles) and count its pixels. */
  @Benchmark
  @OperationsPerInvocation(READS)
  public void readAndCount(Blackhole bh) throws IOException {
    for (int doc = 0; doc < READS; doc++) {
      bh.consume(masks.mask(doc * (DOCS / READS)).countPixels(UNALIGNED, SALIENT));
    }
  }

  /**
   * Verification as queries run it (MaskSearch20): the exact CP of an undecided mask over the
   * unaligned 100 x 100 ROI, counting from the CHI the cells it decides and decoding only the tiles
   * under the others.
   */
  @Benchmark
  @OperationsPerInvocation(READS)
  public void verifyTiles(Blackhole bh) throws IOException {
    verify(bh, cursor, masks);
  }

  /** {@link #verifyTiles} on the same masks written in best compression (planar-coded tiles). */
  @Benchmark
  @OperationsPerInvocation(READS)
  public void verifyTilesBestCompression(Blackhole bh) throws IOException {
    verify(bh, compressedCursor, compressedMasks);
  }

  private void verify(Blackhole bh, MaskDocValues.ChiCursor chi, MaskDocValues pixels)
      throws IOException {
    for (int doc : undecided) {
      chi.seek(doc);
      bh.consume(
          CpBounds.exactCount(
              cells(chi, pixels),
              CellCover.of(chi.grid(), UNALIGNED_100),
              pixels.pixels(doc, SALIENT)));
    }
  }

  /** The CHI part of {@link #verifyTiles} alone: the per-cell decisions, no pixel read. */
  @Benchmark
  @OperationsPerInvocation(READS)
  public void verifyChiPart(Blackhole bh) throws IOException {
    for (int doc : undecided) {
      cursor.seek(doc);
      bh.consume(
          CpBounds.exactCount(
              cells(cursor, masks),
              CellCover.of(cursor.grid(), UNALIGNED_100),
              (x1, y1, x2, y2) -> 0));
    }
  }

  /**
   * The sought mask's cell counts ({@code chi} reads {@code of}'s CHI) as a query's verification
   * reads them ({@code LeafCpEvaluator#cellSource}): a record (the second tier) once, every cell at
   * the range's levels; columns entry by entry.
   */
  private CellSource cells(MaskDocValues.ChiCursor chi, MaskDocValues of) throws IOException {
    if (chi.cells() == null) {
      return CellSource.of(chi.grid(), chi, unalignedLevels);
    }
    if (!chi.grid().equals(levelCountsGrid)) {
      levelCounts = new CellLevelCounts(chi.grid(), of.params().bins(), unalignedLevels);
      levelCountsGrid = chi.grid();
    }
    return levelCounts.read(chi.cells());
  }

  /** The same masks read whole from MaskSearch10 (inflate 50 KB) and counted: the before. */
  @Benchmark
  @OperationsPerInvocation(READS)
  public void verifyWholeMaskSearch10(Blackhole bh) throws IOException {
    for (int doc : undecided) {
      bh.consume(v10Masks.mask(doc).countPixels(UNALIGNED_100, SALIENT));
    }
  }

  /**
   * The floor of any scan: counting the same ROI over masks already decoded in memory, as a script
   * over uncompressed doc values does at best.
   */
  @Benchmark
  @OperationsPerInvocation(READS)
  public void scanDecoded(Blackhole bh) {
    for (Mask mask : decoded) {
      bh.consume(mask.countPixels(UNALIGNED_100, SALIENT));
    }
  }
}
