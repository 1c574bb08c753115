package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.MaskExpression;
import java.io.IOException;
import java.util.Objects;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.XContentBuilder;

/**
 * A mask expression as a request gives it, {@code "expr"} and the {@code "regions"} it declares,
 * with the expression parsed once where it is first needed: at once where the request is built or
 * parsed (a bad one is a 400 there), and where it runs on a node that read it from another (its
 * shapes are built there, not on the transport thread). What the {@code mask_expr} query and sort
 * share.
 */
final class ExpressionSource implements Writeable {
  private final String expr;
  private final DeclaredRegions regions;
  private volatile MaskExpression parsed;

  /** Parses {@code expr} at once; a bad expression or region is an IllegalArgumentException. */
  ExpressionSource(String expr, DeclaredRegions regions) {
    this.expr = expr;
    this.regions = regions;
    this.parsed = regions.parseExpression(expr);
  }

  /** Reads what {@link #writeTo} wrote; parses when first asked. */
  ExpressionSource(StreamInput in) throws IOException {
    this.expr = in.readString();
    this.regions = DeclaredRegions.read(in);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeString(expr);
    regions.writeTo(out);
  }

  String expr() {
    return expr;
  }

  DeclaredRegions regions() {
    return regions;
  }

  /** The parsed expression (a race parses it twice into equal expressions). */
  MaskExpression expression() {
    MaskExpression expression = parsed;
    if (expression == null) {
      parsed = expression = regions.parseExpression(expr);
    }
    return expression;
  }

  /** Writes the {@code "expr"} and {@code "regions"} keys. */
  void toXContent(XContentBuilder builder) throws IOException {
    builder.field("expr", expr);
    regions.toXContent(builder);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExpressionSource s && expr.equals(s.expr) && regions.equals(s.regions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(expr, regions);
  }
}
