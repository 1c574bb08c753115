package dev.masksearch.expr;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.search.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent parser for the mask expression language (grammar in {@link MaskExpression}).
 * Errors name the problem and the position (0-based) in the source.
 */
final class Parser {
  /**
   * The deepest an expression may nest: parentheses, unary minus, and chains of operators (which
   * nest to the left, {@code a + b + c} being {@code (a + b) + c}). Whatever walks the tree
   * (printing, comparing, evaluating) recurses once per level, so deeper input is rejected here
   * rather than overflowing a search thread's stack.
   */
  static final int MAX_DEPTH = 100;

  /**
   * The deepest the parser itself recurses. Larger than {@link #MAX_DEPTH} so that the canonical
   * form of every expression this accepts parses again: it parenthesizes each operator, and a
   * call's predicate nests inside.
   */
  private static final int MAX_NESTING = 2 * MAX_DEPTH + 2;

  private enum Kind {
    NUMBER,
    IDENT,
    SYMBOL,
    END
  }

  private record Token(Kind kind, String text, int position) {}

  private final String source;
  private final Map<String, Region> regions; // declared by the request, by name
  private final List<Token> tokens;
  private int next;
  private int nesting; // the parser's own recursion: parentheses and unary minus

  private Parser(String source, Map<String, Region> regions) {
    this.source = source;
    this.regions = regions;
    this.tokens = tokenize(source);
  }

  static Num parse(String source, Map<String, Region> regions) {
    Parser parser = new Parser(checkNotEmpty(source), regions);
    Num expression = parser.sum();
    parser.expect(Kind.END, "end of the expression");
    return expression;
  }

  /**
   * An expression and, when the source compares it with a number, the comparison and its threshold.
   */
  record Compared(
      String expressionSource, Num expression, Comparison comparison, double threshold) {}

  /**
   * Parses {@code EXPR} or {@code EXPR op NUMBER} ({@code op}: {@code > >= < <=}). Outside a call's
   * parentheses these symbols can only compare the whole expression; inside, they are mask
   * predicates.
   */
  static Compared parseCompared(String source, Map<String, Region> regions) {
    Parser parser = new Parser(checkNotEmpty(source), regions);
    Num expression = parser.sum();
    Comparison comparison = null;
    double threshold = Double.NaN;
    Token op = parser.peek();
    String expressionSource = source;
    if (op.kind() == Kind.SYMBOL && COMPARISONS.containsKey(op.text())) {
      expressionSource = source.substring(0, op.position());
      parser.take();
      comparison = COMPARISONS.get(op.text());
      if (parser.peek().kind() == Kind.END) {
        throw parser.error(
            parser.peek(), "the comparison " + op.text() + " must be followed by a number");
      }
      threshold = parser.signedNumber();
    }
    parser.expect(
        Kind.END,
        comparison == null
            ? "end of the expression or a comparison (> >= < <=)"
            : "end of the expression: it compares once");
    return new Compared(expressionSource, expression, comparison, threshold);
  }

  private static final Map<String, Comparison> COMPARISONS =
      Map.of(">", Comparison.GT, ">=", Comparison.GTE, "<", Comparison.LT, "<=", Comparison.LTE);

  private static String checkNotEmpty(String source) {
    if (source == null || source.isBlank()) {
      throw new ExpressionException("the expression is empty");
    }
    return source;
  }

  // expr := product (('+' | '-') product)*
  private Num sum() {
    enter();
    Num left = product();
    while (peekSymbol("+") || peekSymbol("-")) {
      Token operator = take();
      left = arith(operator, left, product());
    }
    nesting--;
    return left;
  }

  // product := unary (('*' | '/') unary)*
  private Num product() {
    Num left = unary();
    while (peekSymbol("*") || peekSymbol("/")) {
      Token operator = take();
      Num right = unary();
      if (operator.text().equals("/") && right instanceof Num.Const c && c.value() == 0) {
        throw error(operator, "division by zero");
      }
      left = arith(operator, left, right);
    }
    return left;
  }

  private Num arith(Token operator, Num left, Num right) {
    char op = operator.text().charAt(0);
    if (left instanceof Num.Const a && right instanceof Num.Const b) { // fold constants
      double value =
          switch (op) {
            case '+' -> a.value() + b.value();
            case '-' -> a.value() - b.value();
            case '*' -> a.value() * b.value();
            default -> a.value() / b.value();
          };
      if (!Double.isFinite(
          value)) { // an infinite constant has no canonical form and breaks the bounds
        throw error(operator, "constant out of range: " + a + " " + op + " " + b);
      }
      return new Num.Const(value);
    }
    return checkDepth(operator, new Num.Arith(op, left, right));
  }

