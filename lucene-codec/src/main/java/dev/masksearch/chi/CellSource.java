package dev.masksearch.chi;

/**
 * The counts of one mask's aligned rectangles of cells over a range's overlapping and inner bins:
 * what the per-cell bounds and verification read. {@link CellCounts} answers from the CHI read
 * whole (for regions that visit many cells), {@link #of} by looking entries up one by one (for a
 * small box on a large mask).
 */
public interface CellSource {
  /** The pixels of the rectangle whose bin overlaps the range. */
  long overlapping(ChiGrid.Cells cells);

  /** The pixels of the rectangle whose bin lies inside the range. */
  long inner(ChiGrid.Cells cells);

  /** Whether the range is a union of whole bins, so that overlapping and inner counts are equal. */
  boolean aligned();

  /** Looks the counts of {@code chi} up entry by entry. */
  static CellSource of(ChiGrid grid, ChiLookup chi, BinEdges.Levels levels) {
    return new CellSource() {
      @Override
      public long overlapping(ChiGrid.Cells cells) {
        return CpBounds.rect(grid, chi, cells, levels.outerFrom(), levels.outerTo());
      }

      @Override
      public long inner(ChiGrid.Cells cells) {
        return CpBounds.rect(grid, chi, cells, levels.innerFrom(), levels.innerTo());
      }

      @Override
      public boolean aligned() {
        return levels.isAligned();
      }
    };
  }
}
