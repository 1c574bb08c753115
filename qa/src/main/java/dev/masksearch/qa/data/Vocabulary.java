package dev.masksearch.qa.data;

import java.util.List;
import java.util.SplittableRandom;

/** The class labels and, for each, the classes a classifier plausibly confuses it with. */
final class Vocabulary {
  static final List<String> LABELS =
      List.of("cat", "dog", "bird", "car", "truck", "boat", "plane", "horse");

  // Confusions per label, in LABELS order; a repeated entry is drawn more often.
  private static final String[][] CONFUSIONS = {
    {"dog", "dog", "horse"}, // cat
    {"cat", "cat", "horse"}, // dog
    {"plane", "plane", "cat"}, // bird
    {"truck", "truck", "boat"}, // car
    {"car", "car", "boat"}, // truck
    {"plane", "truck", "bird"}, // boat
    {"bird", "bird", "boat"}, // plane
    {"dog", "dog", "cat"}, // horse
  };

  private Vocabulary() {}

  static String label(SplittableRandom rng) {
    return LABELS.get(rng.nextInt(LABELS.size()));
  }

  /** A wrong prediction for {@code label}. */
  static String confusion(String label, SplittableRandom rng) {
    String[] options = CONFUSIONS[LABELS.indexOf(label)];
    return options[rng.nextInt(options.length)];
  }
}
