package dev.masksearch.expr;

/** A numeric expression per document. */
sealed interface Num {

  record Const(double value) implements Num {
    @Override
    public String toString() {
      return Pred.format(value);
    }
  }

  /** The number of pixels of the region where the predicate holds. */
  record Count(Pred pred, RoiRef roi) implements Num {
    @Override
    public String toString() {
      if (pred instanceof Pred.Test t
          && t.text().equals(Pred.in(t.field(), t.range().lv(), t.range().uv()).text())) {
        // a range test has no predicate syntax: print the cp(FIELD, ROI, lv, uv) form it was parsed
        // from
        return "cp("
            + t.field()
            + ", "
            + roi
            + ", "
            + Pred.format(t.range().lv())
            + ", "
            + Pred.format(t.range().uv())
            + ")";
      }
      return "cp(" + pred + ", " + roi + ")";
    }
  }

  /** The region's area, clipped to the extent of the document's masks. */
  record Area(RoiRef roi) implements Num {
    @Override
    public String toString() {
      return "area(" + roi + ")";
    }
  }

  /** Intersection over union of two predicates in a region; 0 when the union is empty. */
  record Iou(Pred a, Pred b, RoiRef roi) implements Num {
    @Override
    public String toString() {
      return "iou(" + a + ", " + b + ", " + roi + ")";
    }
  }

  record Negate(Num operand) implements Num {
    @Override
    public String toString() {
      return "-" + operand;
    }
  }

  /** {@code op} is one of {@code + - * /}. */
  record Arith(char op, Num left, Num right) implements Num {
    @Override
    public String toString() {
      return "(" + left + " " + op + " " + right + ")";
    }
  }
}
