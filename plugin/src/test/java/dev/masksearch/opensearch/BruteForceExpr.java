package dev.masksearch.opensearch;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A test's own mask expressions: a tree that prints itself in the expression language and evaluates
 * itself with plain loops over a document's raw masks, independently of the engine, as the
 * reference every search form is checked against. Semantics (docs/expressions.md): a document
 * without a mask or box the expression names has no value; regions are clipped to the smallest
 * rectangle holding the masks named; a pixel outside a mask fails its tests; {@code iou} of an
 * empty union is 0; a division by zero makes the value undefined (NaN).
 */
sealed interface BruteForceExpr {
  /** A document of the test corpus: its masks by field, and its box (null when it has none). */
  record Doc(Map<String, Mask> masks, Roi box) {}

  String text();

  double eval(Doc doc, Extent extent);

  void names(Set<String> masks, Set<String> boxes);

  /**
   * The value for a document: NaN when it lacks a field the expression names, or divides by zero.
   */
  default double value(Doc doc) {
    Set<String> masks = new TreeSet<>();
    Set<String> boxes = new TreeSet<>();
    names(masks, boxes);
    int width = 0;
    int height = 0;
    for (String field : masks) {
      Mask mask = doc.masks().get(field);
      if (mask == null) {
        return Double.NaN;
      }
      width = Math.max(width, mask.width());
      height = Math.max(height, mask.height());
    }
    if (!boxes.isEmpty() && doc.box() == null) {
      return Double.NaN;
    }
    return eval(doc, new Extent(width, height));
  }

  /** The pixels an expression ranges over. */
  record Extent(int width, int height) {}

  /** A region: the whole mask, the document's box, or a constant box. */
  record Region(Roi constant) {
    static final Region FULL = new Region(Roi.FULL);
    static final Region BOX = new Region(null);

    String text() {
      return constant == null
          ? "box"
          : constant.equals(Roi.FULL)
              ? "full"
              : "["
                  + constant.x1()
                  + ", "
                  + constant.y1()
                  + ", "
                  + constant.x2()
                  + ", "
                  + constant.y2()
                  + "]";
    }

    Roi clipped(Doc doc, Extent extent) {
      return (constant == null ? doc.box() : constant).clip(extent.width(), extent.height());
    }

    void names(Set<String> boxes) {
      if (constant == null) {
        boxes.add("box");
      }
    }
  }

  /** A per-pixel test. */
  sealed interface Pred {
    String text();

    boolean test(Doc doc, int x, int y);

    void names(Set<String> masks);
  }

  record Compare(String field, String op, double t) implements Pred {
    public String text() {
      return field + " " + op + " " + t;
    }

    public boolean test(Doc doc, int x, int y) {
      Mask mask = doc.masks().get(field);
      if (x >= mask.width() || y >= mask.height()) {
        return false;
      }
      double v = mask.value(y, x);
      return switch (op) {
        case ">" -> v > t;
        case ">=" -> v >= t;
        case "<" -> v < t;
        default -> v <= t;
      };
    }

    public void names(Set<String> masks) {
      masks.add(field);
    }
  }

  record InRange(String field, double lv, double uv) implements Pred {
    public String text() {
      throw new UnsupportedOperationException("a range is written inside cp(FIELD, ROI, lv, uv)");
    }

    public boolean test(Doc doc, int x, int y) {
      Mask mask = doc.masks().get(field);
      if (x >= mask.width() || y >= mask.height()) {
        return false;
      }
      double v = mask.value(y, x);
      return lv <= v && v < uv;
    }

    public void names(Set<String> masks) {
      masks.add(field);
    }
  }

  record And(Pred left, Pred right) implements Pred {
    public String text() {
      return "(" + left.text() + " & " + right.text() + ")";
    }

    public boolean test(Doc doc, int x, int y) {
      return left.test(doc, x, y) && right.test(doc, x, y);
    }

    public void names(Set<String> masks) {
      left.names(masks);
      right.names(masks);
    }
  }

  record Or(Pred left, Pred right) implements Pred {
    public String text() {
      return "(" + left.text() + " | " + right.text() + ")";
    }

    public boolean test(Doc doc, int x, int y) {
      return left.test(doc, x, y) || right.test(doc, x, y);
    }

    public void names(Set<String> masks) {
      left.names(masks);
      right.names(masks);
    }
  }

  private static long count(Pred pred, Roi r, Doc doc) {
    long n = 0;
    for (int y = r.y1(); y < r.y2(); y++) {
      for (int x = r.x1(); x < r.x2(); x++) {
        n += pred.test(doc, x, y) ? 1 : 0;
      }
    }
    return n;
  }

  record Const(double v) implements BruteForceExpr {
    public String text() {
      return Double.toString(v);
    }

    public double eval(Doc doc, Extent extent) {
      return v;
    }

    public void names(Set<String> masks, Set<String> boxes) {}
  }

