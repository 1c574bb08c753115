package dev.masksearch.expr;

import dev.masksearch.chi.CellCover;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.search.CpSpec;
import dev.masksearch.search.DocBounds;
import dev.masksearch.search.LaidRegions;
import dev.masksearch.search.LeafEvaluator;
import dev.masksearch.search.LeafMaskFields;
import dev.masksearch.search.Reservation;
import dev.masksearch.search.SearchGuard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;

/**
 * Evaluates a {@link MaskExpression} over one segment. Bounds: every value test of the expression,
 * in each region it is counted in, is one CP term bounded from its mask's CHI ({@link
 * CpSpec#leaf}); intersections, unions, {@code iou} and arithmetic combine those intervals (rules
 * in {@link MaskExpression}), tightened by derived-mask CHIs when the cache holds them. Exact
 * values read every mask named, once per document, and evaluate each predicate per pixel over the
 * document's domain (the smallest rectangle holding its masks).
 *
 * <p>Bounds run for every document a query visits, so the expression is compiled once per segment
 * into {@link NumBounds} nodes that address their terms and regions by slot: no record hashed per
 * document, and with derived CHIs one look-up by document per predicate.
 */
final class LeafExpressionEvaluator extends LeafEvaluator {
  private final MaskExpression expression;

  // One slot per distinct CP term (value test and region), with its bounds for the current
  // document.
  private final LeafEvaluator[] terms;
  private final DocBounds[] termBounds;

  // One slot per distinct region: where it comes from, and for the current document what it is and
  // its area clipped to the document's domain.
  private final RoiRef[] roiRefs;
  private final RandomAccessDocValues.Rois[] roiSources;
  private final Region[] docRegions;
  private final double[] docAreas;

  private final NumBounds root;
  private final double[] rootInterval = new double[2];

  private final Map<String, RandomAccessDocValues.Masks> masks = new HashMap<>();
  private final DerivedChiCache.Segment derived;
  private final SearchGuard guard;

  /** The masks' doc values and CHI cursors, one per field however many terms read it. */
  private final LeafMaskFields fields;

  private final boolean usesChi;
  // The current document of bounds(): its domain.
  private int domainWidth;
  private int domainHeight;

  /** Declared shapes laid on derived CHIs' grids, reserved from the guard. */
  private final LaidRegions<CoverKey, CellCover> derivedCovers;

  private record CoverKey(int roiSlot, ChiGrid grid) {}

  private int boundsDoc = -1;

  /**
   * Per predicate node of the expression, its cache key; per iou node, its intersection and union
   * (built once).
   */
  private final Map<Pred, String> keys = new java.util.IdentityHashMap<>();

  private final Map<Num.Iou, Pred[]> iouParts = new java.util.IdentityHashMap<>();

  private String key(Pred pred) {
    return keys.computeIfAbsent(pred, Object::toString);
  }

  private Pred[] parts(Num.Iou iou) {
    return iouParts.computeIfAbsent(
        iou, i -> new Pred[] {new Pred.And(i.a(), i.b()), new Pred.Or(i.a(), i.b())});
  }

  LeafExpressionEvaluator(LeafReader reader, MaskExpression expression, SearchGuard guard)
      throws IOException {
    this.expression = expression;
    this.guard = guard;
    this.fields = new LeafMaskFields(reader, guard);
    this.derivedCovers =
        new LaidRegions<>(guard, "a region of [" + expression + "] laid on a derived CHI's grid");
    boolean cacheable =
        expression.cache != null
            && DocValues.isCacheable(
                reader.getContext(),
                expression.fieldArray()); // in-place updates would make them stale
    this.derived = cacheable ? expression.cache.segment(reader) : null;
    Slots slots = new Slots(reader);
    this.root = compile(expression.root, slots);
    this.terms = slots.terms.toArray(new LeafEvaluator[0]);
    this.termBounds = new DocBounds[terms.length];
    boolean chi = true;
    for (int t = 0; t < terms.length; t++) {
      chi &= terms[t].usesChi();
      termBounds[t] = new DocBounds();
    }
    this.usesChi = chi;
    this.roiRefs = slots.rois.toArray(new RoiRef[0]);
    this.roiSources = slots.roiSources.toArray(new RandomAccessDocValues.Rois[0]);
    this.docRegions = new Region[roiRefs.length];
    this.docAreas = new double[roiRefs.length];
    for (String field : expression.maskFields()) {
      masks.put(field, new RandomAccessDocValues.Masks(reader, field));
    }
  }

