package dev.masksearch.opensearch.index.mapper;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.mask.RleMasks;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.util.ArrayUtil;
import org.opensearch.core.xcontent.XContentParser;

/**
 * Parses a mask field's value from a document, in any of the accepted forms:
 *
 * <ul>
 *   <li>{@code {"shape": [h, w], "dtype": "float32|float16|uint8|uint16", "data": "<base64,
 *       row-major, LE>"}}
 *   <li>{@code {"png": "<base64 of a grayscale PNG of 1, 2, 4, 8 or 16 bits>"}}
 *   <li>{@code {"rle": {"size": [h, w], "counts": "<COCO compressed RLE>" | [run, ...]}}}, a binary
 *       mask in COCO run-length encoding ({@link RleMasks}), stored as uint8 0 and 1.0
 *   <li>nested arrays of numbers {@code [[0.1, 0.2, ...], ...]}, one array per row, stored as
 *       float32
 * </ul>
 *
 * Every problem is a {@link MaskFormatException} that names it; the mapper adds the field's name. A
 * mask larger than the {@link MaskLimits} is rejected as soon as its size is known, before its
 * pixels are decoded.
 */
public final class MaskValueParser {
  /**
   * Room for a PNG's headers and chunk framing beyond 4 bytes a pixel (more than any grayscale PNG
   * needs).
   */
  private static final long MAX_PNG_OVERHEAD = 1 << 16;

  private MaskValueParser() {}

  public static Mask parse(XContentParser parser, MaskLimits limits) throws IOException {
    return switch (parser.currentToken()) {
      case START_OBJECT -> parseObject(parser, limits);
      case START_ARRAY -> parseRows(parser, limits);
      default ->
          throw new MaskFormatException(
              "expected an object with [shape, dtype, data], [png] or [rle], or nested "
                  + "arrays of numbers, but got "
                  + describe(parser.currentToken()));
    };
  }

  private static Mask parseObject(XContentParser parser, MaskLimits limits) throws IOException {
    int[] shape = null;
    MaskDType dtype = null;
    byte[] data = null;
    byte[] png = null;
    RleValue rle = null;
    for (XContentParser.Token token = parser.nextToken();
        token != XContentParser.Token.END_OBJECT;
        token = parser.nextToken()) {
      String key = parser.currentName();
      parser.nextToken();
      switch (key) {
        case "shape" -> shape = parseShape(parser, limits, "shape");
        case "dtype" -> dtype = parseDType(parser);
        // float32 is the widest dtype; maxPixels may be near Long.MAX_VALUE, largestPixelCount() is
        // not
        case "data" -> data = base64(parser, "data", limits.largestPixelCount() * 4);
        case "png" ->
            png = base64(parser, "png", limits.largestPixelCount() * 4 + MAX_PNG_OVERHEAD);
        case "rle" -> rle = parseRle(parser, limits);
        default ->
            throw new MaskFormatException(
                "unknown key ["
                    + key
                    + "]; a mask object has [shape, dtype, data], [png] or [rle]");
      }
    }
    if (rle != null) {
      if (shape != null || dtype != null || data != null || png != null) {
        throw new MaskFormatException(
            "[rle] cannot be combined with [shape], [dtype], [data] or [png]");
      }
      return rle.decode(limits); // only now, after every key was checked
    }
    if (png != null) {
      if (shape != null || dtype != null || data != null) {
        throw new MaskFormatException("[png] cannot be combined with [shape], [dtype] or [data]");
      }
      return PngMasks.decode(png, limits);
    }
    if (shape == null || dtype == null || data == null) {
      throw new MaskFormatException(
          "a raw mask needs [shape], [dtype] and [data]; missing "
              + (shape == null ? "[shape]" : dtype == null ? "[dtype]" : "[data]"));
    }
    return Mask.of(dtype, shape[0], shape[1], data);
  }

  /** COCO's RLE object, parsed but not decoded yet: the size and the counts of one form. */
  private record RleValue(int[] size, String compressed, int[] runs) {
    Mask decode(MaskLimits limits) {
      return compressed != null
          ? RleMasks.decode(size[0], size[1], compressed, limits)
          : RleMasks.decode(size[0], size[1], runs, limits);
    }
  }

