package dev.masksearch.chi;

/**
 * The grid of one mask: vertical lines at {@code x_i = min(i * step, width)} for {@code i = 0 .. gx} and horizontal
 * lines at {@code y_j = min(j * step, height)} for {@code j = 0 .. gy}, where {@code gx = ceil(width / step)}. The
 * last line of each axis is the mask's edge, so a region clipped to the mask is aligned wherever it meets an edge.
 */
public record ChiGrid(int step, int width, int height) {

  /** Grid cells across. */
  public int gx() {
    return cells(width, step);
  }

  /** Grid cells down. */
  public int gy() {
    return cells(height, step);
  }

  /** The number of cells along a side of {@code length} pixels. */
  public static int cells(int length, int step) {
    return Math.ceilDiv(length, step);
  }

  /** The pixel column of vertical line i. */
  public int lineX(int i) {
    return Math.min(i * step, width);
  }

  /** The pixel row of horizontal line j. */
  public int lineY(int j) {
    return Math.min(j * step, height);
  }
}
