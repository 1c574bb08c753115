package dev.masksearch.opensearch.index.query;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.index.mapper.MaskFieldMapper.MaskFieldType;
import dev.masksearch.opensearch.index.mapper.MaskRoiFieldMapper.RoiFieldType;
import dev.masksearch.search.CpSpec;
import java.io.IOException;
import java.util.Objects;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;

/**
 * What a {@code cp} query or sort counts: {@code "field"}, {@code "roi"} (a box, {@code {"field":
 * ...}}, a polygon or a mask region: {@link RegionSpec}; omitted for the whole mask), {@code
 * "range"} {@code [lv, uv)} and {@code "normalize"}. Shared by both, so they parse, print and check
 * their fields the same way.
 */
final class CpTerm implements Writeable {
  final String field;
  final RegionSpec region; // null: the whole mask
  final ValueRange range;
  final boolean normalize;

  CpTerm(String field, Roi roi, String roiField, ValueRange range, boolean normalize) {
    this(field, regionOf(roi, roiField), range, normalize);
  }

  CpTerm(String field, RegionSpec region, ValueRange range, boolean normalize) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("[cp] needs a [field]");
    }
    this.field = field;
    this.region = region;
    if (range == null) {
      throw new IllegalArgumentException("[cp] needs a [range]");
    }
    this.range = range;
    if (range.lv() > range.uv()) { // certainly a mistake: it would silently match nothing
      throw new IllegalArgumentException(
          "[range] lower bound [" + range.lv() + "] is above the upper bound [" + range.uv() + "]");
    }
    this.normalize = normalize;
  }

  private static RegionSpec regionOf(Roi roi, String roiField) {
    if (roi != null && roiField != null) {
      throw new IllegalArgumentException("[cp] takes a constant [roi] or an roi [field], not both");
    }
    return roi != null
        ? RegionSpec.box(roi)
        : roiField != null ? RegionSpec.boxField(roiField) : null;
  }

  CpTerm(StreamInput in) throws IOException {
    this(
        in.readString(),
        in.readBoolean() ? RegionSpec.read(in) : null,
        new ValueRange(in.readDouble(), in.readDouble()),
        in.readBoolean());
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeString(field);
    out.writeBoolean(region != null);
    if (region != null) {
      region.writeTo(out);
    }
    out.writeDouble(range.lv());
    out.writeDouble(range.uv());
    out.writeBoolean(normalize);
  }

  /** Writes the term's keys into the current object. */
  void toXContent(XContentBuilder builder) throws IOException {
    builder.field("field", field);
    if (region != null) {
      builder.field("roi");
      region.toXContent(builder);
    }
    builder.array("range", range.lv(), range.uv());
    builder.field("normalize", normalize);
  }

  /** The engine's spec, after checking the fields against the mapping. */
  CpSpec toSpec(QueryShardContext context) {
    MappedFieldType type = context.fieldMapper(field);
    if (!(type instanceof MaskFieldType)) {
      throw new QueryShardException(
          context,
          "[cp] field ["
              + field
              + "] is "
              + (type == null ? "not mapped" : "of type [" + type.typeName() + "], not [mask]"));
    }
    String roiField = region == null ? null : region.boxField();
    if (roiField != null && !(context.fieldMapper(roiField) instanceof RoiFieldType)) {
      throw new QueryShardException(
          context, "[cp] roi field [" + roiField + "] is not a mapped [mask_roi] field");
    }
    return new CpSpec(
        field,
        roiField == null ? (region == null ? Roi.FULL : region.region()) : null,
        roiField,
        range,
        normalize);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CpTerm t
        && field.equals(t.field)
        && Objects.equals(region, t.region)
        && range.equals(t.range)
        && normalize == t.normalize;
  }

  @Override
  public int hashCode() {
    return Objects.hash(field, region, range, normalize);
  }

  /** A term's keys as a query or sort parses its object; {@link #declare} declares them. */
  static class Draft {
    String field;
    RegionSpec region;
    ValueRange range;
    boolean normalize;

    CpTerm term() {
      return new CpTerm(field, region, range, normalize);
    }
  }

  /**
   * Declares the term's keys on the parser of a query or sort whose drafts extend {@link Draft}.
   */
  static <D extends Draft> void declare(ObjectParser<D, Void> parser) {
    DeclaredFields.declare(
        parser, "field", p -> DeclaredFields.string(p, "field"), (d, v) -> d.field = v);
    DeclaredFields.declare(parser, "roi", RegionSpec::parse, (d, v) -> d.region = v);
    DeclaredFields.declare(parser, "range", CpTerm::parseRange, (d, v) -> d.range = v);
    DeclaredFields.declare(
        parser, "normalize", XContentParser::booleanValue, (d, v) -> d.normalize = v);
  }

  private static ValueRange parseRange(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
      throw new IllegalArgumentException("[range] must be an array [lv, uv]");
    }
    double[] bounds = new double[2];
    int n = 0;
    for (XContentParser.Token t = parser.nextToken();
        t != XContentParser.Token.END_ARRAY;
        t = parser.nextToken()) {
      if (t != XContentParser.Token.VALUE_NUMBER || n == 2) {
        throw new IllegalArgumentException("[range] must be two numbers [lv, uv]");
      }
      bounds[n++] = parser.doubleValue();
    }
    if (n != 2) {
      throw new IllegalArgumentException("[range] must be two numbers [lv, uv]");
    }
    return new ValueRange(bounds[0], bounds[1]);
  }
}
