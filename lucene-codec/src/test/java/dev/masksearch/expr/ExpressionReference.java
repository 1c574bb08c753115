package dev.masksearch.expr;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.RandomRegions;
import dev.masksearch.search.RandomMasks;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tests' own model of mask expressions, independent of the engine's parser and evaluator: a
 * small tree that is generated at random, rendered to text for the engine, and evaluated with plain
 * loops over the raw masks per the semantics documented in {@link MaskExpression}.
 */
final class ExpressionReference {
  private ExpressionReference() {}

  static final String A = "a";
  static final String B = "b";
  static final String BOX = "box";
  static final int FULL_COORDINATE = 65535;

  /** One document as the test wrote it: masks and box may be null (missing). */
  record Doc(Mask a, Mask b, int[] box, String tag) {
    Mask mask(String field) {
      return field.equals(A) ? a : b;
    }
  }

  // ---- regions
  sealed interface Region {}

  record Full() implements Region {}

  record BoxRegion() implements Region {}

  record Rect(int x1, int y1, int x2, int y2) implements Region {}

  /** A region of any shape the request declares by name, with its per-pixel reference. */
  record Named(String name, RandomRegions.Case shape) implements Region {}

  // ---- predicates
  sealed interface P {}

  record Cmp(String field, String op, double t) implements P {}

  record And(P left, P right) implements P {}

  record Or(P left, P right) implements P {}

  // ---- numbers
  sealed interface N {}

  record Const(double v) implements N {}

  record CpRange(String field, Region region, double lv, double uv) implements N {}

  record CpPred(P pred, Region region) implements N {}

  record Area(Region region) implements N {}

  /** region null: the default (full). */
  record Iou(P a, P b, Region region) implements N {}

  record Neg(N operand) implements N {}

  record Bin(char op, N left, N right) implements N {}

  // ---------------------------------------------------------------- rendering

  static String render(Region r) {
    return switch (r) {
      case Full f -> "full";
      case BoxRegion b -> BOX;
      case Rect q -> "[" + q.x1() + ", " + q.y1() + "," + q.x2() + " ,  " + q.y2() + "]";
      case Named n -> n.name();
    };
  }

  /** The regions an expression names that the request declares, for the engine's parser. */
  static Map<String, dev.masksearch.mask.Region> declared(N n) {
    Map<String, dev.masksearch.mask.Region> declared = new TreeMap<>();
    declared(n, declared);
    return declared;
  }

  private static void declared(N n, Map<String, dev.masksearch.mask.Region> out) {
    switch (n) {
      case Const c -> {}
      case CpRange c -> declared(c.region(), out);
      case CpPred c -> declared(c.region(), out);
      case Area a -> declared(a.region(), out);
      case Iou i -> declared(i.region(), out);
      case Neg g -> declared(g.operand(), out);
      case Bin b -> {
        declared(b.left(), out);
        declared(b.right(), out);
      }
    }
  }

  private static void declared(Region r, Map<String, dev.masksearch.mask.Region> out) {
    if (r instanceof Named n) {
      out.put(n.name(), n.shape().region());
    }
  }

  static String number(double v) {
    return Double.toString(v);
  }

  static String render(P p) {
    return switch (p) {
      case Cmp c -> c.field() + " " + c.op() + " " + number(c.t());
      case And a -> "(" + render(a.left()) + " & " + render(a.right()) + ")";
      case Or o -> "(" + render(o.left()) + " | " + render(o.right()) + ")";
    };
  }

  static String render(N n) {
    return switch (n) {
      case Const c -> "(" + number(c.v()) + ")";
      case CpRange c ->
          "cp("
              + c.field()
              + ", "
              + render(c.region())
              + ", "
              + number(c.lv())
              + ", "
              + number(c.uv())
              + ")";
      case CpPred c -> "cp(" + render(c.pred()) + ", " + render(c.region()) + ")";
      case Area a -> "area(" + render(a.region()) + ")";
      case Iou i ->
          "iou("
              + render(i.a())
              + ", "
              + render(i.b())
              + (i.region() == null ? "" : ", " + render(i.region()))
              + ")";
      case Neg g -> "-(" + render(g.operand()) + ")";
      case Bin b -> "(" + render(b.left()) + " " + b.op() + " " + render(b.right()) + ")";
    };
  }

  // ---------------------------------------------------------------- what an expression names