  /** The distinct terms and regions of the expression, given slots while it is compiled. */
  private final class Slots {
    private final LeafReader reader;
    private final Map<Term, Integer> termSlots = new HashMap<>();
    private final List<LeafEvaluator> terms = new ArrayList<>();
    private final Map<RoiRef, Integer> roiSlots = new HashMap<>();
    private final List<RoiRef> rois = new ArrayList<>();
    private final List<RandomAccessDocValues.Rois> roiSources = new ArrayList<>();

    private record Term(Pred.Test test, RoiRef roi) {}

    Slots(LeafReader reader) {
      this.reader = reader;
    }

    int term(Pred.Test test, RoiRef roi) throws IOException {
      Term term = new Term(test, roi);
      Integer slot = termSlots.get(term);
      if (slot == null) {
        slot = terms.size();
        terms.add(
            new CpSpec(test.field(), roi.region(), roi.field(), test.range(), false).leaf(fields));
        termSlots.put(term, slot);
      }
      return slot;
    }

    int roi(RoiRef roi) throws IOException {
      Integer slot = roiSlots.get(roi);
      if (slot == null) {
        slot = rois.size();
        rois.add(roi);
        roiSources.add(new RandomAccessDocValues.Rois(reader, roi));
        roiSlots.put(roi, slot);
      }
      return slot;
    }
  }

  /** A numeric node's interval for the current document, written to {@code out}. */
  private interface NumBounds {
    void interval(double[] out);
  }

  private NumBounds compile(Num node, Slots slots) throws IOException {
    return switch (node) {
      case Num.Const c -> out -> out[0] = out[1] = c.value();
      case Num.Count c -> new CountBounds(c.pred(), c.roi(), slots);
      case Num.Area a -> {
        int roi = slots.roi(a.roi());
        yield out -> out[0] = out[1] = docAreas[roi];
      }
      case Num.Iou i -> {
        Pred[] parts = parts(i);
        yield new IouBounds(
            new CountBounds(parts[0], i.roi(), slots), new CountBounds(parts[1], i.roi(), slots));
      }
      case Num.Negate n -> {
        NumBounds operand = compile(n.operand(), slots);
        yield out -> {
          operand.interval(out);
          double lower = out[0];
          out[0] = -out[1];
          out[1] = -lower;
        };
      }
      case Num.Arith a -> {
        NumBounds left = compile(a.left(), slots);
        NumBounds right = compile(a.right(), slots);
        double[] l = new double[2];
        double[] r = new double[2];
        yield out -> {
          left.interval(l);
          right.interval(r);
          double[] v = Intervals.apply(a.op(), l, r);
          out[0] = v[0];
          out[1] = v[1];
        };
      }
    };
  }

  /** IoU: the intersection's count over the union's; 0 when the union is surely empty. */
  private record IouBounds(CountBounds intersection, CountBounds union) implements NumBounds {
    @Override
    public void interval(double[] out) {
      double[] i = intersection.interval();
      double[] u = union.interval();
      if (u[1] == 0) {
        out[0] = out[1] = 0;
        return;
      }
      double lower = i[0] / u[1];
      double upper = u[0] == 0 ? 1 : Math.min(1, i[1] / u[0]);
      out[0] = lower;
      out[1] = Math.max(lower, upper);
    }
  }

  /**
   * Bounds of the number of pixels of a region where a predicate holds: a term's bounds, or its
   * operands' combined; tightened by the predicate's derived CHI when the cache holds one.
   */
  private final class CountBounds implements NumBounds {
    private final int roi;
    private final int term; // a value test's slot; -1 for an intersection or a union
    private final CountBounds left;
    private final CountBounds right;
    private final boolean and;
    private final String key; // the predicate's, in the cache of derived CHIs; null without one
    // null until the segment holds a derived CHI of the predicate (or without a cache)
    private DerivedChiCache.Entries cached;
    private final double[] bounds = new double[2];
    private final double[] derivedBounds = new double[2];

    CountBounds(Pred pred, RoiRef roi, Slots slots) throws IOException {
      this.roi = slots.roi(roi);
      this.key = derived == null ? null : key(pred);
      switch (pred) {
        case Pred.Test t -> {
          term = slots.term(t, roi);
          left = right = null;
          and = false;
        }
        case Pred.And a -> {
          term = -1;
          left = new CountBounds(a.left(), roi, slots);
          right = new CountBounds(a.right(), roi, slots);
          and = true;
        }
        case Pred.Or o -> {
          term = -1;
          left = new CountBounds(o.left(), roi, slots);
          right = new CountBounds(o.right(), roi, slots);
          and = false;
        }
      }
    }

