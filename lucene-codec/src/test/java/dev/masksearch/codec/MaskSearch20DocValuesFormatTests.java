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
