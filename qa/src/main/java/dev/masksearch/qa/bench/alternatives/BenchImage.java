package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.util.function.IntFunction;

/**
 * One image of a run: its two uint8 masks (row-major, {@code width} x {@code height}) and its box.
 */
public record BenchImage(int width, int height, byte[] saliency, byte[] human, int[] box) {
  /** The side of the synthetic images' masks. */
  public static final int SYNTHETIC_SIDE = SyntheticDataset.DEFAULT_SIDE;

  /** The synthetic images of {@code data} (224 x 224 saliency and human-attention maps). */
  public static IntFunction<BenchImage> synthetic(SyntheticDataset data) {
    return i -> {
      SyntheticImage image = data.image(i);
      if (image.saliency().dtype() != MaskDType.UINT8
          || image.saliency().width() != SYNTHETIC_SIDE) {
        throw new IllegalArgumentException(
            "the benchmark takes 224 x 224 uint8 masks, not " + image.saliency());
      }
      Roi box = image.box();
      return new BenchImage(
          SYNTHETIC_SIDE,
          SYNTHETIC_SIDE,
          image.saliency().rawBytes(),
          image.human().rawBytes(),
          new int[] {box.x1(), box.y1(), box.x2(), box.y2()});
    };
  }
}
