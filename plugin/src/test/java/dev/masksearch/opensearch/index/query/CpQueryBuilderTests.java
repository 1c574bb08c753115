package dev.masksearch.opensearch.index.query;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueScoreQuery;
import dev.masksearch.search.MaskValueTopKQuery;
import java.io.IOException;
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
    Roi roi = null;
    String roiField = null;
    switch (random().nextInt(3)) {
      case 0 ->
          roi =
              new Roi(
                  randomIntBetween(-10, 100),
                  randomIntBetween(-10, 100),
                  randomIntBetween(0, 300),
                  randomIntBetween(0, 300));
      case 1 -> roiField = BOX;
      default -> {} // the whole mask
    }
    double lv = randomDoubleBetween(0, 1, true);
    ValueRange range = new ValueRange(lv, randomDoubleBetween(lv, 1.5, true));
    int form = random().nextInt(3); // filter, top-k, scoring
    return new CpQueryBuilder(
        MASK,
        roi,
        roiField,
        range,
        random().nextBoolean(),
        form == 0 ? randomFrom(Comparison.values()) : null,
        form == 0 ? randomDoubleBetween(0, 5000, true) : Double.NaN,
        form == 1 ? randomIntBetween(1, 100) : null,
        form == 1 ? CpOrder.DESC : null);
  }

  @Override
  protected void doAssertLuceneQuery(
      CpQueryBuilder builder, Query query, QueryShardContext context) {
    String json = builder.toString();
    Class<?> expected =
        json.contains("\"k\"")
            ? MaskValueTopKQuery.class
            : json.matches("(?s).*\"(gt|gte|lt|lte)\".*")
                ? MaskValueFilterQuery.class
                : MaskValueScoreQuery.class;
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
