package dev.masksearch.expr;

/**
 * Arithmetic on values and on intervals of values. Interval results hold every value the same
 * double operation can give for operands in the operand intervals (IEEE rounding is monotone), so
 * bounds stay exact-safe. A divisor of 0 makes a value NaN (undefined); a divisor interval holding
 * 0 makes the result unbounded.
 */
final class Intervals {
  private Intervals() {}

  static double apply(char op, double a, double b) {
    return switch (op) {
      case '+' -> a + b;
      case '-' -> a - b;
      case '*' -> a * b;
      case '/' -> b == 0 ? Double.NaN : a / b;
      default -> throw new IllegalArgumentException("operator " + op);
    };
  }

  static double[] apply(char op, double[] a, double[] b) {
    return switch (op) {
      case '+' -> new double[] {a[0] + b[0], a[1] + b[1]};
      case '-' -> new double[] {a[0] - b[1], a[1] - b[0]};
      case '*' -> corners(a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]);
      case '/' ->
          b[0] <= 0 && b[1] >= 0
              ? new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}
              : corners(a[0] / b[0], a[0] / b[1], a[1] / b[0], a[1] / b[1]);
      default -> throw new IllegalArgumentException("operator " + op);
    };
  }

  private static double[] corners(double p, double q, double r, double s) {
    double lower = Math.min(Math.min(p, q), Math.min(r, s));
    double upper = Math.max(Math.max(p, q), Math.max(r, s));
    if (Double.isNaN(lower) || Double.isNaN(upper)) { // infinity times zero: give up bounding
      return new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
    }
    return new double[] {lower, upper};
  }
}
