package dev.masksearch.opensearch.index.query;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueScoreQuery;
import dev.masksearch.search.MaskValueTopKQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.lucene.search.Query;
import org.opensearch.common.compress.CompressedXContent;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.MapperService;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.plugins.Plugin;
import org.opensearch.test.AbstractQueryTestCase;
import org.opensearch.test.TestGeoShapeFieldMapperPlugin;

/**
 * Round trips of the {@code cp} query through XContent and the wire, its Lucene query, and its
 * errors.
 */
public class CpQueryBuilderTests extends AbstractQueryTestCase<CpQueryBuilder> {
  private static final String MASK = "saliency";
  private static final String BOX = "bbox";

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    // The base class maps a geo_shape field too; the framework's test plugin provides the type.
    return List.of(MaskSearchPlugin.class, TestGeoShapeFieldMapperPlugin.class);
  }

  @Override
  protected void initializeAdditionalMappings(MapperService mapperService) throws IOException {
    mapperService.merge(
        "_doc",
        new CompressedXContent(
            """
        {"properties": {"saliency": {"type": "mask", "grid_step": 16}, "bbox": {"type": "mask_roi"}}}"""),
        MapperService.MergeReason.MAPPING_UPDATE);
  }

  @Override
  protected CpQueryBuilder doCreateTestQueryBuilder() {
    RegionSpec region =
        switch (random().nextInt(5)) {
          case 0 ->
              RegionSpec.box(
                  new Roi(
                      randomIntBetween(-10, 100),
                      randomIntBetween(-10, 100),
                      randomIntBetween(0, 300),
                      randomIntBetween(0, 300)));
          case 1 -> RegionSpec.boxField(BOX);
          case 2 -> RegionSpec.polygon(randomRings());
          case 3 -> RegionSpec.mask(randomRegionMask(), randomDoubleBetween(0, 1, true));
          default -> null; // the whole mask
        };
    double lv = randomDoubleBetween(0, 1, true);
    ValueRange range = new ValueRange(lv, randomDoubleBetween(lv, 1.5, true));
    int form = random().nextInt(3); // filter, top-k, scoring
    return new CpQueryBuilder(
        MASK,
        region,
        range,
        random().nextBoolean(),
        form == 0 ? randomFrom(Comparison.values()) : null,
        form == 0 ? randomDoubleBetween(0, 5000, true) : Double.NaN,
        form == 1 ? randomIntBetween(1, 100) : null,
        form == 1 ? CpOrder.DESC : null);
  }

  private static List<double[]> randomRings() {
    List<double[]> rings = new ArrayList<>();
    for (int r = randomIntBetween(1, 3); r > 0; r--) {
      double[] ring = new double[2 * randomIntBetween(3, 8)];
      for (int i = 0; i < ring.length; i++) {
        ring[i] = randomBoolean() ? randomIntBetween(-5, 120) : randomDoubleBetween(-5, 120, true);
      }
      rings.add(ring);
    }
    return rings;
  }

  private static Mask randomRegionMask() {
    int h = randomIntBetween(1, 20);
    int w = randomIntBetween(1, 20);
    byte[] codes = new byte[h * w];
    random().nextBytes(codes);
    return Mask.of(MaskDType.UINT8, h, w, codes);
  }

  @Override
  protected void doAssertLuceneQuery(
      CpQueryBuilder builder, Query query, QueryShardContext context) {
    Class<?> expected =
        builder.isTopK()
            ? MaskValueTopKQuery.class
            : builder.isFilter() ? MaskValueFilterQuery.class : MaskValueScoreQuery.class;
    assertThat(query, instanceOf(expected));
  }

  public void testParsesTheDocumentedForm() throws IOException {
    CpQueryBuilder parsed =
        (CpQueryBuilder)
            parseQuery(
                """
        {"cp": {"field": "saliency", "roi": {"field": "bbox"}, "range": [0.85, 1.01], "normalize": true, "lt": 0.05}}""");
    assertEquals(
        new CpQueryBuilder(
            MASK, null, BOX, new ValueRange(0.85, 1.01), true, Comparison.LT, 0.05, null, null),
        parsed);
  }

  public void testParsesRegionsOfAnyShape() throws IOException {
    CpQueryBuilder oneRing =
        (CpQueryBuilder)
            parseQuery(
                """
        {"cp": {"field": "saliency", "roi": {"polygon": [[0, 0], [10, 0], [10, 5]]}, "range": [0.5, 1.01], "gt": 3}}""");
    CpQueryBuilder rings =
        (CpQueryBuilder)
            parseQuery(
                """
        {"cp": {"field": "saliency", "roi": {"polygon": [[[0, 0], [10, 0], [10, 5]]]}, "range": [0.5, 1.01], "gt": 3}}""");
    CpQueryBuilder expected =
        new CpQueryBuilder(
            MASK,
            RegionSpec.polygon(List.of(new double[] {0, 0, 10, 0, 10, 5})),
            new ValueRange(0.5, 1.01),
            false,
            Comparison.GT,
            3,
            null,
            null);
    assertEquals(expected, oneRing);
    assertEquals(expected, rings);
    CpQueryBuilder maskRegion =
        (CpQueryBuilder)
            parseQuery(
                """
        {"cp": {"field": "saliency", "roi": {"mask": [[0, 1], [1, 0.25]], "gt": 0.2}, "range": [0.5, 1.01], "gt": 3}}""");
    CpQueryBuilder rle =
        (CpQueryBuilder)
            parseQuery(
                """
        {"cp": {"field": "saliency", "roi": {"gt": 0.2, "mask": {"rle": {"size": [2, 2], "counts": [1, 3]}}}, "range": [0.5, 1.01], "gt": 3}}""");
    // both regions hold the same three pixels: equal engine regions, different requests
    assertEquals(maskRegion.toQuery(createShardContext()), rle.toQuery(createShardContext()));
    for (String[] bad :
        new String[][] {
          {"{\"polygon\": [[1, 2], [3]]}", "a [polygon] point is [x, y]"},
          {"{\"polygon\": []}", "at least one ring"},
          {"{\"polygon\": [[0, 0], [1, 1]]}", "at least three points"},
          {"{\"polygon\": [[0, 0], [1, 1], [2, 0]], \"field\": \"bbox\"}", "takes one of"},
          {"{\"gt\": 0.5}", "needs a [mask] beside [gt]"},
          {"{\"mask\": {\"png\": \"!!\"}}", "[roi.mask]"},
          {"{\"shape\": 3}", "unknown roi key [shape]"},
          {"{}", "empty object"}
        }) {
      String query =
          "{\"cp\": {\"field\": \"saliency\", \"roi\": "
              + bad[0]
              + ", \"range\": [0, 1], \"gt\": 1}}";
      assertThat(
          query,
          expectThrows(ParsingException.class, () -> parseQuery(query)).getMessage(),
          containsString(bad[1]));
    }
  }

  public void testClearErrors() throws IOException {
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0.5], "gt": 1}}"""))
            .getMessage(),
        containsString("[range] must be two numbers"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0.8, 0.2], "gt": 1}}"""))
            .getMessage(),
        containsString("above the upper bound"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0, 1], "gt": 1, "k": 3}}"""))
            .getMessage(),
        containsString("not both"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0, 1], "gt": 1, "lt": 5}}"""))
            .getMessage(),
        containsString("only one of"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "roi": [1, 2, 3], "range": [0, 1], "gt": 1}}"""))
            .getMessage(),
        containsString("4 integers"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0, 1], "k": 5, "order": "up"}}"""))
            .getMessage(),
        containsString("[desc] or [asc]"));
    for (String wrongType :
        new String[] {
          "{\"cp\": {\"field\": {\"a\": 1}, \"range\": [0, 1], \"gt\": 1}}",
          "{\"cp\": {\"field\": null, \"range\": [0, 1], \"gt\": 1}}",
          "{\"cp\": {\"field\": \"saliency\", \"roi\": {\"field\": [\"b\"]}, \"range\": [0, 1], \"gt\": 1}}",
          "{\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"k\": 2, \"order\": {}}}",
          "{\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"gt\": 1, \"_name\": []}}"
        }) {
      assertThat(
          expectThrows(ParsingException.class, () -> parseQuery(wrongType)).getMessage(),
          containsString("must be a string"));
    }
    try (XContentParser sort =
        createParser(
            JsonXContent.jsonXContent,
            "{\"field\": \"saliency\", \"range\": [0, 1], \"order\": 3}")) {
      sort.nextToken();
      assertThat(
          expectThrows(ParsingException.class, () -> CpSortBuilder.fromXContent(sort, "cp"))
              .getMessage(),
          containsString("must be a string"));
    }
    QueryShardContext context = createShardContext();
    assertThat(
        expectThrows(
                QueryShardException.class,
                () ->
                    new CpQueryBuilder(
                            "nope",
                            null,
                            null,
                            new ValueRange(0, 1),
                            false,
                            Comparison.GT,
                            1,
                            null,
                            null)
                        .toQuery(context))
            .getMessage(),
        containsString("not mapped"));
    assertThat(
        expectThrows(
                QueryShardException.class,
                () ->
                    new CpQueryBuilder(
                            MASK,
                            null,
                            "nope",
                            new ValueRange(0, 1),
                            false,
                            Comparison.GT,
                            1,
                            null,
                            null)
                        .toQuery(context))
            .getMessage(),
        containsString("roi field"));
  }

  /**
   * Found by fuzzing (QueryDslFuzzer): a missing range was a NullPointerException (a 500), and a
   * value of the wrong kind for its key (an integer beyond int, a number where a boolean belongs) a
   * bare JSON parser exception.
   */
  public void testMissingRangeAndWrongKindsOfValues() throws IOException {
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "gt": 1}}"""))
            .getMessage(),
        containsString("[cp] needs a [range]"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0, 1], "k": 100000000000000000000}}"""))
            .getMessage(),
        containsString("[cp] k: "));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0, 1], "normalize": 3, "gt": 1}}"""))
            .getMessage(),
        containsString("[cp] normalize: "));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"cp": {"field": "saliency", "range": [0, 1], "gt": {"a": 1}}}"""))
            .getMessage(),
        containsString("[cp] gt: "));
    try (XContentParser sort =
        createParser(JsonXContent.jsonXContent, "{\"field\": \"saliency\"}")) {
      sort.nextToken();
      assertThat(
          expectThrows(ParsingException.class, () -> CpSortBuilder.fromXContent(sort, "cp"))
              .getMessage(),
          containsString("[cp] needs a [range]"));
    }
  }
}
