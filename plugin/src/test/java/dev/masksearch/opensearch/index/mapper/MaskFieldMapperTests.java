package dev.masksearch.opensearch.index.mapper;

import static org.hamcrest.Matchers.containsString;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.opensearch.plugin.MaskSearchPlugin;
import java.util.Collection;
import java.util.List;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.mapper.DocumentMapper;
import org.opensearch.index.mapper.MapperParsingException;
import org.opensearch.index.mapper.MapperService;
import org.opensearch.index.mapper.MapperServiceTestCase;
import org.opensearch.index.mapper.ParsedDocument;
import org.opensearch.index.mapper.SourceToParse;
import org.opensearch.plugins.Plugin;

/**
 * The mask and mask_roi mappings: parameters, their validation and round trip, and what a document
 * becomes.
 */
public class MaskFieldMapperTests extends MapperServiceTestCase {

  @Override
  protected Collection<? extends Plugin> getPlugins() {
    return List.of(new MaskSearchPlugin(org.opensearch.common.settings.Settings.EMPTY));
  }

  public void testParametersRoundTripAndReachTheLuceneField() throws Exception {
    MapperService mapperService =
        createMapperService(
            fieldMapping(b -> b.field("type", "mask").field("grid_step", 8).field("bins", 12)));
    MaskFieldMapper.MaskFieldType type =
        (MaskFieldMapper.MaskFieldType) mapperService.fieldType("field");
    assertEquals(new ChiParams(8, 12), type.params());
    String serialized = mapperService.documentMapper().mappingSource().toString();
    assertThat(serialized, containsString("\"grid_step\":8"));
    assertThat(serialized, containsString("\"bins\":12"));

    DocumentMapper mapper = mapperService.documentMapper();
    ParsedDocument doc =
        mapper.parse(
            new SourceToParse(
                "test", "1", new BytesArray("{\"field\": [[0.5, 1.0]]}"), XContentType.JSON));
    var field = doc.rootDoc().getField("field");
    assertEquals("8", field.fieldType().getAttributes().get("masksearch.grid_step"));
    assertEquals("12", field.fieldType().getAttributes().get("masksearch.bins"));
  }

  public void testDefaults() throws Exception {
    MapperService mapperService = createMapperService(fieldMapping(b -> b.field("type", "mask")));
    assertEquals(
        ChiParams.DEFAULT,
        ((MaskFieldMapper.MaskFieldType) mapperService.fieldType("field")).params());
  }

  public void testInvalidParametersAreRejectedClearly() {
    MapperParsingException step =
        expectThrows(
            MapperParsingException.class,
            () ->
                createMapperService(
                    fieldMapping(b -> b.field("type", "mask").field("grid_step", 0))));
    assertThat(
        step.getMessage() + step.getCause(),
        containsString("grid_step must be between 1 and 4096"));
    MapperParsingException bins =
        expectThrows(
            MapperParsingException.class,
            () ->
                createMapperService(fieldMapping(b -> b.field("type", "mask").field("bins", 300))));
    assertThat(
        bins.getMessage() + bins.getCause(), containsString("bins must be between 1 and 256"));
  }

  public void testChiParametersCannotChange() throws Exception {
    MapperService mapperService =
        createMapperService(fieldMapping(b -> b.field("type", "mask").field("grid_step", 16)));
    IllegalArgumentException e =
        expectThrows(
            IllegalArgumentException.class,
            () ->
                merge(
                    mapperService,
                    fieldMapping(b -> b.field("type", "mask").field("grid_step", 32))));
    assertThat(e.getMessage(), containsString("grid_step"));
  }

  /**
   * {@code index_box_counts}: the listed fields must be {@code mask_roi} fields; a document with
   * both values gets the counts whichever comes first, one without a box none; the list may grow.
   */
  public void testIndexBoxCounts() throws Exception {
    IllegalArgumentException notABox =
        expectThrows(
            IllegalArgumentException.class,
            () -> createMapperService(maskCountedIn(List.of("label"), "keyword")));
    assertThat(
        notABox.getMessage(),
        containsString("[index_box_counts] of [m] names [label], which is not a [mask_roi] field"));
    IllegalArgumentException twice =
        expectThrows(
            IllegalArgumentException.class,
            () -> createMapperService(maskCountedIn(List.of("box", "box"), "mask_roi")));
    assertThat(twice.getMessage(), containsString("lists a field twice"));

    MapperService mapperService = createMapperService(maskCountedIn(List.of("box"), "mask_roi"));
    assertThat(
        mapperService.documentMapper().mappingSource().toString(),
        containsString("\"index_box_counts\":[\"box\"]"));
    String counts = dev.masksearch.document.BoxBinCountsField.name("m", "box");
    for (String source :
        List.of(
            "{\"m\": [[0.5, 1.0], [1.0, 0]], \"box\": [0, 0, 1, 2]}",
            "{\"box\": [0, 0, 1, 2], \"m\": [[0.5, 1.0], [1.0, 0]]}")) {
      ParsedDocument doc =
          mapperService
              .documentMapper()
              .parse(new SourceToParse("test", "1", new BytesArray(source), XContentType.JSON));
      assertEquals(source, 1, doc.rootDoc().getFields(counts).length);
      dev.masksearch.chi.BoxBinCounts read =
          new dev.masksearch.chi.BoxBinCounts()
              .read(doc.rootDoc().getField(counts).binaryValue(), ChiParams.DEFAULT_BINS, counts);
      assertEquals(2, read.area()); // the box's column 0: values 0.5 and 1.0
      assertEquals(1, read.atLeast(ChiParams.DEFAULT_BINS)); // 1.0 alone in the top bin
      assertNull(
          doc.rootDoc().getField(dev.masksearch.document.BoxBinCountsField.name("m", "other")));
    }
    ParsedDocument noBox =
        mapperService
            .documentMapper()
            .parse(
                new SourceToParse(
                    "test",
                    "2",
                    new BytesArray("{\"m\": [[0.5]], \"other\": [0, 0, 1, 1]}"),
                    XContentType.JSON));
    assertNull(noBox.rootDoc().getField(counts));

    merge(mapperService, maskCountedIn(List.of("box", "other"), "mask_roi"));
    assertThat(
        mapperService.documentMapper().mappingSource().toString(),
        containsString("\"index_box_counts\":[\"box\",\"other\"]"));
  }

