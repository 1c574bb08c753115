package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;

/**
 * One segment of mask doc values to corrupt, and byte-level access to its {@code .mskm}, {@code
 * .mskc} and {@code .mskr} files. The segment has two mask fields: {@link #MIXED}, masks of several
 * dtypes and shapes (so several shape groups) that some documents lack, and {@link #UNIFORM}, one
 * mask of one size in every document (the reader's uniform path, with block access).
 */
public final class MaskSegmentFixture {
  /** Masks of several dtypes and shapes; some documents have none. */
  public static final String MIXED = "mask";

  /** The same dtype and size in every document. */
  public static final String UNIFORM = "uniform";

  /** A numeric doc value per document, in the delegate's format. */
  public static final String ID = "id";

  /**
   * What a fixture writes: the fields' CHI parameters, per document the mixed mask's shape or none,
   * the format and, for MaskSearch20, whether in best compression (planar-coded tiles).
   */
  public record Plan(
      ChiParams mixedParams,
      ChiParams uniformParams,
      MaskDType uniformDType,
      int uniformSide,
      List<MaskShape> mixed,
      FormatVersion version,
      boolean bestCompression) {}

  /** A mask's dtype and size. */
  public record MaskShape(MaskDType dtype, int height, int width) {}

  private MaskSegmentFixture() {}

  /**
   * A plan of about 160 to 200 documents: uniform masks whose CHI columns span several blocks (grid
   * step 1, 64 bins: 16x16 masks in MaskSearch10, 16,384 entries so 64 masks a block; 48x48 in
   * MaskSearch20, whose columns are the first tier's, step 2 and 32 bins, 18,432 entries so 32
   * masks a block); mixed masks of up to 48x48 in a few shapes.
   */
  public static Plan randomPlan(Random r) {
    int[] steps = {4, 8, 16, 32};
    int[] bins = {1, 3, 8, 20};
    ChiParams mixedParams =
        new ChiParams(steps[r.nextInt(steps.length)], bins[r.nextInt(bins.length)]);
    List<MaskShape> shapes = new ArrayList<>();
    for (int s = 1 + r.nextInt(5); s > 0; s--) {
      shapes.add(
          new MaskShape(CodecTestMasks.randomDType(r), 1 + r.nextInt(48), 1 + r.nextInt(48)));
    }
    int docs = 161 + r.nextInt(40);
    List<MaskShape> mixed = new ArrayList<>();
    for (int d = 0; d < docs; d++) {
      mixed.add(r.nextInt(5) == 0 ? null : shapes.get(r.nextInt(shapes.size())));
    }
    FormatVersion version = r.nextBoolean() ? FormatVersion.V10 : FormatVersion.V20;
    return new Plan(
        mixedParams,
        new ChiParams(1, 64),
        CodecTestMasks.randomDType(r),
        version == FormatVersion.V10 ? 16 : 48,
        mixed,
        version,
        r.nextBoolean());
  }

