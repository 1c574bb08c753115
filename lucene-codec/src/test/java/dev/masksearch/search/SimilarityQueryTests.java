package dev.masksearch.search;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskCodec;
import dev.masksearch.codec.TestMaskCodecs;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.Roi;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.Bits;

/**
 * Masks like a query mask ({@link SimilaritySpec}): top k both ways and filters, by IoU, Dice and
 * L1, against a brute force written from the definitions, over binary and soft masks, masks of
 * other sizes (no value), query masks equal to an indexed one or empty, regions of every kind,
 * deletions and several segments, with the mask codec and without.
 */
public class SimilarityQueryTests extends LuceneTestCase {
  private static final String MASK = "saliency";

  private final Map<Integer, Mask> masks = new HashMap<>();
  private int height;
  private int width;

  public void testSimilarityEqualsBruteForce() throws IOException {
    check(TestMaskCodecs.random(random(), TestUtil.getDefaultCodec(), MASK::equals), true, null);
  }

  public void testWithoutChiEveryMaskIsRead() throws IOException {
    check(TestUtil.getDefaultCodec(), false, null);
  }

  /**
   * A grid step too large to double: with even bins the CHI's two tiers share one grid and differ
   * only in their bins, so what is laid for one tier must never serve the other; with odd bins the
   * first tier is the field's CHI, read as the only tier. Exact either way.
   */
  public void testTiersSharingAGridEqualBruteForce() throws IOException {
    ChiParams params =
        new ChiParams(TestUtil.nextInt(random(), 2049, 4096), TestUtil.nextInt(random(), 1, 20));
    assertEquals(params.gridStep(), params.firstTier().gridStep());
    check(new MaskCodec(TestUtil.getDefaultCodec(), MASK::equals), true, params);
  }

