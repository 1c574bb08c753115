package dev.masksearch.search;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;

/**
 * How alike each document's mask in {@code field} is to a query mask: both thresholded ({@code v >=
 * threshold} is on), compared inside a region by {@link Similarity}. Only masks of the query's size
 * compare; a document whose mask has another size has no value (it matches no filter and ranks
 * nowhere), as pixels at the same coordinates of masks of different sizes show different things.
 *
 * @param field the mask field
 * @param like the query mask
 * @param queryOn the query's pixels at or above the threshold, inside the region
 * @param roi the region compared ({@link Roi#FULL} for the whole mask)
 * @param threshold where a pixel turns on
 * @param similarity IoU, Dice or L1
 */
public record SimilaritySpec(
    String field, Mask like, Shape queryOn, Region roi, double threshold, Similarity similarity)
    implements ValueSource {
  public SimilaritySpec {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(like, "like");
    Objects.requireNonNull(queryOn, "queryOn");
    Objects.requireNonNull(roi, "roi");
    Objects.requireNonNull(similarity, "similarity");
    if (Double.isNaN(threshold)) {
      throw new IllegalArgumentException("the threshold must be a number");
    }
  }

  /** The spec comparing with {@code like} thresholded at {@code threshold} inside {@code roi}. */
  public static SimilaritySpec of(
      String field, Mask like, double threshold, Region roi, Similarity similarity) {
    Shape on =
        similarity.thresholded()
            ? Shape.where(like, range(threshold)).intersect(roi)
            : Shape.EMPTY; // L1 compares values: no pixel is "on"
    return new SimilaritySpec(field, like, on, roi, threshold, similarity);
  }

  /** The query mask's width: only masks of its size compare. */
  public int width() {
    return like.width();
  }

  /** The query mask's height. */
  public int height() {
    return like.height();
  }

  /**
   * The L1 similarity of {@code mask} (of the query's size) to the query: exact, from its values.
   */
  double l1(Mask mask) {
    return Similarity.l1(absoluteDifferences(mask), roi.area(mask.width(), mask.height()));
  }

  /**
   * The sum of {@code |d - q|} over the region's pixels inside {@code mask} (of the query's size),
   * row by row.
   */
  private double absoluteDifferences(Mask mask) {
    double sum = 0;
    for (int y = 0; y < mask.height(); y++) {
      for (int x = 0; x < mask.width(); x++) {
        if (contains(x, y)) {
          sum += Math.abs(mask.value(y, x) - like.value(y, x));
        }
      }
    }
    return sum;
  }

  private boolean contains(int x, int y) {
    return switch (roi) {
      case Roi box -> x >= box.x1() && x < box.x2() && y >= box.y1() && y < box.y2();
      case Shape shape -> {
        int s = shape.firstSpanFrom(y, x);
        yield s < shape.spanCount() && shape.y(s) == y && shape.x1(s) <= x;
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SimilaritySpec s
        && field.equals(s.field)
        && like.dtype() == s.like.dtype()
        && like.width() == s.like.width()
        && like.height() == s.like.height()
        && java.util.Arrays.equals(like.rawBytes(), s.like.rawBytes())
        && roi.equals(s.roi)
        && Double.compare(threshold, s.threshold) == 0
        && similarity == s.similarity;
  }

  @Override
  public int hashCode() {
    return Objects.hash(field, queryOn, roi, threshold, similarity);
  }

  /** The values that are on: {@code [threshold, +inf)}. */
  ValueRange range() {
    return range(threshold);
  }

  private static ValueRange range(double threshold) {
    return new ValueRange(threshold, Double.POSITIVE_INFINITY);
  }

  @Override
  public LeafEvaluator leaf(LeafReader reader, SearchGuard guard) throws IOException {
    return LeafSimilarityEvaluator.create(new LeafMaskFields(reader, guard), this);
  }

  @Override
  public Set<String> fields() {
    return Set.of(field);
  }

  @Override
  public boolean isCacheable(LeafReaderContext context) {
    return DocValues.isCacheable(context, field);
  }

  @Override
  public String toString() {
    return similarity.apiName()
        + "("
        + field
        + (similarity.thresholded() ? " >= " + threshold : "")
        + ", like "
        + height()
        + "x"
        + width()
        + (similarity.thresholded() ? " with " + queryOn.pixels() + " on" : "")
        + (roi.equals(Roi.FULL) ? "" : ", in " + roi)
        + ")";
  }
}
