package dev.masksearch.mask;

/**
 * A region of interest constant for a query: a box ({@link Roi}) or any shape ({@link Shape}). A
 * region lies in pixel coordinates and is clipped to each mask it is applied to.
 */
public sealed interface Region permits Roi, Shape {
  /** The pixels of the region inside a {@code width x height} mask. */
  long area(int width, int height);

  /** CP(mask, region, range): the pixels of the region whose value lies in {@code range}. */
  long countPixels(Mask mask, ValueRange range);
}