    @Override
    public void interval(double[] out) {
      double[] b = interval();
      out[0] = b[0];
      out[1] = b[1];
    }

    /** The bounds for the current document, in an array this node owns. */
    double[] interval() {
      if (term >= 0) {
        bounds[0] = termBounds[term].lower;
        bounds[1] = termBounds[term].upper;
      } else {
        double[] l = left.interval();
        double[] r = right.interval();
        double area = docAreas[roi];
        if (and) {
          bounds[0] = Math.max(0, l[0] + r[0] - area);
          bounds[1] = Math.min(l[1], r[1]);
        } else {
          bounds[0] = Math.max(l[0], r[0]);
          bounds[1] = Math.min(area, l[1] + r[1]);
        }
      }
      if (cached == null && derived != null) {
        cached = derived.entries(key); // once one is kept, no more look-ups by predicate
      }
      DerivedChi chi = cached == null ? null : cached.get(boundsDoc);
      if (chi != null && chi.covers(domainWidth, domainHeight)) {
        cached.hit();
        derivedBounds(chi, roi, derivedBounds);
        bounds[0] = Math.max(bounds[0], derivedBounds[0]);
        bounds[1] = Math.min(bounds[1], derivedBounds[1]);
      }
      return bounds;
    }
  }

  @Override
  public boolean bounds(int doc, DocBounds out) throws IOException {
    boundsDoc = -1; // refine() must not use the terms' bounds until they are this document's
    domainWidth = 0;
    domainHeight = 0;
    for (int t = 0; t < terms.length; t++) {
      DocBounds bounds = termBounds[t];
      if (terms[t] == null || !terms[t].bounds(doc, bounds)) {
        return false; // a mask or a box is missing: no value
      }
      domainWidth = Math.max(domainWidth, bounds.width);
      domainHeight = Math.max(domainHeight, bounds.height);
    }
    for (int r = 0; r < roiSources.length; r++) {
      Region region = roiSources[r].get(doc);
      if (region == null) {
        return false;
      }
      docRegions[r] = region;
      docAreas[r] = region.area(domainWidth, domainHeight);
    }
    boundsDoc = doc;
    root.interval(rootInterval);
    out.lower = rootInterval[0] + 0.0; // -0.0 is 0: sorts and ties must not tell them apart
    out.upper = rootInterval[1] + 0.0;
    out.roi = null;
    out.readMask = false;
    return true;
  }

  @Override
  public void refine(int doc, DocBounds out) throws IOException {
    if (doc != boundsDoc || out.isExact()) {
      return; // the terms' bounds are those of another document now; refining is optional
    }
    for (int t = 0; t < terms.length; t++) {
      terms[t].refine(doc, termBounds[t]);
    }
    root.interval(rootInterval);
    out.lower = Math.max(out.lower, rootInterval[0]) + 0.0;
    out.upper = Math.min(out.upper, rootInterval[1]) + 0.0;
  }

  /** A derived CHI's bounds in the current document's region in slot {@code roi}. */
  private void derivedBounds(DerivedChi chi, int roi, double[] out) {
    if (docRegions[roi] instanceof Roi box) {
      chi.bounds(box, out);
      return;
    }
    Region region = docRegions[roi];
    ChiGrid grid = chi.grid();
    chi.bounds(
        derivedCovers.get(
            new CoverKey(roi, grid),
            CellCover.bytesToBuild(grid, region),
            () -> CellCover.of(grid, region)),
        out);
  }

  @Override
  public double exact(int doc, Region ignored) throws IOException {
    guard.check();
    try (Reservation reservation = new Reservation(guard)) {
      return new ExactEvaluation(doc, reservation).value(expression.root)
          + 0.0; // -0.0 is 0 (see bounds)
    }
  }

  /**
   * One document's masks, read once, and its predicates evaluated per pixel over its domain; every
   * mask and pixel map is reserved from the guard before it is allocated.
   */
  private final class ExactEvaluation {
    private final int doc;
    private final Reservation reservation;
    private final Map<String, Mask> docMasks = new HashMap<>();
    private final Map<Pred, boolean[]> pixels = new HashMap<>();
    private final Map<RoiRef, Region> docRois = new HashMap<>();
    private int width;
    private int height;

