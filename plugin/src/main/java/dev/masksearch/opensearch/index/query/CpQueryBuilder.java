package dev.masksearch.opensearch.index.query;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.opensearch.index.mapper.MaskFieldMapper.MaskFieldType;
import dev.masksearch.opensearch.index.mapper.MaskRoiFieldMapper;
import dev.masksearch.opensearch.index.mapper.MaskRoiFieldMapper.RoiFieldType;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpFilterQuery;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpSpec;
import dev.masksearch.search.CpTopKQuery;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import org.apache.lucene.search.Query;
import org.opensearch.core.ParseField;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;

/**
 * The {@code cp} query: CP(mask, roi, [lv, uv)), the number of pixels of a mask field inside a region whose value
 * lies in a range, optionally divided by the region's area.
 *
 * <pre>
 * {"cp": {"field": "saliency",
 *         "roi": [x1, y1, x2, y2] | {"field": "bbox"},   (omitted: the whole mask)
 *         "range": [lv, uv],                              (lv &lt;= value &lt; uv)
 *         "normalize": false,
 *         "gt" | "gte" | "lt" | "lte": T,                 (filter form)
 *         "k": 25}}                                       (top-k form, scored by the exact CP value, descending)
 * </pre>
 */
public final class CpQueryBuilder extends AbstractQueryBuilder<CpQueryBuilder> {
  public static final String NAME = "cp";

  private static final ParseField FIELD = new ParseField("field");
  private static final ParseField ROI = new ParseField("roi");
  private static final ParseField RANGE = new ParseField("range");
  private static final ParseField NORMALIZE = new ParseField("normalize");
  private static final ParseField K = new ParseField("k");
  private static final ParseField ORDER = new ParseField("order");

  private final String field;
  private final Roi roi; // null: per-document or whole mask
  private final String roiField; // null: constant or whole mask
  private final ValueRange range;
  private final boolean normalize;
  private final Comparison comparison; // null: top-k form
  private final double threshold;
  private final Integer k;
  private final CpOrder order;

  public CpQueryBuilder(String field, Roi roi, String roiField, ValueRange range, boolean normalize,
      Comparison comparison, double threshold, Integer k, CpOrder order) {
    this.field = requireNonEmpty(field, "field");
    if (roi != null && roiField != null) {
      throw new IllegalArgumentException("[cp] takes a constant [roi] or an roi [field], not both");
    }
    this.roi = roi;
    this.roiField = roiField;
    this.range = Objects.requireNonNull(range, "[cp] needs a [range]");
    this.normalize = normalize;
    if ((comparison == null) == (k == null)) {
      throw new IllegalArgumentException(
          "[cp] needs either a comparison (gt, gte, lt, lte) to filter, or [k] for the exact top k, not both");
    }
    if (comparison != null && Double.isNaN(threshold)) {
      throw new IllegalArgumentException("[cp] threshold must be a number");
    }
    if (k != null && k < 1) {
      throw new IllegalArgumentException("[cp] [k] must be at least 1, got " + k);
    }
    if (order == CpOrder.ASC) {
      // Hits are merged across shards by descending score, so the k smallest cannot travel as scores: ascending
      // order needs a sort, which is not built yet. Refuse rather than answer wrongly on several shards.
      throw new IllegalArgumentException("[cp] [order] [asc] is not supported yet; only [desc] top-k");
    }
    this.comparison = comparison;
    this.threshold = threshold;
    this.k = k;
    this.order = order == null ? CpOrder.DESC : order;
  }

  public CpQueryBuilder(StreamInput in) throws IOException {
    super(in);
    field = in.readString();
    roi = in.readBoolean() ? new Roi(in.readInt(), in.readInt(), in.readInt(), in.readInt()) : null;
    roiField = in.readOptionalString();
    range = new ValueRange(in.readDouble(), in.readDouble());
    normalize = in.readBoolean();
    String op = in.readOptionalString();
    comparison = op == null ? null : Comparison.valueOf(op);
    threshold = in.readDouble();
    k = in.readOptionalVInt();
    order = CpOrder.valueOf(in.readString());
  }

