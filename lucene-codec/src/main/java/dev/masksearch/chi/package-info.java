/**
 * Layer 2: the Cumulative Histogram Index (CHI) and the bounds it gives. Vocabulary: a <em>bin</em>
 * is one of the {@code bins} equal-width value intervals of [0, 1) (the value 1.0 has one of its
 * own); a <em>level</em> l is the cumulative threshold "bin at least l" that the CHI counts per
 * grid point ({@code 1 <= l <= bins}; level 0 is the area): ranges are bins, stored entries are
 * levels. A {@link dev.masksearch.chi.ChiGrid} places grid lines every {@code grid_step} pixels and
 * on the edges and is the one home of the bounds geometry (the outer and inner aligned rectangles
 * of a region); {@link dev.masksearch.chi.CpBounds} bounds CP(mask, roi, range) from any {@link
 * dev.masksearch.chi.ChiLookup}, and {@link dev.masksearch.chi.BoundsPlan} compiles the same bounds
 * for a constant region. Depends on {@code mask}.
 */
package dev.masksearch.chi;
