package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic synthetic dataset of classified images, each with an object box, a model saliency
 * map and a human attention map; see {@link SyntheticImage} and {@link Regime}.
 *
 * <p>Image {@code i} depends only on the seed, the frame and {@code i}: any image can be generated
 * alone, in any order and on any thread, and the bytes are the same every time. Instances are
 * immutable and thread-safe.
 *
 * <p>Per image, with the default 224 x 224 frame: the box spans 20–70% of each side at a uniform
 * position; the label is uniform over {@link #LABELS}; the regime is drawn with {@link
 * Regime#probability()}; the prediction is right with a probability that depends on the regime (87%
 * focused, 55% background, 65% diffuse; about 75% overall), so wrong predictions come more often
 * with misplaced attention, as with real models.
 */
public final class SyntheticDataset {
  /** The default frame side, that of ImageNet-style classifier inputs. */
  public static final int DEFAULT_SIDE = 224;

  /** The class vocabulary. */
  public static final List<String> LABELS = Vocabulary.LABELS;

  private final long seed;
  private final int width;
  private final int height;
  private final MaskDType dtype;

  /**
   * A dataset of {@code width x height} masks of {@code dtype} (any mask dtype; UINT8 is the
   * usual).
   */
  public SyntheticDataset(long seed, int width, int height, MaskDType dtype) {
    Mask.checkShape(height, width);
    this.seed = seed;
    this.width = width;
    this.height = height;
    this.dtype = dtype;
  }

  /** A dataset of 224 x 224 UINT8 masks. */
  public SyntheticDataset(long seed) {
    this(seed, DEFAULT_SIDE, DEFAULT_SIDE, MaskDType.UINT8);
  }

  /** Image {@code i} (any non-negative index). */
  public SyntheticImage image(int i) {
    if (i < 0) {
      throw new IllegalArgumentException("image index must be non-negative, got " + i);
    }
    SplittableRandom rng = new SplittableRandom(imageSeed(i));
    // Each map gets its own stream, so that changing how one is painted leaves the metadata and the
    // other alone.
    SplittableRandom saliencyRng = rng.split();
    SplittableRandom humanRng = rng.split();
    Roi box = box(rng);
    String label = Vocabulary.label(rng);
    Regime regime = Regime.pick(rng.nextDouble());
    String predicted =
        rng.nextDouble() < accuracy(regime) ? label : Vocabulary.confusion(label, rng);
    return new SyntheticImage(
        i,
        box,
        label,
        predicted,
        regime.apiName(),
        AttentionMaps.saliency(regime, box, width, height, dtype, saliencyRng),
        AttentionMaps.human(box, width, height, dtype, humanRng));
  }

  /**
   * The picture of {@code image}, which must come from this dataset ({@code image(image.id())}): a
   * textured background, small distractor objects and the labelled object filling its box, the size
   * of the masks; see {@link SceneRenderer}. Made on request only, never by {@link #image(int)}:
   * the benchmarks that generate hundreds of thousands of masks pay nothing for pictures. The same
   * dataset and image give the same pixels.
   */
  public SceneRenderer.Scene render(SyntheticImage image) {
    return render(image, true);
  }

  /**
   * {@link #render(SyntheticImage)}, optionally without the labelled object (every other pixel is
   * the same).
   */
  SceneRenderer.Scene render(SyntheticImage image, boolean drawObject) {
    if (image.saliency().width() != width || image.saliency().height() != height) {
      throw new IllegalArgumentException("image " + image.id() + " is not from " + this);
    }
    return SceneRenderer.render(image, width, height, sceneRandom(image.id()), drawObject);
  }

  /**
   * The root of image {@code i}'s streams. The metadata and masks split theirs off a generator
   * seeded with it; the scene's generator is seeded with another mix of it, so pictures came
   * without changing any existing draw.
   */
  private long imageSeed(int i) {
    return mix64(seed ^ mix64(i + 0x9E3779B97F4A7C15L));
  }

  private SplittableRandom sceneRandom(int i) {
    return new SplittableRandom(mix64(imageSeed(i) + 0x5CE7E5CE7E5CE7EL));
  }

  private Roi box(SplittableRandom rng) {
    int bw = Math.clamp(Math.round(width * rng.nextDouble(0.2, 0.7)), 1, width);
    int bh = Math.clamp(Math.round(height * rng.nextDouble(0.2, 0.7)), 1, height);
    int x1 = rng.nextInt(width - bw + 1);
    int y1 = rng.nextInt(height - bh + 1);
    return new Roi(x1, y1, x1 + bw, y1 + bh);
  }

  private static double accuracy(Regime regime) {
    return switch (regime) {
      case FOCUSED -> 0.87;
      case BACKGROUND -> 0.55;
      case DIFFUSE -> 0.65;
    };
  }

  /**
   * Stafford's variant 13 of the SplitMix64 finaliser: spreads nearby seeds and indices over all 64
   * bits.
   */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long seed() {
    return seed;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public MaskDType dtype() {
    return dtype;
  }

  @Override
  public String toString() {
    return "SyntheticDataset[seed="
        + seed
        + ", "
        + width
        + "x"
        + height
        + " "
        + dtype.apiName()
        + "]";
  }
}
