package dev.masksearch.search;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.chi.BoundsPlan;
import dev.masksearch.chi.BoxBinCounts;
import dev.masksearch.chi.CellCounts;
import dev.masksearch.chi.CellCover;
import dev.masksearch.chi.CellLevelCounts;
import dev.masksearch.chi.CellSource;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.CpBounds;
import dev.masksearch.codec.MaskDocValues;
import dev.masksearch.document.BoxBinCountsField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import java.io.IOException;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.util.BytesRef;

/**
 * Computes CP for the documents of one segment: bounds from the CHI when the field was written with
 * a mask format ({@link dev.masksearch.codec.MaskDocValues}), otherwise the exact value by reading
 * every mask (so a field written by any binary doc-values format still answers exactly, only
 * slower).
 */
abstract class LeafCpEvaluator extends LeafEvaluator {
  final CpSpec spec;
  final LeafRois rois;
  final SearchGuard guard;

  private LeafCpEvaluator(CpSpec spec, LeafRois rois, SearchGuard guard) {
    this.spec = spec;
    this.rois = rois;
    this.guard = guard;
  }

  /** An evaluator for a segment, or null if no document of it has the field. */
  static LeafCpEvaluator create(LeafMaskFields fields, CpSpec spec) throws IOException {
    BinaryDocValues values = fields.values(spec.field());
    if (values == null) {
      return null;
    }
    LeafRois rois = LeafRois.create(fields.reader(), spec);
    return values instanceof MaskDocValues masks
        ? new FromChi(spec, rois, masks, fields)
        : new FromMasks(
            spec,
            rois,
            fields.reader().getBinaryDocValues(spec.field()),
            fields.guard()); // forward only
  }

  /** Bounds from the CHI; the mask is read only by {@link #exact}. */
  private static final class FromChi extends LeafCpEvaluator {
    private final MaskDocValues masks;
    private final LeafMaskFields fields;
    private final LaidRegions<PlanKey, BoundsPlan> plans;
    // the CHI at the field's parameters (refines, verifications), and the one first stages read:
    // the first tier when the segment stores it in two, else the same object
    private final Tier fieldTier;
    private final Tier firstTier;
    private final CpBounds counts = new CpBounds();
    private final CpBounds verifiedCounts = new CpBounds();
    private final DocBounds verified = new DocBounds();
    // a constant box's cell corners per mask size and dtype; the current one, read for cornersDoc
    private final LaidRegions<PlanKey, CellCounts> cornerCounts;
    private PlanKey cornersKey;
    private CellCounts cornersTable;
    private int cornersDoc = -1;
    // each cell at the range's levels per mask size and dtype, when the field's tier is records;
    // the one read last and its document, kept for the document's verification after its refine
    private final LaidRegions<PlanKey, CellLevelCounts> cellLevelCounts;
    private CellLevelCounts readCells;
    private int readCellsDoc = -1;

    /**
     * Grids of more points bound a constant box's cells by look-ups (a 4096 x 4096 mask's at step
     * 32 has 16,641): a table of 2^14 points at two levels holds 256 KiB.
     */
    private static final int MAX_CORNER_TABLE_POINTS = 1 << 14;

    /** Documents of a block visited one by one before its bounds are computed whole. */
    private static final int BLOCK_AFTER = 32;

    private final MaskDocValues.BlockAccess blocks;
    // a constant region over a segment of equal masks: first stages may bound blocks at once
    private final boolean boundsByBlock;
    private final int maxDoc;

    /** Each document's pixels per bin in its box, when indexed ({@link BoxBinCountsField}). */
    private final BinaryDocValues boxBinCounts;

    private final String boxBinCountsField;
    private final BoxBinCounts binCounts = new BoxBinCounts();

    /**
     * The last document bounded by its bin counts, which no CHI bound tightens: its refine is
     * skipped (others, refined in any order by a top k, keep the tighter bounds).
     */
    private int countedDoc = -1;

