package dev.masksearch.opensearch.index.query;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.MaskValueFilterQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.search.Query;
import org.opensearch.common.compress.CompressedXContent;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.MapperService;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.sort.SortOrder;
import org.opensearch.test.AbstractQueryTestCase;
import org.opensearch.test.TestGeoShapeFieldMapperPlugin;

/**
 * Round trips of the {@code mask_expr} query through XContent and the wire, its Lucene query, and
 * its errors.
 */
public class MaskExprQueryBuilderTests extends AbstractQueryTestCase<MaskExprQueryBuilder> {

  @Override
  protected Collection<Class<? extends Plugin>> getPlugins() {
    return List.of(MaskSearchPlugin.class, TestGeoShapeFieldMapperPlugin.class);
  }

  @Override
  protected void initializeAdditionalMappings(MapperService mapperService) throws IOException {
    mapperService.merge(
        "_doc",
        new CompressedXContent(
            """
        {"properties": {"saliency": {"type": "mask"}, "human": {"type": "mask"}, "bbox": {"type": "mask_roi"},
                        "label": {"type": "keyword"}}}"""),
        MapperService.MergeReason.MAPPING_UPDATE);
  }

  /** A random expression over the test mapping's fields. */
  static String randomExpression() {
    return randomExpression(Set.of());
  }

  /** A random expression over the test mapping's fields that may name {@code declared} regions. */
  static String randomExpression(Set<String> declared) {
    List<String> names = new ArrayList<>(declared);
    names.add("full");
    String roi =
        randomFrom(
            randomFrom(names),
            "bbox",
            "["
                + randomIntBetween(-5, 20)
                + ", "
                + randomIntBetween(0, 20)
                + ", "
                + randomIntBetween(0, 90)
                + ", "
                + randomIntBetween(0, 90)
                + "]");
    String pred =
        randomFrom(
            "saliency > 0.5",
            "human >= 0.25",
            "(saliency > 0.8 & human > 0.8)",
            "saliency < 0.1 | human <= 0.3");
    return switch (randomIntBetween(0, 5)) {
      case 0 -> "cp(saliency, " + roi + ", 0.8, 1.01)";
      case 1 -> "cp(saliency, bbox, 0.8, 1.01) / cp(saliency, full, 0.8, 1.01)";
      case 2 -> "iou(saliency > 0.8, human > 0.8)";
      case 3 -> "iou(" + pred + ", human > 0.5, " + roi + ")";
      case 4 -> "cp(" + pred + ", " + roi + ") / area(" + roi + ")";
      default -> "2 * cp(saliency, full, 0.2, 0.6) - (cp(human, " + roi + ", 0, 0.5) + 1)";
    };
  }