  static void names(N n, Set<String> masks, Set<String> boxes) {
    switch (n) {
      case Const c -> {}
      case CpRange c -> {
        masks.add(c.field());
        names(c.region(), boxes);
      }
      case CpPred c -> {
        names(c.pred(), masks);
        names(c.region(), boxes);
      }
      case Area a -> names(a.region(), boxes);
      case Iou i -> {
        names(i.a(), masks);
        names(i.b(), masks);
        if (i.region() != null) {
          names(i.region(), boxes);
        }
      }
      case Neg g -> names(g.operand(), masks, boxes);
      case Bin b -> {
        names(b.left(), masks, boxes);
        names(b.right(), masks, boxes);
      }
    }
  }

  private static void names(P p, Set<String> masks) {
    switch (p) {
      case Cmp c -> masks.add(c.field());
      case And a -> {
        names(a.left(), masks);
        names(a.right(), masks);
      }
      case Or o -> {
        names(o.left(), masks);
        names(o.right(), masks);
      }
    }
  }

  private static void names(Region r, Set<String> boxes) {
    if (r instanceof BoxRegion) {
      boxes.add(BOX);
    }
  }

  static Set<String> maskNames(N n) {
    Set<String> masks = new TreeSet<>();
    names(n, masks, new TreeSet<>());
    return masks;
  }

  static boolean isConstant(N n) {
    return switch (n) {
      case Const c -> true;
      case Neg g -> isConstant(g.operand());
      case Bin b -> isConstant(b.left()) && isConstant(b.right());
      default -> false;
    };
  }

  // ---------------------------------------------------------------- evaluation

  /**
   * The value of the expression for a document: null when it has no value (a named mask or the box
   * is missing), NaN when undefined (a division by zero); -0.0 is reported as 0.0.
   */
  static Double evaluate(N n, Doc doc) {
    Set<String> masks = new TreeSet<>();
    Set<String> boxes = new TreeSet<>();
    names(n, masks, boxes);
    int width = 0;
    int height = 0;
    for (String field : masks) {
      Mask m = doc.mask(field);
      if (m == null) {
        return null;
      }
      width = Math.max(width, m.width());
      height = Math.max(height, m.height());
    }
    if (!boxes.isEmpty() && doc.box() == null) {
      return null;
    }
    return new Eval(doc, width, height).value(n) + 0.0;
  }

  private record Eval(Doc doc, int width, int height) {
    double value(N n) {
      return switch (n) {
        case Const c -> c.v();
        case CpRange c -> count(new InRange(c.field(), c.lv(), c.uv()), c.region());
        case CpPred c -> count(c.pred(), c.region());
        case Area a -> {
          if (a.region() instanceof Named named) {
            yield named.shape().area(width, height);
          }
          int[] r = clip(a.region());
          yield (double) Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
        }
        case Iou i -> {
          Region region = i.region() == null ? new Full() : i.region();
          long union = count(new Or(i.a(), i.b()), region);
          long intersection = count(new And(i.a(), i.b()), region);
          yield union == 0 ? 0 : (double) intersection / union;
        }
        case Neg g -> -value(g.operand());
        case Bin b -> {
          double l = value(b.left());
          double r = value(b.right());
          yield switch (b.op()) {
            case '+' -> l + r;
            case '-' -> l - r;
            case '*' -> l * r;
            case '/' -> r == 0 ? Double.NaN : l / r;
            default -> throw new AssertionError(b.op());
          };
        }
      };
    }

    /** x1, y1, x2, y2 of the region clipped to the domain. */
    int[] clip(Region region) {
      int[] r =
          switch (region) {
            case Full f -> new int[] {0, 0, FULL_COORDINATE, FULL_COORDINATE};
            case BoxRegion b -> doc.box().clone();
            case Rect q -> new int[] {q.x1(), q.y1(), q.x2(), q.y2()};
            case Named n -> new int[] {0, 0, width, height}; // its pixels tested in count
          };
      r[0] = Math.clamp(r[0], 0, width);
      r[2] = Math.clamp(r[2], 0, width);
      r[1] = Math.clamp(r[1], 0, height);
      r[3] = Math.clamp(r[3], 0, height);
      return r;
    }

