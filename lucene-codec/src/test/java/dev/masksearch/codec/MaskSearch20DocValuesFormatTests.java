package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.TestUtil;

/** Lucene's format tests and the mask formats' own over {@link MaskSearch20DocValuesFormat}. */
public class MaskSearch20DocValuesFormatTests extends BaseMaskDocValuesFormatTestCase {
  @Override
  DocValuesFormat newFormat() {
    return new MaskSearch20DocValuesFormat();
  }

  @Override
  FormatVersion version() {
    return FormatVersion.V20;
  }

  /**
   * Binary masks (instance masks) put every pixel in the first or the top bin, so their CHI levels
   * repeat and version 1 stores one column a cell instead of one a level: the same masks' CHI file
   * is several times smaller than MaskSearch10's, which writes every level (the answers over
   * repeated columns are checked with the other brute-force comparisons).
   */
  public void testRepeatedLevelsOfBinaryMasksTakeNoSpace() throws IOException {
    long[] chiBytes = new long[2];
    DocValuesFormat[] formats = {new MaskSearch10DocValuesFormat(), newFormat()};
    for (int f = 0; f < 2; f++) {
      try (Directory dir = newDirectory()) {
        IndexWriterConfig config =
            new IndexWriterConfig()
                .setCodec(
                    TestMaskCodecs.writing(formats[f], TestUtil.getDefaultCodec(), "m"::equals))
                .setUseCompoundFile(false); // the CHI file on its own
        config.getMergePolicy().setNoCFSRatio(0);
        java.util.Random r = new java.util.Random(42);
        try (IndexWriter writer = new IndexWriter(dir, config)) {
          for (int i = 0; i < 200; i++) {
            Document doc = new Document();
            doc.add(new MaskField("m", blob(r, 96, 128), ChiParams.DEFAULT));
            writer.addDocument(doc);
          }
          writer.forceMerge(1);
        }
        for (String file : dir.listAll()) {
          if (file.endsWith("." + MaskSearch10DocValuesFormat.CHI_EXTENSION)) {
            chiBytes[f] += dir.fileLength(file);
          }
        }
      }
    }
    assertTrue(chiBytes[0] + " against " + chiBytes[1], chiBytes[1] * 5 < chiBytes[0]);
  }

  /**
   * Best compression stores smooth one-byte maps as prefix-coded planar residuals, under best
   * speed's packed ones (by about a tenth on these bowls); a merge stores the masks in the writer's
   * mode (segments of the other mode again, as Lucene's stored fields recompress on a change of
   * mode), and both read back the same pixels.
   */
  public void testMergesStoreMasksInTheWritersMode() throws IOException {
    java.util.Random r = new java.util.Random(random().nextLong());
    java.util.List<Mask> masks = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      masks.add(bowl(r, 40 + r.nextInt(60), 40 + r.nextInt(60)));
    }
    try (Directory speed = newDirectory();
        Directory mixed = newDirectory();
        Directory back = newDirectory()) {
      write(speed, masks, MaskSearch20DocValuesFormat.Mode.BEST_SPEED, 1);
      write(mixed, masks, MaskSearch20DocValuesFormat.Mode.BEST_SPEED, 3);
      try (IndexWriter writer =
          new IndexWriter(mixed, config(MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION))) {
        writer.forceMerge(1);
      }
      try (IndexWriter writer =
              new IndexWriter(back, config(MaskSearch20DocValuesFormat.Mode.BEST_SPEED));
          org.apache.lucene.index.DirectoryReader reader =
              org.apache.lucene.index.DirectoryReader.open(mixed)) {
        writer.addIndexes(
            org.apache.lucene.index.SlowCodecReaderWrapper.wrap(reader.leaves().get(0).reader()));
        writer.forceMerge(1);
      }
      long speedBytes = maskBytes(speed);
      long compressedBytes = maskBytes(mixed);
      assertTrue(
          compressedBytes + " against " + speedBytes, compressedBytes * 20 < speedBytes * 19);
      // the same tiles again; the files' headers name segments of other lengths
      long backBytes = maskBytes(back);
      assertTrue(
          "merged back into best speed: " + backBytes + " against " + speedBytes,
          Math.abs(backBytes - speedBytes) < 64);
      for (Directory dir : new Directory[] {speed, mixed, back}) {
        try (org.apache.lucene.index.DirectoryReader reader =
            org.apache.lucene.index.DirectoryReader.open(dir)) {
          assertEquals(1, reader.leaves().size());
          org.apache.lucene.index.LeafReader leaf = reader.leaves().get(0).reader();
          MaskDocValues values = (MaskDocValues) leaf.getBinaryDocValues("m");
          org.apache.lucene.index.NumericDocValues ids = leaf.getNumericDocValues("id");
          assertEquals(masks.size(), leaf.maxDoc()); // merges may reorder the segments
          for (int doc = 0; doc < masks.size(); doc++) {
            assertTrue(ids.advanceExact(doc));
            CodecTestMasks.assertSameMask(
                "doc " + doc, masks.get((int) ids.longValue()), values.mask(doc));
          }
        }
      }
    }
  }

  private static IndexWriterConfig config(MaskSearch20DocValuesFormat.Mode mode) {
    IndexWriterConfig config =
        new IndexWriterConfig()
            .setCodec(new MaskCodec(TestUtil.getDefaultCodec(), "m"::equals, mode))
            .setUseCompoundFile(false);
    config.getMergePolicy().setNoCFSRatio(0);
    return config;
  }

  /** Writes the masks in order, in {@code segments} flushed segments. */
  private static void write(
      Directory dir,
      java.util.List<Mask> masks,
      MaskSearch20DocValuesFormat.Mode mode,
      int segments)
      throws IOException {
    IndexWriterConfig config =
        config(mode).setMergePolicy(org.apache.lucene.index.NoMergePolicy.INSTANCE);
    try (IndexWriter writer = new IndexWriter(dir, config)) {
      for (int i = 0; i < masks.size(); i++) {
        Document doc = new Document();
        doc.add(new MaskField("m", masks.get(i), ChiParams.DEFAULT));
        doc.add(new org.apache.lucene.document.NumericDocValuesField("id", i));
        writer.addDocument(doc);
        if ((i + 1) % Math.ceilDiv(masks.size(), segments) == 0) {
          writer.flush();
        }
      }
    }
  }

  /** The bytes of the index's stored masks. */
  private static long maskBytes(Directory dir) throws IOException {
    long bytes = 0;
    for (String file : dir.listAll()) {
      if (file.endsWith("." + MaskSearch10DocValuesFormat.RAW_EXTENSION)) {
        bytes += dir.fileLength(file);
      }
    }
    return bytes;
  }

  /** A smooth uint8 map: a bowl of random centre and depth, noise of one in a pixel of eight. */
  private static Mask bowl(java.util.Random r, int height, int width) {
    byte[] raw = new byte[height * width];
    int cx = r.nextInt(width);
    int cy = r.nextInt(height);
    int scale = 8 + r.nextInt(40);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        raw[y * width + x] = (byte) Math.min(255, d2 / scale + (r.nextInt(8) == 0 ? 1 : 0));
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }

  private static Mask blob(java.util.Random r, int height, int width) {
    byte[] raw = new byte[height * width];
    int cx = r.nextInt(width);
    int cy = r.nextInt(height);
    int radius = 5 + r.nextInt(40);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) {
          raw[y * width + x] = (byte) 255;
        }
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }
}
