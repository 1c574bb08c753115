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

  /** Sets {@code out} to a document's bounds over the query's region and size. */
  void bounds(DocBounds out, double lower, double upper, boolean readMask) {
    out.lower = lower;
    out.upper = upper;
    out.roi = spec.roi();
    out.width = spec.width();
    out.height = spec.height();
    out.readMask = readMask;
  }

  /**
   * What the evaluators reading a field's CHI share: its doc values, fields and cursors, and two
   * stages. The first bounds every document from the first tier when the segment stores the CHI in
   * two tiers (coarser cells and bins: looser bounds, a fraction of the reads); the refine bounds
   * the documents it leaves open from the field's own CHI, cell by cell; one tier: the first stage
   * reads the field's CHI and there is nothing to refine.
   */
  private abstract static class OnChi extends LeafSimilarityEvaluator {
    final MaskDocValues masks;
    final LeafMaskFields fields;
    final MaskDocValues.ChiCursor cursor; // the field's CHI: refines, exact values
    final MaskDocValues.ChiCursor firstTier; // first stages; the same cursor in one tier
    private final double[] tierBounds = new double[2];

    OnChi(SimilaritySpec spec, MaskDocValues masks, LeafMaskFields fields) throws IOException {
      super(spec, fields.guard());
      this.masks = masks;
      this.fields = fields;
      this.cursor = fields.cursor(spec.field());
      this.firstTier = fields.firstTierCursor(spec.field());
    }

    /**
     * Sets {@code out} to the lower and upper bounds of the document's value from {@code chi} (the
     * first tier or the field's CHI); false when the document has no mask of the query's size.
     */
    abstract boolean boundsOn(MaskDocValues.ChiCursor chi, int doc, double[] out)
        throws IOException;

    @Override
    public boolean bounds(int doc, DocBounds out) throws IOException {
      if (!boundsOn(firstTier, doc, tierBounds)) {
        return false;
      }
      fields.account(spec.field());
      bounds(out, tierBounds[0], tierBounds[1], false);
      return true;
    }

    @Override
    public void refine(int doc, DocBounds out) throws IOException {
      if (firstTier == cursor || out.isExact() || !boundsOn(cursor, doc, tierBounds)) {
        return;
      }
      fields.account(spec.field());
      out.lower = Math.max(out.lower, tierBounds[0]);
      out.upper = Math.min(out.upper, tierBounds[1]);
    }

    /** The grid of the document's mask in {@code chi} when it has the query's size, else null. */
    ChiGrid gridOfQuerySize(MaskDocValues.ChiCursor chi, int doc) throws IOException {
      if (!chi.seek(doc)) {
        return null;
      }
      ChiGrid grid = chi.grid();
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
    private final long[] overlap = new long[4];
    private final LaidRegions<LaidKey, Laid> covers;
    private final Tier fieldTier;
    private final Tier firstTierLaid;

    /** What the region and query are laid for: a mask size's grid, a dtype, a tier's bins. */
    private record LaidKey(ChiGrid grid, MaskDType dtype, int bins) {}

    /** The region and the query's pixels laid on one grid. */
    private record Laid(CellCover region, CellCover queryOn, OverlapCells cells) {}

    /**
     * One tier's range levels and what its cursor was last laid for (one size, one grid: laid
     * once).
     */
    private static final class Tier {
      final RangeLevels levels;
      ChiGrid grid;
      MaskDType dtype;
      Laid laid;

      Tier(RangeLevels levels) {
        this.levels = levels;
      }
    }

    FromChi(SimilaritySpec spec, MaskDocValues masks, LeafMaskFields fields) throws IOException {
      super(spec, masks, fields);
      this.covers =
          new LaidRegions<>(fields.guard(), "the query mask of " + spec + " laid on a grid");
      this.fieldTier = new Tier(new RangeLevels(spec.range(), cursor.bins()));
      this.firstTierLaid =
          firstTier == cursor
              ? fieldTier
              : new Tier(new RangeLevels(spec.range(), firstTier.bins()));
    }

    @Override
    boolean boundsOn(MaskDocValues.ChiCursor chi, int doc, double[] out) throws IOException {
      Laid laid = layFor(chi, doc);
      if (laid == null) {
        return false;
      }
      laid.cells().bounds(chi, overlap);
      long q = laid.cells().queryPixels();
      out[0] = value(overlap[2], overlap[3], q);
      out[1] = value(overlap[0], overlap[1], q);
      return true;
    }

    /**
     * The region and query laid on the grid of the document's mask in {@code chi}, or null when it
     * has no mask of the query's size; laid the first time for each size and tier.
     */
    private Laid layFor(MaskDocValues.ChiCursor chi, int doc) throws IOException {
      ChiGrid maskGrid = gridOfQuerySize(chi, doc);
      if (maskGrid == null) {
        return null;
      }
      Tier tier = chi == cursor ? fieldTier : firstTierLaid;
      MaskDType dtype = chi.dtype();
      if (!maskGrid.equals(tier.grid) || dtype != tier.dtype) {
        int bins = tier.levels.bins();
        BinEdges.Levels tierLevels = tier.levels.of(dtype);
        tier.laid =
            covers.get(
                new LaidKey(maskGrid, dtype, bins),
                BoundsPlan.bytesToBuild(maskGrid, spec.roi())
                    + BoundsPlan.bytesToBuild(maskGrid, spec.queryOn()),
                () -> {
                  CellCover r = CellCover.of(maskGrid, spec.roi());
                  CellCover q = CellCover.of(maskGrid, spec.queryOn());
                  return new Laid(r, q, new OverlapCells(r, q, bins, tierLevels));
                });
        tier.grid = maskGrid;
        tier.dtype = dtype;
      }
      return tier.laid;
    }

    @Override
    public double exact(int doc, Region ignored) throws IOException {
      guard.check();
      try (Reservation reservation = new Reservation(guard)) {
        reservation.reserveMask(masks, spec.field(), doc);
        Laid laid = layFor(cursor, doc);
        if (laid == null) {
          throw new IllegalStateException("document " + doc + " has no mask of the query's size");
        }
        CpBounds.Pixels pixels = masks.pixels(doc, spec.range());
        CellSource counts = laid.cells().counts(cursor); // the CHI read once for both counts
        long intersection = CpBounds.exactCount(counts, laid.queryOn(), pixels);
        long documentPixels = CpBounds.exactCount(counts, laid.region(), pixels);
        fields.account(spec.field());
        return value(intersection, documentPixels, laid.queryOn().area());
      }
    }
  }

  /**
   * L1 from the CHI: bounds from the document's counts at every level ({@link L1Cells}); the exact
   * value from the whole mask, decoded.
   */
  private static final class L1FromChi extends OnChi {
    private final LaidRegions<LaidKey, L1Cells> laid;
    private final long[] sums = new long[2];
    private final Tier fieldTier = new Tier();
    private final Tier firstTierLaid;

    /** What the query is laid for: a mask size's grid and a tier's bins. */
    private record LaidKey(ChiGrid grid, int bins) {}

    /** The query laid on one tier's grid of the last mask size. */
    private static final class Tier {
      ChiGrid grid;
      L1Cells cells;
    }

    L1FromChi(SimilaritySpec spec, MaskDocValues masks, LeafMaskFields fields) throws IOException {
      super(spec, masks, fields);
      this.laid =
          new LaidRegions<>(fields.guard(), "the query mask of " + spec + " laid on a grid");
      this.firstTierLaid = firstTier == cursor ? fieldTier : new Tier();
    }

    @Override
    boolean boundsOn(MaskDocValues.ChiCursor chi, int doc, double[] out) throws IOException {
      ChiGrid maskGrid = gridOfQuerySize(chi, doc);
      if (maskGrid == null) {
        return false;
      }
      int bins = chi.bins();
      Tier tier = chi == cursor ? fieldTier : firstTierLaid;
      if (!maskGrid.equals(tier.grid)) {
        long bytes =
            BoundsPlan.bytesToBuild(maskGrid, spec.roi()) + L1Cells.bytesToBuild(maskGrid, bins);
        tier.cells =
            laid.get(
                new LaidKey(maskGrid, bins),
                bytes,
                () -> new L1Cells(maskGrid, bins, spec.roi(), spec.like()));
        tier.grid = maskGrid;
      }
      L1Cells cells = tier.cells;
      cells.bounds(chi, sums);
      // widened by the worst rounding error of the exact sum of n terms (n^2 u): the value the
      // pixels give, however rounded, lies within
      long n = cells.area();
      double rounding = (double) n * n * 0x1p-52;
      out[0] = Similarity.l1(sums[1] / (double) bins + rounding, n);
      out[1] = Similarity.l1(Math.max(0, sums[0] / (double) bins - rounding), n);
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
    public void refine(int doc, DocBounds out) {
      // bounds are exact already
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