    long count(Object pred, Region region) {
      int[] r = clip(region);
      long count = 0;
      for (int y = r[1]; y < r[3]; y++) {
        for (int x = r[0]; x < r[2]; x++) {
          if ((!(region instanceof Named n) || n.shape().inside().test(x, y))
              && holds(pred, x, y)) {
            count++;
          }
        }
      }
      return count;
    }

    boolean holds(Object pred, int x, int y) {
      return switch (pred) {
        case InRange t -> {
          Double v = pixel(t.field(), x, y);
          yield v != null && t.lv() <= v && v < t.uv();
        }
        case Cmp c -> {
          Double v = pixel(c.field(), x, y);
          yield v != null
              && switch (c.op()) {
                case ">" -> v > c.t();
                case ">=" -> v >= c.t();
                case "<" -> v < c.t();
                case "<=" -> v <= c.t();
                default -> throw new AssertionError(c.op());
              };
        }
        case And a -> holds(a.left(), x, y) && holds(a.right(), x, y);
        case Or o -> holds(o.left(), x, y) || holds(o.right(), x, y);
        default -> throw new AssertionError(pred);
      };
    }

    /** The pixel's value as a double, null outside the mask. */
    Double pixel(String field, int x, int y) {
      Mask m = doc.mask(field);
      return x < m.width() && y < m.height() ? m.value(y, x) : null;
    }
  }

  private record InRange(String field, double lv, double uv) {}

  // ---------------------------------------------------------------- generation

  static final double[] EDGES = {
    0, 0.05, 0.2, 0.25, 0.5, 0.6, 0.75, 0.8, 0.85, 1.0, 204 / 255.0, 128 / 255.0, 0.5f, 0.2f
  };

  static double threshold(Random random) {
    double t =
        switch (random.nextInt(8)) {
          case 0 -> random.nextDouble();
          case 1 -> random.nextInt(256) / 255.0;
          case 2 -> random.nextBoolean() ? -0.5 : 1.5;
          default -> EDGES[random.nextInt(EDGES.length)];
        };
    return switch (random.nextInt(10)) {
      case 0 -> Math.nextUp(t);
      case 1 -> Math.nextDown(t);
      default -> t;
    };
  }

  static Region region(Random random, boolean allowBox) {
    int choice = random.nextInt(allowBox ? 4 : 3);
    if (choice == 0) {
      return new Full();
    }
    if (choice == 3) {
      return new BoxRegion();
    }
    if (choice == 2 && random.nextBoolean()) { // a polygon, mask region or box the request names
      String name = "r" + random.nextInt(1 << 30);
      if (random.nextInt(4) > 0) {
        return new Named(name, RandomRegions.shape(random, 90));
      }
      int[] r = rect(random, 90);
      return new Named(
          name,
          new RandomRegions.Case(
              new dev.masksearch.mask.Roi(r[0], r[1], r[2], r[3]),
              (x, y) -> x >= r[0] && x < r[2] && y >= r[1] && y < r[3],
              "box " + java.util.Arrays.toString(r)));
    }
    int[] r = rect(random, 90);
    return new Rect(r[0], r[1], r[2], r[3]);
  }

  /** A random rectangle: maybe empty, one pixel, past the edges, grid-aligned, or plain. */
  static int[] rect(Random random, int extent) {
    return switch (random.nextInt(6)) {
      case 0 ->
          new int[] {
            random.nextInt(extent),
            random.nextInt(extent),
            random.nextInt(extent),
            random.nextInt(extent)
          };
      case 1 -> {
        int x = random.nextInt(extent), y = random.nextInt(extent);
        yield new int[] {x, y, x + 1, y + 1};
      }
      case 2 ->
          new int[] {
            -random.nextInt(20),
            -random.nextInt(20),
            extent + random.nextInt(100),
            extent + random.nextInt(100)
          };
      case 3 -> {
        int s = 1 << random.nextInt(6);
        int x = s * random.nextInt(4), y = s * random.nextInt(4);
        yield new int[] {x, y, x + s * (1 + random.nextInt(4)), y + s * (1 + random.nextInt(4))};
      }
      default -> {
        int x = random.nextInt(extent), y = random.nextInt(extent);
        yield new int[] {x, y, x + 1 + random.nextInt(extent), y + 1 + random.nextInt(extent)};
      }
    };
  }

  static String field(Random random) {
    return random.nextBoolean() ? A : B;
  }

