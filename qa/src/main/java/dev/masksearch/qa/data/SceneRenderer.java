package dev.masksearch.qa.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Paints the picture of a {@link SyntheticImage}: a procedural textured background ({@link
 * SceneBackgrounds}), zero to two small distractor objects outside the object box ({@link
 * SceneDistractors}), and the labelled object as a shaded stylised silhouette whose bounding box is
 * exactly the image's box ({@link SceneObjects}); encodes pictures as JPEG or PNG ({@link
 * SceneImages}). Use {@link SyntheticDataset#render(SyntheticImage)}; pictures are made only on
 * request, so the metadata and masks cost nothing extra.
 *
 * <p>Backgrounds ({@link Background}) are built from value noise, gradients, stripes and sine
 * ripples, with per-image colours and scales; half the images get a background typical of their
 * label (birds and planes in the sky, boats on water, cars on asphalt ...), the rest any
 * background. The object's silhouette and colour depend on its label only (with a small colour
 * jitter and a random facing), so the classes look distinct. In the {@link Regime#BACKGROUND}
 * regime the first distractor sits on the saliency map's peak, which lies outside the box: the
 * model looks at the rock or the bush, not at the object.
 *
 * <p>Deterministic: the same image, frame and random stream give the same pixels (Java2D's software
 * rasteriser paints a {@link BufferedImage} the same way every time on a given JDK); the painters
 * draw from the random stream in a fixed order: background, distractors, object.
 */
public final class SceneRenderer {
  /** The JPEG quality used by {@link #jpeg(BufferedImage)}. */
  public static final float JPEG_QUALITY = 0.85f;

  /**
   * A rendered scene: the RGB picture, the background's name and the number of distractor objects.
   */
  public record Scene(BufferedImage image, String background, int distractors) {}

  /** The background textures. */
  public enum Background {
    GRASS,
    SAND,
    SKY,
    WATER,
    WOOD,
    ASPHALT;

    /** The lower-case name, as stored in the sample index. */
    public String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private SceneRenderer() {}

  /** The body colour of objects of {@code label}, one of {@link SyntheticDataset#LABELS}. */
  public static Color labelColor(String label) {
    return SceneObjects.labelColor(labelIndex(label));
  }

  /**
   * Renders {@code image} on a {@code width x height} frame (that of its masks) from {@code rng},
   * which only this call uses. With {@code drawObject} false the labelled object is left out (for
   * tests: every other pixel is the same).
   */
  static Scene render(
      SyntheticImage image, int width, int height, SplittableRandom rng, boolean drawObject) {
    int label = labelIndex(image.label());
    Background background = SceneBackgrounds.choose(label, rng);
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    SceneBackgrounds.paint(background, pixels, width, height, rng);

    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      int distractors = SceneDistractors.paint(g, image, width, height, rng);
      SceneObjects.paint(
          g, label, image.box(), rng, drawObject); // last: leaving it out changes nothing else
      return new Scene(out, background.apiName(), distractors);
    } finally {
      g.dispose();
    }
  }

  /**
   * Encodes as baseline JPEG at {@link #JPEG_QUALITY} (about 5–10 KB for a 224 x 224 scene, 7 KB on
   * average).
   */
  public static byte[] jpeg(BufferedImage image) {
    return SceneImages.jpeg(image, JPEG_QUALITY);
  }

  /** Encodes as baseline JPEG at {@code quality} in [0, 1]. */
  public static byte[] jpeg(BufferedImage image, float quality) {
    return SceneImages.jpeg(image, quality);
  }

  /** Encodes as PNG (lossless; several times larger than JPEG for textured scenes). */
  public static byte[] png(BufferedImage image) {
    return SceneImages.png(image);
  }

  private static int labelIndex(String label) {
    int i = Vocabulary.LABELS.indexOf(label);
    if (i < 0) {
      throw new IllegalArgumentException("unknown label [" + label + "]");
    }
    return i;
  }
}
