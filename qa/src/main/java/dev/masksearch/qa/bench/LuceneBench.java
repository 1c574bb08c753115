package dev.masksearch.qa.bench;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskSearch10DocValuesFormat;
import dev.masksearch.codec.MaskSearch20DocValuesFormat;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.search.CpStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * End-to-end Lucene benchmark: indexes synthetic 224 x 224 saliency maps, then runs the {@link
 * PaperWorkloads} through the CHI and as a {@link BruteForceScan} of the same index, in the same
 * run, checks that the answers are equal, and prints a Markdown report of masks read and speed-ups
 * (ratios, not absolute times). With {@code --sweep}, it also compares CHI parameters: index size
 * against pruning.
 *
 * <p>Usage: {@code LuceneBench [--count N] [--runs R] [--dtype uint8|uint16|float16|float32]
 * [--sweep] [--formats]}
 */
public final class LuceneBench {
  private LuceneBench() {}

  public static void main(String[] args) throws IOException {
    Args options =
        Args.parse(args, Set.of("--count", "--runs", "--dtype"), Set.of("--sweep", "--formats"), 0);
    int count = options.integer("--count", 20_000);
    int runs = options.integer("--runs", 5);
    boolean sweep = options.flag("--sweep");
    boolean formats = options.flag("--formats");
    MaskDType dtype = MaskDType.fromApiName(options.string("--dtype", "uint8"));
    SyntheticDataset data = new SyntheticDataset(42, 224, 224, dtype);

    System.out.printf(
        Locale.ROOT,
        "## End-to-end: %,d images (2 masks each, 224 x 224 %s), CHI %s%n%n",
        count,
        dtype.apiName(),
        describe(ChiParams.DEFAULT));
    Path path = Files.createTempDirectory("masksearch-bench");
    try (Directory dir = FSDirectory.open(path)) {
      long start = System.nanoTime();
      SyntheticIndex.build(dir, data, count, ChiParams.DEFAULT, 1);
      double seconds = (System.nanoTime() - start) / 1e9;
      IndexSizes sizes = IndexSizes.of(dir);
      long masks = 2L * count;
      System.out.printf(
          Locale.ROOT,
          "Indexing: %,.0f images/s (both masks, CHI and compression, 1 segment).%n%n",
          count / seconds);
      printSizes(sizes, masks, 224L * 224 * dtype.bytesPerPixel(), dtype);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        runWorkloads(reader, runs);
      }
      if (formats) {
        compareFormats(dir, runs);
      }
    } finally {
      IOUtils.rm(path);
    }
    if (sweep) {
      sweep(data, Math.min(count, 5_000), runs);
    }
  }

  private static void printSizes(IndexSizes sizes, long masks, long pixels, MaskDType dtype) {
    System.out.println("| per mask | bytes | vs raw " + dtype.apiName() + " | vs compressed |");
    System.out.println("|---|---:|---:|---:|");
    System.out.printf(Locale.ROOT, "| raw pixels | %,d | 100%% | |%n", pixels);
    System.out.printf(
        Locale.ROOT,
        "| compressed mask | %,.0f | %.1f%% | 100%% |%n",
        (double) sizes.maskBytes() / masks,
        100.0 * sizes.maskBytes() / masks / pixels);
    System.out.printf(
        Locale.ROOT,
        "| CHI (both tiers, with the meta and addresses) | %,.0f | %.2f%% | **%.2f%%** |%n%n",
        (double) sizes.chiBytes() / masks,
        100.0 * sizes.chiBytes() / masks / pixels,
        100.0 * sizes.chiBytes() / sizes.maskBytes());
  }

  private static void runWorkloads(DirectoryReader reader, int runs) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    searcher.setQueryCache(null);
    int total = reader.numDocs();
    System.out.println(
        "| workload | matches | masks read | speed-up vs scan (median of " + runs + ") |");
    System.out.println("|---|---:|---:|---:|");
    for (Workload w : PaperWorkloads.over(reader)) {
      CpStats stats = new CpStats();
      List<?> answer = w.run(searcher, stats);
      if (!answer.equals(w.scan(reader))) {
        throw new AssertionError("CHI and scan disagree on " + w);
      }
      double chi = medianNanos(runs, () -> w.run(searcher, null));
      double scan = medianNanos(runs, () -> w.scan(reader));
      System.out.printf(
          Locale.ROOT,
          "| %s | %,d | %.2f%% | %.0fx |%n",
          w.name(),
          answer.size(),
          100.0 * stats.verified() / total,
          scan / chi);
    }
    System.out.println();
  }

  /**
   * The workloads over the same masks in MaskSearch10 (a copy of the index, masks stored whole) and
   * MaskSearch20 (tiles), in one run: the same answers, their latencies and the ratio.
   */
  private static void compareFormats(Directory current, int runs) throws IOException {
    Path path = Files.createTempDirectory("masksearch-bench-v10");
    try (Directory v10 = FSDirectory.open(path)) {
      IndexWriterConfig config =
          new IndexWriterConfig()
              .setCodec(SyntheticIndex.codec(MaskSearch10DocValuesFormat.NAME))
              .setRAMBufferSizeMB(256);
      SyntheticIndex.rewrite(current, v10, config);
      System.out.println(
          "## The same workloads, MaskSearch10 (masks whole) against MaskSearch20 (tiles)");
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "| workload | masks read | MaskSearch10 ms | MaskSearch20 ms | MaskSearch20 speed-up (median of %d) |%n",
          runs);
      System.out.println("|---|---:|---:|---:|---:|");
      try (DirectoryReader newReader = DirectoryReader.open(current);
          DirectoryReader oldReader = DirectoryReader.open(v10)) {
        if (!SyntheticIndex.maskFormat(oldReader).equals(MaskSearch10DocValuesFormat.NAME)
            || !SyntheticIndex.maskFormat(newReader).equals(MaskSearch20DocValuesFormat.NAME)) {
          throw new IllegalStateException("the indices are not in the formats compared");
        }
        IndexSearcher newSearcher = new IndexSearcher(newReader);
        IndexSearcher oldSearcher = new IndexSearcher(oldReader);
        newSearcher.setQueryCache(null);
        oldSearcher.setQueryCache(null);
        List<Workload> newWorkloads = PaperWorkloads.over(newReader);
        List<Workload> oldWorkloads = PaperWorkloads.over(oldReader);
        for (int i = 0; i < newWorkloads.size(); i++) {
          Workload w = newWorkloads.get(i);
          Workload old = oldWorkloads.get(i);
          CpStats stats = new CpStats();
          if (!w.run(newSearcher, stats).equals(old.run(oldSearcher, null))) {
            throw new AssertionError("the formats disagree on " + w);
          }
          double newNanos = medianNanos(runs, () -> w.run(newSearcher, null));
          double oldNanos = medianNanos(runs, () -> old.run(oldSearcher, null));
          System.out.printf(
              Locale.ROOT,
              "| %s | %.2f%% | %.1f | %.1f | %.1fx |%n",
              w.name(),
              100.0 * stats.verified() / newReader.numDocs(),
              oldNanos / 1e6,
              newNanos / 1e6,
              oldNanos / newNanos);
        }
      }
      System.out.println();
    } finally {
      IOUtils.rm(path);
    }
  }

  private static void sweep(SyntheticDataset data, int count, int runs) throws IOException {
    System.out.printf(Locale.ROOT, "## CHI parameter sweep (%,d images)%n%n", count);
    System.out.println(
        "| grid step | bins | CHI / compressed masks | masks read, all workloads | time, all workloads (vs 32 / 16) |");
    System.out.println("|---:|---:|---:|---:|---:|");
    List<String> rows = new ArrayList<>();
    double baseline = Double.NaN;
    for (int step : new int[] {32, 16, 28, 56}) {
      for (int bins : new int[] {16, 20, 10, 32}) {
        Path path = Files.createTempDirectory("masksearch-sweep");
        try (Directory dir = FSDirectory.open(path)) {
          SyntheticIndex.build(dir, data, count, new ChiParams(step, bins), 1);
          IndexSizes sizes = IndexSizes.of(dir);
          try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setQueryCache(null);
            List<Workload> workloads = PaperWorkloads.over(reader);
            CpStats stats = new CpStats();
            for (Workload w : workloads) {
              w.run(searcher, stats);
            }
            double nanos =
                medianNanos(
                    runs,
                    () -> {
                      for (Workload w : workloads) {
                        w.run(searcher, null);
                      }
                      return null;
                    });
            if (Double.isNaN(baseline)) {
              baseline = nanos;
            }
            rows.add(
                String.format(
                    Locale.ROOT,
                    "| %d | %d | %.2f%% | %.2f%% | %.2f |",
                    step,
                    bins,
                    100.0 * sizes.chiBytes() / sizes.maskBytes(),
                    100.0 * stats.verified() / ((double) workloads.size() * reader.numDocs()),
                    nanos / baseline));
          }
        } finally {
          IOUtils.rm(path);
        }
      }
    }
    rows.forEach(System.out::println);
    System.out.println();
  }

  private interface Run {
    Object run() throws IOException;
  }

  private static double medianNanos(int runs, Run run) throws IOException {
    run.run(); // warm-up
    double[] times = new double[runs];
    for (int r = 0; r < runs; r++) {
      long start = System.nanoTime();
      run.run();
      times[r] = System.nanoTime() - start;
    }
    Arrays.sort(times);
    return times[runs / 2];
  }

  private static String describe(ChiParams params) {
    return "grid step " + params.gridStep() + ", " + params.bins() + " bins";
  }
}
