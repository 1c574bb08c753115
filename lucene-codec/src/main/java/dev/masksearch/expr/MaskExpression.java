package dev.masksearch.expr;

import dev.masksearch.mask.Region;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.LeafEvaluator;
import dev.masksearch.search.SearchGuard;
import dev.masksearch.search.ValueSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;

/**
 * An arithmetic expression over CP terms of several masks of the same document: the value that the
 * filter, top-k and sort of {@link dev.masksearch.search} compute exactly, bounding it first from
 * the masks' CHIs.
 *
 * <pre>
 * expr      := product (('+' | '-') product)*
 * product   := unary (('*' | '/') unary)*
 * unary     := '-' unary | NUMBER | '(' expr ')' | call
 * call      := 'cp' '(' FIELD ',' region ',' lv ',' uv ')'   pixels of the region with lv &lt;= value &lt; uv
 *            | 'cp' '(' pred ',' region ')'                 pixels of the region where pred holds
 *            | 'area' '(' region ')'                        the region's area, clipped to the masks
 *            | 'iou' '(' pred ',' pred [',' region] ')'     |a &amp; b| / |a | b| in the region (default full)
 * pred      := conj ('|' conj)*                             union of masks
 * conj      := test ('&amp;' test)*                              intersection of masks
 * test      := FIELD ('&gt;' | '&gt;=' | '&lt;' | '&lt;=') NUMBER | '(' pred ')'
 * region    := 'full' | NAME | BOX_FIELD | '[' x1 ',' y1 ',' x2 ',' y2 ']'
 * </pre>
 *
 * <p>{@code NAME} is a constant region of any shape ({@link dev.masksearch.mask.Region}: a box, a
 * polygon, a mask's pixels) that the request declares beside the expression ({@link #parse(String,
 * Map)}); a name the request does not declare is a box field. A declared name hides a box field of
 * the same name.
 *
 * <p>Semantics. Regions are half-open and clipped to the document's masks; with masks of different
 * sizes the pixels are those of the smallest rectangle holding every mask named, and a pixel
 * outside one mask fails that mask's tests. {@code iou} is 0 when the union is empty. A division
 * whose divisor is 0 for a document makes its value undefined: it matches no filter, ranks nowhere
 * and sorts last; a constant divisor of 0 is a parse error. A document has a value only if it has
 * every mask and box field the expression names.
 *
 * <p>Bounds: each {@code cp} and {@code iou} is bounded from the CHI of each mask it names,
 * intersections by {@code max(0, |A| + |B| - |region|) <= |A & B| <= min(|A|, |B|)} and unions by
 * {@code max(|A|, |B|) <= |A | B| <= min(|region|, |A| + |B|)}, then combined by interval
 * arithmetic. With a {@link DerivedChiCache} ({@link #withCache}), every predicate evaluated
 * exactly for a document also leaves a CHI of its result (the paper's incremental indexing), which
 * later queries use for tighter bounds.
 */
public final class MaskExpression implements ValueSource {
  private final String source;
  final Num root;
  private final Set<String> maskFields;
  private final Set<String> roiFields;
  private final Shape shape;
  final DerivedChiCache cache;

  private MaskExpression(
      String source,
      Num root,
      Set<String> maskFields,
      Set<String> roiFields,
      Shape shape,
      DerivedChiCache cache) {
    this.source = source;
    this.root = root;
    this.maskFields = maskFields;
    this.roiFields = roiFields;
    this.shape = shape;
    this.cache = cache;
  }

  /**
   * How large an expression is, for limits on what a query may ask: its terms (each {@code cp},
   * {@code area} and {@code iou} call), its value tests (each {@code mask > t} or range in a
   * predicate: one CP term each, with its bounds per document and its pixel map when verified) and
   * its distinct regions other than {@code full} (constant boxes and box fields).
   */
  public record Shape(int terms, int valueTests, int regions) {}

  /**
   * Parses an expression; throws {@link ExpressionException} naming the problem and its position.
   */
  public static MaskExpression parse(String source) {
    return parse(source, Map.of());
  }

  /**
   * Parses an expression whose regions may name {@code regions} (declared by the request); throws
   * {@link ExpressionException} as {@link #parse(String)} does.
   */
  public static MaskExpression parse(String source, Map<String, Region> regions) {
    return of(source, Parser.parse(source, regions));
  }

  /**
   * An expression compared with a number, as a filter script writes it ({@code iou(a > 0.8, b >
   * 0.8) < 0.2}); {@code comparison} is null (and {@code threshold} NaN) when the source is an
   * expression alone.
   */
  public record Compared(MaskExpression expression, Comparison comparison, double threshold) {}

  /**
   * Parses {@code EXPR} or {@code EXPR op NUMBER}; throws {@link ExpressionException} as {@link
   * #parse} does.
   */
  public static Compared parseCompared(String source) {
    return parseCompared(source, Map.of());
  }

