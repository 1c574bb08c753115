package dev.masksearch.expr;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.Comparison;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The grammar of mask expressions, their canonical form, and every parse error with its message.
 */
public class MaskExpressionParserTests extends LuceneTestCase {

  private static Num root(String source) {
    return MaskExpression.parse(source).root;
  }

  private static Pred.Test gt(String field, double t) {
    return Pred.compare(field, ">", t);
  }

  private static Num.Count count(Pred pred) {
    return new Num.Count(pred, RoiRef.FULL);
  }

  private static void assertRoundTrip(String source) {
    MaskExpression e = MaskExpression.parse(source);
    MaskExpression again = MaskExpression.parse(e.toString());
    assertEquals(source + " -> " + e, e, again);
    assertEquals(e.hashCode(), again.hashCode());
    assertEquals("the canonical form is a fixed point", e.toString(), again.toString());
  }

  // ------------------------------------------------------------------------------------------
  // constructs

  public void testCpRange() {
    Num n = root("cp(saliency, full, 0.5, 1.01)");
    assertEquals(new Num.Count(Pred.in("saliency", 0.5, 1.01), RoiRef.FULL), n);
    Pred.Test t = (Pred.Test) ((Num.Count) n).pred();
    assertEquals(new ValueRange(0.5, 1.01), t.range());
    assertEquals("cp(saliency, full, 0.5, 1.01)", n.toString());
    // negative bounds, exponents, leading dots; an empty range (lv == uv) is allowed
    assertEquals(
        new ValueRange(-0.5, 1e-3),
        ((Pred.Test) ((Num.Count) root("cp(m, full, -0.5, 1e-3)")).pred()).range());
    assertEquals(
        new ValueRange(0.25, 0.25),
        ((Pred.Test) ((Num.Count) root("cp(m, full, .25, 0.25)")).pred()).range());
    assertRoundTrip("cp(m, full, -0.5, 1e-3)");
    assertRoundTrip("cp(m, [1, 2, 3, 4], 0, 1)");
  }

  public void testCpPredicate() {
    assertEquals(count(gt("a", 0.5)), root("cp(a > 0.5, full)"));
    assertEquals(count(Pred.compare("a", ">=", 0.5)), root("cp(a>=0.5,full)"));
    assertEquals(count(Pred.compare("a", "<", 0.5)), root("cp(a < .5, full)"));
    assertEquals(count(Pred.compare("a", "<=", -1)), root("cp(a <= -1, full)"));
    assertEquals(new ValueRange(Math.nextUp(0.5), 2), gt("a", 0.5).range());
    assertEquals(new ValueRange(-1, Math.nextUp(0.5)), Pred.compare("a", "<=", 0.5).range());
    // & binds tighter than |, both left-associative; parentheses group
    Pred a = gt("a", 0.1);
    Pred b = gt("b", 0.2);
    Pred c = gt("c", 0.3);
    assertEquals(
        count(new Pred.Or(a, new Pred.And(b, c))), root("cp(a > 0.1 | b > 0.2 & c > 0.3, full)"));
    assertEquals(
        count(new Pred.Or(new Pred.And(a, b), c)), root("cp(a > 0.1 & b > 0.2 | c > 0.3, full)"));
    assertEquals(
        count(new Pred.And(new Pred.Or(a, b), c)), root("cp((a > 0.1 | b > 0.2) & c > 0.3, full)"));
    assertEquals(
        count(new Pred.And(new Pred.And(a, b), c)), root("cp(a > 0.1 & b > 0.2 & c > 0.3, full)"));
    assertEquals(
        count(new Pred.Or(new Pred.Or(a, b), c)), root("cp(a > 0.1 | b > 0.2 | c > 0.3, full)"));
    assertEquals(count(a), root("cp(((a > 0.1)), full)"));
    assertEquals(
        Set.of("a", "b", "c"),
        MaskExpression.parse("cp(a > 0.1 | b > 0.2 & c > 0.3, full)").maskFields());
  }

