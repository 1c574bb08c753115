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
 * @param width the query mask's width
 * @param height the query mask's height
 * @param queryOn the query's pixels at or above the threshold, inside the region
 * @param roi the region compared ({@link Roi#FULL} for the whole mask)
 * @param threshold where a pixel turns on
 * @param similarity IoU or Dice
 */
public record SimilaritySpec(
    String field,
    int width,
    int height,
    Shape queryOn,
    Region roi,
    double threshold,
    Similarity similarity)
    implements ValueSource {
  public SimilaritySpec {
    Objects.requireNonNull(field, "field");
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
    Shape on = Shape.where(like, range(threshold)).intersect(roi);
    return new SimilaritySpec(field, like.width(), like.height(), on, roi, threshold, similarity);
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
        + " >= "
        + threshold
        + ", like "
        + height
        + "x"
        + width
        + " with "
        + queryOn.pixels()
        + " on"
        + (roi.equals(Roi.FULL) ? "" : ", in " + roi)
        + ")";
  }
}
