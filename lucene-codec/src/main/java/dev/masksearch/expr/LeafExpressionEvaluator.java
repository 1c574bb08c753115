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
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 */
final class LeafExpressionEvaluator extends LeafEvaluator {
  private final MaskExpression expression;

  /** One CP term per value test and region, with the bounds of the current document. */
  private final Map<Term, LeafEvaluator> terms = new LinkedHashMap<>();

  private final Map<Term, DocBounds> termBounds = new HashMap<>();
  private final Map<RoiRef, RandomAccessDocValues.Rois> rois = new HashMap<>();
  private final Map<String, RandomAccessDocValues.Masks> masks = new HashMap<>();
  private final DerivedChiCache.Segment derived;
  private final SearchGuard guard;

  /** The masks' doc values and CHI cursors, one per field however many terms read it. */
  private final LeafMaskFields fields;

  private final boolean usesChi;
  private final double[] scratch = new double[2];
  // The current document of bounds(): its domain and regions.
  private int domainWidth;
  private int domainHeight;
  private final Map<RoiRef, Region> currentRois = new HashMap<>();

  /** Declared shapes laid on derived CHIs' grids, reserved from the guard. */
  private final LaidRegions<CoverKey, CellCover> derivedCovers;

  private record CoverKey(RoiRef roi, ChiGrid grid) {}

  private int boundsDoc = -1;

