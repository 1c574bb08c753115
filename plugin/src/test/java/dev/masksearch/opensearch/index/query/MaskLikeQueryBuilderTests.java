package dev.masksearch.opensearch.index.query;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueScoreQuery;
import dev.masksearch.search.MaskValueTopKQuery;
import dev.masksearch.search.Similarity;
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

/** The {@code mask_like} query and sort: parsing, printing, the wire, and the Lucene query. */
public class MaskLikeQueryBuilderTests extends AbstractQueryTestCase<MaskLikeQueryBuilder> {
  private static final String MASK = "saliency";

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
        {"properties": {"saliency": {"type": "mask", "grid_step": 16}, "label": {"type": "keyword"}}}"""),
        MapperService.MergeReason.MAPPING_UPDATE);
  }

  @Override
  protected MaskLikeQueryBuilder doCreateTestQueryBuilder() {
    int h = randomIntBetween(1, 40);
    int w = randomIntBetween(1, 40);
    byte[] codes = new byte[h * w];
    random().nextBytes(codes);
    RegionSpec roi =
        switch (random().nextInt(3)) {
          case 0 -> null;
          case 1 ->
              RegionSpec.box(new Roi(randomIntBetween(-5, 20), 0, randomIntBetween(0, 50), 30));
          default -> RegionSpec.polygon(List.of(new double[] {0, 0, w, 0, w / 2.0, h}));
        };
    int form = random().nextInt(3);
    return new MaskLikeQueryBuilder(
        new MaskLikeTerm(
            MASK,
            Mask.of(MaskDType.UINT8, h, w, codes),
            null,
            null,
            randomFrom(Similarity.values()),
            randomDoubleBetween(0, 1, true),
            roi),
        form == 0 ? randomFrom(Comparison.values()) : null,
        form == 0 ? randomDoubleBetween(0, 1, true) : Double.NaN,
        form == 1 ? randomIntBetween(1, 100) : null);
  }

  @Override
  protected void doAssertLuceneQuery(
      MaskLikeQueryBuilder builder, Query query, QueryShardContext context) {
    String json = builder.toString();
    assertThat(
        query,
        instanceOf(
            json.contains("\"k\"")
                ? MaskValueTopKQuery.class
                : json.matches("(?s).*\"(gt|gte|lt|lte)\".*")
                    ? MaskValueFilterQuery.class
                    : MaskValueScoreQuery.class));
  }

  public void testParsesTheDocumentedForms() throws IOException {
    MaskLikeQueryBuilder nested =
        (MaskLikeQueryBuilder)
            parseQuery(
                """
        {"mask_like": {"field": "saliency", "like": {"shape": [2, 2], "dtype": "uint8", "data": "AP//AA=="}, "similarity": "dice", "k": 3}}""");
    MaskLikeQueryBuilder rle =
        (MaskLikeQueryBuilder)
            parseQuery(
                """
        {"mask_like": {"field": "saliency", "like": {"rle": {"size": [2, 2], "counts": [1, 2, 1]}}, "similarity": "dice", "k": 3}}""");
    // the same uint8 mask, raw and as COCO RLE: the same engine query
    QueryShardContext context = createShardContext();
    assertEquals(nested.toQuery(context), rle.toQuery(context));
    MaskLikeQueryBuilder byId =
        (MaskLikeQueryBuilder)
            parseQuery(
                """
        {"mask_like": {"field": "saliency", "like": {"index": "images", "id": "7"}, "gte": 0.5}}""");
    assertThat(byId.toString(), containsString("\"id\" : \"7\""));
    assertThat(byId.toString(), containsString("\"similarity\" : \"iou\""));
  }

  public void testClearErrors() throws IOException {
    for (String[] bad :
        new String[][] {
          {"{\"field\": \"saliency\", \"k\": 3}", "needs [like]"},
          {
            "{\"field\": \"saliency\", \"like\": [[1]], \"similarity\": \"l2\", \"k\": 3}",
            "unknown similarity [l2]"
          },
          {"{\"field\": \"saliency\", \"like\": {\"id\": \"7\"}, \"k\": 3}", "{\"index\""},
          {"{\"field\": \"saliency\", \"like\": {\"png\": \"!!\"}, \"k\": 3}", "[like]"},
          {"{\"field\": \"saliency\", \"like\": [[1]], \"k\": 3, \"gt\": 0.5}", "not both"},
          {
            "{\"field\": \"saliency\", \"like\": [[1]], \"roi\": {\"field\": \"box\"}, \"k\": 3}",
            "must be constant"
          },
          {"{\"field\": \"saliency\", \"like\": [[1]], \"k\": 0}", "at least 1"}
        }) {
      String query = "{\"mask_like\": " + bad[0] + "}";
      assertThat(
          query,
          expectThrows(ParsingException.class, () -> parseQuery(query)).getMessage(),
          containsString(bad[1]));
    }
    QueryShardContext context = createShardContext();
    MaskLikeQueryBuilder unmapped =
        (MaskLikeQueryBuilder)
            parseQuery(
                """
        {"mask_like": {"field": "label", "like": [[1]], "k": 3}}""");
    assertThat(
        expectThrows(QueryShardException.class, () -> unmapped.toQuery(context)).getMessage(),
        containsString("not [mask]"));
    try (XContentParser sort =
        createParser(
            JsonXContent.jsonXContent,
            "{\"field\": \"saliency\", \"like\": [[1]], \"order\": \"asc\"}")) {
      sort.nextToken();
      MaskLikeSortBuilder parsed = MaskLikeSortBuilder.fromXContent(sort, "mask_like");
      assertThat(parsed.toString(), containsString("\"order\" : \"asc\""));
    }
  }
}