  public void testRegions() {
    assertEquals(new Num.Count(gt("a", 0.5), RoiRef.boxField("bbox")), root("cp(a > 0.5, bbox)"));
    assertEquals(
        new Num.Count(gt("a", 0.5), RoiRef.box(new Roi(1, 2, 30, 40))),
        root("cp(a > 0.5, [1, 2, 30, 40])"));
    assertEquals(
        new Num.Count(gt("a", 0.5), RoiRef.box(new Roi(-5, -1, 3, 2))),
        root("cp(a > 0.5, [-5, -1, 3.0, 2e0])"));
    MaskExpression e =
        MaskExpression.parse(
            "cp(a > 0.5, bbox) + area(other.box) + iou(a > 0.1, b > 0.1, [0, 0, 8, 8])");
    assertEquals(Set.of("bbox", "other.box"), e.roiFields());
    assertEquals(Set.of("a", "b"), e.maskFields());
    assertEquals(Set.of("a", "b", "bbox", "other.box"), e.fields());
    assertEquals(RoiRef.FULL, ((Num.Count) root("cp(a > 0.5, [0, 0, 65535, 65535])")).roi());
  }

  public void testAreaAndIou() {
    assertEquals(
        new Num.Arith('/', count(gt("a", 0.5)), new Num.Area(RoiRef.boxField("box"))),
        root("cp(a > 0.5, full) / area(box)"));
    assertEquals(
        new Num.Iou(gt("a", 0.5), gt("b", 0.5), RoiRef.FULL), root("iou(a > 0.5, b > 0.5)"));
    assertEquals(
        new Num.Iou(gt("a", 0.5), gt("b", 0.5), RoiRef.FULL), root("iou(a > 0.5, b > 0.5, full)"));
    assertEquals(
        new Num.Iou(new Pred.And(gt("a", 0.5), gt("b", 0.5)), gt("b", 0.9), RoiRef.boxField("box")),
        root("iou(a > 0.5 & b > 0.5, b > 0.9, box)"));
    assertEquals("iou(a > 0.5, b > 0.5, full)", root("iou(a>0.5,b>0.5)").toString());
  }

  public void testArithmeticPrecedenceAndFolding() {
    Num x = count(gt("a", 0.5));
    Num y = count(gt("b", 0.5));
    Num z = count(gt("c", 0.5));
    assertEquals(
        new Num.Arith('+', x, new Num.Arith('*', y, z)),
        root("cp(a > 0.5, full) + cp(b > 0.5, full) * cp(c > 0.5, full)"));
    assertEquals(
        new Num.Arith('*', new Num.Arith('+', x, y), z),
        root("(cp(a > 0.5, full) + cp(b > 0.5, full)) * cp(c > 0.5, full)"));
    // left-associative
    assertEquals(
        new Num.Arith('-', new Num.Arith('-', x, y), z),
        root("cp(a > 0.5, full) - cp(b > 0.5, full) - cp(c > 0.5, full)"));
    assertEquals(
        new Num.Arith('/', new Num.Arith('/', x, y), z),
        root("cp(a > 0.5, full) / cp(b > 0.5, full) / cp(c > 0.5, full)"));
    assertEquals(
        new Num.Arith('-', new Num.Arith('*', x, y), new Num.Arith('/', z, x)),
        root("cp(a > 0.5, full) * cp(b > 0.5, full) - cp(c > 0.5, full) / cp(a > 0.5, full)"));
    // unary minus binds tighter than * and applies repeatedly
    assertEquals(
        new Num.Arith('*', new Num.Negate(x), y), root("-cp(a > 0.5, full) * cp(b > 0.5, full)"));
    assertEquals(new Num.Negate(new Num.Negate(x)), root("--cp(a > 0.5, full)"));
    assertEquals(
        new Num.Arith('-', x, new Num.Negate(y)), root("cp(a > 0.5, full) - -cp(b > 0.5, full)"));
    // constants fold, also across parentheses and unary minus, in the same order of operations
    assertEquals(new Num.Arith('*', x, new Num.Const(7)), root("cp(a > 0.5, full) * (1 + 2 * 3)"));
    assertEquals(new Num.Arith('+', x, new Num.Const(-2)), root("cp(a > 0.5, full) + -(1 + 1)"));
    assertEquals(new Num.Arith('/', x, new Num.Const(0.5)), root("cp(a > 0.5, full) / (1 / 2)"));
    assertEquals(new Num.Arith('+', new Num.Const(1.5), x), root("1.5 + cp(a > 0.5, full)"));
    // not folded across a non-constant: (1 + x) + 2 keeps both constants
    assertEquals(
        new Num.Arith('+', new Num.Arith('+', new Num.Const(1), x), new Num.Const(2)),
        root("1 + cp(a > 0.5, full) + 2"));
  }

