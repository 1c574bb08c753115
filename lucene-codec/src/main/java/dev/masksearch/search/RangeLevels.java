package dev.masksearch.search;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.ValueRange;

/**
 * A query's value range bracketed by the levels of one CHI tier's bins ({@link BinEdges#levels}),
 * per mask dtype, each computed the first time a segment's masks have that dtype.
 */
final class RangeLevels {
  private final ValueRange range;
  private final int bins;
  private final BinEdges.Levels[] byDType = new BinEdges.Levels[MaskDType.values().length];

  RangeLevels(ValueRange range, int bins) {
    this.range = range;
    this.bins = bins;
  }

  /** The range's levels on masks of {@code dtype}. */
  BinEdges.Levels of(MaskDType dtype) {
    BinEdges.Levels levels = byDType[dtype.ordinal()];
    if (levels == null) {
      levels = byDType[dtype.ordinal()] = BinEdges.of(dtype, bins).levels(range);
    }
    return levels;
  }

  /** The tier's bins. */
  int bins() {
    return bins;
  }
}
