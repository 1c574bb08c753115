package dev.masksearch.search;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.chi.BoundsPlan;
import dev.masksearch.chi.CellCover;
import dev.masksearch.chi.CellSource;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.chi.L1Cells;
import dev.masksearch.chi.OverlapCells;
import dev.masksearch.codec.MaskDocValues;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Region;
import java.io.IOException;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.util.BytesRef;

/**
 * Computes a {@link SimilaritySpec} for the documents of one segment: bounds from the CHI cell by
 * cell ({@link OverlapCells}), and for the documents they leave open the exact intersection and
 * count, each a CP over a constant region ({@link CpBounds#exactCount}) that reads only the cells
 * the CHI does not decide. Without a CHI, every mask is read.
 */
abstract class LeafSimilarityEvaluator extends LeafEvaluator {
  final SimilaritySpec spec;
  final SearchGuard guard;

  private LeafSimilarityEvaluator(SimilaritySpec spec, SearchGuard guard) {
    this.spec = spec;
    this.guard = guard;
  }

  /** An evaluator for a segment, or null if no document of it has the field. */
  static LeafSimilarityEvaluator create(LeafMaskFields fields, SimilaritySpec spec)
      throws IOException {
    BinaryDocValues values = fields.values(spec.field());
    if (values == null) {
      return null;
    }
    if (!(values instanceof MaskDocValues masks)) {
      return new FromMasks(spec, fields.reader().getBinaryDocValues(spec.field()), fields.guard());
    }
    return spec.similarity().thresholded()
        ? new FromChi(spec, masks, fields)
        : new L1FromChi(spec, masks, fields);
  }

  /** The similarity of a mask whose I and D are known. */
  double value(long intersection, long documentPixels, long queryPixels) {
    return spec.similarity().value(intersection, documentPixels, queryPixels);
  }

  @Override
  public void refine(int doc, DocBounds out) {
    // the bounds are per cell already
  }

  /** Sets {@code out} to a document's bounds over the query's region and size. */
  void bounds(DocBounds out, double lower, double upper, boolean readMask) {
    out.lower = lower;
    out.upper = upper;
    out.roi = spec.roi();
    out.width = spec.width();
    out.height = spec.height();
    out.readMask = readMask;
  }

  /** What the evaluators reading a field's CHI share: its doc values, fields and cursor. */
  private abstract static class OnChi extends LeafSimilarityEvaluator {
    final MaskDocValues masks;
    final LeafMaskFields fields;
    final MaskDocValues.ChiCursor cursor;

    OnChi(SimilaritySpec spec, MaskDocValues masks, LeafMaskFields fields) throws IOException {
      super(spec, fields.guard());
      this.masks = masks;
      this.fields = fields;
      this.cursor = fields.cursor(spec.field());
    }

    /** The grid of the document's mask when it has one of the query's size, else null. */
    ChiGrid gridOfQuerySize(int doc) throws IOException {
      if (!cursor.seek(doc)) {
        return null;
      }
      ChiGrid grid = cursor.grid();
      return grid.width() == spec.width() && grid.height() == spec.height() ? grid : null;
    }

    @Override
    public boolean usesChi() {
      return true;
    }

    @Override
    public float verificationCost() {
      return masks.averageMaskPixels();
    }
  }

  /** Bounds from the CHI; masks are read only by {@link #exact}. */
  private static final class FromChi extends OnChi {
    private final BinEdges.Levels[] levelsByDType = new BinEdges.Levels[MaskDType.values().length];
    private final long[] overlap = new long[4];
    private ChiGrid grid;
    private CellCover region;
    private CellCover queryOn;
    private OverlapCells cells;
    private final LaidRegions<LaidKey, Laid> covers;
    private MaskDType gridDType;

    /** What the region and query are laid for: a mask size's grid, a dtype's bin levels. */
    private record LaidKey(ChiGrid grid, MaskDType dtype) {}

    /** The region and the query's pixels laid on one grid. */
    private record Laid(CellCover region, CellCover queryOn, OverlapCells cells) {}

    FromChi(SimilaritySpec spec, MaskDocValues masks, LeafMaskFields fields) throws IOException {
      super(spec, masks, fields);
      this.covers =
          new LaidRegions<>(fields.guard(), "the query mask of " + spec + " laid on a grid");
    }

    @Override
    public boolean bounds(int doc, DocBounds out) throws IOException {
      if (!layFor(doc)) {
        return false;
      }
      cells.bounds(cursor, overlap);
      fields.account(spec.field());
      long q = cells.queryPixels();
      bounds(out, value(overlap[2], overlap[3], q), value(overlap[0], overlap[1], q), false);
      return true;
    }