  private record Term(Pred.Test test, RoiRef roi) {}

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
    registerTerms(reader, expression.root);
    boolean chi = true;
    for (Map.Entry<Term, LeafEvaluator> term : terms.entrySet()) {
      chi &= term.getValue().usesChi();
      termBounds.put(term.getKey(), new DocBounds());
    }
    this.usesChi = chi;
    for (String field : expression.maskFields()) {
      masks.put(field, new RandomAccessDocValues.Masks(reader, field));
    }
    boolean cacheable =
        expression.cache != null
            && DocValues.isCacheable(
                reader.getContext(),
                expression.fieldArray()); // in-place updates would make them stale
    this.derived = cacheable ? expression.cache.segment(reader) : null;
  }

  private void registerTerms(LeafReader reader, Num node) throws IOException {
    switch (node) {
      case Num.Const c -> {}
      case Num.Count c -> register(reader, c.pred(), c.roi());
      case Num.Area a -> rois(reader, a.roi());
      case Num.Iou i -> {
        register(reader, i.a(), i.roi());
        register(reader, i.b(), i.roi());
      }
      case Num.Negate n -> registerTerms(reader, n.operand());
      case Num.Arith a -> {
        registerTerms(reader, a.left());
        registerTerms(reader, a.right());
      }
    }
  }

  private void register(LeafReader reader, Pred pred, RoiRef roi) throws IOException {
    rois(reader, roi);
    switch (pred) {
      case Pred.Test t -> {
        Term term = new Term(t, roi);
        if (!terms.containsKey(term)) {
          CpSpec spec = new CpSpec(t.field(), roi.region(), roi.field(), t.range(), false);
          terms.put(term, spec.leaf(fields));
        }
      }
      case Pred.And a -> {
        register(reader, a.left(), roi);
        register(reader, a.right(), roi);
      }
      case Pred.Or o -> {
        register(reader, o.left(), roi);
        register(reader, o.right(), roi);
      }
    }
  }

  private void rois(LeafReader reader, RoiRef roi) throws IOException {
    if (!rois.containsKey(roi)) {
      rois.put(roi, new RandomAccessDocValues.Rois(reader, roi));
    }
  }

  @Override
  public boolean bounds(int doc, DocBounds out) throws IOException {
    boundsDoc =
        -1; // the terms' bounds are overwritten below: refine() must not use them for the previous
    // document
    domainWidth = 0;
    domainHeight = 0;
    for (Map.Entry<Term, LeafEvaluator> term : terms.entrySet()) {
      DocBounds bounds = termBounds.get(term.getKey());
      if (term.getValue() == null || !term.getValue().bounds(doc, bounds)) {
        return false; // a mask or a box is missing: no value
      }
      domainWidth = Math.max(domainWidth, bounds.width);
      domainHeight = Math.max(domainHeight, bounds.height);
    }
    currentRois.clear();
    for (Map.Entry<RoiRef, RandomAccessDocValues.Rois> roi : rois.entrySet()) {
      Region region = roi.getValue().get(doc);
      if (region == null) {
        return false;
      }
      currentRois.put(roi.getKey(), region);
    }
    boundsDoc = doc;
    double[] interval = interval(expression.root, doc);
    out.lower = interval[0] + 0.0; // -0.0 is 0: sorts and ties must not tell them apart
    out.upper = interval[1] + 0.0;
    out.roi = null;
    out.readMask = false;
    return true;
  }

  @Override
  public void refine(int doc, DocBounds out) throws IOException {
    if (doc != boundsDoc || out.isExact()) {
      return; // the terms' bounds are those of another document now; refining is optional
    }
    for (Map.Entry<Term, LeafEvaluator> term : terms.entrySet()) {
      term.getValue().refine(doc, termBounds.get(term.getKey()));
    }
    double[] interval = interval(expression.root, doc);
    out.lower = Math.max(out.lower, interval[0]) + 0.0;
    out.upper = Math.min(out.upper, interval[1]) + 0.0;
  }

  /** The interval of a numeric node for the current document. */
  private double[] interval(Num node, int doc) {
    return switch (node) {
      case Num.Const c -> new double[] {c.value(), c.value()};
      case Num.Count c -> count(c.pred(), c.roi(), doc);
      case Num.Area a -> {
        double area = clippedArea(currentRois.get(a.roi()));
        yield new double[] {area, area};
      }
      case Num.Iou i -> iouInterval(i, doc);
      case Num.Negate n -> {
        double[] v = interval(n.operand(), doc);
        yield new double[] {-v[1], -v[0]};
      }
      case Num.Arith a ->
          Intervals.apply(a.op(), interval(a.left(), doc), interval(a.right(), doc));
    };
  }

  private double[] iouInterval(Num.Iou iou, int doc) {
    Pred[] parts = parts(iou);
    double[] intersection = count(parts[0], iou.roi(), doc);
    double[] union = count(parts[1], iou.roi(), doc);
    if (union[1] == 0) {
      return new double[] {0, 0}; // the union is surely empty
    }
    double lower = intersection[0] / union[1];
    double upper = union[0] == 0 ? 1 : Math.min(1, intersection[1] / union[0]);
    return new double[] {lower, Math.max(lower, upper)};
  }

  /** Bounds of the number of pixels of the region where {@code pred} holds. */
  private double[] count(Pred pred, RoiRef roi, int doc) {
    double region = clippedArea(currentRois.get(roi));
    double[] bounds =
        switch (pred) {
          case Pred.Test t -> {
            DocBounds b = termBounds.get(new Term(t, roi));
            yield new double[] {b.lower, b.upper};
          }
          case Pred.And a -> {
            double[] l = count(a.left(), roi, doc);
            double[] r = count(a.right(), roi, doc);
            yield new double[] {Math.max(0, l[0] + r[0] - region), Math.min(l[1], r[1])};
          }
          case Pred.Or o -> {
            double[] l = count(o.left(), roi, doc);
            double[] r = count(o.right(), roi, doc);
            yield new double[] {Math.max(l[0], r[0]), Math.min(region, l[1] + r[1])};
          }
        };
    if (derived != null) {
      DerivedChi chi = derived.get(key(pred), doc);
      if (chi != null && chi.covers(domainWidth, domainHeight)) {
        derived.hit();
        bounds(chi, roi, scratch);
        bounds[0] = Math.max(bounds[0], scratch[0]);
        bounds[1] = Math.min(bounds[1], scratch[1]);
      }
    }
    return bounds;
  }

  private double clippedArea(Region region) {
    return region.area(domainWidth, domainHeight);
  }

  /** A derived CHI's bounds in the current document's region {@code roi}. */
  private void bounds(DerivedChi chi, RoiRef roi, double[] out) {
    Region region = currentRois.get(roi);
    if (region instanceof Roi box) {
      chi.bounds(box, out);
      return;
    }
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
      for (Map.Entry<RoiRef, RandomAccessDocValues.Rois> roi : rois.entrySet()) {
        docRois.put(roi.getKey(), roi.getValue().get(doc));
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
    for (LeafEvaluator term : terms.values()) {
      cost += term == null ? 0 : term.verificationCost();
    }
    return cost;
  }
}
