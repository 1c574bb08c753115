package dev.masksearch.qa.bench;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskCodec;
import dev.masksearch.codec.MaskSearch20DocValuesFormat;
import dev.masksearch.document.BoxBinCountsField;
import dev.masksearch.document.BoxField;
import dev.masksearch.document.MaskField;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.perfield.PerFieldDocValuesFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SlowCodecReaderWrapper;
import org.apache.lucene.store.Directory;

/**
 * Indexes a {@link SyntheticDataset} with Lucene: per image its id, label, prediction and regime as
 * keywords, the object box as a {@link BoxField}, and the saliency and human-attention maps as
 * {@link MaskField}s stored with the {@link MaskCodec}.
 */
public final class SyntheticIndex {
  /** Field names. */
  public static final String ID = "id";

  public static final String LABEL = "label";
  public static final String PREDICTED = "predicted";
  public static final String REGIME = "regime";
  public static final String BOX = "box";
  public static final String SALIENCY = "saliency";
  public static final String HUMAN = "human";

  private SyntheticIndex() {}

  /**
   * The codec that stores this index's mask fields with the CHI, over Lucene's default codec by
   * name: the codec SPI reads segments back with (MaskCodec's no-argument form) assumes that
   * delegate, whatever {@code Codec.getDefault()} says (test frameworks randomize it).
   */
  public static Codec codec() {
    return new MaskCodec(new Lucene104Codec(), Set.of(SALIENCY, HUMAN)::contains);
  }

  /** The same, writing masks in {@code mode}. */
  public static Codec codec(MaskSearch20DocValuesFormat.Mode mode) {
    return new MaskCodec(new Lucene104Codec(), Set.of(SALIENCY, HUMAN)::contains, mode);
  }

  /** The same, writing mask fields in the doc-values format of this name. */
  public static Codec codec(String maskFormat) {
    DocValuesFormat format = DocValuesFormat.forName(maskFormat);
    return new MaskCodec(new Lucene104Codec(), Set.of(SALIENCY, HUMAN)::contains) {
      @Override
      protected DocValuesFormat maskFormat(String field) {
        return format;
      }
    };
  }

  /**
   * Indexes images {@code 0 .. count - 1} on all cores, then merges to {@code segments} segments at
   * most.
   */
  public static void build(
      Directory dir, SyntheticDataset data, int count, ChiParams params, int segments)
      throws IOException {
    build(dir, data, count, params, segments, codec());
  }

  /** As above, with another codec (one writing an older mask format, say). */
  public static void build(
      Directory dir, SyntheticDataset data, int count, ChiParams params, int segments, Codec codec)
      throws IOException {
    IndexWriterConfig config = new IndexWriterConfig().setCodec(codec).setRAMBufferSizeMB(256);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      IntStream.range(0, count)
          .parallel()
          .forEach(
              i -> {
                try {
                  writer.addDocument(document(data.image(i), params));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      writer.forceMerge(segments);
    }
  }

  /**
   * Copies an index into {@code target} through the codec of {@code config}, which writes every
   * segment anew (adding the directory would copy its segments' files as they are).
   */
  public static void rewrite(Directory source, Directory target, IndexWriterConfig config)
      throws IOException {
    try (DirectoryReader reader = DirectoryReader.open(source);
        IndexWriter writer = new IndexWriter(target, config)) {
      CodecReader[] leaves = new CodecReader[reader.leaves().size()];
      for (int i = 0; i < leaves.length; i++) {
        leaves[i] = SlowCodecReaderWrapper.wrap(reader.leaves().get(i).reader());
      }
      writer.addIndexes(leaves);
      writer.forceMerge(1);
    }
  }

  /**
   * The doc-values format of the saliency field in every segment of an index (one name), checked.
   */
  public static String maskFormat(DirectoryReader reader) {
    String format = null;
    for (var leaf : reader.leaves()) {
      String f =
          leaf.reader()
              .getFieldInfos()
              .fieldInfo(SALIENCY)
              .getAttribute(PerFieldDocValuesFormat.PER_FIELD_FORMAT_KEY);
      if (format != null && !format.equals(f)) {
        throw new IllegalStateException("segments in " + format + " and " + f);
      }
      format = f;
    }
    return format;
  }

  /**
   * Whether the saliency maps' pixels per bin in each image's box are indexed ({@link
   * BoxBinCountsField}, the mapping's {@code index_box_counts}); {@code
   * -Dmasksearch.boxBinCounts=false} leaves them out, to measure what they save.
   */
  static final boolean BOX_BIN_COUNTS =
      Boolean.parseBoolean(System.getProperty("masksearch.boxBinCounts", "true"));

  static Document document(SyntheticImage image, ChiParams params) {
    Document doc = new Document();
    doc.add(new StringField(ID, Integer.toString(image.id()), Field.Store.YES));
    doc.add(new NumericDocValuesField(ID, image.id()));
    doc.add(new StringField(LABEL, image.label(), Field.Store.YES));
    doc.add(new StringField(PREDICTED, image.predicted(), Field.Store.YES));
    doc.add(new StringField(REGIME, image.regime(), Field.Store.YES));
    BoxField box = new BoxField(BOX, image.box());
    MaskField saliency = new MaskField(SALIENCY, image.saliency(), params);
    doc.add(box);
    doc.add(saliency);
    if (BOX_BIN_COUNTS) {
      doc.add(new BoxBinCountsField(saliency, box));
    }
    doc.add(new MaskField(HUMAN, image.human(), params));
    return doc;
  }
}
