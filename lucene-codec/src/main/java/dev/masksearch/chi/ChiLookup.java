package dev.masksearch.chi;

/** Reads the stored entries of one mask's CHI. */
public interface ChiLookup {
  /**
   * The number of pixels in {@code [0, x_i) x [0, y_j)} whose bin is at least {@code level}, for
   * {@code 1 <= i <= gx}, {@code 1 <= j <= gy}, {@code 1 <= level <= bins}.
   */
  long count(int i, int j, int level);

  /**
   * The entry at a flat position {@link Chi#index(int, int, int, int, int)} of the current mask's
   * grid.
   */
  long entry(int index);

  /**
   * Reads {@code count} entries at once: {@code out[k] = entry(indices[k])}. Implementations
   * override it to read without a call per entry.
   */
  default void entries(int[] indices, int count, long[] out) {
    for (int k = 0; k < count; k++) {
      out[k] = entry(indices[k]);
    }
  }

  /** The number of value bins below the top bin (the stored levels are 1 .. bins). */
  int bins();
}
