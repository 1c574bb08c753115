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

  /**
   * Whether values above the threshold pass ({@code >}, {@code >=}): bounds decide by the upper.
   */
  public boolean passesAbove() {
    return this == GT || this == GTE;
  }

  /** The comparison holds for every value in {@code [lower, upper]}. */
  public boolean acceptsAll(double lower, double upper, double threshold) {
    return test(passesAbove() ? lower : upper, threshold);
  }

  /** The comparison fails for every value in {@code [lower, upper]}. */
  public boolean rejectsAll(double lower, double upper, double threshold) {
    return !test(passesAbove() ? upper : lower, threshold);
  }

  /** Bounds {@code [lower, upper]} leave the comparison open: some values pass, others fail. */
  public boolean undecided(double lower, double upper, double threshold) {
    return !acceptsAll(lower, upper, threshold) && !rejectsAll(lower, upper, threshold);
  }

  public String symbol() {
    return symbol;
  }
}
