package dev.masksearch.qa.demo;

import static dev.masksearch.qa.bench.SyntheticIndex.BOX;
import static dev.masksearch.qa.bench.SyntheticIndex.SALIENCY;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.qa.bench.Args;
import dev.masksearch.qa.bench.IndexSizes;
import dev.masksearch.qa.bench.SyntheticIndex;
import dev.masksearch.qa.bench.Workload;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpHit;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpSpec;
import dev.masksearch.search.CpStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * The engine's demo, until the OpenSearch node replaces it: indexes synthetic images with Lucene
 * and the mask codec, runs the paper's three kinds of question as filters and top-k queries, and
 * for each prints the answer, how many masks the query had to read, and that a brute-force scan
 * gives the same answer. Then, when {@code ../shared/data/real-sample} is present, the same over
 * real masks.
 *
 * <p>Usage: {@code Demo [--count N] [--real path/to/real-sample]}
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws IOException {
    Args options = Args.parse(args, Set.of("--count", "--real"), Set.of(), 0);
    int count = options.integer("--count", 5_000);
    Path real = Paths.get(options.string("--real", "../../shared/data/real-sample")); // from qa/
    Path path = Files.createTempDirectory("masksearch-demo");
    try (Directory dir = FSDirectory.open(path)) {
      System.out.printf(
          Locale.ROOT,
          "Indexing %,d synthetic images (224 x 224 saliency and human-attention maps, "
              + "object box, label, prediction) with the MaskSearch codec ...%n",
          count);
      long start = System.nanoTime();
      SyntheticIndex.build(dir, new SyntheticDataset(42), count, ChiParams.DEFAULT, 1);
      IndexSizes sizes = IndexSizes.of(dir);
      System.out.printf(
          Locale.ROOT,
          "Indexed in %.1f s. CHI: %,d bytes per mask, %.1f%% of the compressed masks.%n%n",
          (System.nanoTime() - start) / 1e9,
          sizes.chiBytes() / (2L * count),
          100.0 * sizes.chiBytes() / sizes.maskBytes());
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        for (Question q : questions()) {
          q.run(reader);
        }
      }
    } finally {
      IOUtils.rm(path);
    }
    if (Files.isDirectory(real)) {
      RealSampleDemo.run(real);
    } else {
      System.out.println("(No real sample at " + real + "; pass --real <dir> to query one.)");
    }
  }

  private static List<Question> questions() {
    ValueRange salient = new ValueRange(0.85, Double.POSITIVE_INFINITY);
    CpSpec salientShareOfBox = CpSpec.perDocument(SALIENCY, BOX, salient).normalized();
    return List.of(
        new Question(
            "1. The model looks at the background: salient pixels (>= 0.85) cover under 0.5% of the object box",
            Workload.filter("background", salientShareOfBox, Comparison.LT, 0.005)),
        new Question(
            "1b. ... and the model's focus is sharp: over 1,500 salient pixels in the whole map",
            Workload.filter("sharp", CpSpec.of(SALIENCY, Roi.FULL, salient), Comparison.GT, 1500)),
        new Question(
            "2. Diffuse attention (a sign of adversarial input): the 25 maps with the most mid-value pixels (0.2 to 0.6)",
            Workload.topK(
                "diffuse",
                CpSpec.of(SALIENCY, Roi.FULL, new ValueRange(0.2, 0.6)),
                25,
                CpOrder.DESC)),
        new Question(
            "3. Focus on the object: the 25 images whose box is most covered by salient pixels",
            Workload.topK("focused", salientShareOfBox, 25, CpOrder.DESC)),
        new Question(
            "3b. The paper's ImageNet query: CP(saliency, (50, 50, 200, 200), [0.6, 1]) > 5000",
            Workload.filter(
                "paper",
                CpSpec.of(
                    SALIENCY, Workload.PAPER_ROI, new ValueRange(0.6, Double.POSITIVE_INFINITY)),
                Comparison.GT,
                5000)));
  }

  /** One demo question: its query, answer, cost, and the brute-force check. */
  record Question(String title, Workload workload) {
    void run(DirectoryReader reader) throws IOException {
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setQueryCache(null);
      CpStats stats = new CpStats();
      long start = System.nanoTime();
      List<?> answer = workload.run(searcher, stats);
      double chiMs = (System.nanoTime() - start) / 1e6;
      start = System.nanoTime();
      List<?> scan = workload.scan(reader);
      double scanMs = (System.nanoTime() - start) / 1e6;
      System.out.println(title);
      System.out.println("   query: " + workload);
      System.out.printf(
          Locale.ROOT,
          "   %,d results; masks read: %,d of %,d (%.1f%%), decided by bounds: %,d; "
              + "%.0f ms against %.0f ms for a full scan; brute force agrees: %s%n",
          answer.size(),
          stats.verified(),
          reader.numDocs(),
          100.0 * stats.verified() / reader.numDocs(),
          stats.accepted() + stats.rejected(),
          chiMs,
          scanMs,
          answer.equals(scan) ? "yes" : "NO");
      if (!answer.equals(scan)) {
        throw new AssertionError("the index and the brute-force scan disagree on " + workload);
      }
      int shown = 0;
      for (Object hit : answer) {
        if (shown++ == 5) {
          break;
        }
        int doc = hit instanceof CpHit h ? h.doc() : (Integer) hit;
        Document d = searcher.storedFields().document(doc);
        System.out.printf(
            Locale.ROOT,
            "     image %-6s label %-6s predicted %-6s regime %-10s%s%n",
            d.get(SyntheticIndex.ID),
            d.get(SyntheticIndex.LABEL),
            d.get(SyntheticIndex.PREDICTED),
            d.get(SyntheticIndex.REGIME),
            hit instanceof CpHit h ? String.format(Locale.ROOT, " CP %.4g", h.value()) : "");
      }
      System.out.println();
    }
  }
}
