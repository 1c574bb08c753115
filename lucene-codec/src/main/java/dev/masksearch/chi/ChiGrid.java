package dev.masksearch.chi;

import dev.masksearch.mask.Roi;

/**
 * The grid of one mask: vertical lines at {@code x_i = min(i * step, width)} for {@code i = 0 ..
 * gx} and horizontal lines at {@code y_j = min(j * step, height)} for {@code j = 0 .. gy}, where
 * {@code gx = ceil(width / step)}. The last line of each axis is the mask's edge, so a region
 * clipped to the mask is aligned wherever it meets an edge.
 *
 * <p>The one home of the bounds geometry: for a region {@code R} (clipped to the mask) the smallest
 * grid-aligned rectangle around it ({@link #outer}) and the largest inside it ({@link #inner}),
 * which {@link CpBounds}, {@link BoundsPlan} and derived-mask CHIs all bound with.
 */
public record ChiGrid(int step, int width, int height) {

  /**
   * The aligned rectangle between vertical lines {@code xa..xb} and horizontal lines {@code
   * ya..yb}.
   */
  public record Cells(int xa, int xb, int ya, int yb) {
    /** Whether it holds no cell. */
    public boolean isEmpty() {
      return xa >= xb || ya >= yb;
    }
  }

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

  /**
   * The smallest aligned rectangle holding {@code r}, a non-empty region within the mask: floor the
   * start, ceil the end.
   */
  public Cells outer(Roi r) {
    return new Cells(
        r.x1() / step,
        r.x2() == width ? gx() : Math.ceilDiv(r.x2(), step),
        r.y1() / step,
        r.y2() == height ? gy() : Math.ceilDiv(r.y2(), step));
  }

  /**
   * The largest aligned rectangle inside {@code r} (maybe empty): ceil the start, floor the end; an
   * edge is a line.
   */
  public Cells inner(Roi r) {
    return new Cells(
        Math.ceilDiv(r.x1(), step),
        r.x2() == width ? gx() : r.x2() / step,
        Math.ceilDiv(r.y1(), step),
        r.y2() == height ? gy() : r.y2() / step);
  }

  /** The pixels of an aligned rectangle (0 when it is empty). */
  public long area(Cells c) {
    return c.isEmpty()
        ? 0
        : (long) (lineX(c.xb()) - lineX(c.xa())) * (lineY(c.yb()) - lineY(c.ya()));
  }

  /** The pixels of cell {@code (cx, cy)}. */
  public long cellArea(int cx, int cy) {
    return (long) (lineX(cx + 1) - lineX(cx)) * (lineY(cy + 1) - lineY(cy));
  }

  /** The pixels of cell {@code (cx, cy)} that {@code r} covers. */
  public long covered(Roi r, int cx, int cy) {
    return (long) (Math.min(r.x2(), lineX(cx + 1)) - Math.max(r.x1(), lineX(cx)))
        * (Math.min(r.y2(), lineY(cy + 1)) - Math.max(r.y1(), lineY(cy)));
  }
}