  // unary := '-' unary | primary
  private Num unary() {
    if (peekSymbol("-")) {
      Token minus = take();
      enter();
      Num operand = unary();
      nesting--;
      return operand instanceof Num.Const c
          ? new Num.Const(-c.value())
          : checkDepth(minus, new Num.Negate(operand));
    }
    return primary();
  }

  // primary := NUMBER | '(' expr ')' | function '(' arguments ')'
  private Num primary() {
    Token token = peek();
    if (token.kind() == Kind.NUMBER) {
      return new Num.Const(number(take()));
    }
    if (peekSymbol("(")) {
      take();
      Num inner = sum();
      expectSymbol(")");
      return inner;
    }
    if (token.kind() == Kind.IDENT) {
      take();
      expectSymbol("(");
      Num call =
          switch (token.text()) {
            case "cp" -> cp();
            case "area" -> new Num.Area(roi());
            case "iou" -> iou();
            default ->
                throw error(
                    token, "unknown function [" + token.text() + "] (functions: cp, area, iou)");
          };
      expectSymbol(")");
      return call;
    }
    throw error(token, "expected a number, a function call or '('");
  }

  /** cp(FIELD, ROI, lv, uv) or cp(PREDICATE, ROI). */
  private Num cp() {
    if (peek().kind() == Kind.IDENT && tokens.get(next + 1).text().equals(",")) {
      String field = take().text();
      expectSymbol(",");
      RoiRef roi = roi();
      expectSymbol(",");
      Token lvToken = peek();
      double lv = signedNumber();
      expectSymbol(",");
      double uv = signedNumber();
      if (lv > uv) {
        throw error(
            lvToken, "range [" + lv + ", " + uv + ") has its lower bound above its upper bound");
      }
      return new Num.Count(Pred.in(field, lv, uv), roi);
    }
    Pred pred = pred();
    expectSymbol(",");
    return new Num.Count(pred, roi());
  }

  /** iou(PREDICATE, PREDICATE [, ROI]). */
  private Num iou() {
    Pred a = pred();
    expectSymbol(",");
    Pred b = pred();
    RoiRef roi = RoiRef.FULL;
    if (peekSymbol(",")) {
      take();
      roi = roi();
    }
    return new Num.Iou(a, b, roi);
  }

  // pred := conjunction ('|' conjunction)*
  private Pred pred() {
    enter();
    Pred left = conjunction();
    while (peekSymbol("|")) {
      Token or = take();
      left = checkDepth(or, new Pred.Or(left, conjunction()));
    }
    nesting--;
    return left;
  }

  // conjunction := test ('&' test)*
  private Pred conjunction() {
    Pred left = test();
    while (peekSymbol("&")) {
      Token and = take();
      left = checkDepth(and, new Pred.And(left, test()));
    }
    return left;
  }

  // test := '(' pred ')' | FIELD ('>' | '>=' | '<' | '<=') NUMBER
  private Pred test() {
    if (peekSymbol("(")) {
      take();
      Pred inner = pred();
      expectSymbol(")");
      return inner;
    }
    Token field = expect(Kind.IDENT, "a mask field");
    Token op = peek();
    if (!(peekSymbol(">") || peekSymbol(">=") || peekSymbol("<") || peekSymbol("<="))) {
      throw error(
          op, "expected a comparison (>, >=, <, <=) after the mask field [" + field.text() + "]");
    }
    take();
    return Pred.compare(field.text(), op.text(), signedNumber());
  }