  /** None, or some of: a polygon with a hole, a box and a mask region, by name. */
  static Map<String, RegionSpec> randomRegions() {
    Map<String, RegionSpec> regions = new TreeMap<>();
    if (randomBoolean()) {
      regions.put(
          "hand",
          RegionSpec.polygon(
              List.of(
                  new double[] {5, 5, 80, 10, 60, 70, 10, 60},
                  new double[] {20, 20, 40, 20, 30, 40})));
    }
    if (randomBoolean()) {
      regions.put("crop.left", RegionSpec.box(new Roi(0, 0, 40, randomIntBetween(1, 90))));
    }
    if (randomBoolean()) {
      byte[] codes = new byte[12 * 16];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = (byte) randomIntBetween(0, 255);
      }
      regions.put("_object", RegionSpec.mask(Mask.of(MaskDType.UINT8, 12, 16, codes), 0.5));
    }
    return regions;
  }

  @Override
  protected MaskExprQueryBuilder doCreateTestQueryBuilder() {
    Map<String, RegionSpec> regions = randomRegions();
    return new MaskExprQueryBuilder(
        randomExpression(regions.keySet()),
        regions,
        randomFrom(Comparison.values()),
        randomDoubleBetween(-10, 5000, true));
  }

  @Override
  protected void doAssertLuceneQuery(
      MaskExprQueryBuilder builder, Query query, QueryShardContext context) {
    assertThat(query, instanceOf(MaskValueFilterQuery.class));
    MaskValueFilterQuery filter = (MaskValueFilterQuery) query;
    assertEquals(builder.regions().parseExpression(builder.expr()), filter.spec());
  }

  public void testParsesTheDocumentedForm() throws IOException {
    MaskExprQueryBuilder parsed =
        (MaskExprQueryBuilder)
            parseQuery(
                """
        {"mask_expr": {"expr": "iou(saliency > 0.8, human > 0.8)", "lt": 0.2, "_name": "q", "boost": 2}}""");
    assertEquals(
        new MaskExprQueryBuilder("iou(saliency > 0.8, human > 0.8)", Comparison.LT, 0.2)
            .queryName("q")
            .boost(2),
        parsed);
  }

  /** Declared regions: parsed from their documented form, and bad ones a 400 naming them. */
  public void testDeclaredRegions() throws IOException {
    MaskExprQueryBuilder parsed =
        (MaskExprQueryBuilder)
            parseQuery(
                """
        {"mask_expr": {"expr": "cp(saliency > 0.8, hand) / area(hand)",
                       "regions": {"hand": {"polygon": [[10, 10], [90, 20], [40, 80]]}}, "gt": 0.5}}""");
    assertEquals(
        new MaskExprQueryBuilder(
            "cp(saliency > 0.8, hand) / area(hand)",
            Map.of("hand", RegionSpec.polygon(List.of(new double[] {10, 10, 90, 20, 40, 80}))),
            Comparison.GT,
            0.5),
        parsed);
    assertEquals("a declared name is no box field", Set.of(), parsed.expression().roiFields());
    for (String[] bad :
        new String[][] {
          {"{\"box\": {\"field\": \"bbox\"}}", "is a box field"},
          {"{\"full\": [0, 0, 1, 1]}", "cannot declare [full]"},
          {"{\"2nd\": [0, 0, 1, 1]}", "is not a name the expression can use"},
          {
            "{\"hand\": {\"polygon\": [[1, 1], [2]]}}", "[regions.hand] a [polygon] point is [x, y]"
          },
          {"[0, 0, 1, 1]", "must be an object of regions by name"}
        }) {
      assertThat(
          bad[0],
          expectThrows(
                  ParsingException.class,
                  () ->
                      parseQuery(
                          "{\"mask_expr\": {\"expr\": \"area(hand)\", \"regions\": "
                              + bad[0]
                              + ", \"gt\": 1}}"))
              .getMessage(),
          containsString(bad[1]));
    }
    StringBuilder ring = new StringBuilder("[[0, 0]");
    for (int i = 1; i < 6_000; i++) { // 6,000 points each: two are over 10,000 in all
      ring.append(", [").append(i % 97).append(", ").append(i % 89).append(']');
    }
    String polygon = "{\"polygon\": " + ring.append(']') + "}";
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        "{\"mask_expr\": {\"expr\": \"cp(saliency > 0.5, a)\", \"regions\":"
                            + " {\"a\": "
                            + polygon
                            + ", \"b\": "
                            + polygon
                            + "}, \"gt\": 1}}"))
            .getMessage(),
        containsString("[regions] have more than 10000 polygon points in all"));
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i <= ExpressionLimits.MAX_REGIONS.getDefault(Settings.EMPTY); i++) {
      many.append(i == 0 ? "" : ", ").append("\"r").append(i).append("\": [0, 0, 1, 1]");
    }
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        "{\"mask_expr\": {\"expr\": \"area(r1) + cp(saliency, full, 0, 1)\","
                            + " \"regions\": "
                            + many
                            + "}, \"gt\": 1}}"))
            .getMessage(),
        containsString("over the limit of"));
  }

  public void testClearErrors() throws IOException {
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"expr": "cp(saliency, full, 0.8, 1.01) / 0", "gt": 1}}"""))
            .getMessage(),
        containsString("division by zero"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"expr": "foo(saliency)", "gt": 1}}"""))
            .getMessage(),
        containsString("unknown function [foo]"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"expr": "cp(saliency, full, 0.8, 1.01", "gt": 1}}"""))
            .getMessage(),
        containsString("position"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"expr": "cp(saliency, full, 0.8, 1.01)"}}"""))
            .getMessage(),
        containsString("one comparison"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"gt": 1}}"""))
            .getMessage(),
        containsString("[expr] is required"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"expr": "cp(saliency, full, 0.8, 1.01)", "gt": 1, "lte": 4}}"""))
            .getMessage(),
        containsString("only one of"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"expr": "cp(saliency, full, 0.8, 1.01)", "gt": 1, "field": "x"}}"""))
            .getMessage(),
        containsString("[mask_expr] unknown field [field]"));
    assertThat(
        expectThrows(
                ParsingException.class,
                () ->
                    parseQuery(
                        """
        {"mask_expr": {"expr": ["cp(saliency, full, 0.8, 1.01)"], "gt": 1}}"""))
            .getMessage(),
        containsString("must be a string"));

    QueryShardContext context = createShardContext();
    assertThat(
        expectThrows(
                QueryShardException.class,
                () ->
                    new MaskExprQueryBuilder("cp(nope, full, 0, 1)", Comparison.GT, 1)
                        .toQuery(context))
            .getMessage(),
        containsString("mask field [nope] is not mapped"));
    assertThat(
        expectThrows(
                QueryShardException.class,
                () ->
                    new MaskExprQueryBuilder("cp(label > 0.5, full)", Comparison.GT, 1)
                        .toQuery(context))
            .getMessage(),
        containsString("mask field [label] is of type [keyword], not [mask]"));
    assertThat(
        expectThrows(
                QueryShardException.class,
                () ->
                    new MaskExprQueryBuilder("cp(saliency, human, 0, 1)", Comparison.GT, 1)
                        .toQuery(context))
            .getMessage(),
        containsString("region field [human] is of type [mask], not [mask_roi]"));
    assertThat(
        expectThrows(
                QueryShardException.class,
                () ->
                    new MaskExprQueryBuilder(
                            "area(box) + cp(saliency, full, 0, 1)", Comparison.GT, 1)
                        .toQuery(context))
            .getMessage(),
        containsString("region field [box] is not mapped"));
  }

  public void testSortRoundTripsAndErrors() throws IOException {
    Map<String, RegionSpec> regions = randomRegions();
    MaskExprSortBuilder sort =
        new MaskExprSortBuilder(
            randomExpression(regions.keySet()), regions, randomFrom(SortOrder.values()));
    MaskExprSortBuilder copy =
        copyWriteable(sort, namedWriteableRegistry(), MaskExprSortBuilder::new);
    assertEquals(sort, copy);
    assertEquals(sort.hashCode(), copy.hashCode());
    try (XContentParser parser =
        createParser(
            JsonXContent.jsonXContent,
            sort.toXContent(
                    JsonXContent.contentBuilder(),
                    org.opensearch.core.xcontent.ToXContent.EMPTY_PARAMS)
                .toString())) {
      parser.nextToken(); // {
      parser.nextToken(); // "mask_expr"
      parser.nextToken(); // {
      assertEquals(sort, MaskExprSortBuilder.fromXContent(parser, MaskExprSortBuilder.NAME));
    }
    try (XContentParser parser =
        createParser(
            JsonXContent.jsonXContent, "{\"expr\": \"iou(saliency > 0.8,\", \"order\": \"asc\"}")) {
      parser.nextToken();
      assertThat(
          expectThrows(
                  ParsingException.class,
                  () -> MaskExprSortBuilder.fromXContent(parser, "mask_expr"))
              .getMessage(),
          containsString("position"));
    }
    try (XContentParser parser =
        createParser(
            JsonXContent.jsonXContent,
            "{\"expr\": \"cp(saliency, full, 0, 1)\", \"order\": \"up\"}")) {
      parser.nextToken();
      expectThrows(
          ParsingException.class, () -> MaskExprSortBuilder.fromXContent(parser, "mask_expr"));
    }
    QueryShardContext context = createShardContext();
    assertThat(
        expectThrows(
                QueryShardException.class,
                () ->
                    org.opensearch.search.sort.SortBuilder.buildSort(
                        List.of(new MaskExprSortBuilder("cp(label > 0.5, full)", SortOrder.ASC)),
                        context))
            .getMessage(),
        containsString("mask field [label] is of type [keyword], not [mask]"));
  }
}
