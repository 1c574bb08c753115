package dev.masksearch.expr;

import dev.masksearch.mask.ValueRange;
import java.util.Locale;

/**
 * A per-pixel predicate over the masks of one document: a value test on one mask field, or the
 * intersection or union of two predicates. A pixel outside a mask's extent fails that mask's tests.
 */
sealed interface Pred {

  /**
   * {@code field} has a value in {@code range} at the pixel; {@code text} is how it was written.
   */
  record Test(String field, ValueRange range, String text) implements Pred {
    @Override
    public String toString() {
      return text;
    }
  }

  /** Both hold (mask intersection). */
  record And(Pred left, Pred right) implements Pred {
    @Override
    public String toString() {
      return "(" + left + " & " + right + ")";
    }
  }

  /** Either holds (mask union). */
  record Or(Pred left, Pred right) implements Pred {
    @Override
    public String toString() {
      return "(" + left + " | " + right + ")";
    }
  }

  /**
   * A value test from a comparison with a threshold ({@code >}, {@code >=}, {@code <}, {@code <=}).
   */
  static Test compare(String field, String op, double t) {
    // Mask values lie in [0, 1]: -1 and 2 stand for "no bound" and keep the range finite.
    ValueRange range =
        switch (op) {
          case ">" -> new ValueRange(Math.nextUp(t), 2);
          case ">=" -> new ValueRange(t, 2);
          case "<" -> new ValueRange(-1, t);
          case "<=" -> new ValueRange(-1, Math.nextUp(t));
          default -> throw new IllegalArgumentException(op);
        };
    return new Test(field, range, field + " " + op + " " + format(t));
  }

  /** A value test on {@code [lv, uv)}. */
  static Test in(String field, double lv, double uv) {
    return new Test(
        field, new ValueRange(lv, uv), field + " in [" + format(lv) + ", " + format(uv) + ")");
  }

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.format(Locale.ROOT, "%.1f", v)
        : Double.toString(v);
  }
}