    private long[] blockLower = new long[0];
    private long[] blockUpper = new long[0];
    private BoundsPlan blockPlan; // the plan the cached block's bounds were computed with
    private int cachedBlock = -1;
    private int cachedRows; // the cached block's documents: fewer than a block's size in the last
    private int visitedBlock = -1;
    private int visits;

    FromChi(CpSpec spec, LeafRois rois, MaskDocValues masks, LeafMaskFields fields)
        throws IOException {
      super(spec, rois, fields.guard());
      this.masks = masks;
      this.fields = fields;
      this.plans = new LaidRegions<>(fields.guard(), "the region of " + spec + " laid on a grid");
      MaskDocValues.ChiCursor cursor = fields.cursor(spec.field());
      this.fieldTier = new Tier(cursor, masks.params().bins());
      MaskDocValues.ChiCursor firstTierCursor = fields.firstTierCursor(spec.field());
      this.firstTier =
          firstTierCursor == cursor ? fieldTier : new Tier(firstTierCursor, firstTierCursor.bins());
      this.blocks = firstTierCursor.blocks();
      this.boundsByBlock = blocks != null && spec.roi() != null;
      this.maxDoc = fields.reader().maxDoc();
      this.cornerCounts =
          new LaidRegions<>(fields.guard(), "the cell corners of " + spec + " read per document");
      this.cellLevelCounts =
          new LaidRegions<>(fields.guard(), "the cells of " + spec + " read per document");
      this.boxBinCountsField = spec.boxBinCountsField();
      this.boxBinCounts =
          boxBinCountsField == null ? null : fields.reader().getBinaryDocValues(boxBinCountsField);
    }

    @Override
    public boolean bounds(int doc, DocBounds out) throws IOException {
      out.fromBoxBinCounts = false;
      if (boundsByBlock && boundsFromBlock(doc)) {
        out.lower = spec.value(counts.lower, blockPlan.area());
        out.upper = spec.value(counts.upper, blockPlan.area());
        out.roi = spec.roi();
        out.width = blockPlan.grid().width();
        out.height = blockPlan.grid().height();
        out.readMask = false;
        return true; // the cursor was accounted when the block was read
      }
      boolean found = cpBounds(doc, out);
      fields.account(spec.field());
      return found;
    }

    /** The first stage: bounds from the first tier's CHI (the only one, in one tier). */
    private boolean cpBounds(int doc, DocBounds out) throws IOException {
      MaskDocValues.ChiCursor chi = firstTier.cursor;
      // a box counted when indexed is bounded by its counts: the mask's shape is all it needs
      boolean counted =
          spec.roi() == null && boxBinCounts != null && boxBinCounts.advanceExact(doc);
      if (!(counted ? chi.locate(doc) : chi.seek(doc))) {
        return false;
      }
      Region roi = rois.roi(doc);
      if (roi == null) {
        return false;
      }
      ChiGrid grid = chi.grid();
      MaskDType dtype = chi.dtype();
      long area;
      if (spec.roi() != null) { // a constant region: reuse the plan while masks keep their size
        BoundsPlan plan = firstTier.plan(grid, dtype);
        plan.evaluate(chi, counts);
        area = plan.area();
      } else {
        Roi box = (Roi) roi;
        area = box.clip(grid.width(), grid.height()).area();
        if (counted) {
          binCounts
              .read(boxBinCounts.binaryValue(), masks.params().bins(), boxBinCountsField)
              .bound(fieldTier.levels(dtype), area, counts);
          countedDoc = doc;
          out.fromBoxBinCounts = true;
        } else { // the box's outer rectangle's look-ups only; refine() tightens the rest
          counts.computeOuter(grid, chi, box, firstTier.levels(dtype));
        }
      }
      out.lower = spec.value(counts.lower, area);
      out.upper = spec.value(counts.upper, area);
      out.roi = roi;
      out.width = grid.width();
      out.height = grid.height();
      out.readMask = false;
      return true;
    }

