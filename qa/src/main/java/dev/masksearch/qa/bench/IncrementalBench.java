package dev.masksearch.qa.bench;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpHit;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpStats;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueTopK;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * Incremental indexing (issue 5): the same mask-algebra queries run three times over one index with
 * a {@link DerivedChiCache}. The first run reads the masks its bounds cannot decide and leaves
 * derived-mask CHIs; later runs bound with them. Reports masks read and time per run as ratios to
 * the first run, and checks that every run gives the same answer. Usage: {@code IncrementalBench
 * [--count 5000] [--runs 3]}.
 */
public final class IncrementalBench {
  private IncrementalBench() {}

  public static void main(String[] args) throws IOException {
    Args options = Args.parse(args, Set.of("--count", "--runs"), Set.of(), 0);
    int count = options.integer("--count", 5_000);
    int runs = options.integer("--runs", 3);
    Path path = Files.createTempDirectory("masksearch-incremental");
    try (Directory dir = FSDirectory.open(path)) {
      SyntheticIndex.build(dir, new SyntheticDataset(42), count, ChiParams.DEFAULT, 1);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        searcher.setQueryCache(null);
        System.out.printf(
            Locale.ROOT,
            "## Incremental indexing: %,d images, derived-mask CHIs kept between runs%n%n",
            count);
        System.out.println("| query | run | masks read | time vs run 1 | derived CHIs held |");
        System.out.println("|---|---:|---:|---:|---:|");
        topK(searcher, "iou(saliency > 0.8, human > 0.8)", CpOrder.ASC, runs);
        filter(searcher, "cp(saliency > 0.8 & human > 0.8, box) / area(box)", runs);
      }
    } finally {
      IOUtils.rm(path);
    }
  }

  private static void topK(IndexSearcher searcher, String text, CpOrder order, int runs)
      throws IOException {
    DerivedChiCache cache = new DerivedChiCache(1L << 30);
    MaskExpression expression = MaskExpression.parse(text).withCache(cache);
    List<CpHit> first = null;
    long firstNanos = 0;
    for (int run = 1; run <= runs; run++) {
      CpStats stats = new CpStats();
      long start = System.nanoTime();
      List<CpHit> hits = MaskValueTopK.search(searcher, expression, 25, order, null, stats);
      long nanos = System.nanoTime() - start;
      if (first == null) {
        first = hits;
        firstNanos = nanos;
      } else if (!hits.equals(first)) {
        throw new AssertionError("run " + run + " of " + text + " differs from run 1");
      }
      print(
          "top 25 " + order.name().toLowerCase(Locale.ROOT) + " by " + text,
          run,
          stats,
          nanos,
          firstNanos,
          cache);
    }
  }

  private static void filter(IndexSearcher searcher, String text, int runs) throws IOException {
    DerivedChiCache cache = new DerivedChiCache(1L << 30);
    MaskExpression expression = MaskExpression.parse(text).withCache(cache);
    int firstCount = -1;
    long firstNanos = 0;
    for (int run = 1; run <= runs; run++) {
      CpStats stats = new CpStats();
      long start = System.nanoTime();
      int matches =
          searcher.count(new MaskValueFilterQuery(expression, Comparison.LT, 0.05, stats));
      long nanos = System.nanoTime() - start;
      if (firstCount < 0) {
        firstCount = matches;
        firstNanos = nanos;
      } else if (matches != firstCount) {
        throw new AssertionError("run " + run + " of " + text + " differs from run 1");
      }
      print(text + " < 0.05 (" + matches + " matches)", run, stats, nanos, firstNanos, cache);
    }
  }

  private static void print(
      String query, int run, CpStats stats, long nanos, long firstNanos, DerivedChiCache cache) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %,d | %.2f | %,d (%,d KB) |%n",
        query,
        run,
        stats.verified(),
        (double) nanos / firstNanos,
        cache.builds(),
        cache.sizeInBytes() / 1024);
  }
}
