package dev.masksearch.expr;

/**
 * A mask expression that cannot be parsed or does not type-check; the message says what and where.
 */
public final class ExpressionException extends IllegalArgumentException {
  public ExpressionException(String message) {
    super(message);
  }
}