  public void testCanonicalForm() {
    assertEquals(
        "((cp(a > 0.5, full) + cp(b, box, 0.25, 1.0)) * 2.0)",
        MaskExpression.parse("(cp(a>0.5,full)+cp(b,box,.25,1))*2").toString());
    assertEquals(
        "-cp((a > 0.5 | (b < 0.1 & c >= 0.3)), [0, 0, 10, 10])",
        MaskExpression.parse("-cp(a > 0.5 | b < 0.1 & c >= 0.3, [0,0,10,10])").toString());
    assertEquals(
        "(cp(a > -0.5, full) / 1.0E-5)",
        MaskExpression.parse("cp(a > -0.5, full) / 0.00001").toString());
    MaskExpression e = MaskExpression.parse("  cp( a , full , 0.5 , 1.01 )   ");
    assertEquals("  cp( a , full , 0.5 , 1.01 )   ", e.source());
    assertEquals(e, MaskExpression.parse("cp(a,full,0.5,1.01)"));
    assertFalse(e.equals(MaskExpression.parse("cp(a,full,0.5,1.02)")));
    assertFalse(e.equals(MaskExpression.parse("cp(a >= 0.5,full)")));
    assertEquals(
        "with a cache an expression is the same expression",
        e,
        e.withCache(new DerivedChiCache(100)));
  }

  public void testRandomRoundTrips() {
    Random random = random();
    for (int i = 0; i < atLeast(200); i++) {
      ExpressionReference.N n = ExpressionReference.expression(random, true);
      String text = ExpressionReference.render(n);
      assertRoundTrip(text);
      assertEquals(ExpressionReference.maskNames(n), MaskExpression.parse(text).maskFields());
    }
  }

  /**
   * A name the request declares is that constant region (a shape here); any other name is a box
   * field. The canonical form prints the name, and parses back with the same declarations.
   */
  public void testDeclaredRegions() {
    Shape hand = Shape.ofPolygon(List.of(new double[] {10, 10, 60, 12, 30, 50}));
    Map<String, Region> regions = Map.of("hand", hand, "bbox", new Roi(1, 2, 3, 4));
    MaskExpression e =
        MaskExpression.parse(
            "cp(saliency > 0.5, hand) / area(hand) + cp(saliency, bbox, 0, 1)", regions);
    assertEquals(Set.of(), e.roiFields());
    assertEquals(Set.of("saliency"), e.maskFields());
    assertEquals(2, e.shape().regions());
    assertEquals(e, MaskExpression.parse(e.toString(), regions));
    MaskExpression undeclared =
        MaskExpression.parse("cp(saliency > 0.5, hand) / area(hand) + cp(saliency, bbox, 0, 1)");
    assertEquals("undeclared names are box fields", Set.of("bbox", "hand"), undeclared.roiFields());
    assertNotEquals(e, undeclared);
    Shape other = Shape.ofPolygon(List.of(new double[] {10, 10, 60, 12, 30, 51}));
    assertNotEquals(
        "the same name for another shape is another expression",
        e,
        MaskExpression.parse(e.toString(), Map.of("hand", other, "bbox", new Roi(1, 2, 3, 4))));
    assertEquals(
        "full is never a declared name",
        MaskExpression.parse("cp(saliency > 0.5, full)"),
        MaskExpression.parse("cp(saliency > 0.5, full)", Map.of("full", hand)));
  }

  // ------------------------------------------------------------------------------------------
  // errors

  private static void assertError(String source, String expectedMessage) {
    ExpressionException e =
        expectThrows(ExpressionException.class, () -> MaskExpression.parse(source));
    assertEquals(expectedMessage, e.getMessage());
  }