    ExactEvaluation(int doc, Reservation reservation) throws IOException {
      this.doc = doc;
      this.reservation = reservation;
      for (Map.Entry<String, RandomAccessDocValues.Masks> field : masks.entrySet()) {
        Mask mask = field.getValue().get(doc, reservation);
        if (mask == null) {
          throw new IllegalStateException(
              "document " + doc + " has no [" + field.getKey() + "] but had bounds");
        }
        docMasks.put(field.getKey(), mask);
        width = Math.max(width, mask.width());
        height = Math.max(height, mask.height());
      }
      for (int r = 0; r < roiRefs.length; r++) {
        docRois.put(roiRefs[r], roiSources[r].get(doc));
      }
    }

    double value(Num node) {
      return switch (node) {
        case Num.Const c -> c.value();
        case Num.Count c -> count(c.pred(), c.roi());
        case Num.Area a -> docRois.get(a.roi()).area(width, height);
        case Num.Iou i -> {
          Pred[] parts = parts(i);
          double union = count(parts[1], i.roi());
          yield union == 0 ? 0 : count(parts[0], i.roi()) / union;
        }
        case Num.Negate n -> -value(n.operand());
        case Num.Arith a -> Intervals.apply(a.op(), value(a.left()), value(a.right()));
      };
    }

    private long count(Pred pred, RoiRef roi) {
      boolean[] holds = pixels(pred);
      return switch (docRois.get(roi)) {
        case Roi box -> {
          Roi r = box.clip(width, height);
          long count = 0;
          for (int y = r.y1(); y < r.y2(); y++) {
            count += count(holds, y, r.x1(), r.x2());
          }
          yield count;
        }
        case Shape shape -> {
          long count = 0;
          for (int s = 0; s < shape.spanCount() && shape.y(s) < height; s++) {
            count += count(holds, shape.y(s), shape.x1(s), Math.min(shape.x2(s), width));
          }
          yield count;
        }
      };
    }

    /** The pixels of row {@code y}, columns {@code [x1, x2)}, where the predicate holds. */
    private long count(boolean[] holds, int y, int x1, int x2) {
      long count = 0;
      for (int i = y * width + x1; i < y * width + x2; i++) {
        count += holds[i] ? 1 : 0;
      }
      return count;
    }

    /**
     * Where {@code pred} holds over the domain, computed once per predicate and kept as a derived
     * CHI.
     */
    private boolean[] pixels(Pred pred) {
      boolean[] holds = pixels.get(pred);
      if (holds != null) {
        return holds;
      }
      reservation.reserve(
          (long) width * height,
          "the pixels where ["
              + key(pred)
              + "] holds, "
              + width
              + "x"
              + height
              + ", of document "
              + doc);
      holds =
          switch (pred) {
            case Pred.Test t -> test(t);
            case Pred.And a -> combine(pixels(a.left()), pixels(a.right()), true);
            case Pred.Or o -> combine(pixels(o.left()), pixels(o.right()), false);
          };
      pixels.put(pred, holds);
      if (derived != null && !derived.contains(key(pred), doc)) {
        derived.put(key(pred), doc, DerivedChi.of(holds, width, height));
      }
      return holds;
    }

    private boolean[] test(Pred.Test t) {
      Mask mask = docMasks.get(t.field());
      long codes = mask.dtype().codeRange(t.range().lv(), t.range().uv());
      int lo = (int) (codes >>> 32);
      int span = (int) codes - lo;
      boolean[] holds = new boolean[width * height];
      for (int y = 0; y < mask.height(); y++) {
        for (int x = 0; x < mask.width(); x++) {
          holds[y * width + x] =
              span > 0 && Integer.compareUnsigned(mask.code(y * mask.width() + x) - lo, span) < 0;
        }
      }
      return holds;
    }

    private boolean[] combine(boolean[] a, boolean[] b, boolean and) {
      boolean[] out = new boolean[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = and ? a[i] && b[i] : a[i] || b[i];
      }
      return out;
    }
  }

  @Override
  public boolean usesChi() {
    return usesChi;
  }

  @Override
  public float verificationCost() {
    float cost = 0;
    for (LeafEvaluator term : terms) {
      cost += term == null ? 0 : term.verificationCost();
    }
    return cost;
  }
}