    @Override
    public void refine(int doc, DocBounds out) throws IOException {
      if (out.isExact() || doc == countedDoc || !fieldTier.cursor.seek(doc)) {
        return;
      }
      CellCover cover = cover(out.roi);
      counts.computeRefined(cellSource(doc), cover);
      long area = cover.area();
      fields.account(spec.field());
      // both bound the value: keep the tighter of each (the first stage's may come from box counts)
      out.lower = Math.max(out.lower, spec.value(counts.lower, area));
      out.upper = Math.min(out.upper, spec.value(counts.upper, area));
    }

    /**
     * In a segment of equal masks, a scan that has visited {@value #BLOCK_AFTER} documents of a
     * block gets the bounds of the whole block at once; sparse access (a selective conjunction)
     * stays per document.
     */
    private boolean boundsFromBlock(int doc) throws IOException {
      int shift = blocks.blockShift();
      int block = doc >>> shift;
      if (block != cachedBlock) {
        if (block != visitedBlock) {
          visitedBlock = block;
          visits = 0;
        }
        if (++visits <= BLOCK_AFTER) {
          return false;
        }
        cacheBlock(block);
      }
      int row = doc & ((1 << shift) - 1);
      counts.lower = blockLower[row];
      counts.upper = blockUpper[row];
      return true;
    }

    /**
     * Computes the first-stage bounds of every document of {@code block} at once; checks the guard
     * first, since a scan may then skip the whole block without another check.
     */
    private void cacheBlock(int block) throws IOException {
      guard.check();
      int shift = blocks.blockShift();
      cachedBlock = -1; // until computed whole
      int rows = blocks.seekBlock(block);
      if (blockLower.length < rows) {
        blockLower = new long[1 << shift];
        blockUpper = new long[1 << shift];
      }
      BoundsPlan plan = firstTier.plan(firstTier.cursor.grid(), firstTier.cursor.dtype());
      plan.evaluateBlock(blocks::column, rows, blockLower, blockUpper);
      fields.account(spec.field());
      blockPlan = plan;
      cachedRows = rows;
      cachedBlock = block;
    }

    /**
     * Within the block whose bounds are cached, skips the documents they reject; past its end (by
     * skipping, or from its last document) the scan is dense, so the next block's bounds are
     * computed at once (the last block has fewer documents than a block's size, or ends the
     * segment).
     */
    @Override
    public int firstCandidate(int doc, Comparison comparison, double threshold) throws IOException {
      if (!boundsByBlock) {
        return doc;
      }
      int shift = blocks.blockShift();
      int block = doc >>> shift;
      if (block != cachedBlock) {
        if (cachedBlock < 0 || block != cachedBlock + 1 || (doc & ((1 << shift) - 1)) != 0) {
          return doc; // sparse access, or a block not yet visited: bounds() decides when to cache
        }
        cacheBlock(block); // the scan left the cached block at its last document: still dense
      }
      while (true) {
        long area = blockPlan.area();
        for (int row = doc & ((1 << shift) - 1); row < cachedRows; row++) {
          double lower = spec.value(blockLower[row], area);
          double upper = spec.value(blockUpper[row], area);
          if (!comparison.rejectsAll(lower, upper, threshold)) {
            return (block << shift) + row;
          }
        }
        doc = (block << shift) + cachedRows;
        if (cachedRows < 1 << shift || doc >= maxDoc) {
          return doc;
        }
        cacheBlock(++block);
      }
    }

    /**
     * One tier of the CHI as this evaluator reads it: its cursor, the range's level brackets at its
     * bins per dtype, and the plan of the last mask size (kept while masks keep their size).
     */
    private final class Tier {
      final MaskDocValues.ChiCursor cursor;
      private final RangeLevels levels;
      private BoundsPlan plan;
      private MaskDType planDType;

