package dev.masksearch.chi;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A region laid on one mask's grid: the cells it covers whole (as aligned rectangles, whose counts
 * the CHI gives exactly) and the cells it crosses, each with the number of its pixels the region
 * covers. What the bounds of any region shape need: {@link BoundsPlan} sums the CHI over both sets,
 * {@link CpBounds} bounds crossing cells one by one and counts their covered pixels (or the cell's
 * uncovered side, where cheaper) when the bounds do not meet.
 */
public final class CellCover {
  private final ChiGrid grid;
  private final Region region;
  private final long area;
  private final List<ChiGrid.Cells> inside;
  private final int[] crossing; // (cx, cy) pairs
  private final long[] covered; // per crossing cell
  private final int crossingCount;
  private final ChiGrid.Cells outer; // a box's outer rectangle; null for a shape

  private CellCover(
      ChiGrid grid,
      Region region,
      long area,
      List<ChiGrid.Cells> inside,
      int[] crossing,
      long[] covered,
      int crossingCount,
      ChiGrid.Cells outer) {
    this.outer = outer;
    this.grid = grid;
    this.region = region;
    this.area = area;
    this.inside = inside;
    this.crossing = crossing;
    this.covered = covered;
    this.crossingCount = crossingCount;
  }

  /** The cover of {@code region} on {@code grid}. */
  public static CellCover of(ChiGrid grid, Region region) {
    return switch (region) {
      case Roi box -> ofBox(grid, box);
      case Shape shape -> ofShape(grid, shape);
    };
  }

  private static CellCover ofBox(ChiGrid grid, Roi roi) {
    Roi r = roi.clip(grid.width(), grid.height());
    if (r.isEmpty()) {
      return new CellCover(grid, r, 0, List.of(), new int[0], new long[0], 0, null);
    }
    ChiGrid.Cells outer = grid.outer(r);
    ChiGrid.Cells inner = grid.inner(r);
    int ring =
        (outer.xb() - outer.xa()) * (outer.yb() - outer.ya())
            - (inner.isEmpty() ? 0 : (inner.xb() - inner.xa()) * (inner.yb() - inner.ya()));
    int[] crossing = new int[2 * ring];
    long[] covered = new long[ring];
    int n = 0;
    for (int cy = outer.ya(); cy < outer.yb(); cy++) {
      for (int cx = outer.xa(); cx < outer.xb(); cx++) {
        if (cx >= inner.xa() && cx < inner.xb() && cy >= inner.ya() && cy < inner.yb()) {
          continue;
        }
        crossing[2 * n] = cx;
        crossing[2 * n + 1] = cy;
        covered[n++] = grid.covered(r, cx, cy);
      }
    }
    return new CellCover(
        grid,
        r,
        r.area(),
        inner.isEmpty() ? List.of() : List.of(inner),
        crossing,
        covered,
        n,
        outer);
  }

  private static CellCover ofShape(ChiGrid grid, Shape shape) {
    int gx = grid.gx();
    int gy = grid.gy();
    long[] perCell = new long[gx * gy];
    int step = grid.step();
    long area = 0;
    for (int s = 0; s < shape.spanCount() && shape.y(s) < grid.height(); s++) {
      int x1 = shape.x1(s);
      int x2 = Math.min(shape.x2(s), grid.width());
      int row = shape.y(s) / step * gx;
      for (int cx = x1 / step; x1 < x2; cx++) {
        int end = Math.min(x2, grid.lineX(cx + 1));
        perCell[row + cx] += end - x1;
        area += end - x1;
        x1 = end;
      }
    }
    List<ChiGrid.Cells> inside = new ArrayList<>();
    int[] crossing = new int[16];
    long[] covered = new long[8];
    int n = 0;
    for (int cy = 0; cy < gy; cy++) {
      int runFrom = -1;
      for (int cx = 0; cx <= gx; cx++) {
        long c = cx < gx ? perCell[cy * gx + cx] : 0;
        boolean whole = cx < gx && c == grid.cellArea(cx, cy);
        if (whole && runFrom < 0) {
          runFrom = cx;
        } else if (!whole && runFrom >= 0) {
          inside.add(new ChiGrid.Cells(runFrom, cx, cy, cy + 1));
          runFrom = -1;
        }
        if (!whole && c > 0) {
          if (n == covered.length) {
            covered = Arrays.copyOf(covered, 2 * n);
            crossing = Arrays.copyOf(crossing, 4 * n);
          }
          crossing[2 * n] = cx;
          crossing[2 * n + 1] = cy;
          covered[n++] = c;
        }
      }
    }
    return new CellCover(grid, shape, area, inside, crossing, covered, n, null);
  }

