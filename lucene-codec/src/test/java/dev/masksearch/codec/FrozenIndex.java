package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * A small index frozen as a test resource, with the masks it holds, so that a format stays readable
 * after the code that wrote it has changed (as Lucene's backward-codecs tests keep old indices).
 *
 * <p>The zip holds the index's files, {@value #MASKS} (every document's masks by id, in {@link
 * MaskBytes} form, and which ids are live) and {@value #TRANSCRIPT} (the {@link
 * MaskIndexTranscript} of the index when it was written). Two segments: {@link
 * MaskSegmentFixture#MIXED} masks of every dtype and several shapes (one pixel, not a multiple of
 * the grid step, larger than one CHI block's worth of cells), some documents without one, and
 * {@link MaskSegmentFixture#UNIFORM} 16x16 masks in every document; one document is deleted.
 */
final class FrozenIndex {
  static final String MASKS = "masks.txt";
  static final String TRANSCRIPT = "transcript.txt";
  static final ChiParams MIXED_PARAMS = new ChiParams(4, 20);
  static final ChiParams UNIFORM_PARAMS = new ChiParams(2, 8);
  static final long DELETED_ID = 5;

  /** The masks of every document written, by id (null: no mask), and the live ids. */
  record Contents(Map<Long, Mask[]> masks, Set<Long> live, List<String> transcript) {}

  private FrozenIndex() {}

  /**
   * Writes the index with {@code codec} into {@code zip}; run by {@code
   * MaskSearch10BackwardsCompatibilityTests} when asked to (it is done once per format).
   */
  static void write(Codec codec, Path work, Path zip) throws IOException {
    Random r = new Random(20261202L);
    MaskDType[] dtypes = MaskDType.values();
    int[][] shapes = {{1, 1}, {3, 5}, {13, 9}, {16, 16}, {37, 21}, {64, 70}};
    Map<Long, Mask[]> masks = new HashMap<>();
    Set<Long> live = new HashSet<>();
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(codec)
            .setUseCompoundFile(false)
            .setMergePolicy(NoMergePolicy.INSTANCE);
    Path indexDir = work.resolve("index");
    try (Directory dir = FSDirectory.open(indexDir);
        IndexWriter writer = new IndexWriter(dir, config)) {
      long id = 0;
      for (int segment = 0; segment < 2; segment++) {
        for (int d = 0; d < 30; d++, id++) {
          Document doc = new Document();
          doc.add(new NumericDocValuesField(MaskSegmentFixture.ID, id));
          Mask uniform = CodecTestMasks.randomMask(r, dtypes[(int) (id % dtypes.length)], 16, 16);
          doc.add(new MaskField(MaskSegmentFixture.UNIFORM, uniform, UNIFORM_PARAMS));
          Mask mixed = null;
          if (id % 4 != 3) {
            int[] shape = shapes[(int) (id % shapes.length)];
            mixed =
                CodecTestMasks.randomMask(
                    r, dtypes[(int) (id / 4 % dtypes.length)], shape[0], shape[1]);
            doc.add(new MaskField(MaskSegmentFixture.MIXED, mixed, MIXED_PARAMS));
          }
          masks.put(id, new Mask[] {mixed, uniform});
          live.add(id);
          writer.addDocument(doc);
        }
        writer.commit();
      }
      writer.deleteDocuments(
          NumericDocValuesField.newSlowExactQuery(MaskSegmentFixture.ID, DELETED_ID));
      live.remove(DELETED_ID);
      writer.commit();
    }
    List<String> transcript;
    try (Directory dir = FSDirectory.open(indexDir)) {
      transcript = MaskIndexTranscript.of(dir, Long.MAX_VALUE);
    }
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      try (var files = Files.list(indexDir)) {
        for (Path file : files.sorted().toList()) {
          if (!file.getFileName().toString().equals("write.lock")) {
            out.putNextEntry(new ZipEntry(file.getFileName().toString()));
            Files.copy(file, out);
          }
        }
      }
      out.putNextEntry(new ZipEntry(MASKS));
      writeMasks(masks, live, out);
      out.putNextEntry(new ZipEntry(TRANSCRIPT));
      out.write((String.join("\n", transcript) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /** One line per document: id, live or deleted, then each field's mask as hex or "-". */
  private static void writeMasks(Map<Long, Mask[]> masks, Set<Long> live, OutputStream out)
      throws IOException {
    StringBuilder s = new StringBuilder();
    for (long id = 0; id < masks.size(); id++) {
      s.append(id).append(live.contains(id) ? " live" : " deleted");
      for (Mask mask : masks.get(id)) {
        s.append(' ')
            .append(
                mask == null ? "-" : java.util.HexFormat.of().formatHex(MaskBytes.encode(mask)));
      }
      s.append('\n');
    }
    out.write(s.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Unzips a frozen index into {@code dir}; returns what it holds. */
  static Contents unzip(InputStream zip, Path dir) throws IOException {
    Map<Long, Mask[]> masks = new HashMap<>();
    Set<Long> live = new HashSet<>();
    List<String> transcript = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(zip)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        switch (entry.getName()) {
          case MASKS -> {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
              String[] parts = line.split(" ");
              long id = Long.parseLong(parts[0]);
              Mask[] fields = new Mask[parts.length - 2];
              for (int f = 0; f < fields.length; f++) {
                String hex = parts[f + 2];
                fields[f] =
                    hex.equals("-")
                        ? null
                        : MaskBytes.decode(new BytesRef(java.util.HexFormat.of().parseHex(hex)));
              }
              masks.put(id, fields);
              if (parts[1].equals("live")) {
                live.add(id);
              }
            }
          }
          case TRANSCRIPT ->
              transcript.addAll(
                  List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
          default -> Files.copy(in, dir.resolve(entry.getName()));
        }
      }
    }
    return new Contents(masks, live, transcript);
  }
}