  static P pred(Random random, int depth) {
    if (depth <= 0 || random.nextInt(3) == 0) {
      String[] ops = {">", ">=", "<", "<="};
      return new Cmp(field(random), ops[random.nextInt(4)], threshold(random));
    }
    P left = pred(random, depth - 1);
    P right = pred(random, depth - 1);
    return random.nextBoolean() ? new And(left, right) : new Or(left, right);
  }

  static N leaf(Random random, boolean allowBox) {
    return switch (random.nextInt(11)) {
      case 0, 1, 2 -> {
        double lv =
            random.nextInt(4) == 0 ? random.nextDouble() : EDGES[random.nextInt(EDGES.length)];
        double uv =
            switch (random.nextInt(4)) {
              case 0 -> 1.01;
              case 1 -> 1.0;
              case 2 -> random.nextDouble();
              default -> EDGES[random.nextInt(EDGES.length)];
            };
        if (lv > uv) {
          double t = lv;
          lv = uv;
          uv = t;
        }
        yield new CpRange(field(random), region(random, allowBox), lv, uv);
      }
      case 3, 4, 5 -> new CpPred(pred(random, 2), region(random, allowBox));
      case 6, 7 ->
          new Iou(
              pred(random, 1),
              pred(random, 1),
              random.nextBoolean() ? null : region(random, allowBox));
      case 8 -> new Area(region(random, allowBox));
      default ->
          new Const(
              random.nextInt(3) == 0
                  ? random.nextInt(7) - 3
                  : Math.round(random.nextDouble() * 200 - 100) / 8.0);
    };
  }

  static N number(Random random, int depth, boolean allowBox) {
    if (depth <= 0 || random.nextInt(3) == 0) {
      return leaf(random, allowBox);
    }
    if (random.nextInt(6) == 0) {
      return new Neg(number(random, depth - 1, allowBox));
    }
    char op = "+-*/".charAt(random.nextInt(4));
    N left = number(random, depth - 1, allowBox);
    N right = number(random, depth - 1, allowBox);
    while (op == '/' && isConstant(right)) { // a constant divisor could fold to 0: a parse error
      right = number(random, depth - 1, allowBox);
    }
    return new Bin(op, left, right);
  }

  /** A random expression that names at least one mask. */
  static N expression(Random random, boolean allowBox) {
    while (true) {
      N n =
          switch (random.nextInt(8)) {
            case 0 -> { // a ratio whose divisor is 0 for some documents
              Region r = region(random, allowBox);
              yield new Bin('/', new CpRange(A, r, 0.5, 1.01), new CpRange(B, r, 0.9, 1.01));
            }
            case 1 ->
                new Iou(
                    pred(random, 1),
                    pred(random, 1),
                    random.nextBoolean() ? null : region(random, allowBox));
            default -> number(random, 1 + random.nextInt(3), allowBox);
          };
      if (!maskNames(n).isEmpty()) {
        return n;
      }
    }
  }

  // ---------------------------------------------------------------- masks

  static final MaskDType[] DTYPES = MaskDType.values();

  /** A random mask: smooth blobs, noise, all equal, or quantized onto bin-edge values. */
  static Mask mask(Random random, int height, int width) {
    MaskDType dtype = DTYPES[random.nextInt(DTYPES.length)];
    float[] values = new float[height * width];
    switch (random.nextInt(6)) {
      case 0 ->
          java.util.Arrays.fill(
              values,
              random.nextInt(3) == 0
                  ? (random.nextBoolean() ? 0f : 1f)
                  : (float) EDGES[random.nextInt(EDGES.length)]);
      case 1 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = random.nextInt(10) == 0 ? 1f : random.nextFloat();
        }
      }
      case 2 -> { // quantized: many pixels exactly on bin edges
        int q = new int[] {2, 4, 5, 10, 20}[random.nextInt(5)];
        for (int i = 0; i < values.length; i++) {
          values[i] = random.nextInt(q + 1) / (float) q;
        }
      }
      default -> values = RandomMasks.blobs(random, height, width);
    }
    return RandomMasks.of(dtype, height, width, values);
  }

  static String describe(Doc doc) {
    return String.format(
        Locale.ROOT,
        "a=%s b=%s box=%s",
        doc.a(),
        doc.b(),
        doc.box() == null ? null : java.util.Arrays.toString(doc.box()));
  }
}
