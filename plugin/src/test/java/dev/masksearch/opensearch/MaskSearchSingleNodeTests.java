package dev.masksearch.opensearch;

import dev.masksearch.codec.MaskCodec;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.mask.RleMasks;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.index.query.CpQueryBuilder;
import dev.masksearch.opensearch.index.query.CpSortBuilder;
import dev.masksearch.opensearch.index.query.RegionSpec;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.engine.Engine;
import org.opensearch.index.mapper.MapperParsingException;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.shard.IndexShard;
import org.opensearch.indices.IndicesService;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.search.builder.SearchSourceBuilder;
import org.opensearch.search.sort.SortOrder;
import org.opensearch.test.OpenSearchSingleNodeTestCase;

/**
 * The plugin on a real node: every mask encoding indexes, bad input is a clear 400 that names the
 * field and the problem (and leaves the rest of a bulk indexed), the masksearch codec stores the
 * CHI, and cp filters and top-k through the search API equal a brute-force count, with and without
 * the codec.
 */
public class MaskSearchSingleNodeTests extends OpenSearchSingleNodeTestCase {

  private static final String MAPPING =
      """
      {"properties": {
        "saliency": {"type": "mask", "grid_step": 16, "bins": 20},
        "box": {"type": "mask_roi"},
        "label": {"type": "keyword"}}}""";

  /** {@link #MAPPING} with each document's pixels per bin in its box indexed too. */
  private static final String MAPPING_WITH_BOX_COUNTS =
      MAPPING.replace("\"bins\": 20}", "\"bins\": 20, \"index_box_counts\": [\"box\"]}");

