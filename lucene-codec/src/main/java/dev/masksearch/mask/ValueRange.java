package dev.masksearch.mask;

/**
 * The value interval {@code [lv, uv)} of a CP query: a pixel counts when {@code lv <= v < uv},
 * compared as doubles. {@code lv >= uv} is a valid, empty range; to include the value 1.0 use an
 * upper bound above 1.
 */
public record ValueRange(double lv, double uv) {
  public ValueRange {
    if (Double.isNaN(lv) || Double.isNaN(uv)) {
      throw new MaskFormatException("range bounds must be numbers, got [" + lv + ", " + uv + ")");
    }
  }

  /** Whether no value can satisfy the range. */
  public boolean isEmpty() {
    return lv >= uv;
  }

  @Override
  public String toString() {
    return "[" + lv + ", " + uv + ")";
  }
}
