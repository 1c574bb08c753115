package dev.masksearch.search;

/**
 * How a CP value is compared with a threshold, and what bounds on the value decide without the
 * exact value.
 */
public enum Comparison {
  GT(">"),
  GTE(">="),
  LT("<"),
  LTE("<=");

  private final String symbol;

  Comparison(String symbol) {
    this.symbol = symbol;
  }

  /** Whether {@code value op threshold}. */
  public boolean test(double value, double threshold) {
    return switch (this) {
      case GT -> value > threshold;
      case GTE -> value >= threshold;
      case LT -> value < threshold;
      case LTE -> value <= threshold;
    };
  }

  /** The comparison holds for every value in {@code [lower, upper]}. */
  public boolean acceptsAll(double lower, double upper, double threshold) {
    return switch (this) {
      case GT, GTE -> test(lower, threshold);
      case LT, LTE -> test(upper, threshold);
    };
  }

  /** The comparison fails for every value in {@code [lower, upper]}. */
  public boolean rejectsAll(double lower, double upper, double threshold) {
    return switch (this) {
      case GT, GTE -> !test(upper, threshold);
      case LT, LTE -> !test(lower, threshold);
    };
  }

  /** Bounds {@code [lower, upper]} leave the comparison open: some values pass, others fail. */
  public boolean undecided(double lower, double upper, double threshold) {
    return !acceptsAll(lower, upper, threshold) && !rejectsAll(lower, upper, threshold);
  }

  public String symbol() {
    return symbol;
  }
}