    /**
     * Whether the document's mask has the query's size; lays the region and the query on its grid
     * the first time (every mask of that size has the same grid).
     */
    private boolean layFor(int doc) throws IOException {
      ChiGrid maskGrid = gridOfQuerySize(doc);
      if (maskGrid == null) {
        return false;
      }
      MaskDType dtype = cursor.dtype();
      if (!maskGrid.equals(grid) || dtype != gridDType) { // one size, one grid: laid once
        BinEdges.Levels levels = levels(dtype);
        Laid laid =
            covers.get(
                new LaidKey(maskGrid, dtype),
                BoundsPlan.bytesToBuild(maskGrid, spec.roi())
                    + BoundsPlan.bytesToBuild(maskGrid, spec.queryOn()),
                () -> {
                  CellCover r = CellCover.of(maskGrid, spec.roi());
                  CellCover q = CellCover.of(maskGrid, spec.queryOn());
                  return new Laid(r, q, new OverlapCells(r, q, masks.params().bins(), levels));
                });
        grid = maskGrid;
        gridDType = dtype;
        region = laid.region();
        queryOn = laid.queryOn();
        cells = laid.cells();
      }
      return true;
    }

    @Override
    public double exact(int doc, Region ignored) throws IOException {
      guard.check();
      try (Reservation reservation = new Reservation(guard)) {
        reservation.reserveMask(masks, spec.field(), doc);
        if (!layFor(doc)) {
          throw new IllegalStateException("document " + doc + " has no mask of the query's size");
        }
        CpBounds.Pixels pixels = masks.pixels(doc, spec.range());
        CellSource counts = cells.counts(cursor); // the CHI read once for both counts
        long intersection = CpBounds.exactCount(counts, queryOn, pixels);
        long documentPixels = CpBounds.exactCount(counts, region, pixels);
        fields.account(spec.field());
        return value(intersection, documentPixels, queryOn.area());
      }
    }

    private BinEdges.Levels levels(MaskDType dtype) {
      BinEdges.Levels levels = levelsByDType[dtype.ordinal()];
      if (levels == null) {
        levels =
            levelsByDType[dtype.ordinal()] =
                BinEdges.of(dtype, masks.params().bins()).levels(spec.range());
      }
      return levels;
    }
  }

  /**
   * L1 from the CHI: bounds from the document's counts at every level ({@link L1Cells}); the exact
   * value from the whole mask, decoded.
   */
  private static final class L1FromChi extends OnChi {
    private final LaidRegions<ChiGrid, L1Cells> laid;
    private final long[] sums = new long[2];
    private ChiGrid grid;
    private L1Cells cells;

    L1FromChi(SimilaritySpec spec, MaskDocValues masks, LeafMaskFields fields) throws IOException {
      super(spec, masks, fields);
      this.laid =
          new LaidRegions<>(fields.guard(), "the query mask of " + spec + " laid on a grid");
    }

    @Override
    public boolean bounds(int doc, DocBounds out) throws IOException {
      ChiGrid maskGrid = gridOfQuerySize(doc);
      if (maskGrid == null) {
        return false;
      }
      if (!maskGrid.equals(grid)) {
        int bins = masks.params().bins();
        long bytes =
            BoundsPlan.bytesToBuild(maskGrid, spec.roi()) + L1Cells.bytesToBuild(maskGrid, bins);
        cells =
            laid.get(maskGrid, bytes, () -> new L1Cells(maskGrid, bins, spec.roi(), spec.like()));
        grid = maskGrid;
      }
      cells.bounds(cursor, sums);
      fields.account(spec.field());
      double bins = masks.params().bins();
      // widened by the worst rounding error of the exact sum of n terms (n^2 u): the value the
      // pixels give, however rounded, lies within
      long n = cells.area();
      double rounding = (double) n * n * 0x1p-52;
      bounds(
          out,
          Similarity.l1(sums[1] / bins + rounding, n),
          Similarity.l1(Math.max(0, sums[0] / bins - rounding), n),
          false);
      return true;
    }

    @Override
    public double exact(int doc, Region ignored) throws IOException {
      guard.check();
      try (Reservation reservation = new Reservation(guard)) {
        reservation.reserveMask(masks, spec.field(), doc);
        return spec.l1(masks.mask(doc));
      }
    }
  }

  /** No CHI: every document's value is exact, read from its mask. */
  private static final class FromMasks extends LeafSimilarityEvaluator {
    private final BinaryDocValues values;

    FromMasks(SimilaritySpec spec, BinaryDocValues values, SearchGuard guard) {
      super(spec, guard);
      this.values = values;
    }

    @Override
    public boolean bounds(int doc, DocBounds out) throws IOException {
      if (!values.advanceExact(doc)) {
        return false;
      }
      guard.check();
      try (Reservation reservation = new Reservation(guard)) {
        BytesRef bytes = values.binaryValue();
        reservation.reserveMaskBytes(spec.field(), bytes.length, doc);
        Mask mask = MaskBytes.decode(bytes);
        if (mask.width() != spec.width() || mask.height() != spec.height()) {
          return false;
        }
        double value =
            spec.similarity().thresholded()
                ? value(
                    spec.queryOn().countPixels(mask, spec.range()),
                    spec.roi().countPixels(mask, spec.range()),
                    spec.queryOn().pixels())
                : spec.l1(mask);
        bounds(out, value, value, true);
      }
      return true;
    }

    @Override
    public double exact(int doc, Region roi) {
      throw new IllegalStateException("bounds read the mask already; the value is exact");
    }

    @Override
    public boolean usesChi() {
      return false;
    }

    @Override
    public float verificationCost() {
      return spec.width() * (float) spec.height();
    }
  }
}