      Tier(MaskDocValues.ChiCursor cursor, int bins) {
        this.cursor = cursor;
        this.levels = new RangeLevels(spec.range(), bins);
      }

      BinEdges.Levels levels(MaskDType dtype) {
        return levels.of(dtype);
      }

      BoundsPlan plan(ChiGrid grid, MaskDType dtype) {
        if (plan == null || planDType != dtype || !plan.appliesTo(grid)) {
          int bins = levels.bins();
          plan =
              plans.get(
                  new PlanKey(grid, dtype, bins),
                  BoundsPlan.bytesToBuild(grid, spec.roi()),
                  () -> new BoundsPlan(grid, bins, spec.roi(), levels(dtype)));
          planDType = dtype;
        }
        return plan;
      }
    }

    /**
     * What a plan is compiled for: a mask size's grid and a dtype's bin levels for a tier's bins
     * (the tiers may share a grid: a step too large to double).
     */
    private record PlanKey(ChiGrid grid, MaskDType dtype, int bins) {}

    /**
     * The region laid on the current mask's grid: the plan's for the constant region, made for a
     * document's box.
     */
    private CellCover cover(Region roi) {
      MaskDocValues.ChiCursor cursor = fieldTier.cursor;
      ChiGrid grid = cursor.grid();
      return spec.roi() != null
          ? fieldTier.plan(grid, cursor.dtype()).cover()
          : CellCover.of(grid, roi);
    }

    /**
     * The current mask's cell counts. From a record (the second tier), each cell at the range's
     * levels in one pass, added up per rectangle ({@link CellLevelCounts}; kept for the document's
     * verification after its refine). From columns: the CHI read whole at the plan's levels for a
     * shape (which crosses many cells); for a constant box and a range on the bins, only its cells'
     * corners in one bulk read ({@link CellCounts#forCover}: a few points, each read once, instead
     * of 16 look-ups a cell; kept as the record's cells are); otherwise looked up entry by entry (a
     * document's own box, whose cursor then opens only the columns around it; a range off the bins,
     * whose verification bounds every inside cell).
     */
    private CellSource cellSource(int doc) throws IOException {
      MaskDocValues.ChiCursor cursor = fieldTier.cursor;
      ChiGrid grid = cursor.grid();
      BinEdges.Levels levels = fieldTier.levels(cursor.dtype());
      CellLevelCounts.Reader record = cursor.cells();
      if (record != null) {
        int bins = masks.params().bins();
        CellLevelCounts cells =
            cellLevelCounts.get(
                new PlanKey(grid, cursor.dtype(), bins),
                CellLevelCounts.bytesFor(grid),
                () -> new CellLevelCounts(grid, bins, levels));
        if (cells != readCells || doc != readCellsDoc) {
          readCells = null; // until read whole: a failed read leaves nothing to reuse
          cells.read(record);
          readCells = cells;
          readCellsDoc = doc;
        }
        return cells;
      }
      if (spec.roi() instanceof Shape) {
        return fieldTier.plan(grid, cursor.dtype()).cellCounts(cursor);
      }
      CellCounts corners =
          spec.roi() != null && levels.isAligned() ? corners(grid, cursor.dtype(), levels) : null;
      if (corners == null) {
        return CellSource.of(grid, cursor, levels);
      }
      if (doc != cornersDoc) {
        corners.read(cursor);
        cornersDoc = doc;
      }
      return corners;
    }

