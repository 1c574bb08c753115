package dev.masksearch.qa.demo;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskCodec;
import dev.masksearch.document.BoxField;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpHit;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpSpec;
import dev.masksearch.search.CpStats;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueTopK;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * The demo over real masks ({@code shared/data/real-sample}): indexes each image's ISNet
 * segmentation and spectral-residual saliency PNGs with its object box, asks which images'
 * segmentation misses most of the object, and checks the answer against a count over the PNG files
 * themselves.
 */
final class RealSampleDemo {
  private static final String ISNET = "isnet";
  private static final String SPECRES = "specres";

  private RealSampleDemo() {}

  /**
   * What the demo keeps of an image to check answers: its id, box and decoded segmentation mask.
   */
  private record Image(String id, Roi box, Mask isnet) {}

  static void run(Path sample) throws IOException {
    List<Image> images = new ArrayList<>();
    Path path = Files.createTempDirectory("masksearch-real");
    try (Directory dir = FSDirectory.open(path)) {
      Codec codec = new MaskCodec(new Lucene104Codec(), Set.of(ISNET, SPECRES)::contains);
      try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig().setCodec(codec))) {
        for (Map<String, String> row : readIndex(sample.resolve("index.csv"))) {
          Path isnet = sample.resolve("masks/isnet/" + row.get("id") + ".png");
          Path specres = sample.resolve("masks/specres/" + row.get("id") + ".png");
          if (row.get("bbox_x1").isEmpty() || !Files.exists(isnet) || !Files.exists(specres)) {
            continue;
          }
          Roi box =
              new Roi(
                  Integer.parseInt(row.get("bbox_x1")),
                  Integer.parseInt(row.get("bbox_y1")),
                  Integer.parseInt(row.get("bbox_x2")),
                  Integer.parseInt(row.get("bbox_y2")));
          Mask segmentation = PngMasks.decode(Files.readAllBytes(isnet));
          Document doc = new Document();
          doc.add(new StoredField("id", row.get("id")));
          doc.add(new BoxField("box", box));
          doc.add(new MaskField(ISNET, segmentation, ChiParams.DEFAULT));
          doc.add(
              new MaskField(
                  SPECRES, PngMasks.decode(Files.readAllBytes(specres)), ChiParams.DEFAULT));
          writer.addDocument(doc);
          images.add(new Image(row.get("id"), box, segmentation));
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        query(reader, images);
      }
    } finally {
      IOUtils.rm(path);
    }
  }

  private static void query(DirectoryReader reader, List<Image> images) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    ValueRange foreground = new ValueRange(0.5, Double.POSITIVE_INFINITY);
    CpSpec coverage = CpSpec.perDocument(ISNET, "box", foreground).normalized();
    CpStats stats = new CpStats();
    List<CpHit> hits = MaskValueTopK.search(searcher, coverage, 10, CpOrder.ASC, null, stats);

    // The check: the same ranking computed from the PNG files, by image id (doc ids follow
    // insertion order).
    List<String> expected =
        images.stream()
            .sorted(
                Comparator.comparingDouble((Image i) -> share(i)).thenComparingInt(images::indexOf))
            .limit(10)
            .map(Image::id)
            .toList();
    List<String> got = new ArrayList<>();
    for (CpHit hit : hits) {
      got.add(searcher.storedFields().document(hit.doc()).get("id"));
    }
    System.out.printf(
        Locale.ROOT,
        "Real sample: %,d images with ISNet and spectral-residual masks.%n",
        images.size());
    System.out.println(
        "4. Where does the segmentation model miss the object? The 10 images whose box ISNet covers least (value >= 0.5)");
    System.out.println("   query: top 10 asc by " + coverage);
    System.out.printf(
        Locale.ROOT,
        "   masks read: %,d of %,d; the PNG files give the same ranking: %s%n",
        stats.verified(),
        images.size(),
        got.equals(expected) ? "yes" : "NO");
    for (CpHit hit : hits) {
      System.out.printf(
          Locale.ROOT,
          "     %-28s covered %.1f%%%n",
          searcher.storedFields().document(hit.doc()).get("id"),
          100 * hit.value());
    }
    if (!got.equals(expected)) {
      throw new AssertionError("index " + got + " != files " + expected);
    }

    // A filter over the same question: ISNet covers less than half of the object's box.
    CpStats filterStats = new CpStats();
    Set<String> missed = new HashSet<>();
    for (ScoreDoc sd :
        searcher.search(
                new MaskValueFilterQuery(coverage, Comparison.LT, 0.5, filterStats), images.size())
            .scoreDocs) {
      missed.add(searcher.storedFields().document(sd.doc).get("id"));
    }
    Set<String> expectedMissed = new HashSet<>();
    images.stream().filter(i -> share(i) < 0.5).forEach(i -> expectedMissed.add(i.id()));
    System.out.println("5. ISNet covers less than half of the object's box");
    System.out.println("   query: " + coverage + " < 0.5");
    System.out.printf(
        Locale.ROOT,
        "   %,d images; masks read: %,d of %,d; the PNG files give the same images: %s%n%n",
        missed.size(),
        filterStats.verified(),
        images.size(),
        missed.equals(expectedMissed) ? "yes" : "NO");
    if (!missed.equals(expectedMissed)) {
      throw new AssertionError("index and files disagree on the filter");
    }
  }

  private static double share(Image image) {
    Roi box = image.box().clip(image.isnet().width(), image.isnet().height());
    long area = box.area();
    return area == 0
        ? 0
        : (double) image.isnet().countPixels(box, new ValueRange(0.5, Double.POSITIVE_INFINITY))
            / area;
  }

  private static List<Map<String, String>> readIndex(Path csv) throws IOException {
    CsvMapper mapper = new CsvMapper();
    try (MappingIterator<Map<String, String>> rows =
        mapper
            .readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(csv.toFile())) {
      return rows.readAll();
    }
  }
}
