package dev.masksearch.qa.data;

import java.util.Locale;

/**
 * Where a synthetic model's saliency map puts its attention. Each image draws one regime with the
 * fixed {@link #probability()}; the probabilities sum to 1.
 */
public enum Regime {
  /** A few peaked blobs centred inside the object box; the peak is 1. */
  FOCUSED(0.55),
  /** Peaked blobs outside the box ("the model looks at the background"); the peak is 1. */
  BACKGROUND(0.25),
  /**
   * Wide low blobs plus noise, most pixels mid-valued and the peak below 0.85 ("diffuse
   * attention").
   */
  DIFFUSE(0.20);

  private final double probability;

  Regime(double probability) {
    this.probability = probability;
  }

  /** The chance that an image gets this regime. */
  public double probability() {
    return probability;
  }

  /**
   * The lower-case name stored in {@link SyntheticImage#regime()}: "focused", "background" or
   * "diffuse".
   */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The regime whose cumulative probability interval holds {@code u}, a uniform draw in [0, 1). */
  static Regime pick(double u) {
    double cumulative = 0;
    for (Regime r : values()) {
      cumulative += r.probability;
      if (u < cumulative) {
        return r;
      }
    }
    return DIFFUSE; // u within rounding of 1
  }

  /** Parses an {@link #apiName()}. */
  public static Regime fromApiName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