  /**
   * A filter script's form: the whole expression compared with a number; inside a call the symbols
   * are predicates.
   */
  public void testCompared() {
    MaskExpression.Compared c =
        MaskExpression.parseCompared("iou(saliency > 0.8, human < 0.2) <= -0.5");
    assertEquals(Comparison.LTE, c.comparison());
    assertEquals(-0.5, c.threshold(), 0);
    assertEquals(MaskExpression.parse("iou(saliency > 0.8, human < 0.2)"), c.expression());
    assertEquals(
        Comparison.GT, MaskExpression.parseCompared("(cp(a, full, 0, 1) + 1) > 2").comparison());
    MaskExpression.Compared alone = MaskExpression.parseCompared("cp(a > 0.5, full)");
    assertNull(alone.comparison());
    assertTrue(Double.isNaN(alone.threshold()));
    assertEquals(MaskExpression.parse("cp(a > 0.5, full)"), alone.expression());
    for (String[] bad :
        new String[][] {
          {"cp(a > 0.5, full) >", "the comparison > must be followed by a number"},
          {"cp(a > 0.5, full) > x", "expected a number"},
          {"cp(a > 0.5, full) > 1 < 2", "expected end of the expression: it compares once"},
          {"cp(a > 0.5, full) 2", "expected end of the expression or a comparison (> >= < <=)"},
          {"", "the expression is empty"}
        }) {
      ExpressionException e =
          expectThrows(ExpressionException.class, () -> MaskExpression.parseCompared(bad[0]));
      assertTrue(bad[0] + ": " + e.getMessage(), e.getMessage().contains(bad[1]));
    }
    // without a comparison the form is rejected where only an expression is taken
    expectThrows(ExpressionException.class, () -> MaskExpression.parse("cp(a > 0.5, full) > 1"));
  }

  /**
   * Terms (cp, area, iou) and distinct regions other than full, for the limits a node puts on
   * queries.
   */
  public void testShape() {
    MaskExpression e =
        MaskExpression.parse(
            "cp(a, full, 0, 1) + cp(a > 0.5, [0, 0, 2, 2]) - area([0, 0, 2, 2]) + iou(a > 0.1, b > 0.2, bbox) * 2 + 3");
    assertEquals(new MaskExpression.Shape(4, 4, 2), e.shape());
    assertEquals(
        new MaskExpression.Shape(1, 1, 0), MaskExpression.parse("cp(a > 0.5, full)").shape());
    // every value test of a predicate counts: each is a CP term of its own
    assertEquals(
        new MaskExpression.Shape(2, 6, 0),
        MaskExpression.parse(
                "cp(a > 0.1 | a > 0.2 | (b < 0.3 & a > 0.4), full) + iou(a > 0.5, a > 0.5, full)")
            .shape());
  }

  public void testEmpty() {
    assertError("", "the expression is empty");
    assertError("   ", "the expression is empty");
    expectThrows(ExpressionException.class, () -> MaskExpression.parse(null));
  }

  public void testUnknownFunction() {
    assertError(
        "cq(a > 0.5, full)",
        "unknown function [cq] (functions: cp, area, iou) at position 0 (found [cq]) in [cq(a > 0.5, full)]");
    assertError(
        "1 + sum(a > 0.5, full)",
        "unknown function [sum] (functions: cp, area, iou) at position 4 (found [sum]) in [1 + sum(a > 0.5, full)]");
  }

  public void testUnexpectedCharacter() {
    assertError(
        "cp(a > 0.5, full) % 2",
        "unexpected character [%] at position 18 in [cp(a > 0.5, full) % 2]");
    assertError(
        "cp(a = 0.5, full)", "unexpected character [=] at position 5 in [cp(a = 0.5, full)]");
    assertError(
        "cp(a > 0.5, full) . 2",
        "unexpected character [.] at position 18 in [cp(a > 0.5, full) . 2]");
  }

  public void testMissingParenthesis() {
    assertError(
        "(cp(a > 0.5, full) + 1",
        "expected ')' at position 22 (found the end) in [(cp(a > 0.5, full) + 1]");
    assertError(
        "cp(a > 0.5, full", "expected ')' at position 16 (found the end) in [cp(a > 0.5, full]");
    assertError(
        "cp((a > 0.5, full)", "expected ')' at position 11 (found [,]) in [cp((a > 0.5, full)]");
    assertError(
        "cp(a > 0.5, full))",
        "expected end of the expression at position 17 (found [)]) in [cp(a > 0.5, full))]");
    assertError(
        "cp a > 0.5, full)", "expected '(' at position 3 (found [a]) in [cp a > 0.5, full)]");
  }

