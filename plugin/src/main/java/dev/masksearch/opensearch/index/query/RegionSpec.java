package dev.masksearch.opensearch.index.query;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.opensearch.index.mapper.MaskRoiFieldMapper;
import dev.masksearch.opensearch.index.mapper.MaskValueParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.lucene.util.BytesRef;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;

/**
 * The {@code "roi"} of a request, as the user wrote it:
 *
 * <ul>
 *   <li>{@code [x1, y1, x2, y2]}: a box, end exclusive;
 *   <li>{@code {"field": "box"}}: each document's box from a {@code mask_roi} field;
 *   <li>{@code {"polygon": [[x, y], ...]}} or {@code {"polygon": [[[x, y], ...], ...]}}: one ring
 *       or several, even–odd (a ring inside another is a hole); a pixel is inside when its centre
 *       is;
 *   <li>{@code {"mask": <a mask in any accepted encoding>, "gt": 0.5}}: the pixels of a mask whose
 *       value is above {@code gt} (0.5 when omitted), the mask laid at the top-left corner.
 * </ul>
 *
 * Kept in the user's form to print and send between nodes; {@link #region()} is the engine's
 * region, built once when the request is parsed or read, so that a bad one is a 400 at once.
 */
public abstract sealed class RegionSpec implements Writeable {
  private static final byte BOX = 0;
  private static final byte BOX_FIELD = 1;
  private static final byte POLYGON = 2;
  private static final byte MASK = 3;

  /** The threshold of a mask region when the request gives none. */
  public static final double DEFAULT_GT = 0.5;

  private RegionSpec() {}

  /** A constant box. */
  public static RegionSpec box(Roi box) {
    return new Box(box);
  }

  /** Each document's box from a {@code mask_roi} field. */
  public static RegionSpec boxField(String field) {
    return new BoxField(field);
  }

  /** Polygon rings {@code [x0, y0, x1, y1, ...]}, even–odd. */
  public static RegionSpec polygon(List<double[]> rings) {
    return new Polygon(rings);
  }

  /** The pixels of {@code mask} above {@code gt}. */
  public static RegionSpec mask(Mask mask, double gt) {
    return new MaskRegion(mask, gt);
  }

  /** The engine's constant region; null for a box field. */
  public abstract Region region();

  /** {@link #region()}, a bad shape's error naming the region {@code at} (such as "roi"). */
  Region region(String at) {
    return region();
  }

  /** The polygon points it holds (0 unless a polygon). */
  long points() {
    return 0;
  }

  /** The pixels of the mask it holds (0 unless a mask region). */
  long maskPixels() {
    return 0;
  }

  /** The box field, or null for a constant region. */
  public String boxField() {
    return null;
  }

  /** Writes the region as the value of the current key. */
  public abstract void toXContent(XContentBuilder builder) throws IOException;

  /**
   * Parses the value of an {@code "roi"} key and builds its shape where the request is parsed, so
   * that a bad one is a 400 there.
   */
  public static RegionSpec parse(XContentParser parser) throws IOException {
    RegionSpec spec = parseUnbuilt(parser);
    spec.region();
    return spec;
  }