  /** {@code cp(PRED, ROI)}, or {@code cp(FIELD, ROI, lv, uv)} for a range. */
  record Cp(Pred pred, Region roi) implements BruteForceExpr {
    public String text() {
      if (pred instanceof InRange r) {
        return "cp(" + r.field() + ", " + roi.text() + ", " + r.lv() + ", " + r.uv() + ")";
      }
      return "cp(" + pred.text() + ", " + roi.text() + ")";
    }

    public double eval(Doc doc, Extent extent) {
      return count(pred, roi.clipped(doc, extent), doc);
    }

    public void names(Set<String> masks, Set<String> boxes) {
      pred.names(masks);
      roi.names(boxes);
    }
  }

  record Area(Region roi) implements BruteForceExpr {
    public String text() {
      return "area(" + roi.text() + ")";
    }

    public double eval(Doc doc, Extent extent) {
      return roi.clipped(doc, extent).area();
    }

    public void names(Set<String> masks, Set<String> boxes) {
      roi.names(boxes);
    }
  }

  record Iou(Pred a, Pred b, Region roi) implements BruteForceExpr {
    public String text() {
      return "iou(" + a.text() + ", " + b.text() + (roi == null ? "" : ", " + roi.text()) + ")";
    }

    public double eval(Doc doc, Extent extent) {
      Roi r = (roi == null ? Region.FULL : roi).clipped(doc, extent);
      long union = count(new Or(a, b), r, doc);
      return union == 0 ? 0 : (double) count(new And(a, b), r, doc) / union;
    }

    public void names(Set<String> masks, Set<String> boxes) {
      a.names(masks);
      b.names(masks);
      if (roi != null) {
        roi.names(boxes);
      }
    }
  }

  record Arith(char op, BruteForceExpr left, BruteForceExpr right) implements BruteForceExpr {
    public String text() {
      return "(" + left.text() + " " + op + " " + right.text() + ")";
    }

    public double eval(Doc doc, Extent extent) {
      double l = left.eval(doc, extent);
      double r = right.eval(doc, extent);
      return switch (op) {
        case '+' -> l + r;
        case '-' -> l - r;
        case '*' -> l * r;
        default -> r == 0 ? Double.NaN : l / r;
      };
    }

    public void names(Set<String> masks, Set<String> boxes) {
      left.names(masks, boxes);
      right.names(masks, boxes);
    }
  }

  /**
   * A random expression over the corpus' fields {@code saliency}, {@code human} and {@code box}.
   */
  static BruteForceExpr random(Random random, int depth) {
    if (depth > 0 && random.nextInt(3) > 0) {
      char op = "+-*/".charAt(random.nextInt(4));
      BruteForceExpr left = random(random, depth - 1);
      BruteForceExpr right = random(random, depth - 1);
      if (left instanceof Const
          && right instanceof Const) { // the parser would fold them, perhaps into a divisor 0
        left = new Cp(new Compare("saliency", ">", 0.5), Region.FULL);
      }
      return new Arith(op, left, right);
    }
    return switch (random.nextInt(6)) {
      case 0 -> {
        double lv = pick(random, 0, 0.2, 0.5, 0.8);
        yield new Cp(
            new InRange(field(random), lv, lv + pick(random, 0.1, 0.3, 0.6, 1.01)), region(random));
      }
      case 1 -> new Cp(pred(random, 1), region(random));
      case 2 ->
          new Iou(pred(random, 1), pred(random, 1), random.nextBoolean() ? null : region(random));
      case 3 -> new Area(region(random));
      case 4 -> new Const(pick(random, 1, 2, 0.5, 10));
      default -> new Cp(new Compare(field(random), ">", pick(random, 0.5, 0.8)), region(random));
    };
  }

  static Pred pred(Random random, int depth) {
    if (depth > 0 && random.nextInt(3) == 0) {
      return random.nextBoolean()
          ? new And(pred(random, depth - 1), pred(random, depth - 1))
          : new Or(pred(random, depth - 1), pred(random, depth - 1));
    }
    return new Compare(
        field(random),
        new String[] {">", ">=", "<", "<="}[random.nextInt(4)],
        pick(random, 0.25, 0.5, 0.8, 0.9));
  }

  static Region region(Random random) {
    return switch (random.nextInt(3)) {
      case 0 -> Region.FULL;
      case 1 -> Region.BOX;
      default -> {
        int x1 = random.nextInt(20) - 4;
        int y1 = random.nextInt(20) - 4;
        yield new Region(new Roi(x1, y1, x1 + random.nextInt(30) + 1, y1 + random.nextInt(30) + 1));
      }
    };
  }

  private static String field(Random random) {
    return random.nextBoolean() ? "saliency" : "human";
  }

  private static double pick(Random random, double... values) {
    return values[random.nextInt(values.length)];
  }

  /** Whether the expression names a mask (the language requires one). */
  static boolean namesAMask(BruteForceExpr e) {
    Set<String> masks = new TreeSet<>();
    e.names(masks, new TreeSet<>());
    return !masks.isEmpty();
  }

  static String format(double v) {
    return String.format(Locale.ROOT, "%s", v);
  }
}