  /** A small fixed plan for fuzzing: 40 documents, one block per group, files of a few KiB. */
  public static Plan smallPlan() {
    MaskShape[] shapes = {
      new MaskShape(MaskDType.UINT8, 3, 5), new MaskShape(MaskDType.FLOAT16, 8, 8),
      new MaskShape(MaskDType.FLOAT32, 1, 1), new MaskShape(MaskDType.UINT16, 5, 9),
    };
    List<MaskShape> mixed = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      mixed.add(d % 3 == 2 ? null : shapes[d % shapes.length]);
    }
    return new Plan(
        new ChiParams(4, 3),
        new ChiParams(2, 4),
        MaskDType.UINT8,
        4,
        mixed,
        FormatVersion.V20,
        false);
  }

  /** Writes the plan as one segment (no compound file), masks drawn from {@code r}. */
  public static void write(Directory dir, Plan plan, Random r) throws IOException {
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(
                TestMaskCodecs.writing(
                    plan.version() == FormatVersion.V20 && plan.bestCompression()
                        ? new MaskSearch20DocValuesFormat(
                            MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION)
                        : DocValuesFormat.forName(plan.version().name()),
                    new Lucene104Codec(),
                    field -> field.equals(MIXED) || field.equals(UNIFORM)))
            .setUseCompoundFile(false)
            .setMergePolicy(NoMergePolicy.INSTANCE)
            .setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH)
            .setRAMBufferSizeMB(256);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      for (int d = 0; d < plan.mixed().size(); d++) {
        Document doc = new Document();
        doc.add(new NumericDocValuesField(ID, d));
        doc.add(
            new MaskField(
                UNIFORM,
                CodecTestMasks.randomMask(
                    r, plan.uniformDType(), plan.uniformSide(), plan.uniformSide()),
                plan.uniformParams()));
        MaskShape shape = plan.mixed().get(d);
        if (shape != null) {
          doc.add(
              new MaskField(
                  MIXED,
                  CodecTestMasks.randomMask(r, shape.dtype(), shape.height(), shape.width()),
                  plan.mixedParams()));
        }
        writer.addDocument(doc);
      }
      writer.commit();
    }
  }

  /** The name of the segment's one file with this extension. */
  public static String fileName(Directory dir, String extension) throws IOException {
    String found = null;
    for (String file : dir.listAll()) {
      if (file.endsWith("." + extension)) {
        if (found != null) {
          throw new IllegalStateException("two ." + extension + " files: " + found + ", " + file);
        }
        found = file;
      }
    }
    if (found == null) {
      throw new IllegalStateException("no ." + extension + " file");
    }
    return found;
  }

  /** The codec name in the index header of a format file with this extension. */
  static String codecOf(FormatVersion version, String extension) {
    return switch (extension) {
      case MaskSearch10DocValuesFormat.META_EXTENSION -> version.metaCodec();
      case MaskSearch10DocValuesFormat.CHI_EXTENSION -> version.chiCodec();
      case MaskSearch10DocValuesFormat.RAW_EXTENSION -> version.rawCodec();
      default -> throw new IllegalArgumentException(extension);
    };
  }

  /** The format version of a format file, from the per-field suffix in its name. */
  static FormatVersion versionOf(String fileName) {
    return suffixOf(fileName).startsWith(FormatVersion.V10.name() + "_")
        ? FormatVersion.V10
        : FormatVersion.V20;
  }

  private static String suffixOf(String fileName) {
    String segment = IndexFileNames.parseSegmentName(fileName);
    return fileName.substring(segment.length() + 1, fileName.lastIndexOf('.'));
  }

  /** The length of the index header of a format file. */
  public static int headerLength(String fileName) {
    return CodecUtil.indexHeaderLength(
        codecOf(versionOf(fileName), IndexFileNames.getExtension(fileName)), suffixOf(fileName));
  }

  public static byte[] read(Directory dir, String name) throws IOException {
    try (IndexInput in = dir.openInput(name, IOContext.READONCE)) {
      byte[] bytes = new byte[Math.toIntExact(in.length())];
      in.readBytes(bytes, 0, bytes.length);
      return bytes;
    }
  }

  /** Replaces a file's content. */
  public static void write(Directory dir, String name, byte[] bytes) throws IOException {
    dir.deleteFile(name);
    try (IndexOutput out = dir.createOutput(name, IOContext.DEFAULT)) {
      out.writeBytes(bytes, bytes.length);
    }
  }

  /** Copies every file of {@code from} into {@code to}. */
  public static void copy(Directory from, Directory to) throws IOException {
    for (String file : from.listAll()) {
      if (!file.equals("write.lock")) {
        to.copyFrom(from, file, file, IOContext.DEFAULT);
      }
    }
  }

  /**
   * The file of {@code headerAndBody} and a footer with a matching checksum, as CodecUtil writes
   * one.
   */
  public static byte[] withFooter(byte[] headerAndBody) {
    byte[] file = Arrays.copyOf(headerAndBody, headerAndBody.length + CodecUtil.footerLength());
    ByteBuffer footer =
        ByteBuffer.wrap(file, headerAndBody.length, CodecUtil.footerLength())
            .order(ByteOrder.BIG_ENDIAN);
    footer.putInt(CodecUtil.FOOTER_MAGIC).putInt(0); // algorithm 0: CRC-32
    fixChecksum(file);
    return file;
  }

  /**
   * Rewrites the checksum in a file's footer (CRC-32 of everything before it, big-endian), so that
   * a corruption gets past checksum verification and reaches the reader's validation.
   */
  public static void fixChecksum(byte[] file) {
    if (file.length < CodecUtil.footerLength()) {
      return;
    }
    CRC32 crc = new CRC32();
    crc.update(file, 0, file.length - Long.BYTES);
    ByteBuffer.wrap(file, file.length - Long.BYTES, Long.BYTES)
        .order(ByteOrder.BIG_ENDIAN)
        .putLong(crc.getValue());
  }
}