  /** {@link #parseCompared(String)} with declared regions, as {@link #parse(String, Map)}. */
  public static Compared parseCompared(String source, Map<String, Region> regions) {
    Parser.Compared parsed = Parser.parseCompared(source, regions);
    return new Compared(
        of(parsed.expressionSource(), parsed.expression()),
        parsed.comparison(),
        parsed.threshold());
  }

  private static MaskExpression of(String source, Num root) {
    Set<String> masks = new TreeSet<>();
    Set<String> rois = new TreeSet<>();
    List<RoiRef> regions = new ArrayList<>();
    collect(root, masks, rois, regions);
    if (masks.isEmpty()) {
      throw new ExpressionException(
          "the expression [" + source + "] names no mask field: use cp(...) or iou(...)");
    }
    int terms = regions.size(); // one region per term
    regions.removeIf(RoiRef.FULL::equals);
    Shape shape = new Shape(terms, valueTests(root), new HashSet<>(regions).size());
    return new MaskExpression(
        source,
        root,
        Collections.unmodifiableSet(masks),
        Collections.unmodifiableSet(rois),
        shape,
        null);
  }

  /** This expression using {@code cache} for derived-mask CHIs (null: none). */
  public MaskExpression withCache(DerivedChiCache cache) {
    return new MaskExpression(source, root, maskFields, roiFields, shape, cache);
  }

  /** Its number of terms and distinct regions. */
  public Shape shape() {
    return shape;
  }

  /** The mask fields named. */
  public Set<String> maskFields() {
    return maskFields;
  }

  /** The box fields named as regions. */
  public Set<String> roiFields() {
    return roiFields;
  }

  /** The text it was parsed from. */
  public String source() {
    return source;
  }

  @Override
  public LeafEvaluator leaf(LeafReader reader, SearchGuard guard) throws IOException {
    for (String field : maskFields) {
      if (reader.getBinaryDocValues(field) == null) {
        return null; // no document of the segment has every mask
      }
    }
    return new LeafExpressionEvaluator(reader, this, guard);
  }

  @Override
  public Set<String> fields() {
    Set<String> fields = new TreeSet<>(maskFields);
    fields.addAll(roiFields);
    return fields;
  }

  /** {@link #fields()} as an array, for {@link DocValues#isCacheable}. */
  String[] fieldArray() {
    String[] fields = new String[maskFields.size() + roiFields.size()];
    int i = 0;
    for (String field : maskFields) {
      fields[i++] = field;
    }
    for (String field : roiFields) {
      fields[i++] = field;
    }
    return fields;
  }

  @Override
  public boolean isCacheable(LeafReaderContext context) {
    return DocValues.isCacheable(context, fieldArray());
  }

  /** Collects the mask and box fields named, and the region of every term in order. */
  private static void collect(Num node, Set<String> masks, Set<String> rois, List<RoiRef> regions) {
    switch (node) {
      case Num.Const c -> {}
      case Num.Count c -> {
        collect(c.pred(), masks);
        collect(c.roi(), rois, regions);
      }
      case Num.Area a -> collect(a.roi(), rois, regions);
      case Num.Iou i -> {
        collect(i.a(), masks);
        collect(i.b(), masks);
        collect(i.roi(), rois, regions);
      }
      case Num.Negate n -> collect(n.operand(), masks, rois, regions);
      case Num.Arith a -> {
        collect(a.left(), masks, rois, regions);
        collect(a.right(), masks, rois, regions);
      }
    }
  }

  private static int valueTests(Num node) {
    return switch (node) {
      case Num.Const c -> 0;
      case Num.Count c -> valueTests(c.pred());
      case Num.Area a -> 0;
      case Num.Iou i -> valueTests(i.a()) + valueTests(i.b());
      case Num.Negate n -> valueTests(n.operand());
      case Num.Arith a -> valueTests(a.left()) + valueTests(a.right());
    };
  }

  private static int valueTests(Pred pred) {
    return switch (pred) {
      case Pred.Test t -> 1;
      case Pred.And a -> valueTests(a.left()) + valueTests(a.right());
      case Pred.Or o -> valueTests(o.left()) + valueTests(o.right());
    };
  }

  private static void collect(Pred pred, Set<String> masks) {
    switch (pred) {
      case Pred.Test t -> masks.add(t.field());
      case Pred.And a -> {
        collect(a.left(), masks);
        collect(a.right(), masks);
      }
      case Pred.Or o -> {
        collect(o.left(), masks);
        collect(o.right(), masks);
      }
    }
  }

  private static void collect(RoiRef roi, Set<String> rois, List<RoiRef> regions) {
    regions.add(roi);
    if (roi.field() != null) {
      rois.add(roi.field());
    }
  }

  /** The canonical form: fully parenthesized, constants folded. */
  @Override
  public String toString() {
    return root.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MaskExpression e && root.equals(e.root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }
}