  /** Checks random queries on random masks; {@code params} null: random CHI parameters. */
  private void check(Codec codec, boolean chi, ChiParams fixedParams) throws IOException {
    Random random = random();
    height = TestUtil.nextInt(random, 1, 70);
    width = TestUtil.nextInt(random, 1, 70);
    ChiParams params =
        fixedParams != null
            ? fixedParams
            : new ChiParams(TestUtil.nextInt(random, 1, 40), TestUtil.nextInt(random, 1, 20));
    CpStats all = new CpStats();
    try (Directory dir = newDirectory()) {
      index(dir, codec, params);
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = newSearcher(reader, false);
        for (int q = 0; q < atLeast(40); q++) {
          Mask like = queryMask(random);
          double threshold =
              switch (random.nextInt(4)) {
                case 0 -> 0.5;
                case 1 -> (double) random.nextInt(params.bins() + 1) / params.bins();
                case 2 -> 0.0;
                default -> random.nextDouble();
              };
          RandomRegions.Case region =
              switch (random.nextInt(3)) {
                case 0 -> null; // the whole mask
                case 1 -> {
                  Roi box = CpQueryTests.randomRoi(random, Math.max(width, height));
                  yield new RandomRegions.Case(
                      box,
                      (x, y) -> x >= box.x1() && x < box.x2() && y >= box.y1() && y < box.y2(),
                      box.toString());
                }
                default -> RandomRegions.shape(random, Math.max(width, height));
              };
          Similarity similarity = Similarity.values()[random.nextInt(Similarity.values().length)];
          SimilaritySpec spec =
              SimilaritySpec.of(
                  MASK, like, threshold, region == null ? Roi.FULL : region.region(), similarity);
          Map<Integer, Double> expected = brute(reader, like, threshold, region, similarity);
          String what = spec + " " + (region == null ? "full" : region);

          CpStats stats = new CpStats();
          int k = TestUtil.nextInt(random, 1, 30);
          for (CpOrder order : CpOrder.values()) {
            Comparator<Map.Entry<Integer, Double>> byValue = Map.Entry.comparingByValue();
            if (order == CpOrder.DESC) {
              byValue = byValue.reversed();
            }
            List<CpHit> top =
                expected.entrySet().stream()
                    .sorted(byValue.thenComparing(Map.Entry.comparingByKey()))
                    .limit(k)
                    .map(e -> new CpHit(e.getKey(), e.getValue()))
                    .toList();
            assertEquals(
                what + " top " + k + " " + order,
                top,
                MaskValueTopK.search(searcher, spec, k, order, null, stats));
          }
          Comparison op = Comparison.values()[random.nextInt(4)];
          List<Double> values = new ArrayList<>(expected.values());
          double t = values.isEmpty() ? 0.5 : values.get(random.nextInt(values.size()));
          Set<Integer> matching = new HashSet<>();
          expected.forEach(
              (doc, v) -> {
                if (op.test(v, t)) {
                  matching.add(doc);
                }
              });
          Set<Integer> got = new HashSet<>();
          for (ScoreDoc sd :
              searcher.search(new MaskValueFilterQuery(spec, op, t, stats), Integer.MAX_VALUE)
                  .scoreDocs) {
            got.add(sd.doc);
          }
          assertEquals(what + " " + op + " " + t, matching, got);
          all.add(stats);
        }
      }
    }
    if (chi) {
      assertTrue(
          "the CHI should decide some documents unread: " + all,
          all.accepted() + all.rejected() > 0);
    } else {
      assertEquals("without a CHI nothing is accepted unread", 0, all.accepted());
    }
  }

  /** An indexed mask, an empty one, a binary blob or noise. */
  private Mask queryMask(Random random) {
    List<Mask> sameSize =
        masks.values().stream().filter(m -> m.height() == height && m.width() == width).toList();
    return switch (random.nextInt(4)) {
      case 0 ->
          sameSize.isEmpty()
              ? RandomMasks.mask(random, height, width)
              : sameSize.get(random.nextInt(sameSize.size()));
      case 1 ->
          RandomMasks.of(MaskDType.UINT8, height, width, RandomMasks.constant(height, width, 0f));
      case 2 -> binary(random, height, width);
      default -> RandomMasks.mask(random, height, width);
    };
  }

  private static Mask binary(Random random, int height, int width) {
    float[] blobs = RandomMasks.blobs(random, height, width);
    float cut = random.nextFloat();
    for (int i = 0; i < blobs.length; i++) {
      blobs[i] = blobs[i] >= cut ? 1f : 0f;
    }
    return RandomMasks.of(MaskDType.UINT8, height, width, blobs);
  }

  private void index(Directory dir, Codec codec, ChiParams params) throws IOException {
    Random random = random();
    int count = atLeast(200);
    try (IndexWriter writer =
        new IndexWriter(
            dir,
            newIndexWriterConfig()
                .setCodec(codec)
                .setMaxBufferedDocs(TestUtil.nextInt(random, 5, 80)))) {
      for (int id = 0; id < count; id++) {
        Document doc = new Document();
        doc.add(new StringField("id", Integer.toString(id), Field.Store.NO));
        doc.add(new NumericDocValuesField("id", id));
        if (random.nextInt(15) != 0) {
          boolean other = random.nextInt(8) == 0; // another size: no value
          int h = other ? TestUtil.nextInt(random, 1, 70) : height;
          int w = other ? TestUtil.nextInt(random, 1, 70) : width;
          Mask mask = random.nextBoolean() ? binary(random, h, w) : RandomMasks.mask(random, h, w);
          masks.put(id, mask);
          doc.add(new MaskField(MASK, mask, params));
        }
        writer.addDocument(doc);
        if (random.nextInt(20) == 0) {
          int victim = random.nextInt(id + 1);
          writer.deleteDocuments(new Term("id", Integer.toString(victim)));
          masks.remove(victim);
        }
      }
    }
  }

  /** Doc id -> similarity for every live document whose mask has the query's size. */
  private Map<Integer, Double> brute(
      DirectoryReader reader,
      Mask like,
      double threshold,
      RandomRegions.Case region,
      Similarity similarity)
      throws IOException {
    Map<Integer, Double> values = new HashMap<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues ids = leaf.reader().getNumericDocValues("id");
      Bits live = leaf.reader().getLiveDocs();
      for (int doc = ids.nextDoc(); doc != NumericDocValues.NO_MORE_DOCS; doc = ids.nextDoc()) {
        Mask mask = masks.get((int) ids.longValue());
        if ((live != null && !live.get(doc))
            || mask == null
            || mask.height() != like.height()
            || mask.width() != like.width()) {
          continue;
        }
        long i = 0;
        long d = 0;
        long q = 0;
        long area = 0;
        double differences = 0;
        for (int y = 0; y < mask.height(); y++) {
          for (int x = 0; x < mask.width(); x++) {
            if (region == null || region.inside().test(x, y)) {
              boolean a = mask.value(y, x) >= threshold;
              boolean b = like.value(y, x) >= threshold;
              d += a ? 1 : 0;
              q += b ? 1 : 0;
              i += a && b ? 1 : 0;
              area++;
              differences += Math.abs(mask.value(y, x) - like.value(y, x));
            }
          }
        }
        double value =
            switch (similarity) {
              case IOU -> d + q - i == 0 ? 0 : (double) i / (d + q - i);
              case DICE -> d + q == 0 ? 0 : 2.0 * i / (d + q);
              case L1 -> area == 0 ? 0 : 1 - differences / area;
            };
        values.put(leaf.docBase + doc, value);
      }
    }
    return values;
  }
}
