package dev.masksearch.fuzz;

import dev.masksearch.expr.ExpressionException;
import dev.masksearch.expr.MaskExpression;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target: the mask expression language ({@link MaskExpression#parse}) either rejects a text
 * with an {@link ExpressionException} or parses it into an expression whose canonical form ({@code
 * toString}) parses back to an equal expression with the same canonical form and fields.
 */
public final class ExpressionFuzzer {
  private ExpressionFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    String source = new String(input, StandardCharsets.UTF_8);
    FuzzChecks.readOrReject(
        input,
        ExpressionException.class,
        () -> MaskExpression.parse(source),
        expression -> {
          String canonical = expression.toString();
          MaskExpression again = MaskExpression.parse(canonical);
          FuzzChecks.require(
              again.equals(expression),
              "[" + source + "] and its canonical form [" + canonical + "] differ");
          FuzzChecks.require(
              again.toString().equals(canonical),
              "the canonical form of [" + canonical + "] is [" + again + "]");
          FuzzChecks.require(
              again.maskFields().equals(expression.maskFields())
                  && again.roiFields().equals(expression.roiFields()),
              "the canonical form names other fields");
        });
  }
}