  /** {@code {"size": [h, w], "counts": "..." | [...]}}, COCO's RLE object. */
  private static RleValue parseRle(XContentParser parser, MaskLimits limits) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      throw new MaskFormatException(
          "[rle] must be an object {\"size\": [height, width], \"counts\": ...}, got "
              + describe(parser.currentToken()));
    }
    int[] size = null;
    String compressed = null;
    int[] runs = null;
    for (XContentParser.Token token = parser.nextToken();
        token != XContentParser.Token.END_OBJECT;
        token = parser.nextToken()) {
      String key = parser.currentName();
      XContentParser.Token value = parser.nextToken();
      switch (key) {
        case "size" -> size = parseShape(parser, limits, "rle.size");
        case "counts" -> {
          if (compressed != null || runs != null) {
            throw new MaskFormatException("[rle.counts] is given twice");
          }
          if (value == XContentParser.Token.VALUE_STRING) {
            compressed = parseCompressedCounts(parser, limits);
          } else if (value == XContentParser.Token.START_ARRAY) {
            runs = parseRuns(parser, limits);
          } else {
            throw new MaskFormatException(
                "[rle.counts] must be a string (compressed RLE) or an array of run lengths, got "
                    + describe(value));
          }
        }
        default ->
            throw new MaskFormatException(
                "unknown key [" + key + "] in [rle]; it has [size] and [counts]");
      }
    }
    if (size == null || (compressed == null && runs == null)) {
      throw new MaskFormatException(
          "[rle] needs [size] and [counts]; missing " + (size == null ? "[size]" : "[counts]"));
    }
    return new RleValue(size, compressed, runs);
  }

  /**
   * The compressed counts, refused unless a mask within the limits could need that many characters
   * (at most {@value RleMasks#MAX_CHARS_PER_RUN} per run, a run per pixel and one more).
   */
  private static String parseCompressedCounts(XContentParser parser, MaskLimits limits)
      throws IOException {
    long maxChars = RleMasks.MAX_CHARS_PER_RUN * (limits.largestPixelCount() + 1);
    if (parser.textLength() > maxChars) {
      throw new MaskFormatException(
          "[rle.counts] has "
              + parser.textLength()
              + " characters, more than a mask within the index's limit on pixels can need");
    }
    return parser.text();
  }

  /**
   * The uncompressed counts: at most one run a pixel and one more, each an integer (four bytes a
   * run held; a run outside int is out of every mask and refused by its value).
   */
  private static int[] parseRuns(XContentParser parser, MaskLimits limits) throws IOException {
    int[] runs = new int[16];
    int count = 0;
    for (XContentParser.Token t = parser.nextToken();
        t != XContentParser.Token.END_ARRAY;
        t = parser.nextToken()) {
      if (t != XContentParser.Token.VALUE_NUMBER) {
        throw new MaskFormatException(
            "[rle.counts] must hold run lengths, but run " + count + " is " + describe(t));
      }
      if (count > limits.largestPixelCount()) {
        throw new MaskFormatException(
            "[rle.counts] has more runs than a mask within the index's limit on pixels can have");
      }
      double run = parser.doubleValue();
      if (run != Math.rint(run)) {
        throw new MaskFormatException(
            "[rle.counts] must hold integers, but run " + count + " is " + parser.text());
      }
      runs = ArrayUtil.grow(runs, count + 1);
      runs[count++] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, run));
    }
    return Arrays.copyOf(runs, count);
  }

  private static MaskDType parseDType(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.VALUE_STRING) {
      throw new MaskFormatException(
          "[dtype] must be a string (float32, float16, uint8 or uint16), got "
              + describe(parser.currentToken()));
    }
    return MaskDType.fromApiName(parser.text());
  }

  private static int[] parseShape(XContentParser parser, MaskLimits limits, String key)
      throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
      throw new MaskFormatException("[" + key + "] must be an array [height, width]");
    }
    long[] values = new long[2];
    int n = 0;
    for (XContentParser.Token t = parser.nextToken();
        t != XContentParser.Token.END_ARRAY;
        t = parser.nextToken()) {
      if (t != XContentParser.Token.VALUE_NUMBER || n == 2) {
        throw new MaskFormatException("[" + key + "] must be two integers [height, width]");
      }
      double side =
          parser.doubleValue(); // not longValue: an integer beyond long would be a parser exception
      if (side != Math.rint(side)) { // a cast would truncate [1.9, 4] to one row
        throw new MaskFormatException(
            "[" + key + "] must be two integers [height, width], got [" + parser.text() + "]");
      }
      values[n++] = Math.abs(side) <= Integer.MAX_VALUE ? (long) side : Long.MAX_VALUE;
    }
    if (n != 2) {
      throw new MaskFormatException("[" + key + "] must be two integers [height, width]");
    }
    limits.check(values[0], values[1]);
    return new int[] {(int) values[0], (int) values[1]};
  }

  /**
   * Decodes a base64 value, refusing it first if it is longer than {@code maxBytes}, all a mask
   * within the limits needs.
   */
  private static byte[] base64(XContentParser parser, String key, long maxBytes)
      throws IOException {
    if (parser.currentToken() != XContentParser.Token.VALUE_STRING) {
      throw new MaskFormatException("[" + key + "] must be a base64 string");
    }
    long maxChars = (maxBytes + 2) / 3 * 4;
    if (parser.textLength() > maxChars) {
      throw new MaskFormatException(
          "["
              + key
              + "] has "
              + parser.textLength()
              + " base64 characters, more than the "
              + maxChars
              + " that a mask within the index's limit on pixels can need");
    }
    try {
      return parser.binaryValue();
    } catch (IOException | IllegalArgumentException e) {
      throw new MaskFormatException("[" + key + "] is not valid base64: " + e.getMessage(), e);
    }
  }

  /** Rows of numbers; each row an array, all rows of one length. */
  private static Mask parseRows(XContentParser parser, MaskLimits limits) throws IOException {
    float[] values = new float[1024];
    int count = 0;
    int width = -1;
    int height = 0;
    for (XContentParser.Token row = parser.nextToken();
        row != XContentParser.Token.END_ARRAY;
        row = parser.nextToken()) {
      if (row != XContentParser.Token.START_ARRAY) {
        throw new MaskFormatException(
            "nested arrays must hold one array of numbers per row, got "
                + describe(row)
                + " in row "
                + height);
      }
      int rowLength = 0;
      for (XContentParser.Token t = parser.nextToken();
          t != XContentParser.Token.END_ARRAY;
          t = parser.nextToken()) {
        if (t != XContentParser.Token.VALUE_NUMBER) {
          throw new MaskFormatException(
              "row " + height + ", column " + rowLength + " is " + describe(t) + ", not a number");
        }
        if (rowLength == limits.maxSide()) {
          throw new MaskFormatException(
              "row " + height + " has more than " + limits.maxSide() + " values, the limit a side");
        }
        limits.checkPixels(count + 1L, height);
        if (count == values.length) {
          values = Arrays.copyOf(values, values.length * 2);
        }
        values[count++] = parser.floatValue();
        rowLength++;
      }
      if (width == -1) {
        width = rowLength;
      } else if (rowLength != width) {
        throw new MaskFormatException(
            "row "
                + height
                + " has "
                + rowLength
                + " values but row 0 has "
                + width
                + "; rows must have equal lengths");
      }
      height++;
      if (height > limits.maxSide()) {
        throw new MaskFormatException("more than " + limits.maxSide() + " rows, the limit a side");
      }
    }
    limits.check(height, Math.max(width, 0));
    return Mask.ofFloats(height, width, Arrays.copyOf(values, count));
  }

  private static String describe(XContentParser.Token token) {
    return switch (token) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER -> "a number";
      case VALUE_BOOLEAN -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> token.toString();
    };
  }
}
