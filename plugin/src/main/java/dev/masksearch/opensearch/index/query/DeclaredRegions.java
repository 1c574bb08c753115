package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.MaskExpression;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Shape;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;

/**
 * The {@code "regions"} of a {@code mask_expr} query or sort: constant regions of any shape, by
 * name, that the expression counts in as it counts in {@code full} or a box field.
 *
 * <pre>
 * "regions": {"hand": {"polygon": [[10, 10], [90, 20], [40, 80]]},
 *             "crop": [0, 0, 112, 112],
 *             "object": {"mask": {...}, "gt": 0.5}}
 * </pre>
 *
 * Each value is an {@code "roi"} as the {@code cp} query takes it ({@link RegionSpec}), except a
 * box field, which the expression names directly. A name is an identifier of the expression
 * language (a letter or {@code _}, then letters, digits, {@code _} and {@code .}), not {@code
 * full}; it hides a box field of the same name.
 */
final class DeclaredRegions implements Writeable {
  static final DeclaredRegions NONE = new DeclaredRegions(Map.of());

  private final Map<String, RegionSpec> regions; // by name, in name order

  private DeclaredRegions(Map<String, RegionSpec> regions) {
    this.regions = Collections.unmodifiableMap(new TreeMap<>(regions));
  }

  /** Regions by name; throws {@link IllegalArgumentException} for a bad name or a box field. */
  static DeclaredRegions of(Map<String, RegionSpec> regions) {
    for (Map.Entry<String, RegionSpec> region : regions.entrySet()) {
      checkName(region.getKey());
      if (region.getValue().boxField() != null) {
        throw new IllegalArgumentException(
            "[regions."
                + region.getKey()
                + "] is a box field: name the field in the expression instead");
      }
    }
    return regions.isEmpty() ? NONE : new DeclaredRegions(regions);
  }

  private static void checkName(String name) {
    boolean valid =
        !name.isEmpty() && (Character.isLetter(name.charAt(0)) || name.charAt(0) == '_');
    for (int i = 1; i < name.length() && valid; i++) {
      char c = name.charAt(i);
      valid = Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }
    if (!valid) {
      throw new IllegalArgumentException(
          "[regions] name ["
              + name
              + "] is not a name the expression can use: a letter or _, then letters, digits, _"
              + " or .");
    }
    if (name.equals("full")) {
      throw new IllegalArgumentException("[regions] cannot declare [full]: it is the whole mask");
    }
  }

  /** Parses the object at the parser's position. */
  static DeclaredRegions parse(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new IllegalArgumentException(
          "must be an object of regions by name, got " + parser.currentToken());
    }
    Map<String, RegionSpec> regions = new TreeMap<>();
    long points = 0;
    long maskPixels = 0;
    while (parser.nextToken() == XContentParser.Token.FIELD_NAME) {
      String name = parser.currentName();
      if (regions.size() == ExpressionLimits.MAX_REGIONS_CEILING) {
        throw new IllegalArgumentException(
            "[regions] declares more than " + ExpressionLimits.MAX_REGIONS_CEILING + " regions");
      }
      parser.nextToken();
      RegionSpec region;
      try {
        region = RegionSpec.parseUnbuilt(parser); // shapes are built once the count is checked
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("[regions." + name + "] " + e.getMessage(), e);
      }
      if (regions.put(name, region) != null) {
        throw new IllegalArgumentException("[regions] declares [" + name + "] twice");
      }
      // what one roi may hold, for all of them: no more memory than one cp query's region
      points += region.points();
      maskPixels += region.maskPixels();
      if (points > Shape.MAX_POLYGON_POINTS) {
        throw new IllegalArgumentException(
            "[regions] have more than " + Shape.MAX_POLYGON_POINTS + " polygon points in all");
      }
      if (maskPixels > MaskLimits.FORMAT.largestPixelCount()) {
        throw new IllegalArgumentException(
            "[regions] have masks of more than "
                + MaskLimits.FORMAT.largestPixelCount()
                + " pixels in all");
      }
    }
    return of(regions);
  }

  static DeclaredRegions read(StreamInput in) throws IOException {
    int n = in.readVInt();
    Map<String, RegionSpec> regions = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      regions.put(in.readString(), RegionSpec.read(in));
    }
    return n == 0 ? NONE : new DeclaredRegions(regions);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeVInt(regions.size());
    for (Map.Entry<String, RegionSpec> region : regions.entrySet()) {
      out.writeString(region.getKey());
      region.getValue().writeTo(out);
    }
  }

  /** Writes {@code "regions": {...}} unless there are none. */
  void toXContent(XContentBuilder builder) throws IOException {
    if (regions.isEmpty()) {
      return;
    }
    builder.startObject("regions");
    for (Map.Entry<String, RegionSpec> region : regions.entrySet()) {
      builder.field(region.getKey());
      region.getValue().toXContent(builder);
    }
    builder.endObject();
  }

  /** How many regions are declared: {@link ExpressionLimits} checks it before any is built. */
  int size() {
    return regions.size();
  }

  /**
   * Parses {@code expr} with these regions, building their shapes (at most {@link Shape#MAX_SPANS}
   * row spans in all, as one region may have); a bad expression or region is an {@link
   * IllegalArgumentException}.
   */
  MaskExpression parseExpression(String expr) {
    Map<String, Region> engine = new TreeMap<>();
    long spans = 0;
    for (Map.Entry<String, RegionSpec> region : regions.entrySet()) {
      Region built = region.getValue().region("regions." + region.getKey());
      spans += built instanceof Shape shape ? shape.spanCount() : 0;
      if (spans > Shape.MAX_SPANS) {
        throw new IllegalArgumentException(
            "[regions] have more than " + Shape.MAX_SPANS + " row spans in all");
      }
      engine.put(region.getKey(), built);
    }
    return MaskExpressions.parse(expr, engine);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeclaredRegions d && regions.equals(d.regions);
  }

  @Override
  public int hashCode() {
    return regions.hashCode();
  }
}