  /**
   * About the most memory laying {@code region} on {@code grid} takes: what a caller reserves first
   * (a shape on a fine grid touches many cells).
   */
  public static long bytesToBuild(ChiGrid grid, Region region) {
    if (region instanceof Roi) { // its ring's cells
      return 2048 + (2L * (grid.gx() + grid.gy()) + 4) * 32;
    }
    // per cell: its count while laying (8), a crossing cell's position and covered pixels (16), a
    // run of inside cells (24)
    return 1024 + (long) grid.gx() * grid.gy() * 48;
  }

  /** The grid the region is laid on. */
  public ChiGrid grid() {
    return grid;
  }

  /**
   * For a box, its outer rectangle: the crossing cells are the ring between it and the inside
   * rectangle, whose sides {@link BoundsPlan} bounds apart. Null for a shape.
   */
  public ChiGrid.Cells outer() {
    return outer;
  }

  /** The pixels of the mask the region covers. */
  public long area() {
    return area;
  }

  /** The cells the region covers whole, as disjoint aligned rectangles. */
  public List<ChiGrid.Cells> inside() {
    return inside;
  }

  /** The number of cells the region covers in part. */
  public int crossingCount() {
    return crossingCount;
  }

  /** The column of crossing cell {@code k}. */
  public int crossingX(int k) {
    return crossing[2 * k];
  }

  /** The row of crossing cell {@code k}. */
  public int crossingY(int k) {
    return crossing[2 * k + 1];
  }

  /** Crossing cell {@code k} as a rectangle of one cell. */
  public ChiGrid.Cells crossingCell(int k) {
    return new ChiGrid.Cells(crossingX(k), crossingX(k) + 1, crossingY(k), crossingY(k) + 1);
  }

  /** The pixels of crossing cell {@code k} that the region covers. */
  public long covered(int k) {
    return covered[k];
  }

  /** The pixels of crossing cell {@code k}. */
  public long cellArea(int k) {
    return grid.cellArea(crossingX(k), crossingY(k));
  }

  /**
   * The covered pixels of crossing cell {@code k} that {@code pixels} counts (those in the range):
   * one rectangle for a box, the shape's row spans in the cell otherwise. Given the whole cell's
   * count in the range ({@code cellCount}, exact for a range on the bins; negative when unknown), a
   * box's part that leaves one rectangle of the cell uncovered on its left or above is counted as
   * the cell's count less that rectangle's, when the rectangle is the narrower (or shorter) of the
   * two: fewer pixels to count, and fewer columns or rows for a tile to decode, since tiles decode
   * a row from its first column and, in some encodings, rows from the first. (Below or to the right
   * the rest would decode the part's rows or columns and more.)
   */
  public long countCrossing(int k, CpBounds.Pixels pixels, long cellCount) throws IOException {
    int x1 = grid.lineX(crossingX(k));
    int x2 = grid.lineX(crossingX(k) + 1);
    int y1 = grid.lineY(crossingY(k));
    int y2 = grid.lineY(crossingY(k) + 1);
    return switch (region) {
      case Roi r -> {
        int px1 = Math.max(r.x1(), x1);
        int py1 = Math.max(r.y1(), y1);
        int px2 = Math.min(r.x2(), x2);
        int py2 = Math.min(r.y2(), y2);
        if (cellCount >= 0) {
          if (py1 == y1 && py2 == y2 && px2 == x2 && px1 - x1 < x2 - px1) { // columns on the left
            yield cellCount - pixels.count(x1, y1, px1, y2);
          }
          if (px1 == x1 && px2 == x2 && py2 == y2 && py1 - y1 < y2 - py1) { // rows above
            yield cellCount - pixels.count(x1, y1, x2, py1);
          }
        }
        yield pixels.count(px1, py1, px2, py2);
      }
      case Shape shape -> pixels.count(shape, x1, y1, x2, y2);
    };
  }
}