  public void testCpArity() {
    assertError("cp(a, full)", "expected ',' at position 10 (found [)]) in [cp(a, full)]");
    assertError(
        "cp(a, full, 0.5)", "expected ',' at position 15 (found [)]) in [cp(a, full, 0.5)]");
    assertError(
        "cp(a, full, 0.5, 1, 2)",
        "expected ')' at position 18 (found [,]) in [cp(a, full, 0.5, 1, 2)]");
    assertError("cp(a > 0.5)", "expected ',' at position 10 (found [)]) in [cp(a > 0.5)]");
    assertError(
        "cp(a > 0.5, full, 1)",
        "expected ')' at position 16 (found [,]) in [cp(a > 0.5, full, 1)]");
    assertError("cp()", "expected a mask field at position 3 (found [)]) in [cp()]");
    assertError("iou(a > 0.5)", "expected ',' at position 11 (found [)]) in [iou(a > 0.5)]");
    assertError(
        "iou(a > 0.5, b > 0.5, full, full)",
        "expected ')' at position 26 (found [,]) in [iou(a > 0.5, b > 0.5, full, full)]");
    assertError(
        "area()",
        "expected a region: full, a declared region, a box field, or [x1, y1, x2, y2] at position 5 (found [)]) in [area()]");
  }

  public void testPredicateWithoutComparison() {
    assertError(
        "cp(a & b > 0.5, full)",
        "expected a comparison (>, >=, <, <=) after the mask field [a] at position 5 (found [&]) in [cp(a & b > 0.5, full)]");
    assertError(
        "iou(a, b)",
        "expected a comparison (>, >=, <, <=) after the mask field [a] at position 5 (found [,]) in [iou(a, b)]");
    assertError(
        "cp(a > 0.5 | b, full)",
        "expected a comparison (>, >=, <, <=) after the mask field [b] at position 14 (found [,]) in [cp(a > 0.5 | b, full)]");
    assertError(
        "cp(a > b, full)", "expected a number at position 7 (found [b]) in [cp(a > b, full)]");
  }

  public void testNonIntegerRegion() {
    assertError(
        "cp(a > 0.5, [0, 0.5, 10, 10])",
        "a region's coordinates must be integers, got 0.5 at position 16 (found [0.5]) in [cp(a > 0.5, [0, 0.5, 10, 10])]");
    assertError(
        "area([0, 0, 1e10, 10]) + cp(a > 0, full)",
        "a region's coordinates must be integers, got 1.0E10 at position 12 (found [1e10]) in [area([0, 0, 1e10, 10]) + cp(a > 0, full)]");
    assertError(
        "cp(a > 0.5, [0, 0, 10])",
        "expected ',' at position 21 (found []]) in [cp(a > 0.5, [0, 0, 10])]");
  }

  public void testInvertedRange() {
    assertError(
        "cp(a, full, 0.8, 0.2)",
        "range [0.8, 0.2) has its lower bound above its upper bound at position 12 (found [0.8]) in [cp(a, full, 0.8, 0.2)]");
    assertError(
        "cp(a, full, -0.1, -0.2)",
        "range [-0.1, -0.2) has its lower bound above its upper bound at position 12 (found [-]) in [cp(a, full, -0.1, -0.2)]");
  }

  public void testConstantDivisionByZero() {
    assertError(
        "cp(a > 0.5, full) / 0",
        "division by zero at position 18 (found [/]) in [cp(a > 0.5, full) / 0]");
    assertError(
        "cp(a > 0.5, full) / (1 - 1)",
        "division by zero at position 18 (found [/]) in [cp(a > 0.5, full) / (1 - 1)]");
    assertError(
        "cp(a > 0.5, full) / -0.0",
        "division by zero at position 18 (found [/]) in [cp(a > 0.5, full) / -0.0]");
    assertError(
        "cp(a > 0.5, full) * (2 / (3 * 0))",
        "division by zero at position 23 (found [/]) in [cp(a > 0.5, full) * (2 / (3 * 0))]");
    // a divisor that is 0 for some documents is no parse error
    MaskExpression.parse("cp(a > 0.5, full) / cp(b > 0.5, full)");
    MaskExpression.parse("cp(a > 0.5, full) / (cp(b > 0.5, full) - cp(b > 0.5, full))");
  }