  /**
   * Parses the value of an {@code "roi"} key without building its shape ({@link #region()} builds
   * it and reports a bad one): for a caller that checks limits on several regions first.
   */
  static RegionSpec parseUnbuilt(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      return new Box(MaskRoiFieldMapper.parseBox(parser));
    }
    parser.nextToken();
    if (parser.currentToken() != XContentParser.Token.FIELD_NAME) {
      throw new IllegalArgumentException(
          "an roi object needs one of [field], [polygon] or [mask], got an empty object");
    }
    String key = parser.currentName();
    RegionSpec spec =
        switch (key) {
          case "field" -> parseBoxField(parser);
          case "polygon" -> parsePolygon(parser);
          case "mask", "gt" -> parseMask(parser);
          default ->
              throw new IllegalArgumentException(
                  "unknown roi key [" + key + "]; an roi object has [field], [polygon] or [mask]");
        };
    if (parser.currentToken() != XContentParser.Token.END_OBJECT) {
      throw new IllegalArgumentException(
          "an roi object takes one of [field], [polygon] or [mask, gt], got ["
              + key
              + "] and ["
              + parser.currentName()
              + "]");
    }
    return spec;
  }

  /** Reads what {@link #writeTo} wrote. */
  public static RegionSpec read(StreamInput in) throws IOException {
    return switch (in.readByte()) {
      case BOX -> new Box(new Roi(in.readInt(), in.readInt(), in.readInt(), in.readInt()));
      case BOX_FIELD -> new BoxField(in.readString());
      case POLYGON -> {
        int n = in.readVInt();
        List<double[]> rings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          rings.add(in.readDoubleArray());
        }
        yield new Polygon(rings);
      }
      case MASK -> new MaskRegion(in.readByteArray(), in.readDouble());
      default -> throw new IOException("unknown region kind");
    };
  }

  private static RegionSpec parseBoxField(XContentParser parser) throws IOException {
    parser.nextToken();
    String field = DeclaredFields.string(parser, "roi.field");
    if (field.isEmpty()) {
      throw new IllegalArgumentException("an roi object needs a [field]");
    }
    parser.nextToken();
    return new BoxField(field);
  }

  /**
   * {@code [[x, y], ...]} (one ring) or {@code [[[x, y], ...], ...]} (rings), read token by token
   * with the points counted against the limit as they come.
   */
  private static RegionSpec parsePolygon(XContentParser parser) throws IOException {
    parser.nextToken();
    expect(parser, XContentParser.Token.START_ARRAY, "[polygon] must be an array of [x, y] points");
    List<double[]> rings = new ArrayList<>();
    parser.nextToken();
    if (parser.currentToken() == XContentParser.Token.START_ARRAY) {
      parser.nextToken();
      if (parser.currentToken() == XContentParser.Token.START_ARRAY) { // rings: at a point
        rings.add(parseRingFromPoint(parser, 0));
        while (parser.nextToken() == XContentParser.Token.START_ARRAY) {
          parser.nextToken();
          expect(
              parser, XContentParser.Token.START_ARRAY, "a [polygon] ring is an array of [x, y]");
          rings.add(parseRingFromPoint(parser, countPoints(rings)));
        }
      } else { // one ring: inside its first point
        rings.add(parsePointsFrom(parser, 0));
      }
    }
    expect(parser, XContentParser.Token.END_ARRAY, "[polygon] must be an array of [x, y] points");
    if (rings.isEmpty()) {
      throw new IllegalArgumentException("[polygon] needs at least one ring of three points");
    }
    parser.nextToken();
    return new Polygon(rings);
  }

  private static long countPoints(List<double[]> rings) {
    long points = 0;
    for (double[] ring : rings) {
      points += ring.length / 2;
    }
    return points;
  }

  /** A ring, the parser at its first point's start; leaves it at the ring's end. */
  private static double[] parseRingFromPoint(XContentParser parser, long before)
      throws IOException {
    parser.nextToken();
    double[] ring = parsePointsFrom(parser, before);
    expect(parser, XContentParser.Token.END_ARRAY, "a [polygon] ring is an array of [x, y]");
    return ring;
  }

  /**
   * Points {@code [x, y], [x, y], ...} from inside the first point (at its x) to the end of their
   * array, where it leaves the parser.
   */
  private static double[] parsePointsFrom(XContentParser parser, long before) throws IOException {
    double[] coordinates = new double[16];
    int n = 0;
    while (true) {
      if (before + n / 2 >= Shape.MAX_POLYGON_POINTS) {
        throw new IllegalArgumentException(
            "[polygon] has more than " + Shape.MAX_POLYGON_POINTS + " points, over the limit");
      }
      if (n + 2 > coordinates.length) {
        coordinates = Arrays.copyOf(coordinates, 2 * coordinates.length);
      }
      coordinates[n++] = number(parser);
      parser.nextToken();
      coordinates[n++] = number(parser);
      parser.nextToken();
      expect(parser, XContentParser.Token.END_ARRAY, "a [polygon] point is [x, y] of two numbers");
      if (parser.nextToken() != XContentParser.Token.START_ARRAY) {
        return Arrays.copyOf(coordinates, n);
      }
      parser.nextToken();
    }
  }

  private static double number(XContentParser parser) throws IOException {
    expect(parser, XContentParser.Token.VALUE_NUMBER, "a [polygon] point is [x, y] of two numbers");
    return parser.doubleValue();
  }

  private static RegionSpec parseMask(XContentParser parser) throws IOException {
    Mask mask = null;
    double gt = DEFAULT_GT;
    boolean gtGiven = false;
    while (parser.currentToken() == XContentParser.Token.FIELD_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      switch (key) {
        case "mask" -> {
          if (mask != null) {
            throw new IllegalArgumentException("[roi.mask] given twice");
          }
          try {
            mask = MaskValueParser.parse(parser, MaskLimits.FORMAT);
          } catch (MaskFormatException e) {
            throw new IllegalArgumentException("[roi.mask] " + e.getMessage(), e);
          }
        }
        case "gt" -> {
          expect(parser, XContentParser.Token.VALUE_NUMBER, "[roi.gt] must be a number");
          gt = parser.doubleValue();
          gtGiven = true;
        }
        default ->
            throw new IllegalArgumentException(
                "unknown key [" + key + "] in a mask roi; it takes [mask] and [gt]");
      }
      parser.nextToken();
    }
    if (mask == null) {
      throw new IllegalArgumentException(
          "a mask roi needs a [mask]" + (gtGiven ? " beside [gt]" : ""));
    }
    return new MaskRegion(mask, gt);
  }

  private static void expect(XContentParser parser, XContentParser.Token token, String message) {
    if (parser.currentToken() != token) {
      throw new IllegalArgumentException(message + ", got " + parser.currentToken());
    }
  }

  /**
   * A region of any shape: its {@link Shape} built on first use (not on a transport thread reading
   * the request), a bad one as a 400 naming the problem.
   */
  private abstract static sealed class ShapeSpec extends RegionSpec permits Polygon, MaskRegion {
    private final String key;
    private volatile Shape shape;

    ShapeSpec(String key) {
      this.key = key;
    }

    /** Builds the shape; throws {@link MaskFormatException} for a bad one. */
    abstract Shape build();

    @Override
    public final Region region() {
      return region("roi");
    }

    @Override
    final Region region(String at) {
      Shape built = shape;
      if (built == null) {
        try {
          shape = built = build();
        } catch (MaskFormatException e) {
          throw new IllegalArgumentException("[" + at + "." + key + "] " + e.getMessage(), e);
        }
      }
      return built;
    }
  }

  private static final class Box extends RegionSpec {
    private final Roi box;

    Box(Roi box) {
      this.box = box;
    }

    @Override
    public Region region() {
      return box;
    }

    @Override
    public void toXContent(XContentBuilder builder) throws IOException {
      builder.value(new int[] {box.x1(), box.y1(), box.x2(), box.y2()});
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      out.writeByte(BOX);
      out.writeInt(box.x1());
      out.writeInt(box.y1());
      out.writeInt(box.x2());
      out.writeInt(box.y2());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Box b && box.equals(b.box);
    }

    @Override
    public int hashCode() {
      return box.hashCode();
    }
  }

  private static final class BoxField extends RegionSpec {
    private final String field;

    BoxField(String field) {
      this.field = field;
    }

    @Override
    public Region region() {
      return null;
    }

    @Override
    public String boxField() {
      return field;
    }

    @Override
    public void toXContent(XContentBuilder builder) throws IOException {
      builder.startObject().field("field", field).endObject();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      out.writeByte(BOX_FIELD);
      out.writeString(field);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BoxField b && field.equals(b.field);
    }

    @Override
    public int hashCode() {
      return field.hashCode();
    }
  }

  private static final class Polygon extends ShapeSpec {
    private final List<double[]> rings;

    Polygon(List<double[]> rings) {
      super("polygon");
      this.rings = List.copyOf(rings);
    }

    @Override
    Shape build() {
      return Shape.ofPolygon(rings);
    }

    @Override
    long points() {
      return countPoints(rings);
    }

    @Override
    public void toXContent(XContentBuilder builder) throws IOException {
      builder.startObject().startArray("polygon");
      for (double[] ring : rings) {
        builder.startArray();
        for (int i = 0; i < ring.length; i += 2) {
          builder.startArray().value(ring[i]).value(ring[i + 1]).endArray();
        }
        builder.endArray();
      }
      builder.endArray().endObject();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      out.writeByte(POLYGON);
      out.writeVInt(rings.size());
      for (double[] ring : rings) {
        out.writeDoubleArray(ring);
      }
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Polygon p) || p.rings.size() != rings.size()) {
        return false;
      }
      for (int i = 0; i < rings.size(); i++) {
        if (!Arrays.equals(rings.get(i), p.rings.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (double[] ring : rings) {
        h = 31 * h + Arrays.hashCode(ring);
      }
      return h;
    }
  }

  private static final class MaskRegion extends ShapeSpec {
    private final byte[] encoded; // the mask, held once in its wire form
    private final double gt;

    MaskRegion(Mask mask, double gt) {
      this(MaskBytes.encode(mask), gt);
    }

    MaskRegion(byte[] encoded, double gt) {
      super("mask");
      if (Double.isNaN(gt)) {
        throw new IllegalArgumentException("[roi.gt] must be a number");
      }
      this.encoded = encoded;
      this.gt = gt;
    }

    private Mask mask() {
      return MaskBytes.decode(new BytesRef(encoded));
    }

    @Override
    Shape build() {
      return Shape.ofMask(mask(), gt);
    }

    @Override
    long maskPixels() {
      ByteBuffer header = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
      return (long) header.getInt(2) * header.getInt(6); // MaskBytes: version, dtype, height, width
    }

    @Override
    public void toXContent(XContentBuilder builder) throws IOException {
      Mask mask = mask();
      builder.startObject().startObject("mask");
      builder.array("shape", mask.height(), mask.width());
      builder.field("dtype", mask.dtype().apiName());
      builder.field("data", Base64.getEncoder().encodeToString(mask.rawBytes()));
      builder.endObject().field("gt", gt).endObject();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      out.writeByte(MASK);
      out.writeByteArray(encoded);
      out.writeDouble(gt);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MaskRegion m
          && Double.compare(gt, m.gt) == 0
          && Arrays.equals(encoded, m.encoded);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(encoded) + Double.hashCode(gt);
    }
  }
}
