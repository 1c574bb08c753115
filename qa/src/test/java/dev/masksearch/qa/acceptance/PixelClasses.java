package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Brute force for mask expressions over large uint8 masks of one shape: the pixels of a region
 * grouped by the tuple of their codes in every field ({@code count} pixels have codes {@code key}),
 * counted by a loop over every pixel. An expression's predicates are then evaluated once per
 * distinct tuple rather than once per pixel, which keeps hundreds of value tests over 4096 x 4096
 * masks cheap to check while staying a pixel count: a test compares the pixel's value, code / 255,
 * with its threshold as a double, like {@link CpReference#value}.
 */
final class PixelClasses {
  private final Map<Long, Long> counts;
  private final int fields;

  private PixelClasses(Map<Long, Long> counts, int fields) {
    this.counts = counts;
    this.fields = fields;
  }

  /**
   * The classes of {@code region} (clipped) over {@code masks}, one per field, all uint8 of one
   * shape.
   */
  static PixelClasses of(List<Mask> masks, Roi region) {
    if (masks.size() > 8) {
      throw new IllegalArgumentException("at most 8 fields, one byte each of a key");
    }
    Mask first = masks.get(0);
    for (Mask mask : masks) {
      if (mask.dtype() != MaskDType.UINT8
          || mask.width() != first.width()
          || mask.height() != first.height()) {
        throw new IllegalArgumentException("uint8 masks of one shape, not " + mask);
      }
    }
    int width = first.width();
    Roi r = region.clip(width, first.height());
    byte[][] data = masks.stream().map(Mask::rawBytes).toArray(byte[][]::new);
    Map<Long, Long> counts = new HashMap<>();
    for (int y = r.y1(); y < r.y2(); y++) {
      long run = -1;
      long runLength = 0;
      for (int x = r.x1(); x < r.x2(); x++) {
        long key = 0;
        for (int f = 0; f < data.length; f++) {
          key |= (long) (data[f][y * width + x] & 0xFF) << (8 * f);
        }
        if (key != run) {
          if (runLength > 0) {
            counts.merge(run, runLength, Long::sum);
          }
          run = key;
          runLength = 0;
        }
        runLength++;
      }
      if (runLength > 0) {
        counts.merge(run, runLength, Long::sum);
      }
    }
    return new PixelClasses(counts, masks.size());
  }

  /** The number of pixels where {@code pred} holds. */
  long count(P pred) {
    long count = 0;
    int[] codes = new int[fields];
    for (Map.Entry<Long, Long> e : counts.entrySet()) {
      for (int f = 0; f < fields; f++) {
        codes[f] = (int) (e.getKey() >>> (8 * f)) & 0xFF;
      }
      if (pred.holds().test(codes)) {
        count += e.getValue();
      }
    }
    return count;
  }

  /**
   * A predicate of the expression language: its text and whether it holds for a pixel's codes (one
   * per field).
   */
  record P(String text, Predicate<int[]> holds, boolean compound) {
    /**
     * {@code FIELD > t}; {@code fieldIndex} is the field's place among the masks the classes were
     * built over.
     */
    static P greater(String field, int fieldIndex, String threshold) {
      double t = Double.parseDouble(threshold);
      return new P(field + ">" + threshold, c -> c[fieldIndex] / 255.0 > t, false);
    }

    static P or(List<P> parts) {
      return new P(join(parts, "|"), c -> parts.stream().anyMatch(p -> p.holds().test(c)), true);
    }

    static P and(List<P> parts) {
      return new P(join(parts, "&"), c -> parts.stream().allMatch(p -> p.holds().test(c)), true);
    }

    /** The same predicate in parentheses. */
    P parenthesized() {
      return new P("(" + text + ")", holds, false);
    }

    private static String join(List<P> parts, String operator) {
      return parts.stream()
          .map(p -> p.compound() ? "(" + p.text() + ")" : p.text())
          .collect(Collectors.joining(operator));
    }
  }

  /**
   * A numeric expression: its text and its brute-force value from a document's classes per region.
   */
  record X(String text, ToDoubleFunction<Map<String, PixelClasses>> value) {
    /**
     * {@code cp(pred, region)}; {@code region} is {@code full} or a box's text, a key of the
     * classes.
     */
    static X cp(P pred, String region) {
      return new X("cp(" + pred.text() + ", " + region + ")", d -> d.get(region).count(pred));
    }

    /** {@code iou(a, b)} over the whole mask: 0 when the union is empty. */
    static X iou(P a, P b) {
      P both = P.and(List.of(a, b));
      P either = P.or(List.of(a, b));
      return new X(
          "iou(" + a.text() + ", " + b.text() + ")",
          d -> {
            long union = d.get("full").count(either);
            return union == 0 ? 0 : (double) d.get("full").count(both) / union;
          });
    }

    static X sum(List<X> terms) {
      return new X(
          terms.stream().map(X::text).collect(Collectors.joining(" + ")),
          d -> {
            double sum = 0;
            for (X term : terms) {
              sum += term.value().applyAsDouble(d);
            }
            return sum;
          });
    }

    /** The same expression in parentheses. */
    X parenthesized() {
      return new X("(" + text + ")", value);
    }

    /** {@code depth} unary minuses before this expression. */
    X negated(int depth) {
      return new X(
          "-".repeat(depth) + text, d -> (depth % 2 == 0 ? 1 : -1) * value.applyAsDouble(d));
    }
  }

  /**
   * The thresholds {@code first, first + step, ...} ({@code count} of them) as short decimals
   * ({@code .0001}).
   */
  static List<String> thresholds(int first, int count, int scale) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String text = BigDecimal.valueOf(first + i, scale).toPlainString();
      out.add(text.startsWith("0.") ? text.substring(1) : text);
    }
    return out;
  }
}
