package dev.masksearch.qa.bench;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskSearch10DocValuesFormat;
import dev.masksearch.codec.MaskSearch20DocValuesFormat;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.qa.data.SyntheticDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * The mask formats side by side on the same masks, in one run: index bytes (stored masks, CHI) as a
 * share of the raw masks, and indexing rate (images per second, all cores, one segment). Synthetic
 * 224 x 224 saliency maps of each dtype asked for, and the real sample's masks when it is there.
 *
 * <p>Usage: {@code FormatBench [--count N] [--dtype uint8] [--real-sample DIR]}
 */
public final class FormatBench {
  /** A format compared: the name printed and the codec writing it. */
  private record Candidate(String name, Supplier<Codec> codec) {}

  private static final List<Candidate> FORMATS =
      List.of(
          new Candidate(
              MaskSearch10DocValuesFormat.NAME,
              () -> SyntheticIndex.codec(MaskSearch10DocValuesFormat.NAME)),
          new Candidate(
              MaskSearch20DocValuesFormat.NAME + " best speed",
              () -> SyntheticIndex.codec(MaskSearch20DocValuesFormat.Mode.BEST_SPEED)),
          new Candidate(
              MaskSearch20DocValuesFormat.NAME + " best compression",
              () -> SyntheticIndex.codec(MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION)));

  private FormatBench() {}

  public static void main(String[] args) throws IOException {
    Args options = Args.parse(args, Set.of("--count", "--dtype", "--real-sample"), Set.of(), 0);
    int count = options.integer("--count", 5_000);
    MaskDType dtype = MaskDType.fromApiName(options.string("--dtype", "uint8"));
    // beside the checkout; bin/bench runs this from qa/
    Path realSample = Path.of(options.string("--real-sample", "../../shared/data/real-sample"));
    System.out.printf(
        Locale.ROOT,
        "| masks | format | raw bytes | stored masks | CHI | index (masks + CHI) | indexing, images/s"
            + " | merge, images/s |%n"
            + "|---|---|---:|---:|---:|---:|---:|---:|%n");
    SyntheticDataset data = new SyntheticDataset(42, 224, 224, dtype);
    long raw = 2L * count * 224 * 224 * dtype.bytesPerPixel();
    String name =
        String.format(Locale.ROOT, "synthetic %,d images, 224x224 %s", count, dtype.apiName());
    // each format twice, alternating, the second run reported (the first warms the JIT up)
    for (int round = 0; round < 2; round++) {
      for (Candidate format : FORMATS) {
        Path path = Files.createTempDirectory("masksearch-formats");
        try (Directory dir = FSDirectory.open(path)) {
          long start = System.nanoTime();
          SyntheticIndex.build(dir, data, count, ChiParams.DEFAULT, 1, format.codec().get());
          double seconds = (System.nanoTime() - start) / 1e9;
          double mergeSeconds = mergeSeconds(dir, format.codec().get());
          if (round == 1) {
            print(
                name,
                format.name(),
                raw,
                IndexSizes.of(dir),
                count / seconds,
                count / mergeSeconds);
          }
        } finally {
          IOUtils.rm(path);
        }
      }
    }
    if (Files.isDirectory(realSample.resolve("masks"))) {
      List<Mask> masks = realMasks(realSample.resolve("masks"));
      long realRaw = masks.stream().mapToLong(m -> m.rawBytes().length).sum();
      for (int round = 0; round < 2; round++) {
        for (Candidate format : FORMATS) {
          Path path = Files.createTempDirectory("masksearch-formats");
          try (Directory dir = FSDirectory.open(path)) {
            long start = System.nanoTime();
            index(dir, masks, format.codec().get());
            double seconds = (System.nanoTime() - start) / 1e9;
            double mergeSeconds = mergeSeconds(dir, format.codec().get());
            if (round == 1) {
              print(
                  String.format(Locale.ROOT, "real sample, %,d masks", masks.size()),
                  format.name(),
                  realRaw,
                  IndexSizes.of(dir),
                  masks.size() / 2.0 / seconds,
                  masks.size() / 2.0 / mergeSeconds);
            }
          } finally {
            IOUtils.rm(path);
          }
        }
      }
    }
  }

  /**
   * Seconds to merge the index in {@code dir} into a new one written by {@code codec}: what a force
   * merge spends on segments of the same format (each mask's stored bytes and CHI copied).
   */
  private static double mergeSeconds(Directory dir, Codec codec) throws IOException {
    Path path = Files.createTempDirectory("masksearch-formats-merged");
    try (Directory merged = FSDirectory.open(path)) {
      long start = System.nanoTime();
      SyntheticIndex.rewrite(dir, merged, new IndexWriterConfig().setCodec(codec));
      return (System.nanoTime() - start) / 1e9;
    } finally {
      IOUtils.rm(path);
    }
  }

  private static void print(
      String masks,
      String format,
      long raw,
      IndexSizes sizes,
      double imagesPerSecond,
      double mergedPerSecond) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %,d | %.1f%% | %.1f%% (%.1f%% of the stored masks) | %.1f%% | %,.0f | %,.0f |%n",
        masks,
        format,
        raw,
        100.0 * sizes.maskBytes() / raw,
        100.0 * sizes.chiBytes() / raw,
        100.0 * sizes.chiBytes() / sizes.maskBytes(),
        100.0 * (sizes.maskBytes() + sizes.chiBytes()) / raw,
        imagesPerSecond,
        mergedPerSecond);
  }

  /** Every PNG mask under the real sample's mask directories. */
  private static List<Mask> realMasks(Path dir) throws IOException {
    List<Mask> masks = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
        masks.add(PngMasks.decode(Files.readAllBytes(file)));
      }
    }
    return masks;
  }

  private static void index(Directory dir, List<Mask> masks, Codec codec) throws IOException {
    IndexWriterConfig config = new IndexWriterConfig().setCodec(codec).setRAMBufferSizeMB(256);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      masks.parallelStream()
          .forEach(
              mask -> {
                Document doc = new Document();
                doc.add(new MaskField(SyntheticIndex.SALIENCY, mask, ChiParams.DEFAULT));
                try {
                  writer.addDocument(doc);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      writer.forceMerge(1);
    }
  }
}