  private static String requireNonEmpty(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("[cp] needs a [" + name + "]");
    }
    return value;
  }

  @Override
  protected void doWriteTo(StreamOutput out) throws IOException {
    out.writeString(field);
    out.writeBoolean(roi != null);
    if (roi != null) {
      out.writeInt(roi.x1());
      out.writeInt(roi.y1());
      out.writeInt(roi.x2());
      out.writeInt(roi.y2());
    }
    out.writeOptionalString(roiField);
    out.writeDouble(range.lv());
    out.writeDouble(range.uv());
    out.writeBoolean(normalize);
    out.writeOptionalString(comparison == null ? null : comparison.name());
    out.writeDouble(threshold);
    out.writeOptionalVInt(k);
    out.writeString(order.name());
  }

  @Override
  protected void doXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject(NAME);
    builder.field(FIELD.getPreferredName(), field);
    if (roi != null) {
      builder.array(ROI.getPreferredName(), roi.x1(), roi.y1(), roi.x2(), roi.y2());
    } else if (roiField != null) {
      builder.startObject(ROI.getPreferredName()).field(FIELD.getPreferredName(), roiField).endObject();
    }
    builder.array(RANGE.getPreferredName(), range.lv(), range.uv());
    builder.field(NORMALIZE.getPreferredName(), normalize);
    if (comparison != null) {
      builder.field(comparison.name().toLowerCase(Locale.ROOT), threshold);
    } else {
      builder.field(K.getPreferredName(), k);
      builder.field(ORDER.getPreferredName(), order.name().toLowerCase(Locale.ROOT));
    }
    printBoostAndQueryName(builder);
    builder.endObject();
  }

  /** Parses the body of a {@code cp} query. */
  public static CpQueryBuilder fromXContent(XContentParser parser) throws IOException {
    String field = null;
    Roi roi = null;
    String roiField = null;
    ValueRange range = null;
    boolean normalize = false;
    Comparison comparison = null;
    double threshold = Double.NaN;
    Integer k = null;
    CpOrder order = null;
    float boost = DEFAULT_BOOST;
    String queryName = null;
    String key = null;
    for (XContentParser.Token token = parser.nextToken(); token != XContentParser.Token.END_OBJECT; token = parser.nextToken()) {
      if (token == XContentParser.Token.FIELD_NAME) {
        key = parser.currentName();
        continue;
      }
      try {
        switch (key) {
          case "field" -> field = parser.text();
          case "roi" -> {
            if (token == XContentParser.Token.START_OBJECT) {
              roiField = parseRoiField(parser);
            } else {
              roi = MaskRoiFieldMapper.parseBox(parser);
            }
          }
          case "range" -> range = parseRange(parser);
          case "normalize" -> normalize = parser.booleanValue();
          case "gt", "gte", "lt", "lte" -> {
            if (comparison != null) {
              throw new IllegalArgumentException("only one of gt, gte, lt, lte");
            }
            comparison = Comparison.valueOf(key.toUpperCase(Locale.ROOT));
            threshold = parser.doubleValue();
          }
          case "k" -> k = parser.intValue();
          case "order" -> order = parseOrder(parser.text());
          case "boost" -> boost = parser.floatValue();
          case "_name" -> queryName = parser.text();
          default -> throw new ParsingException(parser.getTokenLocation(), "[cp] unknown parameter [" + key + "]");
        }
      } catch (IllegalArgumentException e) {
        throw new ParsingException(parser.getTokenLocation(), "[cp] " + key + ": " + e.getMessage(), e);
      }
    }
    try {
      return new CpQueryBuilder(field, roi, roiField, range, normalize, comparison, threshold, k, order)
          .boost(boost)
          .queryName(queryName);
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  private static String parseRoiField(XContentParser parser) throws IOException {
    String roiField = null;
    for (XContentParser.Token t = parser.nextToken(); t != XContentParser.Token.END_OBJECT; t = parser.nextToken()) {
      if (t == XContentParser.Token.FIELD_NAME && parser.currentName().equals("field")) {
        parser.nextToken();
        roiField = parser.text();
      } else if (t == XContentParser.Token.FIELD_NAME) {
        throw new IllegalArgumentException("an roi object takes only [field], got [" + parser.currentName() + "]");
      }
    }
    return requireNonEmpty(roiField, "roi.field");
  }

  private static ValueRange parseRange(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
      throw new IllegalArgumentException("[range] must be an array [lv, uv]");
    }
    double[] bounds = new double[2];
    int n = 0;
    for (XContentParser.Token t = parser.nextToken(); t != XContentParser.Token.END_ARRAY; t = parser.nextToken()) {
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

  private static CpOrder parseOrder(String text) {
    return switch (text) {
      case "desc" -> CpOrder.DESC;
      case "asc" -> CpOrder.ASC;
      default -> throw new IllegalArgumentException("[order] must be [desc] or [asc], got [" + text + "]");
    };
  }

  @Override
  protected Query doToQuery(QueryShardContext context) {
    MappedFieldType type = context.fieldMapper(field);
    if (!(type instanceof MaskFieldType)) {
      throw new QueryShardException(context, "[cp] field [" + field + "] is "
          + (type == null ? "not mapped" : "of type [" + type.typeName() + "], not [mask]"));
    }
    if (roiField != null && !(context.fieldMapper(roiField) instanceof RoiFieldType)) {
      throw new QueryShardException(context, "[cp] roi field [" + roiField + "] is not a mapped [mask_roi] field");
    }
    CpSpec spec = new CpSpec(field, roiField == null ? (roi == null ? Roi.FULL : roi) : null, roiField, range, normalize);
    return comparison != null
        ? new CpFilterQuery(spec, comparison, threshold, null)
        : new CpTopKQuery(spec, k, order, null, null);
  }

  @Override
  protected boolean doEquals(CpQueryBuilder other) {
    return field.equals(other.field)
        && Objects.equals(roi, other.roi)
        && Objects.equals(roiField, other.roiField)
        && range.equals(other.range)
        && normalize == other.normalize
        && comparison == other.comparison
        && Double.compare(threshold, other.threshold) == 0
        && Objects.equals(k, other.k)
        && order == other.order;
  }

  @Override
  protected int doHashCode() {
    return Objects.hash(field, roi, roiField, range, normalize, comparison, threshold, k, order);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }
}