  public void testNoMaskField() {
    assertError("1 + 2", "the expression [1 + 2] names no mask field: use cp(...) or iou(...)");
    assertError(
        "area(bbox)", "the expression [area(bbox)] names no mask field: use cp(...) or iou(...)");
    assertError(
        "area(full) / area(bbox) * -3",
        "the expression [area(full) / area(bbox) * -3] names no mask field: use cp(...) or iou(...)");
  }

  public void testMalformedNumbers() {
    assertError(
        "cp(a > 0.5.1, full)", "malformed number [0.5.1] at position 7 in [cp(a > 0.5.1, full)]");
    assertError("cp(a > 1e, full)", "malformed number [1e] at position 7 in [cp(a > 1e, full)]");
    assertError("cp(a > 1e+, full)", "malformed number [1e+] at position 7 in [cp(a > 1e+, full)]");
    assertError(
        "cp(a > 0.5, full) * 1..5",
        "malformed number [1..5] at position 20 in [cp(a > 0.5, full) * 1..5]");
    assertError(
        "cp(a > 1e999, full)",
        "number out of range: 1e999 at position 7 (found [1e999]) in [cp(a > 1e999, full)]");
    assertError(
        "cp(a > 0.5, full) * 1e999",
        "number out of range: 1e999 at position 20 (found [1e999]) in [cp(a > 0.5, full) * 1e999]");
  }

  public void testConstantOverflow() {
    ExpressionException e =
        expectThrows(
            ExpressionException.class,
            () -> MaskExpression.parse("cp(a > 0.5, full) * (1e300 * 1e300)"));
    assertTrue(e.getMessage(), e.getMessage().contains("out of range"));
  }

  public void testOtherErrors() {
    assertError(
        "cp(a > 0.5, full) +",
        "expected a number, a function call or '(' at position 19 (found the end) in [cp(a > 0.5, full) +]");
    assertError(
        "cp(a > 0.5, 3)",
        "expected a region: full, a declared region, a box field, or [x1, y1, x2, y2] at position 12 (found [3]) in [cp(a > 0.5, 3)]");
    assertError(
        "cp(a > 0.5, full) cp(b > 0.5, full)",
        "expected end of the expression at position 18 (found [cp]) in [cp(a > 0.5, full) cp(b > 0.5, full)]");
  }

  /**
   * Found by fuzzing (ExpressionFuzzer): an operator chain, parentheses or unary minus nested
   * without bound overflowed the stack (in parsing, or in printing and comparing the tree), which
   * kills an OpenSearch node. Now a clear error.
   */
  public void testNestingLimit() {
    String term = "cp(a > 0.5, full)";
    String longest = String.join(" + ", java.util.Collections.nCopies(Parser.MAX_DEPTH, term));
    assertRoundTrip(longest);
    assertTooDeep(longest + " + " + term);
    assertTooDeep(String.join(" * ", java.util.Collections.nCopies(100_000, term)));
    assertTooDeep("(".repeat(100_000) + term + ")".repeat(100_000));
    assertTooDeep("-".repeat(100_000) + term);
    assertTooDeep("cp(" + "(".repeat(100_000) + "a > 0.5" + ")".repeat(100_000) + ", full)");
    assertTooDeep(
        "cp(" + String.join(" & ", java.util.Collections.nCopies(100_000, "a > 0.5")) + ", full)");
    assertTooDeep(
        "iou("
            + String.join(" | ", java.util.Collections.nCopies(100_000, "a > 0.5"))
            + ", b > 0.5)");
    // the deepest predicate inside the deepest arithmetic still prints and parses again
    String deepPredicate =
        "cp("
            + String.join(" & ", java.util.Collections.nCopies(Parser.MAX_DEPTH, "a > 0.5"))
            + ", full)";
    assertRoundTrip(
        String.join(" - ", java.util.Collections.nCopies(Parser.MAX_DEPTH, deepPredicate)));
    assertRoundTrip("-".repeat(Parser.MAX_DEPTH - 1) + term);
  }

  private static void assertTooDeep(String source) {
    ExpressionException e =
        expectThrows(ExpressionException.class, () -> MaskExpression.parse(source));
    assertTrue(
        e.getMessage(),
        e.getMessage()
            .startsWith("the expression nests more than " + Parser.MAX_DEPTH + " levels deep"));
  }
}
