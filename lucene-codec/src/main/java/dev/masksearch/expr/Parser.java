package dev.masksearch.expr;

import dev.masksearch.mask.Roi;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent parser for the mask expression language (grammar in {@link MaskExpression}). Errors name the
 * problem and the position (0-based) in the source.
 */
final class Parser {
  /**
   * The deepest an expression may nest, in parentheses, negations and operator chains alike: parsing and every walk
   * over the tree recurse, so this bounds their stack whatever the length limit.
   */
  static final int MAX_DEPTH = 256;

  private enum Kind { NUMBER, IDENT, SYMBOL, END }

  private record Token(Kind kind, String text, int position) {}

  private final String source;
  private final List<Token> tokens;
  private int next;
  /** The depth of each operator node built so far (leaves have depth 1). */
  private final Map<Object, Integer> depths = new IdentityHashMap<>();
  /** How deep the recursive descent is now. */
  private int nesting;

  private Parser(String source) {
    this.source = source;
    this.tokens = tokenize(source);
  }

  static Num parse(String source) {
    if (source == null || source.isBlank()) {
      throw new ExpressionException("the expression is empty");
    }
    Parser parser = new Parser(source);
    Num expression = parser.sum();
    parser.expect(Kind.END, "end of the expression");
    return expression;
  }

  // expr := product (('+' | '-') product)*
  private Num sum() {
    Num left = product();
    while (peekSymbol("+") || peekSymbol("-")) {
      Token operator = take();
      left = arith(operator, left, product());
    }
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
      double value = switch (op) {
        case '+' -> a.value() + b.value();
        case '-' -> a.value() - b.value();
        case '*' -> a.value() * b.value();
        default -> a.value() / b.value();
      };
      if (!Double.isFinite(value)) { // an infinite constant has no canonical form and breaks the bounds
        throw error(operator, "constant out of range: " + a + " " + op + " " + b);
      }
      return new Num.Const(value);
    }
    return deep(operator, new Num.Arith(op, left, right), left, right);
  }

  // unary := '-' unary | primary
  private Num unary() {
    if (peekSymbol("-")) {
      Token minus = enter();
      Num operand = unary();
      nesting--;
      return operand instanceof Num.Const c ? new Num.Const(-c.value()) : deep(minus, new Num.Negate(operand), operand);
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
      enter();
      Num inner = sum();
      expectSymbol(")");
      nesting--;
      return inner;
    }
    if (token.kind() == Kind.IDENT) {
      take();
      expectSymbol("(");
      Num call = switch (token.text()) {
        case "cp" -> cp();
        case "area" -> new Num.Area(roi());
        case "iou" -> iou();
        default -> throw error(token, "unknown function [" + token.text() + "] (functions: cp, area, iou)");
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
        throw error(lvToken, "range [" + lv + ", " + uv + ") has its lower bound above its upper bound");
      }
      return new Num.Count(Pred.in(field, lv, uv), roi);
    }
    Token at = peek();
    Pred pred = pred();
    expectSymbol(",");
    return deep(at, new Num.Count(pred, roi()), pred);
  }

  /** iou(PREDICATE, PREDICATE [, ROI]). */
  private Num iou() {
    Token at = peek();
    Pred a = pred();
    expectSymbol(",");
    Pred b = pred();
    RoiRef roi = RoiRef.FULL;
    if (peekSymbol(",")) {
      take();
      roi = roi();
    }
    return deep(at, new Num.Iou(a, b, roi), a, b);
  }

  // pred := conjunction ('|' conjunction)*
  private Pred pred() {
    Pred left = conjunction();
    while (peekSymbol("|")) {
      Token or = take();
      Pred right = conjunction();
      left = deep(or, new Pred.Or(left, right), left, right);
    }
    return left;
  }

  // conjunction := test ('&' test)*
  private Pred conjunction() {
    Pred left = test();
    while (peekSymbol("&")) {
      Token and = take();
      Pred right = test();
      left = deep(and, new Pred.And(left, right), left, right);
    }
    return left;
  }

  // test := '(' pred ')' | FIELD ('>' | '>=' | '<' | '<=') NUMBER
  private Pred test() {
    if (peekSymbol("(")) {
      enter();
      Pred inner = pred();
      expectSymbol(")");
      nesting--;
      return inner;
    }
    Token field = expect(Kind.IDENT, "a mask field");
    Token op = peek();
    if (!(peekSymbol(">") || peekSymbol(">=") || peekSymbol("<") || peekSymbol("<="))) {
      throw error(op, "expected a comparison (>, >=, <, <=) after the mask field [" + field.text() + "]");
    }
    take();
    return Pred.compare(field.text(), op.text(), signedNumber());
  }

  // roi := 'full' | FIELD | '[' x1 ',' y1 ',' x2 ',' y2 ']'
  private RoiRef roi() {
    Token token = peek();
    if (token.kind() == Kind.IDENT) {
      take();
      return token.text().equals("full") ? RoiRef.FULL : new RoiRef(null, token.text());
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
      return new RoiRef(new Roi(c[0], c[1], c[2], c[3]), null);
    }
    throw error(token, "expected a region: full, a box field, or [x1, y1, x2, y2]");
  }

  /** Takes the token that opens a nested level (a parenthesis or a negation), refusing to go past MAX_DEPTH. */
  private Token enter() {
    Token at = take();
    if (++nesting > MAX_DEPTH) {
      throw error(at, "the expression nests deeper than " + MAX_DEPTH + " levels");
    }
    return at;
  }

  /** Records the depth of {@code node} over its {@code children}, refusing trees deeper than MAX_DEPTH. */
  private <T> T deep(Token at, T node, Object... children) {
    int depth = 1;
    for (Object child : children) {
      depth = Math.max(depth, depths.getOrDefault(child, 1) + 1);
    }
    if (depth > MAX_DEPTH) {
      throw error(at, "the expression nests deeper than " + MAX_DEPTH + " levels");
    }
    depths.put(node, depth);
    return node;
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
    return new ExpressionException(message + " at position " + at.position() + " (found " + found + ") in ["
        + source + "]");
  }

  private static List<Token> tokenize(String source) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    while (i < source.length()) {
      char c = source.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isDigit(c) || (c == '.' && i + 1 < source.length() && Character.isDigit(source.charAt(i + 1)))) {
        int start = i;
        while (i < source.length() && (Character.isDigit(source.charAt(i)) || source.charAt(i) == '.')) {
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
          throw new ExpressionException("malformed number [" + text + "] at position " + start + " in [" + source + "]");
        }
        tokens.add(new Token(Kind.NUMBER, text, start));
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < source.length()
            && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_' || source.charAt(i) == '.')) {
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
        throw new ExpressionException("unexpected character [" + c + "] at position " + i + " in [" + source + "]");
      }
    }
    tokens.add(new Token(Kind.END, "", source.length()));
    return tokens;
  }
}