  // roi := 'full' | NAME | BOX_FIELD | '[' x1 ',' y1 ',' x2 ',' y2 ']'
  private RoiRef roi() {
    Token token = peek();
    if (token.kind() == Kind.IDENT) {
      take();
      String name = token.text();
      if (name.equals("full")) {
        return RoiRef.FULL;
      }
      Region declared = regions.get(name);
      return declared != null ? RoiRef.named(name, declared) : RoiRef.boxField(name);
    }
    if (peekSymbol("[")) {
      take();
      int[] c = new int[4];
      for (int i = 0; i < 4; i++) {
        if (i > 0) {
          expectSymbol(",");
        }
        Token coordinate = peek();
        double value = signedNumber();
        if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
          throw error(coordinate, "a region's coordinates must be integers, got " + value);
        }
        c[i] = (int) value;
      }
      expectSymbol("]");
      return RoiRef.box(new Roi(c[0], c[1], c[2], c[3]));
    }
    throw error(
        token, "expected a region: full, a declared region, a box field, or [x1, y1, x2, y2]");
  }

  private void enter() {
    if (++nesting > MAX_NESTING) {
      throw error(peek(), tooDeep());
    }
  }

  private <T> T checkDepth(Token at, T node) {
    if (depth(node) > MAX_DEPTH) {
      throw error(at, tooDeep());
    }
    return node;
  }

  private static String tooDeep() {
    return "the expression nests more than "
        + MAX_DEPTH
        + " levels deep (parentheses, unary minus, or a chain of "
        + "operators: each operator of a + b + ... adds a level)";
  }

  /**
   * The depth of a tree whose subtrees were checked when they were built (so this recursion is
   * bounded).
   */
  private static int depth(Object node) {
    return switch (node) {
      case Num.Arith a -> 1 + Math.max(depth(a.left()), depth(a.right()));
      case Num.Negate n -> 1 + depth(n.operand());
      case Pred.And a -> 1 + Math.max(depth(a.left()), depth(a.right()));
      case Pred.Or o -> 1 + Math.max(depth(o.left()), depth(o.right()));
      default -> 1; // constants and calls; a call's predicates were checked when they were built
    };
  }

  private double signedNumber() {
    boolean negative = false;
    if (peekSymbol("-")) {
      take();
      negative = true;
    }
    double value = number(expect(Kind.NUMBER, "a number"));
    return negative ? -value : value;
  }

  private double number(Token token) {
    double value = Double.parseDouble(token.text());
    if (!Double.isFinite(value)) {
      throw error(token, "number out of range: " + token.text());
    }
    return value;
  }

  private Token peek() {
    return tokens.get(next);
  }

  private boolean peekSymbol(String symbol) {
    Token token = peek();
    return token.kind() == Kind.SYMBOL && token.text().equals(symbol);
  }

  private Token take() {
    return tokens.get(next++);
  }

  private Token expect(Kind kind, String what) {
    Token token = peek();
    if (token.kind() != kind) {
      throw error(token, "expected " + what);
    }
    return take();
  }

  private void expectSymbol(String symbol) {
    if (!peekSymbol(symbol)) {
      throw error(peek(), "expected '" + symbol + "'");
    }
    take();
  }

  private ExpressionException error(Token at, String message) {
    String found = at.kind() == Kind.END ? "the end" : "[" + at.text() + "]";
    return new ExpressionException(
        message + " at position " + at.position() + " (found " + found + ") in [" + source + "]");
  }

  private static List<Token> tokenize(String source) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < source.length() && Character.isDigit(source.charAt(i + 1)))) {
        int start = i;
        while (i < source.length()
            && (Character.isDigit(source.charAt(i)) || source.charAt(i) == '.')) {
          i++;
        }
        if (i < source.length() && (source.charAt(i) == 'e' || source.charAt(i) == 'E')) {
          i++;
          if (i < source.length() && (source.charAt(i) == '+' || source.charAt(i) == '-')) {
            i++;
          }
          while (i < source.length() && Character.isDigit(source.charAt(i))) {
            i++;
          }
        }
        String text = source.substring(start, i);
        try {
          Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new ExpressionException(
              "malformed number [" + text + "] at position " + start + " in [" + source + "]");
        }
        tokens.add(new Token(Kind.NUMBER, text, start));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < source.length()
            && (Character.isLetterOrDigit(source.charAt(i))
                || source.charAt(i) == '_'
                || source.charAt(i) == '.')) {
          i++;
        }
        tokens.add(new Token(Kind.IDENT, source.substring(start, i), start));
      } else if ((c == '>' || c == '<') && i + 1 < source.length() && source.charAt(i + 1) == '=') {
        tokens.add(new Token(Kind.SYMBOL, c + "=", i));
        i += 2;
      } else if ("()[],+-*/&|<>".indexOf(c) >= 0) {
        tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), i));
        i++;
      } else {
        throw new ExpressionException(
            "unexpected character [" + c + "] at position " + i + " in [" + source + "]");
      }
    }
    tokens.add(new Token(Kind.END, "", source.length()));
    return tokens;
  }
}
