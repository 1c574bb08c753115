package dev.masksearch.qa.bench.jmh;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskSearch20DocValuesFormat;
import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.qa.bench.PaperWorkloads;
import dev.masksearch.qa.bench.SyntheticIndex;
import dev.masksearch.qa.bench.Workload;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.search.CpStats;
import dev.masksearch.search.MaskValueComparator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
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

/**
 * One of the paper's workloads ({@link PaperWorkloads}) answered through the CHI, whole, on one
 * core: 20,000 synthetic 224 x 224 maps in one memory-mapped segment, no query cache. What a shard
 * spends in its query phase, without HTTP or fetch, to profile ({@code -prof jfr}) and to compare
 * workloads as ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WorkloadBenchmark {
  /** Images indexed (two maps each): 20,000, or {@code -jvmArgsAppend -Dmasksearch.docs=N}. */
  static final int DOCS = Integer.getInteger("masksearch.docs", 20_000);

  /**
   * How the masks are stored: best speed, or best compression with {@code -jvmArgsAppend
   * -Dmasksearch.mode=BEST_COMPRESSION} (a system property: JMH's parameters need reflection that
   * the build forbids).
   */
  private static final MaskSearch20DocValuesFormat.Mode MODE =
      MaskSearch20DocValuesFormat.Mode.valueOf(
          System.getProperty(
              "masksearch.mode", MaskSearch20DocValuesFormat.Mode.BEST_SPEED.name()));

  private Path path;
  private Directory dir;
  private DirectoryReader reader;
  private IndexSearcher searcher;
  private List<Workload> workloads;

  /**
   * The IoU sort of {@code bin/bench alternatives} ({@code mask_expr}, bottom 25): without derived
   * CHIs, and with the node's cache of them, which the warm-up fills as repeated queries do.
   */
  private static final String IOU = "iou(saliency > 0.8, human > 0.8)";

  private Sort iouAsc;
  private Sort iouAscCached;

  @Setup
  public void setUp() throws IOException {
    path = Files.createTempDirectory("masksearch-jmh-workloads");
    dir = FSDirectory.open(path);
    SyntheticIndex.build(
        dir, new SyntheticDataset(7), DOCS, ChiParams.DEFAULT, 1, SyntheticIndex.codec(MODE));
    reader = DirectoryReader.open(dir);
    searcher = new IndexSearcher(reader);
    searcher.setQueryCache(null); // every operation answers the query again
    workloads = PaperWorkloads.over(reader);
    iouAsc = iouSort(MaskExpression.parse(IOU));
    iouAscCached = iouSort(MaskExpression.parse(IOU).withCache(new DerivedChiCache(256L << 20)));
  }

  private static Sort iouSort(MaskExpression expression) {
    return new Sort(new SortField("iou", MaskValueComparator.source(expression, null)));
  }

  @TearDown
  public void tearDown() throws IOException {
    IOUtils.close(reader, dir);
    IOUtils.rm(path);
  }

  /** Filter, constant ROI, 1% (the matching documents). */
  @Benchmark
  public List<?> filterConstantRoi1() throws IOException {
    return answer("filter, constant ROI, 1%");
  }

  /** Filter, per-image box, 1%. */
  @Benchmark
  public List<?> filterBox1() throws IOException {
    return answer("filter, per-image box, 1%");
  }

  /** Filter, constant ROI, 10%. */
  @Benchmark
  public List<?> filterConstantRoi10() throws IOException {
    return answer("filter, constant ROI, 10%");
  }

  /** Filter, per-image box, 10%. */
  @Benchmark
  public List<?> filterBox10() throws IOException {
    return answer("filter, per-image box, 10%");
  }

  /** Top 25 descending by the diffuse share of the whole mask: bounds decide, no mask is read. */
  @Benchmark
  public List<?> topDiffuseDesc() throws IOException {
    return answer("top-25 desc, diffuse attention");
  }

  /** Top 25 ascending by the salient share of each document's box. */
  @Benchmark
  public List<?> topBoxShareAsc() throws IOException {
    return answer("top-25 asc, salient share of box");
  }

  /** The bottom 25 by IoU at 0.8, every mask pair it cannot rank by bounds read. */
  @Benchmark
  public TopDocs iouAsc() throws IOException {
    return searcher.search(new MatchAllDocsQuery(), 25, iouAsc);
  }

  /** The same with derived CHIs cached, as a node answers it warm. */
  @Benchmark
  public TopDocs iouAscCached() throws IOException {
    return searcher.search(new MatchAllDocsQuery(), 25, iouAscCached);
  }

  /** Answers the workload of {@link PaperWorkloads#over} named {@code name}. */
  private List<?> answer(String name) throws IOException {
    for (Workload w : workloads) {
      if (w.name().equals(name)) {
        return w.run(searcher, new CpStats());
      }
    }
    throw new IllegalStateException("no workload named " + name);
  }
}
