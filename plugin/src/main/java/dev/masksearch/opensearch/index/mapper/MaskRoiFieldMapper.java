package dev.masksearch.opensearch.index.mapper;

import dev.masksearch.document.BoxField;
import dev.masksearch.mask.Roi;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;

/**
 * The {@code mask_roi} field type: one region of interest per document, {@code [x1, y1, x2, y2]} in
 * integer pixels, half-open (an object detector's box). A {@code cp} query can count inside it with
 * {@code "roi": {"field": ...}}. Several boxes in one document are rejected: CP over a union of
 * boxes would be ambiguous where they overlap, so index one document per box instead.
 */
public final class MaskRoiFieldMapper extends SingleValueFieldMapper {
  public static final String CONTENT_TYPE = "mask_roi";

  public static final TypeParser PARSER = new TypeParser((name, context) -> new Builder(name));

  private MaskRoiFieldMapper(
      String simpleName, MappedFieldType type, MultiFields multiFields, CopyTo copyTo) {
    super(simpleName, type, multiFields, copyTo, "box");
  }

  /** Builds ROI field mappers. */
  public static final class Builder extends ParametrizedFieldMapper.Builder {
    private final Parameter<Map<String, String>> meta = Parameter.metaParam();

    public Builder(String name) {
      super(name);
    }

    @Override
    protected List<Parameter<?>> getParameters() {
      return List.of(meta);
    }

    @Override
    public MaskRoiFieldMapper build(BuilderContext context) {
      return new MaskRoiFieldMapper(
          name,
          new RoiFieldType(buildFullName(context), meta.getValue()),
          multiFieldsBuilder.build(this, context),
          copyTo.build());
    }
  }

  /** The field type: a packed numeric doc value per document. */
  public static final class RoiFieldType extends CpOnlyFieldType {
    public RoiFieldType(String name, Map<String, String> meta) {
      super(name, meta, "it as a [cp] query's roi");
    }

    @Override
    public String typeName() {
      return CONTENT_TYPE;
    }
  }

  @Override
  protected IndexableField parseValue(ParseContext context) throws IOException {
    XContentParser parser = context.parser();
    BoxField box = new BoxField(fieldType().name(), parseBox(parser));
    IndexedBoxCounts.afterBox(context, box);
    return box;
  }

  /**
   * The box from its doc value, each coordinate clamped to [0, 65535] as stored (which never
   * changes a CP count).
   */
  @Override
  protected Object derivedValue(LeafReader reader, int doc) throws IOException {
    NumericDocValues values = reader.getNumericDocValues(fieldType().name());
    if (values == null || !values.advanceExact(doc)) {
      return null;
    }
    Roi box = Roi.unpack(values.longValue());
    return List.of(box.x1(), box.y1(), box.x2(), box.y2());
  }

  /** Parses {@code [x1, y1, x2, y2]}: four integers. */
  public static Roi parseBox(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
      throw new IllegalArgumentException("a box must be an array [x1, y1, x2, y2] of integers");
    }
    int[] c = new int[4];
    int n = 0;
    for (XContentParser.Token t = parser.nextToken();
        t != XContentParser.Token.END_ARRAY;
        t = parser.nextToken()) {
      if (t == XContentParser.Token.START_ARRAY) {
        throw new IllegalArgumentException(
            "a document holds one box per ["
                + CONTENT_TYPE
                + "] field; index one document per box");
      }
      if (t != XContentParser.Token.VALUE_NUMBER || n == 4) {
        throw new IllegalArgumentException("a box must be an array [x1, y1, x2, y2] of 4 integers");
      }
      double v = parser.doubleValue();
      if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "box coordinates are integer pixels, got [" + parser.text() + "]");
      }
      c[n++] = (int) v;
    }
    if (n != 4) {
      throw new IllegalArgumentException(
          "a box must be an array [x1, y1, x2, y2] of 4 integers, got " + n);
    }
    return new Roi(c[0], c[1], c[2], c[3]);
  }

  @Override
  public ParametrizedFieldMapper.Builder getMergeBuilder() {
    return new Builder(simpleName()).init(this);
  }

  @Override
  protected String contentType() {
    return CONTENT_TYPE;
  }
}