  /**
   * A mapping of mask {@code m} counted in {@code boxes}, beside fields {@code box}, {@code other}
   * and {@code label}; the first of {@code boxes} is of type {@code type}, the rest mask_roi
   * fields.
   */
  private org.opensearch.core.xcontent.XContentBuilder maskCountedIn(
      List<String> boxes, String type) throws java.io.IOException {
    return mapping(
        b -> {
          b.startObject("m")
              .field("type", "mask")
              .array("index_box_counts", boxes.toArray(new String[0]))
              .endObject();
          for (String field : List.of("box", "other", "label")) {
            b.startObject(field)
                .field("type", field.equals(boxes.get(0)) ? type : "mask_roi")
                .endObject();
          }
        });
  }

  public void testRoiFieldTakesOneBox() throws Exception {
    DocumentMapper mapper = createDocumentMapper(fieldMapping(b -> b.field("type", "mask_roi")));
    ParsedDocument doc =
        mapper.parse(
            new SourceToParse(
                "test", "1", new BytesArray("{\"field\": [1, 2, 30, 40]}"), XContentType.JSON));
    assertNotNull(doc.rootDoc().getField("field"));
    MapperParsingException e =
        expectThrows(
            MapperParsingException.class,
            () ->
                mapper.parse(
                    new SourceToParse(
                        "test",
                        "2",
                        new BytesArray("{\"field\": [1.5, 2, 30, 40]}"),
                        XContentType.JSON)));
    assertThat(e.getCause().getMessage(), containsString("integer pixels"));
  }

  /**
   * Found by fuzzing (MaskDocumentFuzzer): a non-string dtype was an IllegalStateException from the
   * JSON parser.
   */
  public void testDTypeMustBeAString() throws Exception {
    DocumentMapper mapper = createDocumentMapper(fieldMapping(b -> b.field("type", "mask")));
    for (String dtype : new String[] {"[3, 1, 0, 2]", "{\"a\": 1}", "3", "true"}) {
      MapperParsingException e =
          expectThrows(
              MapperParsingException.class,
              () ->
                  mapper.parse(
                      new SourceToParse(
                          "test",
                          "1",
                          new BytesArray(
                              "{\"field\": {\"shape\": [1, 2], \"dtype\": "
                                  + dtype
                                  + ", \"data\": \"AAD//w==\"}}"),
                          XContentType.JSON)));
      assertThat(
          e.getCause().getMessage(),
          containsString("[dtype] must be a string (float32, float16, uint8 or uint16), got"));
    }
  }

  /**
   * A fractional side is refused like a fractional box coordinate, not truncated ([1.9, 4] was one
   * row).
   */
  public void testShapeMustBeIntegers() throws Exception {
    DocumentMapper mapper = createDocumentMapper(fieldMapping(b -> b.field("type", "mask")));
    String[][] cases = {
      {"[1.9, 4]", "1.9"}, {"[2, 2.5]", "2.5"}, {"[0.5, 8]", "0.5"}, {"[2, 2.0000001]", "2.0000001"}
    };
    for (String[] c : cases) {
      MapperParsingException e =
          expectThrows(
              MapperParsingException.class,
              () ->
                  mapper.parse(
                      new SourceToParse(
                          "test",
                          "1",
                          new BytesArray(
                              "{\"field\": {\"shape\": "
                                  + c[0]
                                  + ", \"dtype\": \"uint8\", \"data\": \"AAF/gP7/AAE=\"}}"),
                          XContentType.JSON)));
      assertEquals(c[0], RestStatus.BAD_REQUEST, e.status());
      assertThat(e.getMessage(), containsString("failed to parse field [field] of type [mask]"));
      assertEquals(
          "[shape] must be two integers [height, width], got [" + c[1] + "]",
          e.getCause().getMessage());
    }
    // An integral value written as a decimal is the integer.
    ParsedDocument doc =
        mapper.parse(
            new SourceToParse(
                "test",
                "1",
                new BytesArray(
                    "{\"field\": {\"shape\": [2.0, 4], \"dtype\": \"uint8\", \"data\": \"AAF/gP7/AAE=\"}}"),
                XContentType.JSON));
    assertNotNull(doc.rootDoc().getField("field"));
  }

  /** Found by fuzzing (MaskDocumentFuzzer): a side beyond long was a bare JSON parser exception. */
  public void testShapeBeyondLong() throws Exception {
    DocumentMapper mapper = createDocumentMapper(fieldMapping(b -> b.field("type", "mask")));
    for (String side :
        new String[] {"355555555555555555555555555555555555555555555", "-1e300", "4097"}) {
      MapperParsingException e =
          expectThrows(
              MapperParsingException.class,
              () ->
                  mapper.parse(
                      new SourceToParse(
                          "test",
                          "1",
                          new BytesArray(
                              "{\"field\": {\"shape\": [2, "
                                  + side
                                  + "], \"dtype\": \"uint8\", \"data\": \"AAF/gP7/\"}}"),
                          XContentType.JSON)));
      assertThat(
          e.getCause().getMessage(),
          containsString("is out of bounds: height and width must be between 1 and 4096"));
    }
  }
}