  private static final String DEFAULT_MASK_MAPPING =
      "{\"properties\": {\"saliency\": {\"type\": \"mask\"}}}";

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class);
  }

  private void createIndex(String index, boolean withCodec, int shards) {
    createIndex(index, withCodec ? MaskSearchCodec.ALIAS : null, shards);
  }

  /** An index of {@link #MAPPING} with {@code codec} as its {@code index.codec} (null: none). */
  private void createIndex(String index, String codec, int shards) {
    Settings.Builder settings =
        Settings.builder().put("index.number_of_shards", shards).put("index.number_of_replicas", 0);
    if (codec != null) {
      settings.put("index.codec", codec);
    }
    // cp over each document's box answers the same with or without the box counts
    String mapping = randomBoolean() ? MAPPING_WITH_BOX_COUNTS : MAPPING;
    client().admin().indices().prepareCreate(index).setSettings(settings).setMapping(mapping).get();
  }

  /**
   * With {@code index_box_counts}, a cp filter and sort over each document's box read no mask for a
   * range of whole bins, whichever of the mask and the box comes first in the source; a document
   * without a box has no value, and the hits equal a brute-force count.
   */
  public void testIndexBoxCountsAnswerBoxQueriesWithoutReadingMasks() throws Exception {
    client()
        .admin()
        .indices()
        .prepareCreate("counted")
        .setSettings(
            Settings.builder()
                .put("index.number_of_shards", 1)
                .put("index.number_of_replicas", 0)
                .put("index.codec", MaskSearchCodec.ALIAS))
        .setMapping(MAPPING_WITH_BOX_COUNTS)
        .get();
    ValueRange range = new ValueRange(0.6, 1.01);
    Map<String, Long> expected = new HashMap<>();
    BulkRequestBuilder bulk = client().prepareBulk();
    for (int i = 0; i < 40; i++) {
      Mask mask = randomMask(MaskDType.UINT8, randomIntBetween(5, 40), randomIntBetween(5, 40));
      Roi box =
          new Roi(
              randomIntBetween(-3, 20),
              randomIntBetween(-3, 20),
              randomIntBetween(0, 50),
              randomIntBetween(0, 50));
      String boxJson =
          String.format(Locale.ROOT, "[%d, %d, %d, %d]", box.x1(), box.y1(), box.x2(), box.y2());
      String source =
          switch (i % 3) {
            case 0 -> "{\"box\": " + boxJson + ", \"saliency\": " + rawJson(mask) + "}";
            case 1 -> "{\"saliency\": " + rawJson(mask) + ", \"box\": " + boxJson + "}";
            default -> "{\"saliency\": " + rawJson(mask) + "}";
          };
      if (i % 3 != 2) {
        expected.put(Integer.toString(i), mask.countPixels(box, range));
      }
      bulk.add(
          client()
              .prepareIndex("counted")
              .setId(Integer.toString(i))
              .setSource(source, XContentType.JSON));
    }
    assertFalse(bulk.get().hasFailures());
    client().admin().indices().prepareRefresh("counted").get();
    // at least 1: with a threshold of 0 every document matches and none would need its mask
    long threshold = Math.max(1, randomFrom(new ArrayList<>(expected.values())));
    CpQueryBuilder filter =
        new CpQueryBuilder(
            "saliency",
            RegionSpec.boxField("box"),
            range,
            false,
            Comparison.GTE,
            threshold,
            null,
            null);
    SearchResponse response =
        client().prepareSearch("counted").setProfile(true).setSize(100).setQuery(filter).get();
    Set<String> got = new HashSet<>();
    for (SearchHit hit : response.getHits().getHits()) {
      got.add(hit.getId());
    }
    Set<String> want = new HashSet<>();
    expected.forEach(
        (id, count) -> {
          if (count >= threshold) {
            want.add(id);
          }
        });
    assertEquals(want, got);
    assertEquals(Long.valueOf(0), cpBreakdown(response).get("cp_masks_read"));
  }

  public void testEveryEncodingIndexesAndAnswersExactly() throws Exception {
    createIndex("enc", true, 1);
    Map<String, Mask> masks = new HashMap<>();
    Mask u8 = randomMask(MaskDType.UINT8, 20, 30);
    masks.put("raw-uint8", u8);
    index("enc", "raw-uint8", rawJson(u8));
    for (MaskDType dtype :
        new MaskDType[] {MaskDType.UINT16, MaskDType.FLOAT16, MaskDType.FLOAT32}) {
      Mask m = randomMask(dtype, 17, 23);
      masks.put("raw-" + dtype.apiName(), m);
      index("enc", "raw-" + dtype.apiName(), rawJson(m));
    }
    Mask png8 = randomMask(MaskDType.UINT8, 33, 9);
    masks.put("png8", png8);
    index("enc", "png8", "{\"png\": \"" + b64(PngMasks.encode(png8)) + "\"}");
    Mask png16 = randomMask(MaskDType.UINT16, 12, 40);
    masks.put("png16", png16);
    index("enc", "png16", "{\"png\": \"" + b64(PngMasks.encode(png16)) + "\"}");
    // A binary mask as a 1-bit PNG: its pixels are 0.0 and 1.0 (uint8 0 and 255).
    BufferedImage binary = new BufferedImage(14, 11, BufferedImage.TYPE_BYTE_BINARY);
    byte[] binaryCodes = new byte[14 * 11];
    for (int i = 0; i < binaryCodes.length; i++) {
      if (random().nextBoolean()) {
        binary.getRaster().setSample(i % 14, i / 14, 0, 1);
        binaryCodes[i] = (byte) 255;
      }
    }
    masks.put("png1", Mask.of(MaskDType.UINT8, 11, 14, binaryCodes));
    index("enc", "png1", "{\"png\": \"" + b64(imageIoPng(binary)) + "\"}");
    // COCO run-length encoding, compressed and uncompressed: also 0.0 and 1.0.
    Mask rle = Mask.of(MaskDType.UINT8, 11, 14, binaryCodes.clone());
    masks.put("rle", rle);
    index(
        "enc",
        "rle",
        "{\"rle\": {\"size\": [11, 14], \"counts\": \""
            + RleMasks.encode(rle).replace("\\", "\\\\") // JSON escapes the code's backslashes
            + "\"}}");
    masks.put("rle-runs", rle);
    index(
        "enc",
        "rle-runs",
        "{\"rle\": {\"counts\": "
            + java.util.Arrays.toString(RleMasks.runs(rle))
            + ", \"size\": [11, 14]}}");
    float[] values = {0f, 0.25f, 0.5f, 1f, 0.8f, 0.79999995f};
    masks.put("nested", Mask.ofFloats(2, 3, values));
    index("enc", "nested", "[[0, 0.25, 0.5], [1, 0.8, 0.79999995]]");
    client().admin().indices().prepareRefresh("enc").get();

    assertUsesChi("enc");
    for (int q = 0; q < 30; q++) {
      ValueRange range =
          ordered(
              random().nextDouble(), random().nextBoolean() ? 1.5 : random().nextDouble() + 0.2);
      Roi roi =
          new Roi(
              randomIntBetween(-5, 20),
              randomIntBetween(-5, 20),
              randomIntBetween(0, 50),
              randomIntBetween(0, 50));
      long threshold = randomIntBetween(0, 60);
      Set<String> expected = new HashSet<>();
      masks.forEach(
          (id, m) -> {
            if (m.countPixels(roi, range) >= threshold) {
              expected.add(id);
            }
          });
      assertEquals(
          expected,
          ids(
              search(
                  "enc",
                  new CpQueryBuilder(
                      "saliency", roi, null, range, false, Comparison.GTE, threshold, null, null),
                  100)));
    }
  }

  public void testRandomQueriesEqualBruteForceWithAndWithoutCodecAndShards() throws Exception {
    int docs = randomIntBetween(60, 150);
    List<Mask> masks = new ArrayList<>();
    List<Roi> boxes = new ArrayList<>();
    for (int i = 0; i < docs; i++) {
      masks.add(
          randomMask(
              MaskDType.values()[random().nextInt(4)],
              randomIntBetween(1, 60),
              randomIntBetween(1, 60)));
      boxes.add(
          new Roi(
              randomIntBetween(0, 30),
              randomIntBetween(0, 30),
              randomIntBetween(10, 70),
              randomIntBetween(10, 70)));
    }
    // masks in best speed, in best compression (planar-coded tiles), and without the codec
    String[][] indices = {
      {"chi1", MaskSearchCodec.ALIAS, "1"},
      {"chi3", MaskSearchCodec.BEST_COMPRESSION_ALIAS, "3"},
      {"plain", null, "2"}
    };
    for (String[] index : indices) {
      createIndex(index[0], index[1], Integer.parseInt(index[2]));
      BulkRequestBuilder bulk = client().prepareBulk();
      for (int i = 0; i < docs; i++) {
        Roi b = boxes.get(i);
        bulk.add(
            client()
                .prepareIndex(index[0])
                .setId(Integer.toString(i))
                .setSource(
                    String.format(
                        Locale.ROOT,
                        "{\"label\": \"%s\", \"box\": [%d, %d, %d, %d], \"saliency\": %s}",
                        i % 2 == 0 ? "even" : "odd",
                        b.x1(),
                        b.y1(),
                        b.x2(),
                        b.y2(),
                        rawJson(masks.get(i))),
                    XContentType.JSON));
      }
      assertFalse(bulk.get().hasFailures());
      client().admin().indices().prepareRefresh(index[0]).get();
    }
    // the mask mode applies to the masks only: stored fields stay in the default codec's mode
    assertUsesChi("chi1", "BEST_SPEED");
    assertUsesChi("chi3", "BEST_SPEED");
    for (int q = 0; q < 25; q++) {
      boolean perDoc = random().nextBoolean();
      boolean normalize = random().nextBoolean();
      Roi roi =
          new Roi(
              randomIntBetween(-5, 40),
              randomIntBetween(-5, 40),
              randomIntBetween(0, 80),
              randomIntBetween(0, 80));
      // a constant box, a polygon or a region given as a mask (its reference: the same pixels
      // rasterized whole), or each document's box
      Mask shapeReference = null;
      RegionSpec region = perDoc ? RegionSpec.boxField("box") : RegionSpec.box(roi);
      if (!perDoc && random().nextInt(3) == 0) {
        List<double[]> rings = new ArrayList<>();
        for (int r = randomIntBetween(1, 2); r > 0; r--) {
          double[] ring = new double[2 * randomIntBetween(3, 7)];
          for (int c = 0; c < ring.length; c++) {
            ring[c] =
                randomBoolean() ? randomIntBetween(-5, 65) : randomDoubleBetween(-5, 65, true);
          }
          rings.add(ring);
        }
        region = RegionSpec.polygon(rings);
        shapeReference = rayCast(rings, 64, 64);
      } else if (!perDoc && random().nextInt(3) == 0) {
        Mask regionMask =
            randomMask(MaskDType.UINT8, randomIntBetween(1, 64), randomIntBetween(1, 64));
        double gt = randomDoubleBetween(0, 1, true);
        region = RegionSpec.mask(regionMask, gt);
        byte[] inside = new byte[64 * 64];
        for (int y = 0; y < regionMask.height(); y++) {
          for (int x = 0; x < regionMask.width(); x++) {
            inside[y * 64 + x] = (byte) (regionMask.value(y, x) > gt ? 255 : 0);
          }
        }
        shapeReference = Mask.of(MaskDType.UINT8, 64, 64, inside);
      }
      ValueRange range =
          ordered(
              randomFrom(0.0, 0.2, 0.5, 0.8, random().nextDouble()),
              randomFrom(0.6, 1.0, 1.5, random().nextDouble() + 0.3));
      Map<String, Double> values = new HashMap<>();
      for (int i = 0; i < docs; i++) {
        Roi r = perDoc ? boxes.get(i) : roi;
        Mask m = masks.get(i);
        long count = 0;
        long area = 0;
        if (shapeReference == null) {
          count = m.countPixels(r, range);
          area = r.clip(m.width(), m.height()).area();
        } else {
          for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
              if (shapeReference.code(y * 64 + x) != 0) {
                double v = m.value(y, x);
                area++;
                count += range.lv() <= v && v < range.uv() ? 1 : 0;
              }
            }
          }
        }
        values.put(
            Integer.toString(i), normalize ? (area == 0 ? 0 : (double) count / area) : count);
      }
      Comparison op = randomFrom(Comparison.values());
      double threshold =
          randomFrom(new ArrayList<>(values.values())) + (random().nextBoolean() ? 0 : 0.5);
      Set<String> expected = new HashSet<>();
      values.forEach(
          (id, v) -> {
            if (op.test(v, threshold)) {
              expected.add(id);
            }
          });
      int k = randomIntBetween(1, 20);
      List<String> expectedTop =
          values.entrySet().stream()
              .sorted(
                  Map.Entry.<String, Double>comparingByValue()
                      .reversed()
                      .thenComparing(e -> Integer.parseInt(e.getKey())))
              .limit(k)
              .map(Map.Entry::getKey)
              .toList();
      for (String[] index : indices) {
        CpQueryBuilder filter =
            new CpQueryBuilder("saliency", region, range, normalize, op, threshold, null, null);
        assertEquals(index[0] + " " + filter, expected, ids(search(index[0], filter, 1000)));
        // The same filter beside a keyword filter in a bool query.
        Set<String> evenExpected = new HashSet<>();
        expected.forEach(
            id -> {
              if (Integer.parseInt(id) % 2 == 0) {
                evenExpected.add(id);
              }
            });
        assertEquals(
            evenExpected,
            ids(
                search(
                    index[0],
                    QueryBuilders.boolQuery()
                        .filter(filter)
                        .filter(QueryBuilders.termQuery("label", "even")),
                    1000)));
        // Exact top-k: the same values; ties may order differently across shards, so compare
        // values.
        CpQueryBuilder top =
            new CpQueryBuilder(
                "saliency", region, range, normalize, null, Double.NaN, k, CpOrder.DESC);
        SearchResponse response = search(index[0], top, k);
        List<Float> expectedScores =
            expectedTop.stream().map(id -> (float) (double) values.get(id)).toList();
        List<Float> gotScores = new ArrayList<>();
        for (SearchHit hit : response.getHits().getHits()) {
          gotScores.add(hit.getScore());
          assertEquals((float) (double) values.get(hit.getId()), hit.getScore(), 0f);
        }
        assertEquals(index[0] + " " + top, expectedScores, gotScores);
        // The scoring form: no comparison, no k; "size" gives the exact top hits.
        CpQueryBuilder scoring =
            new CpQueryBuilder("saliency", region, range, normalize, null, Double.NaN, null, null);
        List<Float> scoredScores = new ArrayList<>();
        for (SearchHit hit :
            client()
                .prepareSearch(index[0])
                .setQuery(scoring)
                .setSize(k)
                .setTrackTotalHits(random().nextBoolean())
                .setRequestCache(false)
                .get()
                .getHits()
                .getHits()) {
          assertEquals((float) (double) values.get(hit.getId()), hit.getScore(), 0f);
          scoredScores.add(hit.getScore());
        }
        assertEquals(index[0] + " " + scoring, expectedScores, scoredScores);
        // The cp sort, both directions: each hit's sort value is its exact value, in the
        // brute-force order.
        SortOrder direction = randomFrom(SortOrder.values());
        SearchResponse sorted =
            client()
                .prepareSearch(index[0])
                .setSize(k)
                .setRequestCache(false)
                .addSort(new CpSortBuilder("saliency", region, range, normalize, direction))
                .get();
        Comparator<Double> order =
            direction == SortOrder.ASC ? Comparator.naturalOrder() : Comparator.reverseOrder();
        List<Double> expectedSorted = values.values().stream().sorted(order).limit(k).toList();
        List<Double> gotSorted = new ArrayList<>();
        for (SearchHit hit : sorted.getHits().getHits()) {
          double v = ((Number) hit.getSortValues()[0]).doubleValue();
          assertEquals(values.get(hit.getId()), v, 0.0);
          gotSorted.add(v);
        }
        assertEquals(index[0] + " sort " + direction, expectedSorted, gotSorted);
      }
    }
  }

  /**
   * With derived source, masks are stored once; get, update and reindex still see them, in
   * canonical form.
   */
  public void testDerivedSourceStoresMasksOnce() throws Exception {
    client()
        .admin()
        .indices()
        .prepareCreate("derived")
        .setMapping(MAPPING)
        .setSettings(
            Settings.builder()
                .put("index.codec", MaskSearchCodec.ALIAS)
                .put("index.derived_source.enabled", true)
                .put("index.number_of_shards", 1))
        .get();
    Mask png = randomMask(MaskDType.UINT8, 13, 7);
    client()
        .prepareIndex("derived")
        .setId("1")
        .setSource(
            "{\"label\": \"cat\", \"box\": [-3, 1, 5, 9], "
                + "\"saliency\": {\"png\": \""
                + b64(PngMasks.encode(png))
                + "\"}}",
            XContentType.JSON)
        .get();
    // A binary mask sent as COCO RLE comes back in the raw form too, and a raw doc replaces it.
    byte[] codes = new byte[9 * 16];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (byte) (random().nextInt(3) == 0 ? 255 : 0);
    }
    Mask binary = Mask.of(MaskDType.UINT8, 9, 16, codes);
    client()
        .prepareIndex("derived")
        .setId("2")
        .setSource(
            "{\"label\": \"cat\", \"saliency\": {\"rle\": {\"size\": [9, 16], \"counts\": "
                + java.util.Arrays.toString(RleMasks.runs(binary))
                + "}}}",
            XContentType.JSON)
        .get();
    client().admin().indices().prepareRefresh("derived").get();
    Map<String, Object> rawBinary =
        org.opensearch.common.xcontent.XContentHelper.convertToMap(
            org.opensearch.common.xcontent.json.JsonXContent.jsonXContent, rawJson(binary), false);
    assertEquals(
        rawBinary, client().prepareGet("derived", "2").get().getSourceAsMap().get("saliency"));

    Map<String, Object> source = client().prepareGet("derived", "1").get().getSourceAsMap();
    @SuppressWarnings("unchecked")
    Map<String, Object> saliency = (Map<String, Object>) source.get("saliency");
    assertEquals(List.of(13, 7), saliency.get("shape"));
    assertEquals("uint8", saliency.get("dtype"));
    assertEquals(b64(png.rawBytes()), saliency.get("data"));
    assertEquals(List.of(0, 1, 5, 9), source.get("box")); // clamped to [0, 65535] as stored

    // A partial update re-indexes the document from its derived source: the mask survives
    // unchanged.
    client().prepareUpdate("derived", "1").setDoc("{\"label\": \"dog\"}", XContentType.JSON).get();
    client().admin().indices().prepareRefresh("derived").get();
    ValueRange all = new ValueRange(0, 1.5);
    CpQueryBuilder everything =
        new CpQueryBuilder("saliency", null, null, all, false, Comparison.GTE, 13 * 7, null, null);
    assertEquals(
        Set.of("1"),
        ids(
            search(
                "derived",
                QueryBuilders.boolQuery()
                    .filter(everything)
                    .filter(QueryBuilders.termQuery("label", "dog")),
                10)));
    Map<String, Object> updated = client().prepareGet("derived", "1").get().getSourceAsMap();
    assertEquals(saliency, updated.get("saliency"));
    // ... and the binary one from its RLE: same pixels, same CP
    // (a partial update whose doc is a mask in the raw form replaces it, binary or not)
    byte[] flipped = binary.rawBytes().clone();
    for (int i = 0; i < flipped.length; i++) {
      flipped[i] = (byte) (flipped[i] == 0 ? 255 : 0);
    }
    Mask inverse = Mask.of(MaskDType.UINT8, 9, 16, flipped);
    client()
        .prepareUpdate("derived", "2")
        .setDoc("{\"saliency\": " + rawJson(inverse) + "}", XContentType.JSON)
        .get();
    client()
        .prepareUpdate("derived", "2")
        .setDoc("{\"saliency\": " + rawJson(binary) + "}", XContentType.JSON)
        .get();
    client().prepareUpdate("derived", "2").setDoc("{\"label\": \"dog\"}", XContentType.JSON).get();
    client().admin().indices().prepareRefresh("derived").get();
    assertEquals(
        rawBinary, client().prepareGet("derived", "2").get().getSourceAsMap().get("saliency"));
    ValueRange ones = new ValueRange(0.5, 1.5);
    long count = binary.countPixels(new Roi(0, 0, 16, 9), ones);
    Set<String> expected = new HashSet<>(Set.of("2"));
    if (png.countPixels(new Roi(0, 0, 16, 16), ones) == count) {
      expected.add("1");
    }
    assertEquals(
        expected,
        ids(
            search(
                "derived",
                QueryBuilders.boolQuery()
                    .filter(
                        new CpQueryBuilder(
                            "saliency", null, null, ones, false, Comparison.GTE, count, null, null))
                    .filter(
                        new CpQueryBuilder(
                            "saliency", null, null, ones, false, Comparison.LTE, count, null, null))
                    .filter(QueryBuilders.termQuery("label", "dog")),
                10)));
  }

  /**
   * Paging through the cp sort with search_after (and a tiebreaker) visits every document once, in
   * exact order.
   */
  public void testSortPagesWithSearchAfter() throws Exception {
    client()
        .admin()
        .indices()
        .prepareCreate("pages")
        .setSettings(
            Settings.builder()
                .put("index.codec", MaskSearchCodec.ALIAS)
                .put("index.number_of_shards", 3))
        .setMapping(
            "{\"properties\": {\"saliency\": {\"type\": \"mask\"}, \"n\": {\"type\": \"long\"}}}")
        .get();
    Map<Long, Long> values = new HashMap<>();
    ValueRange range = new ValueRange(0.5, 1.01);
    Roi roi = new Roi(3, 3, 20, 20);
    BulkRequestBuilder bulk = client().prepareBulk();
    for (long n = 0; n < 57; n++) {
      Mask mask = randomMask(MaskDType.UINT8, 24, 24);
      values.put(n, mask.countPixels(roi, range));
      bulk.add(
          client()
              .prepareIndex("pages")
              .setSource(
                  "{\"n\": " + n + ", \"saliency\": " + rawJson(mask) + "}", XContentType.JSON));
    }
    assertFalse(bulk.get().hasFailures());
    client().admin().indices().prepareRefresh("pages").get();
    List<Long> expected =
        values.keySet().stream()
            .sorted(
                Comparator.comparing((Long n) -> values.get(n))
                    .thenComparing(Comparator.naturalOrder()))
            .toList();
    List<Long> got = new ArrayList<>();
    Object[] after = null;
    while (true) {
      var request =
          client()
              .prepareSearch("pages")
              .setSize(10)
              .setRequestCache(false)
              .addSort(new CpSortBuilder("saliency", roi, null, range, false, SortOrder.ASC))
              .addSort("n", SortOrder.ASC);
      if (after != null) {
        request.searchAfter(after);
      }
      SearchHit[] hits = request.get().getHits().getHits();
      if (hits.length == 0) {
        break;
      }
      for (SearchHit hit : hits) {
        got.add(((Number) hit.getSortValues()[1]).longValue());
      }
      after = hits[hits.length - 1].getSortValues();
    }
    assertEquals(expected, got);
  }

  /**
   * With derived source a mask is stored once: the index is smaller than the same documents with a
   * stored {@code _source} by about a copy of the masks. Prints the sizes (docs/opensearch.md
   * quotes them).
   */
  public void testDerivedSourceIndexIsSmallerByTheSourceCopy() throws Exception {
    int docs = 60;
    long raw = 0;
    Map<String, Long> sizes = new HashMap<>();
    for (boolean derived : new boolean[] {false, true}) {
      String index = derived ? "size_derived" : "size_source";
      client()
          .admin()
          .indices()
          .prepareCreate(index)
          .setMapping(DEFAULT_MASK_MAPPING)
          .setSettings(
              Settings.builder()
                  .put("index.codec", MaskSearchCodec.ALIAS)
                  .put("index.derived_source.enabled", derived)
                  .put("index.number_of_shards", 1))
          .get();
      BulkRequestBuilder bulk = client().prepareBulk();
      java.util.Random data = new java.util.Random(42); // the same masks in both indices
      raw = 0;
      for (int i = 0; i < docs; i++) {
        byte[] pixels = new byte[224 * 224];
        data.nextBytes(pixels); // noise: what compression cannot shrink, so the copy shows
        raw += pixels.length;
        Mask mask = Mask.of(MaskDType.UINT8, 224, 224, pixels);
        bulk.add(
            client()
                .prepareIndex(index)
                .setSource("{\"saliency\": " + rawJson(mask) + "}", XContentType.JSON));
      }
      assertFalse(bulk.get().hasFailures());
      client().admin().indices().prepareForceMerge(index).setMaxNumSegments(1).setFlush(true).get();
      sizes.put(
          index,
          client()
              .admin()
              .indices()
              .prepareStats(index)
              .setStore(true)
              .get()
              .getTotal()
              .getStore()
              .getSizeInBytes());
    }
    printMaskFiles("size_derived", raw);
    long withSource = sizes.get("size_source");
    long derivedOnly = sizes.get("size_derived");
    System.out.printf(
        Locale.ROOT,
        "index size for %d uint8 224x224 noise masks (%,d raw bytes): with _source %,d, derived source %,d%n",
        docs,
        raw,
        withSource,
        derivedOnly);
    assertTrue(
        "derived " + derivedOnly + " vs stored " + withSource + ", raw " + raw,
        withSource - derivedOnly > raw / 2);
    assertTrue(
        "derived source index " + derivedOnly + " should be near the raw bytes " + raw,
        derivedOnly < raw * 1.3);

    // Smooth maps, for the report: compression and the CHI, with and without the source copy.
    for (boolean derived : new boolean[] {false, true}) {
      String index = derived ? "smooth_derived" : "smooth_source";
      client()
          .admin()
          .indices()
          .prepareCreate(index)
          .setMapping(DEFAULT_MASK_MAPPING)
          .setSettings(
              Settings.builder()
                  .put("index.codec", MaskSearchCodec.ALIAS)
                  .put("index.derived_source.enabled", derived)
                  .put("index.number_of_shards", 1))
          .get();
      BulkRequestBuilder bulk = client().prepareBulk();
      for (int i = 0; i < docs; i++) {
        bulk.add(
            client()
                .prepareIndex(index)
                .setSource(
                    "{\"saliency\": " + rawJson(randomMask(MaskDType.UINT8, 224, 224)) + "}",
                    XContentType.JSON));
      }
      assertFalse(bulk.get().hasFailures());
      client().admin().indices().prepareForceMerge(index).setMaxNumSegments(1).setFlush(true).get();
      System.out.printf(
          Locale.ROOT,
          "index size for %d uint8 224x224 smooth masks (%,d raw bytes), %s: %,d%n",
          docs,
          raw,
          derived ? "derived source" : "with _source",
          client()
              .admin()
              .indices()
              .prepareStats(index)
              .setStore(true)
              .get()
              .getTotal()
              .getStore()
              .getSizeInBytes());
    }
    printMaskFiles("smooth_derived", raw);
  }

  /**
   * Prints the bytes of an index's compressed masks (.mskr) and CHI (.mskc, .mskm) against the raw
   * bytes.
   */
  /**
   * {@code masksearch_best_compression} stores the masks themselves in best compression, not only
   * the stored fields: smooth uint8 maps take well under the default codec's bytes.
   */
  public void testBestCompressionStoresSmoothMasksSmaller() throws Exception {
    List<Mask> masks = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      masks.add(randomMask(MaskDType.UINT8, randomIntBetween(40, 64), randomIntBetween(40, 64)));
    }
    long[] bytes = new long[2];
    String[] codecs = {MaskSearchCodec.ALIAS, MaskSearchCodec.BEST_COMPRESSION_ALIAS};
    for (int c = 0; c < 2; c++) {
      String index = "mode" + c;
      createIndex(index, codecs[c], 1);
      for (int i = 0; i < masks.size(); i++) {
        index(index, Integer.toString(i), rawJson(masks.get(i)));
      }
      client().admin().indices().prepareForceMerge(index).setMaxNumSegments(1).get();
      bytes[c] = maskFileBytes(index);
    }
    assertTrue(bytes[1] + " against " + bytes[0], bytes[1] * 10 < bytes[0] * 9);
  }

  /** The bytes of the stored masks (`.mskr`) of the index's first shard, one segment. */
  private long maskFileBytes(String index) throws Exception {
    client().admin().indices().prepareRefresh(index).get();
    IndexShard shard =
        getInstanceFromNode(IndicesService.class).indexServiceSafe(resolveIndex(index)).getShard(0);
    try (Engine.Searcher searcher = shard.acquireSearcher("size")) {
      assertEquals(1, searcher.getIndexReader().leaves().size());
    }
    long bytes = fileBytes(index, ".mskr");
    assertTrue("mask files found", bytes > 0);
    return bytes;
  }

  /**
   * The bytes of the files with these extensions in the segments of the index's first shard,
   * compound files opened.
   */
  private long fileBytes(String index, String... extensions) throws Exception {
    client().admin().indices().prepareRefresh(index).get();
    IndexShard shard =
        getInstanceFromNode(IndicesService.class).indexServiceSafe(resolveIndex(index)).getShard(0);
    long bytes = 0;
    try (Engine.Searcher searcher = shard.acquireSearcher("size")) {
      for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
        org.apache.lucene.index.SegmentInfo info =
            ((SegmentReader) FilterLeafReader.unwrap(leaf.reader())).getSegmentInfo().info;
        try (org.apache.lucene.store.Directory compound =
            info.getUseCompoundFile()
                ? info.getCodec().compoundFormat().getCompoundReader(info.dir, info)
                : null) {
          org.apache.lucene.store.Directory files = compound != null ? compound : info.dir;
          for (String file : compound != null ? List.of(files.listAll()) : info.files()) {
            for (String extension : extensions) {
              if (file.endsWith(extension)) {
                bytes += files.fileLength(file);
              }
            }
          }
        }
      }
    }
    return bytes;
  }

  private void printMaskFiles(String index, long raw) throws Exception {
    long masks = fileBytes(index, ".mskr");
    long chi = fileBytes(index, ".mskc", ".mskm");
    System.out.printf(
        Locale.ROOT,
        "%s: compressed masks %,d bytes (%.0f%% of raw), CHI %,d bytes (%.1f%% of the compressed masks)%n",
        index,
        masks,
        100.0 * masks / raw,
        chi,
        100.0 * chi / masks);
    assertTrue("the masks should be in the segment files", masks > 0 && chi > 0);
  }

  /** The JSON forms docs/opensearch.md shows, parsed as a client sends them. */
  public void testDocumentedJsonForms() throws Exception {
    createIndex("docs", true, 2);
    Map<String, Double> shareInBox = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      Mask mask = randomMask(MaskDType.UINT8, 40, 40);
      Roi box =
          new Roi(
              randomIntBetween(0, 20),
              randomIntBetween(0, 20),
              randomIntBetween(21, 40),
              randomIntBetween(21, 40));
      String label = i % 3 == 0 ? "cat" : "dog";
      client()
          .prepareIndex("docs")
          .setId("d" + i)
          .setSource(
              String.format(
                  Locale.ROOT,
                  "{\"label\": \"%s\", \"box\": [%d, %d, %d, %d], \"saliency\": %s}",
                  label,
                  box.x1(),
                  box.y1(),
                  box.x2(),
                  box.y2(),
                  rawJson(mask)),
              XContentType.JSON)
          .get();
      if (label.equals("cat")) {
        shareInBox.put(
            "d" + i, (double) mask.countPixels(box, new ValueRange(0.85, 1.01)) / box.area());
      }
    }
    client().admin().indices().prepareRefresh("docs").get();
    SearchResponse lookingAway =
        searchJson(
            "docs",
            """
        {"size": 100, "query": {"bool": {"filter": [
          {"term": {"label": "cat"}},
          {"cp": {"field": "saliency", "roi": {"field": "box"}, "range": [0.85, 1.01], "normalize": true, "lt": 0.05}}]}}}""");
    Set<String> expected = new HashSet<>();
    shareInBox.forEach(
        (id, v) -> {
          if (v < 0.05) {
            expected.add(id);
          }
        });
    assertEquals(expected, ids(lookingAway));
    SearchResponse leastCovered =
        searchJson(
            "docs",
            """
        {"size": 5, "query": {"term": {"label": "cat"}},
         "sort": [{"cp": {"field": "saliency", "roi": {"field": "box"}, "range": [0.85, 1.01], "normalize": true, "order": "asc"}}]}""");
    List<Double> expectedValues = shareInBox.values().stream().sorted().limit(5).toList();
    List<Double> gotValues = new ArrayList<>();
    for (SearchHit hit : leastCovered.getHits().getHits()) {
      gotValues.add(((Number) hit.getSortValues()[0]).doubleValue());
    }
    assertEquals(expectedValues, gotValues);
  }

  /**
   * The cp filter inside the other ways OpenSearch runs queries: count, constant_score,
   * function_score, explain, validate.
   */
  public void testComposesWithCountScoringExplainAndValidate() throws Exception {
    createIndex("compose", true, 1);
    Map<String, Long> counts = new HashMap<>();
    ValueRange salient = new ValueRange(0.5, 1.01);
    for (int i = 0; i < 30; i++) {
      Mask mask = randomMask(MaskDType.FLOAT32, 24, 24);
      index("compose", "c" + i, rawJson(mask));
      counts.put("c" + i, mask.countPixels(Roi.FULL, salient));
    }
    client().admin().indices().prepareRefresh("compose").get();
    long threshold = counts.values().stream().sorted().toList().get(15);
    CpQueryBuilder filter =
        new CpQueryBuilder(
            "saliency", null, null, salient, false, Comparison.GT, threshold, null, null);
    Set<String> expected = new HashSet<>();
    counts.forEach(
        (id, c) -> {
          if (c > threshold) {
            expected.add(id);
          }
        });

    assertEquals(
        expected.size(),
        client()
            .prepareSearch("compose")
            .setQuery(filter)
            .setSize(0)
            .setTrackTotalHits(true)
            .get()
            .getHits()
            .getTotalHits()
            .value());
    assertEquals(
        expected, ids(search("compose", QueryBuilders.constantScoreQuery(filter).boost(3f), 100)));
    SearchResponse scored =
        search(
            "compose",
            QueryBuilders.functionScoreQuery(
                filter,
                org.opensearch.index.query.functionscore.ScoreFunctionBuilders.weightFactorFunction(
                    2f)),
            100);
    assertEquals(expected, ids(scored));
    for (SearchHit hit : scored.getHits().getHits()) {
      assertEquals(2f, hit.getScore(), 0f);
    }
    for (String id : List.of("c0", "c1", "c2")) {
      org.opensearch.action.explain.ExplainResponse explain =
          client().prepareExplain("compose", id).setQuery(filter).get();
      assertEquals(expected.contains(id), explain.isMatch());
      assertTrue(
          explain.getExplanation().toString(),
          explain.getExplanation().toString().contains("CHI bounds"));
    }
    assertTrue(
        client()
            .admin()
            .indices()
            .prepareValidateQuery("compose")
            .setQuery(filter)
            .get()
            .isValid());

    // The profile API shows how the documents were decided, and that the CHI was used.
    Map<String, Long> breakdown =
        cpBreakdown(client().prepareSearch("compose").setProfile(true).setQuery(filter).get());
    assertEquals(
        30L,
        breakdown.get("cp_accepted_by_bounds")
            + breakdown.get("cp_rejected_by_bounds")
            + breakdown.get("cp_masks_read"));
    assertEquals(0L, (long) breakdown.get("cp_segments_without_chi"));
    Map<String, Long> topK =
        cpBreakdown(
            client()
                .prepareSearch("compose")
                .setProfile(true)
                .setQuery(
                    new CpQueryBuilder(
                        "saliency", null, null, salient, false, null, Double.NaN, 3, CpOrder.DESC))
                .get());
    assertTrue(topK.toString(), topK.get("cp_masks_read") + topK.get("cp_accepted_by_bounds") >= 3);
    createIndex(
        "compose_plain",
        false,
        1); // no masksearch codec: every mask is read, and the profile says so
    index("compose_plain", "p", "[[0.9, 0.1]]");
    client().admin().indices().prepareRefresh("compose_plain").get();
    Map<String, Long> plain =
        cpBreakdown(
            client().prepareSearch("compose_plain").setProfile(true).setQuery(filter).get());
    assertEquals(1L, (long) plain.get("cp_segments_without_chi"));
    assertEquals(1L, (long) plain.get("cp_masks_read"));
    org.opensearch.action.admin.indices.validate.query.ValidateQueryResponse invalid =
        client()
            .admin()
            .indices()
            .prepareValidateQuery("compose")
            .setExplain(true)
            .setQuery(
                new CpQueryBuilder(
                    "label", null, null, salient, false, Comparison.GT, 1, null, null))
            .get();
    assertFalse(invalid.isValid());
    assertTrue(
        invalid.getQueryExplanation().get(0).getError(),
        invalid.getQueryExplanation().get(0).getError().contains("not [mask]"));
  }

  /**
   * Profile counters count each document once per shard, also when segments are searched
   * concurrently in slices.
   */
  public void testProfileCountsEachDocumentOnceWithConcurrentSegmentSearch() {
    client()
        .admin()
        .indices()
        .prepareCreate("profiled")
        .setSettings(
            Settings.builder()
                .put("index.number_of_shards", 2)
                .put("index.number_of_replicas", 0)
                .put("index.codec", MaskSearchCodec.ALIAS)
                .put("index.search.concurrent_segment_search.mode", "all"))
        .setMapping(MAPPING)
        .get();
    int docs = 0;
    for (int segment = 0; segment < 4; segment++) { // several segments per shard: several slices
      for (int i = 0; i < 10; i++) {
        index("profiled", "d" + docs++, rawJson(randomMask(MaskDType.UINT8, 12, 9)));
      }
      client().admin().indices().prepareRefresh("profiled").get();
    }
    CpQueryBuilder filter =
        new CpQueryBuilder(
            "saliency",
            null,
            null,
            new ValueRange(0.5, 1.01),
            false,
            Comparison.GT,
            40,
            null,
            null);
    Map<String, Long> breakdown =
        cpBreakdown(
            client().prepareSearch("profiled").setProfile(true).setSize(0).setQuery(filter).get());
    assertEquals(
        breakdown.toString(),
        (long) docs,
        breakdown.get("cp_accepted_by_bounds")
            + breakdown.get("cp_rejected_by_bounds")
            + breakdown.get("cp_masks_read"));
  }

  /** The masksearch entries of the cp query's profile breakdown, summed over shards. */
  private static Map<String, Long> cpBreakdown(SearchResponse response) {
    Map<String, Long> sums = new HashMap<>();
    for (org.opensearch.search.profile.ProfileShardResult shard :
        response.getProfileResults().values()) {
      for (org.opensearch.search.profile.query.QueryProfileShardResult query :
          shard.getQueryProfileResults()) {
        for (org.opensearch.search.profile.ProfileResult result : query.getQueryResults()) {
          addCpEntries(result, sums);
        }
      }
    }
    assertFalse("no cp entries in the profile", sums.isEmpty());
    return sums;
  }

  /**
   * The cp_ totals of a profiled query and its children (max_/min_/avg_ slice statistics left out).
   */
  private static void addCpEntries(
      org.opensearch.search.profile.ProfileResult result, Map<String, Long> sums) {
    result
        .getTimeBreakdown()
        .forEach(
            (key, value) -> {
              if (key.startsWith("cp_")) {
                sums.merge(key, value, Long::sum);
              }
            });
    result.getProfiledChildren().forEach(child -> addCpEntries(child, sums));
  }

  private SearchResponse searchJson(String index, String json) throws Exception {
    NamedXContentRegistry registry = getInstanceFromNode(NamedXContentRegistry.class);
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            registry, DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
      return client()
          .prepareSearch(index)
          .setSource(SearchSourceBuilder.fromXContent(parser))
          .setRequestCache(false)
          .get();
    }
  }

  public void testBadInputIsAClear400AndTheRestOfABulkIsIndexed() {
    createIndex("bad", true, 1);
    String[][] cases = {
      {"{\"shape\": [2, 2], \"dtype\": \"uint8\", \"data\": \"AAEC\"}", "needs 4"},
      {"{\"shape\": [2, 2], \"dtype\": \"int8\", \"data\": \"AAECAw==\"}", "unknown dtype [int8]"},
      {
        "{\"shape\": [1, 1], \"dtype\": \"float32\", \"data\": \""
            + b64(floatBytes(Float.NaN))
            + "\"}",
        "NaN"
      },
      {
        "{\"shape\": [1, 1], \"dtype\": \"float32\", \"data\": \"" + b64(floatBytes(1.5f)) + "\"}",
        "outside [0, 1]"
      },
      {"{\"shape\": [5000, 2], \"dtype\": \"uint8\", \"data\": \"AA==\"}", "out of bounds"},
      {"{\"shape\": [1, 1], \"dtype\": \"uint8\", \"data\": \"%%%\"}", "base64"},
      {"{\"png\": \"" + b64(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}) + "\"}", "not a PNG"},
      {
        "{\"png\": \""
            + b64(java.util.Arrays.copyOf(PngMasks.encode(randomMask(MaskDType.UINT8, 30, 30)), 40))
            + "\"}",
        "corrupt PNG"
      },
      {
        "{\"png\": \""
            + b64(imageIoPng(new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB)))
            + "\"}",
        "PNG has 4 channels (colour type 6); a mask must be a single-channel grayscale PNG"
      },
      {"[[0.1, 0.2], [0.3]]", "equal lengths"},
      {"[[0.1, \"x\"]]", "not a number"},
      {"\"just a string\"", "expected an object"},
      {"{\"rle\": {\"size\": [2, 2], \"counts\": \"12\"}}", "add up to 3 pixels"},
      {"{\"rle\": {\"size\": [2, 2], \"counts\": [1, 2, 2]}}", "pass the mask's 4 pixels"},
      {"{\"rle\": {\"size\": [2, 2], \"counts\": \"1~\"}}", "the character '~'"},
      {"{\"rle\": {\"size\": [4, 4], \"counts\": \"11N\"}}", "is negative"},
      {"{\"rle\": {\"size\": [2, 2], \"counts\": [1, 2.5]}}", "must hold integers"},
      {"{\"rle\": {\"size\": [5000, 2], \"counts\": \"0\"}}", "out of bounds"},
      {"{\"rle\": {\"counts\": \"4\"}}", "missing [size]"},
      {"{\"rle\": {\"size\": [2, 2]}}", "missing [counts]"},
      {"{\"rle\": {\"size\": [2], \"counts\": \"4\"}}", "[rle.size] must be two integers"},
      {"{\"rle\": {\"size\": [2, 2], \"counts\": true}}", "[rle.counts] must be a string"},
      {"{\"rle\": {\"size\": [2, 2], \"counts\": \"4\"}, \"png\": \"\"}", "cannot be combined"},
      {"{\"rle\": [2, 2]}", "[rle] must be an object"},
    };
    for (String[] c : cases) {
      MapperParsingException e =
          expectThrows(
              MapperParsingException.class,
              () ->
                  client()
                      .prepareIndex("bad")
                      .setSource("{\"saliency\": " + c[0] + "}", XContentType.JSON)
                      .get());
      assertEquals(RestStatus.BAD_REQUEST, e.status());
      String message =
          e.getMessage() + " / " + (e.getCause() == null ? "" : e.getCause().getMessage());
      assertTrue(message, message.contains("[saliency]"));
      assertTrue(message + " should mention " + c[1], message.contains(c[1]));
    }
    IllegalArgumentException asc =
        expectThrows(
            IllegalArgumentException.class,
            () ->
                new CpQueryBuilder(
                    "saliency",
                    null,
                    null,
                    new ValueRange(0, 1),
                    false,
                    null,
                    Double.NaN,
                    5,
                    CpOrder.ASC));
    assertTrue(asc.getMessage(), asc.getMessage().contains("sort by cp"));
    MapperParsingException box =
        expectThrows(
            MapperParsingException.class,
            () ->
                client()
                    .prepareIndex("bad")
                    .setSource("{\"box\": [1, 2, 3]}", XContentType.JSON)
                    .get());
    assertTrue(box.getCause().getMessage(), box.getCause().getMessage().contains("4 integers"));
    expectThrows(
        MapperParsingException.class,
        () ->
            client()
                .prepareIndex("bad")
                .setSource("{\"box\": [[1, 2, 3, 4], [5, 6, 7, 8]]}", XContentType.JSON)
                .get());

    BulkResponse bulk =
        client()
            .prepareBulk()
            .add(
                client()
                    .prepareIndex("bad")
                    .setId("good1")
                    .setSource("{\"saliency\": [[0.5]]}", XContentType.JSON))
            .add(
                client()
                    .prepareIndex("bad")
                    .setId("bad")
                    .setSource("{\"saliency\": [[2.0]]}", XContentType.JSON))
            .add(
                client()
                    .prepareIndex("bad")
                    .setId("good2")
                    .setSource("{\"saliency\": [[1.0, 0.0]]}", XContentType.JSON))
            .get();
    assertTrue(bulk.hasFailures());
    assertFalse(bulk.getItems()[0].isFailed());
    assertTrue(bulk.getItems()[1].isFailed());
    assertEquals(RestStatus.BAD_REQUEST, bulk.getItems()[1].status());
    assertFalse(bulk.getItems()[2].isFailed());
    client().admin().indices().prepareRefresh("bad").get();
    assertEquals(
        Set.of("good1", "good2"),
        ids(
            search(
                "bad",
                new CpQueryBuilder(
                    "saliency",
                    null,
                    null,
                    new ValueRange(0, 1.5),
                    false,
                    Comparison.GTE,
                    0,
                    null,
                    null),
                10)));
  }

  private void assertUsesChi(String index) throws Exception {
    assertUsesChi(index, null);
  }

  /**
   * Every segment stores the mask field in the current mask format, and its stored fields in {@code
   * storedFieldsMode} (Lucene's segment attribute) when not null.
   */
  private void assertUsesChi(String index, String storedFieldsMode) throws Exception {
    IndexShard shard =
        getInstanceFromNode(IndicesService.class).indexServiceSafe(resolveIndex(index)).getShard(0);
    client().admin().indices().prepareFlush(index).get();
    try (Engine.Searcher searcher = shard.acquireSearcher("test")) {
      for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
        FieldInfo info =
            FilterLeafReader.unwrap(leaf.reader()).getFieldInfos().fieldInfo("saliency");
        assertEquals(
            MaskCodec.CURRENT_MASK_FORMAT, info.getAttribute("PerFieldDocValuesFormat.format"));
        assertEquals("16", info.getAttribute("masksearch.grid_step"));
        if (storedFieldsMode != null) {
          SegmentReader segment = (SegmentReader) FilterLeafReader.unwrap(leaf.reader());
          assertEquals(
              storedFieldsMode,
              segment.getSegmentInfo().info.getAttribute("Lucene90StoredFieldsFormat.mode"));
        }
      }
    }
  }

  private void index(String index, String id, String maskJson) {
    client()
        .prepareIndex(index)
        .setId(id)
        .setSource("{\"saliency\": " + maskJson + "}", XContentType.JSON)
        .get();
  }

  private SearchResponse search(
      String index, org.opensearch.index.query.QueryBuilder query, int size) {
    return client().prepareSearch(index).setQuery(query).setSize(size).setRequestCache(false).get();
  }

  private static Set<String> ids(SearchResponse response) {
    Set<String> ids = new HashSet<>();
    for (SearchHit hit : response.getHits().getHits()) {
      ids.add(hit.getId());
    }
    return ids;
  }

  private Mask randomMask(MaskDType dtype, int height, int width) {
    ByteBuffer data =
        ByteBuffer.allocate(height * width * dtype.bytesPerPixel()).order(ByteOrder.LITTLE_ENDIAN);
    double cx = random().nextDouble() * width;
    double cy = random().nextDouble() * height;
    double sigma = 1 + random().nextDouble() * Math.max(width, height) / 2.0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v =
            Math.min(
                1,
                1.2 * Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * sigma * sigma)));
        switch (dtype) {
          case UINT8 -> data.put((byte) Math.round(v * 255));
          case UINT16 -> data.putShort((short) Math.round(v * 65535));
          case FLOAT16 -> data.putShort(Float.floatToFloat16((float) v));
          case FLOAT32 -> data.putFloat((float) v);
        }
      }
    }
    return Mask.of(dtype, height, width, data.array());
  }

  /** The polygon's pixels by a ray from each centre to the right, even–odd over all rings. */
  private static Mask rayCast(List<double[]> rings, int height, int width) {
    byte[] inside = new byte[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        inside[y * width + x] =
            (byte) (RandomRegions.insidePolygon(rings, x + 0.5, y + 0.5) ? 255 : 0);
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, inside);
  }

  private static String rawJson(Mask mask) {
    return String.format(
        Locale.ROOT,
        "{\"shape\": [%d, %d], \"dtype\": \"%s\", \"data\": \"%s\"}",
        mask.height(),
        mask.width(),
        mask.dtype().apiName(),
        b64(mask.rawBytes()));
  }

  private static byte[] imageIoPng(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      assertTrue(ImageIO.write(image, "png", out));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] floatBytes(float v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
  }

  /** A range over two random bounds, lower first (the cp query refuses an inverted range). */
  private static ValueRange ordered(double a, double b) {
    return new ValueRange(Math.min(a, b), Math.max(a, b));
  }
}