    /**
     * The constant box's cell corners on this mask size (kept while masks keep their size), or null
     * on a grid of more than {@value #MAX_CORNER_TABLE_POINTS} points, where the ring is a small
     * part of a table that spans the grid and look-ups hold less.
     */
    private CellCounts corners(ChiGrid grid, MaskDType dtype, BinEdges.Levels levels) {
      PlanKey key = new PlanKey(grid, dtype, masks.params().bins());
      if (!key.equals(cornersKey)) {
        cornersKey = key;
        cornersDoc = -1;
        CellCover cover = fieldTier.plan(grid, dtype).cover();
        cornersTable =
            (long) (grid.gx() + 1) * (grid.gy() + 1) > MAX_CORNER_TABLE_POINTS
                ? null
                : cornerCounts.get(
                    key,
                    CellCounts.bytesForCover(cover),
                    () -> CellCounts.forCover(cover, masks.params().bins(), levels));
      }
      return cornersTable;
    }

    /**
     * Counts from the CHI every cell whose bounds meet and reads the mask only under the others (a
     * tiled mask decodes just those tiles).
     */
    @Override
    public double exact(int doc, Region roi) throws IOException {
      return verify(doc, roi, null, 0).lower;
    }

    /** As {@link #exact}, but reads cells (widest bounds first) only until they decide. */
    @Override
    public boolean passes(int doc, Region roi, Comparison comparison, double threshold)
        throws IOException {
      DocBounds decided = verify(doc, roi, comparison, threshold);
      return comparison.acceptsAll(decided.lower, decided.upper, threshold);
    }

    /**
     * Bounds of the document's value that decide {@code value comparison threshold} (comparison
     * null: its exact value), its mask read as needed.
     */
    private DocBounds verify(int doc, Region roi, Comparison comparison, double threshold)
        throws IOException {
      guard.check();
      try (Reservation reservation = new Reservation(guard)) {
        reservation.reserveMask(masks, spec.field(), doc);
        MaskDocValues.ChiCursor cursor = fieldTier.cursor;
        if (!cursor.seek(doc)) {
          throw new IllegalStateException("document " + doc + " has no mask");
        }
        CellCover cover = cover(roi);
        long area = cover.area();
        CpBounds.Pixels pixels = masks.pixels(doc, spec.range());
        if (comparison == null) {
          verifiedCounts.lower =
              verifiedCounts.upper = CpBounds.exactCount(cellSource(doc), cover, pixels);
        } else {
          reservation.reserve(
              CpBounds.bytesToAnswer(cover, fieldTier.levels(cursor.dtype()).isAligned()),
              "the open cells of document " + doc + " in [" + spec + "]");
          CpBounds.countUntilAnswered(
              cellSource(doc),
              cover,
              pixels,
              (lower, upper) ->
                  comparison.undecided(spec.value(lower, area), spec.value(upper, area), threshold),
              verifiedCounts);
        }
        fields.account(spec.field());
        verified.lower = spec.value(verifiedCounts.lower, area);
        verified.upper = spec.value(verifiedCounts.upper, area);
        return verified;
      }
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

  /** No CHI: every document's bounds are its exact value, read from its mask. */
  private static final class FromMasks extends LeafCpEvaluator {
    private static final float TYPICAL_MASK_PIXELS = 224 * 224;
    private final BinaryDocValues values;

    FromMasks(CpSpec spec, LeafRois rois, BinaryDocValues values, SearchGuard guard) {
      super(spec, rois, guard);
      this.values = values;
    }

    @Override
    public boolean bounds(int doc, DocBounds out) throws IOException {
      if (!values.advanceExact(doc)) {
        return false;
      }
      Region roi = rois.roi(doc);
      if (roi == null) {
        return false;
      }
      guard.check();
      Mask mask;
      try (Reservation reservation = new Reservation(guard)) {
        BytesRef bytes = values.binaryValue(); // another format: its size is known once read
        reservation.reserveMaskBytes(spec.field(), bytes.length, doc);
        mask = MaskBytes.decode(bytes);
        long area = roi.area(mask.width(), mask.height());
        out.lower = out.upper = spec.value(roi.countPixels(mask, spec.range()), area);
      }
      out.roi = roi;
      out.width = mask.width();
      out.height = mask.height();
      out.readMask = true;
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
      return TYPICAL_MASK_PIXELS;
    }
  }
}
