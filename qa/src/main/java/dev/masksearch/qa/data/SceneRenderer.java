package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Paints the picture of a {@link SyntheticImage}: a procedural textured background, zero to two small distractor
 * objects outside the object box, and the labelled object as a shaded stylised silhouette whose bounding box is
 * exactly the image's box. Use {@link SyntheticDataset#render(SyntheticImage)}; pictures are made only on request,
 * so the metadata and masks cost nothing extra.
 *
 * <p>Backgrounds ({@link Background}) are built from value noise, gradients, stripes and sine ripples, with
 * per-image colours and scales; half the images get a background typical of their label (birds and planes in the
 * sky, boats on water, cars on asphalt ...), the rest any background. The object's silhouette and colour depend on
 * its label only (with a small colour jitter and a random facing), so the classes look distinct. In the
 * {@link Regime#BACKGROUND} regime the first distractor sits on the saliency map's peak, which lies outside the box:
 * the model looks at the rock or the bush, not at the object.
 *
 * <p>Deterministic: the same image, frame and random stream give the same pixels (Java2D's software rasteriser
 * paints a {@link BufferedImage} the same way every time on a given JDK).
 */
public final class SceneRenderer {
  /** The JPEG quality used by {@link #jpeg(BufferedImage)}. */
  public static final float JPEG_QUALITY = 0.85f;

  /** A rendered scene: the RGB picture, the background's name and the number of distractor objects. */
  public record Scene(BufferedImage image, String background, int distractors) {}

  /** The background textures. */
  public enum Background {
    GRASS, SAND, SKY, WATER, WOOD, ASPHALT;

    /** The lower-case name, as stored in the sample index. */
    public String apiName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Per label, in {@link Vocabulary#LABELS} order: the body colour. */
  private static final Color[] LABEL_COLORS = {
    new Color(226, 128, 40), // cat: ginger
    new Color(185, 150, 100), // dog: tan
    new Color(240, 205, 30), // bird: yellow
    new Color(205, 30, 35), // car: red
    new Color(35, 85, 190), // truck: blue
    new Color(125, 45, 150), // boat: purple hull
    new Color(160, 168, 182), // plane: aluminium grey
    new Color(100, 55, 30), // horse: chestnut
  };

  /** Per label: its typical backgrounds, one of which half the images of the label get. */
  private static final Background[][] TYPICAL = {
    {Background.WOOD, Background.GRASS}, // cat
    {Background.GRASS, Background.SAND}, // dog
    {Background.SKY, Background.GRASS}, // bird
    {Background.ASPHALT}, // car
    {Background.ASPHALT, Background.SAND}, // truck
    {Background.WATER}, // boat
    {Background.SKY}, // plane
    {Background.GRASS, Background.SAND}, // horse
  };

  private static final Color DARK = new Color(30, 28, 30);
  private static final Color GLASS = new Color(160, 200, 230);
  private static final Color ACCENT = new Color(235, 120, 40); // beaks and noses
  private static final Color[] BALL_COLORS = {
    new Color(200, 40, 160), new Color(40, 170, 160), new Color(240, 240, 240)
  };

  private SceneRenderer() {}

  /** The body colour of objects of {@code label}, one of {@link SyntheticDataset#LABELS}. */
  public static Color labelColor(String label) {
    return LABEL_COLORS[labelIndex(label)];
  }

  /**
   * Renders {@code image} on a {@code width x height} frame (that of its masks) from {@code rng}, which only this
   * call uses. With {@code drawObject} false the labelled object is left out (for tests: every other pixel is the
   * same).
   */
  static Scene render(SyntheticImage image, int width, int height, SplittableRandom rng, boolean drawObject) {
    int label = labelIndex(image.label());
    Background background = rng.nextBoolean()
        ? TYPICAL[label][rng.nextInt(TYPICAL[label].length)]
        : Background.values()[rng.nextInt(Background.values().length)];
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    paintBackground(background, pixels, width, height, rng);

    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      int distractors = paintDistractors(g, image, width, height, rng);
      // The object's draws come last and are made whether or not it is painted, so leaving it out changes nothing else.
      List<Part> parts = silhouette(label, rng);
      Color body = jitter(LABEL_COLORS[label], rng, 14);
      boolean mirrored = rng.nextBoolean();
      if (drawObject) {
        paintObject(g, parts, body, mirrored, image.box());
      }
      return new Scene(out, background.apiName(), distractors);
    } finally {
      g.dispose();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Backgrounds

  private static void paintBackground(Background kind, int[] pixels, int width, int height, SplittableRandom rng) {
    double side = Math.min(width, height);
    switch (kind) {
      case GRASS -> {
        Color dark = jitter(new Color(45, 100, 35), rng, 12);
        Color light = jitter(new Color(120, 165, 60), rng, 12);
        Noise patches = new Noise(rng, width, height, side * rng.nextDouble(0.2, 0.35), 3);
        Noise blades = new Noise(rng, width, height, side * 0.02, side * 0.08, 1); // tall thin streaks
        fill(pixels, width, height, (x, y) -> lerp(dark, light, 0.6 * patches.at(x, y) + 0.4 * blades.at(x, y)));
      }
      case SAND -> {
        Color dark = jitter(new Color(190, 160, 110), rng, 10);
        Color light = jitter(new Color(235, 212, 160), rng, 10);
        Noise dunes = new Noise(rng, width, height, side * rng.nextDouble(0.25, 0.45), 3);
        Noise warp = new Noise(rng, width, height, side * 0.3, 1);
        double angle = rng.nextDouble(-0.5, 0.5);
        double ca = Math.cos(angle) * 2 * Math.PI / (side * rng.nextDouble(0.08, 0.14));
        double sa = Math.sin(angle) * 2 * Math.PI / (side * 0.11);
        fill(pixels, width, height, (x, y) -> {
          double ripple = 0.5 + 0.5 * StrictMath.sin(y * ca + x * sa + 6 * warp.at(x, y));
          return lerp(dark, light, 0.75 * dunes.at(x, y) + 0.25 * ripple);
        });
      }
      case SKY -> {
        Color top = jitter(new Color(55, 115, 200), rng, 15);
        Color horizon = jitter(new Color(175, 210, 238), rng, 10);
        Color cloud = new Color(248, 248, 250);
        Noise clouds =
            new Noise(rng, width, height, side * rng.nextDouble(0.3, 0.5), side * rng.nextDouble(0.15, 0.25), 4);
        double cover = rng.nextDouble(0.5, 0.65);
        fill(pixels, width, height, (x, y) -> {
          int sky = lerp(top, horizon, (double) y / height);
          double c = smoothstep(cover, cover + 0.15, clouds.at(x, y));
          return mix(sky, cloud.getRGB(), c);
        });
      }
      case WATER -> {
        Color deep = jitter(new Color(20, 70, 115), rng, 12);
        Color shallow = jitter(new Color(70, 140, 175), rng, 12);
        Noise body = new Noise(rng, width, height, side * 0.35, 2);
        Noise warp = new Noise(rng, width, height, side * 0.2, 1);
        double f = 2 * Math.PI / (side * rng.nextDouble(0.05, 0.08));
        fill(pixels, width, height, (x, y) -> {
          double wave = StrictMath.sin(y * f + 5 * warp.at(x, y));
          double glint = smoothstep(0.8, 1.0, wave) * 0.35;
          return lerp(deep, shallow, 0.5 * body.at(x, y) + 0.5 * (double) y / height + glint);
        });
      }
      case WOOD -> {
        Color dark = jitter(new Color(110, 70, 40), rng, 12);
        Color light = jitter(new Color(175, 125, 75), rng, 12);
        double plank = side * rng.nextDouble(0.14, 0.22);
        boolean vertical = rng.nextBoolean();
        double[] tone = rng.doubles(64, -0.15, 0.15).toArray();
        Noise grainWarp = new Noise(rng, width, height, side * 0.25, 2);
        double f = 2 * Math.PI / (side * rng.nextDouble(0.025, 0.04));
        fill(pixels, width, height, (x, y) -> {
          double across = vertical ? x : y;
          double along = vertical ? y : x;
          int p = (int) (across / plank);
          double seam = across - p * plank < 1.5 ? -0.35 : 0;
          double grain = 0.5 + 0.5 * StrictMath.sin(across * f + 8 * grainWarp.at(x, y) + p * 1.7 + along * 0.002);
          return lerp(dark, light, 0.55 + tone[p & 63] + 0.3 * (grain - 0.5) + seam);
        });
      }
      case ASPHALT -> {
        Color dark = jitter(new Color(70, 72, 76), rng, 8);
        Color light = jitter(new Color(125, 125, 128), rng, 8);
        Noise wear = new Noise(rng, width, height, side * 0.3, 3);
        Noise grit = new Noise(rng, width, height, side * 0.025, 1);
        Color paint = rng.nextBoolean() ? new Color(235, 235, 225) : new Color(230, 190, 40);
        double lineY = height * rng.nextDouble(0.15, 0.85);
        double lineHalf = side * 0.018;
        double dash = side * rng.nextDouble(0.12, 0.2);
        fill(pixels, width, height, (x, y) -> {
          int base = lerp(dark, light, 0.75 * wear.at(x, y) + 0.25 * grit.at(x, y));
          boolean line = Math.abs(y + 0.5 - lineY) < lineHalf && ((int) (x / dash) & 1) == 0;
          return line ? mix(base, paint.getRGB(), 0.85) : base;
        });
      }
      default -> throw new AssertionError(kind);
    }
  }

  @FunctionalInterface
  private interface Shader {
    int rgb(int x, int y);
  }

  private static void fill(int[] pixels, int width, int height, Shader shader) {
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        pixels[y * width + x] = shader.rgb(x, y);
      }
    }
  }

  /**
   * Value noise: random values on a lattice of {@code cellX x cellY} pixel cells, smoothly interpolated, summed
   * over octaves of halving cell size and amplitude, then scaled to [0, 1].
   */
  private static final class Noise {
    private final float[][] lattices;
    private final int[] columns;
    private final double[] cellX;
    private final double[] cellY;

    Noise(SplittableRandom rng, int width, int height, double cell, int octaves) {
      this(rng, width, height, cell, cell, octaves);
    }

    Noise(SplittableRandom rng, int width, int height, double cellX, double cellY, int octaves) {
      lattices = new float[octaves][];
      columns = new int[octaves];
      this.cellX = new double[octaves];
      this.cellY = new double[octaves];
      for (int o = 0; o < octaves; o++) {
        this.cellX[o] = Math.max(1.5, cellX / (1 << o));
        this.cellY[o] = Math.max(1.5, cellY / (1 << o));
        columns[o] = (int) (width / this.cellX[o]) + 2;
        int rows = (int) (height / this.cellY[o]) + 2;
        lattices[o] = new float[columns[o] * rows];
        for (int k = 0; k < lattices[o].length; k++) {
          lattices[o][k] = (float) rng.nextDouble();
        }
      }
    }

    double at(int x, int y) {
      double sum = 0;
      double norm = 0;
      double amplitude = 1;
      for (int o = 0; o < lattices.length; o++) {
        double fx = (x + 0.5) / cellX[o];
        double fy = (y + 0.5) / cellY[o];
        int ix = (int) fx;
        int iy = (int) fy;
        double tx = smooth(fx - ix);
        double ty = smooth(fy - iy);
        float[] l = lattices[o];
        int c = columns[o];
        int k = iy * c + ix;
        double top = l[k] + (l[k + 1] - l[k]) * tx;
        double bottom = l[k + c] + (l[k + c + 1] - l[k + c]) * tx;
        sum += amplitude * (top + (bottom - top) * ty);
        norm += amplitude;
        amplitude *= 0.5;
      }
      // Sums of smoothed uniforms bunch around 0.5: stretch a little so the colours span their range.
      return clamp01(0.5 + 1.6 * (sum / norm - 0.5));
    }

    private static double smooth(double t) {
      return t * t * (3 - 2 * t);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Distractors

  private enum Distractor { ROCK, BUSH, BALL, CRATE }

  /**
   * Paints zero to two small objects entirely outside the box (one or two in the background regime, the first on
   * the saliency peak, which that regime keeps outside the box); returns how many.
   */
  private static int paintDistractors(Graphics2D g, SyntheticImage image, int width, int height, SplittableRandom rng) {
    Roi box = image.box();
    double side = Math.min(width, height);
    boolean background = Regime.fromApiName(image.regime()) == Regime.BACKGROUND;
    int wanted = background ? 1 + rng.nextInt(2) : rng.nextInt(3);
    int painted = 0;
    for (int d = 0; d < wanted; d++) {
      double r = side * rng.nextDouble(0.045, 0.09);
      Distractor kind = Distractor.values()[rng.nextInt(Distractor.values().length)];
      Color color = jitter(distractorColor(kind, rng), rng, 12);
      double[] centre = null;
      if (d == 0 && background) {
        int[] peak = argmax(image.saliency());
        double cx = peak[0] + 0.5;
        double cy = peak[1] + 0.5;
        r = Math.min(r * 1.3, gap(box, cx, cy) - 1);
        if (r >= Math.max(3, side * 0.025)) {
          centre = new double[] {cx, cy};
        } else {
          r = side * rng.nextDouble(0.045, 0.09);
        }
      }
      for (int attempt = 0; centre == null && attempt < 32; attempt++) {
        double cx = rng.nextDouble(width);
        double cy = rng.nextDouble(height);
        if (gap(box, cx, cy) > r + 1) {
          centre = new double[] {cx, cy};
        }
      }
      if (centre != null && r >= 2) {
        paintDistractor(g, kind, color, centre[0], centre[1], r, rng);
        painted++;
      }
    }
    return painted;
  }

  private static Color distractorColor(Distractor kind, SplittableRandom rng) {
    return switch (kind) {
      case ROCK -> new Color(128, 124, 118);
      case BUSH -> new Color(40, 85, 35);
      case BALL -> BALL_COLORS[rng.nextInt(BALL_COLORS.length)];
      case CRATE -> new Color(150, 110, 60);
    };
  }

  private static void paintDistractor(
      Graphics2D g, Distractor kind, Color color, double cx, double cy, double r, SplittableRandom rng) {
    switch (kind) {
      case ROCK -> {
        Shape rock = new Ellipse2D.Double(cx - r, cy - 0.65 * r, 2 * r, 1.3 * r);
        shade(g, rock, color);
      }
      case BUSH -> {
        Area bush = new Area();
        for (int k = 0; k < 5; k++) {
          double a = rng.nextDouble(2 * Math.PI);
          double rr = r * rng.nextDouble(0.45, 0.6);
          double ox = Math.cos(a) * (r - rr) * 0.9;
          double oy = Math.sin(a) * (r - rr) * 0.9;
          bush.add(new Area(new Ellipse2D.Double(cx + ox - rr, cy + oy - rr, 2 * rr, 2 * rr)));
        }
        bush.add(new Area(new Ellipse2D.Double(cx - 0.55 * r, cy - 0.55 * r, 1.1 * r, 1.1 * r)));
        shade(g, bush, color);
      }
      case BALL -> shade(g, new Ellipse2D.Double(cx - 0.7 * r, cy - 0.7 * r, 1.4 * r, 1.4 * r), color);
      case CRATE -> {
        double s = 0.7 * r;
        Shape crate = new Rectangle2D.Double(cx - s, cy - s, 2 * s, 2 * s);
        shade(g, crate, color);
        g.setColor(color.darker().darker());
        g.setStroke(new BasicStroke((float) Math.max(1, s * 0.12)));
        g.draw(new Line(cx - s, cy - s, cx + s, cy + s));
        g.draw(new Line(cx + s, cy - s, cx - s, cy + s));
      }
      default -> throw new AssertionError(kind);
    }
  }

  /** A straight segment as a path, so {@code draw} takes doubles. */
  private static final class Line extends Path2D.Double {
    Line(double x1, double y1, double x2, double y2) {
      moveTo(x1, y1);
      lineTo(x2, y2);
    }
  }

  /** Fills with a top-light, bottom-dark gradient and outlines with a darker line. */
  private static void shade(Graphics2D g, Shape shape, Color color) {
    Rectangle2D b = shape.getBounds2D();
    g.setPaint(new GradientPaint(
        (float) b.getMinX(), (float) b.getMinY(), scale(color, 1.18),
        (float) b.getMaxX(), (float) b.getMaxY(), scale(color, 0.78)));
    g.fill(shape);
    g.setColor(scale(color, 0.55));
    g.setStroke(new BasicStroke((float) Math.max(0.8, Math.min(b.getWidth(), b.getHeight()) * 0.025)));
    g.draw(shape);
  }

  private static int[] argmax(Mask mask) {
    int bx = 0;
    int by = 0;
    double best = -1;
    for (int y = 0; y < mask.height(); y++) {
      for (int x = 0; x < mask.width(); x++) {
        double v = mask.value(y, x);
        if (v > best) {
          best = v;
          bx = x;
          by = y;
        }
      }
    }
    return new int[] {bx, by};
  }

  /** The Chebyshev distance from a point to the box; 0 inside it. */
  private static double gap(Roi box, double x, double y) {
    double dx = Math.max(0, Math.max(box.x1() - x, x - box.x2()));
    double dy = Math.max(0, Math.max(box.y1() - y, y - box.y2()));
    return Math.max(dx, dy);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Objects

  private enum Role { BODY, SHADOW, DETAIL, GLASS, LIGHT, ACCENT }

  /** A piece of a silhouette in unit coordinates and how it is coloured. */
  private record Part(Shape shape, Role role) {}

  /** The label's silhouette, facing right, in unit coordinates; its parts' union is later fitted to the box. */
  private static List<Part> silhouette(int label, SplittableRandom rng) {
    List<Part> p = new ArrayList<>();
    double v = rng.nextDouble(-0.04, 0.04); // a little variation in proportions
    switch (Vocabulary.LABELS.get(label)) {
      case "cat" -> {
        p.add(new Part(stroke(new QuadCurve2D.Double(0.2, 0.55, -0.02, 0.5, 0.04, 0.12), 0.07), Role.BODY));
        p.add(new Part(new Rectangle2D.Double(0.24, 0.62, 0.08, 0.38), Role.SHADOW));
        p.add(new Part(new Rectangle2D.Double(0.6, 0.62, 0.08, 0.38), Role.SHADOW));
        p.add(new Part(new Ellipse2D.Double(0.15, 0.36 + v, 0.6, 0.38), Role.BODY));
        p.add(new Part(polygon(0.64, 0.26, 0.67, 0.0, 0.78, 0.17), Role.BODY));
        p.add(new Part(polygon(0.84, 0.17, 0.95, 0.0, 0.97, 0.27), Role.BODY));
        p.add(new Part(new Ellipse2D.Double(0.6, 0.1, 0.4, 0.36), Role.BODY));
        p.add(new Part(new Ellipse2D.Double(0.71, 0.22, 0.05, 0.06), Role.DETAIL));
        p.add(new Part(new Ellipse2D.Double(0.86, 0.22, 0.05, 0.06), Role.DETAIL));
        p.add(new Part(polygon(0.8, 0.32, 0.86, 0.32, 0.83, 0.36), Role.ACCENT));
      }
      case "dog" -> {
        p.add(new Part(stroke(new QuadCurve2D.Double(0.14, 0.42, 0.02, 0.3, 0.0, 0.08), 0.06), Role.BODY));
        for (double x : new double[] {0.16, 0.3, 0.58, 0.7}) {
          p.add(new Part(new Rectangle2D.Double(x, 0.55, 0.09, 0.45), x == 0.3 || x == 0.7 ? Role.SHADOW : Role.BODY));
        }
        p.add(new Part(new RoundRectangle2D.Double(0.1, 0.3 + v, 0.7, 0.34, 0.2, 0.2), Role.BODY));
        p.add(new Part(new Ellipse2D.Double(0.64, 0.05, 0.28, 0.32), Role.BODY));
        p.add(new Part(new RoundRectangle2D.Double(0.8, 0.18, 0.2, 0.14, 0.08, 0.08), Role.BODY)); // snout
        p.add(new Part(new Ellipse2D.Double(0.62, 0.08, 0.12, 0.3), Role.SHADOW)); // floppy ear
        p.add(new Part(new Ellipse2D.Double(0.8, 0.13, 0.05, 0.05), Role.DETAIL));
        p.add(new Part(new Ellipse2D.Double(0.95, 0.17, 0.05, 0.06), Role.DETAIL));
      }
      case "bird" -> {
        p.add(new Part(polygon(0.0, 0.35, 0.28, 0.48, 0.3, 0.62, 0.0, 0.6), Role.SHADOW)); // tail
        p.add(new Part(new Rectangle2D.Double(0.45, 0.78, 0.03, 0.22), Role.DETAIL));
        p.add(new Part(new Rectangle2D.Double(0.56, 0.78, 0.03, 0.22), Role.DETAIL));
        p.add(new Part(new Ellipse2D.Double(0.18, 0.3 + v, 0.6, 0.52), Role.BODY));
        p.add(new Part(new Ellipse2D.Double(0.56, 0.02, 0.34, 0.38), Role.BODY));
        p.add(new Part(polygon(0.86, 0.14, 1.0, 0.22, 0.86, 0.28), Role.ACCENT)); // beak
        p.add(new Part(polygon(0.24, 0.44, 0.62, 0.4, 0.5, 0.7), Role.SHADOW)); // wing
        p.add(new Part(new Ellipse2D.Double(0.73, 0.13, 0.06, 0.07), Role.DETAIL));
      }
      case "car" -> {
        p.add(new Part(polygon(0.18, 0.42, 0.32, 0.0, 0.7, 0.0, 0.86, 0.42), Role.BODY)); // cabin
        p.add(new Part(polygon(0.26, 0.4, 0.36, 0.08, 0.5, 0.08, 0.5, 0.4), Role.GLASS));
        p.add(new Part(polygon(0.54, 0.4, 0.54, 0.08, 0.67, 0.08, 0.78, 0.4), Role.GLASS));
        p.add(new Part(new RoundRectangle2D.Double(0.0, 0.36 + v / 2, 1.0, 0.42, 0.14, 0.14), Role.BODY));
        p.add(new Part(new Rectangle2D.Double(0.93, 0.46, 0.07, 0.08), Role.LIGHT));
        p.add(wheel(0.13, 0.6, 0.28));
        p.add(wheel(0.63, 0.6, 0.28));
        p.add(new Part(new Ellipse2D.Double(0.22, 0.69, 0.1, 0.1), Role.LIGHT));
        p.add(new Part(new Ellipse2D.Double(0.72, 0.69, 0.1, 0.1), Role.LIGHT));
      }
      case "truck" -> {
        p.add(new Part(new Rectangle2D.Double(0.0, 0.0, 0.68, 0.74), Role.BODY)); // cargo box
        p.add(new Part(new Rectangle2D.Double(0.03, 0.08, 0.62, 0.03), Role.SHADOW));
        p.add(new Part(polygon(0.7, 0.25 + v, 0.88, 0.25 + v, 1.0, 0.48, 1.0, 0.8, 0.7, 0.8), Role.BODY)); // cab
        p.add(new Part(polygon(0.74, 0.3 + v, 0.86, 0.3 + v, 0.95, 0.48, 0.74, 0.48), Role.GLASS));
        p.add(new Part(new Rectangle2D.Double(0.0, 0.72, 1.0, 0.06), Role.DETAIL)); // chassis
        p.add(wheel(0.04, 0.74, 0.26));
        p.add(wheel(0.32, 0.74, 0.26));
        p.add(wheel(0.72, 0.74, 0.26));
      }
      case "boat" -> {
        p.add(new Part(new Rectangle2D.Double(0.47, 0.0, 0.03, 0.52), Role.DETAIL)); // mast
        p.add(new Part(polygon(0.52, 0.04, 0.52, 0.48, 0.86, 0.48), Role.LIGHT)); // main sail
        p.add(new Part(polygon(0.45, 0.1, 0.45, 0.48, 0.18, 0.48), Role.LIGHT)); // jib
        p.add(new Part(polygon(0.0, 0.5 + v / 2, 1.0, 0.5 + v / 2, 0.84, 1.0, 0.14, 1.0), Role.BODY)); // hull
        p.add(new Part(polygon(0.03, 0.6, 0.97, 0.6, 0.955, 0.65, 0.045, 0.65), Role.SHADOW)); // stripe
      }
      case "plane" -> {
        p.add(new Part(polygon(0.02, 0.0, 0.12, 0.0, 0.26, 0.4, 0.06, 0.42), Role.SHADOW)); // tail fin
        p.add(new Part(new RoundRectangle2D.Double(0.0, 0.36 + v / 2, 1.0, 0.22, 0.3, 0.22), Role.BODY)); // fuselage
        p.add(new Part(polygon(0.36, 0.5, 0.6, 0.5, 0.44, 1.0, 0.34, 1.0), Role.SHADOW)); // wing
        for (int w = 0; w < 7; w++) {
          p.add(new Part(new Ellipse2D.Double(0.3 + w * 0.07, 0.42, 0.035, 0.05), Role.GLASS));
        }
        p.add(new Part(polygon(0.88, 0.41, 0.96, 0.43, 0.97, 0.47, 0.88, 0.47), Role.GLASS)); // cockpit
      }
      case "horse" -> {
        p.add(new Part(stroke(new QuadCurve2D.Double(0.16, 0.3, 0.0, 0.35, 0.02, 0.68), 0.07), Role.SHADOW)); // tail
        for (double x : new double[] {0.18, 0.3, 0.6, 0.7}) {
          p.add(new Part(new Rectangle2D.Double(x, 0.5, 0.07, 0.47), x == 0.3 || x == 0.7 ? Role.SHADOW : Role.BODY));
          p.add(new Part(new Rectangle2D.Double(x - 0.005, 0.94, 0.08, 0.06), Role.DETAIL)); // hooves
        }
        p.add(new Part(new Ellipse2D.Double(0.12, 0.24 + v, 0.68, 0.36), Role.BODY));
        p.add(new Part(polygon(0.62, 0.36, 0.7, 0.08, 0.84, 0.06, 0.82, 0.4), Role.BODY)); // neck
        p.add(new Part(polygon(0.74, 0.0, 0.86, 0.02, 1.0, 0.22, 0.97, 0.3, 0.9, 0.3, 0.78, 0.16), Role.BODY)); // head
        p.add(new Part(polygon(0.64, 0.3, 0.7, 0.06, 0.76, 0.02, 0.7, 0.3), Role.DETAIL)); // mane
        p.add(new Part(new Ellipse2D.Double(0.84, 0.09, 0.04, 0.04), Role.DETAIL));
      }
      default -> throw new AssertionError(label);
    }
    return p;
  }

  private static Part wheel(double x, double y, double d) {
    return new Part(new Ellipse2D.Double(x, y, d, d), Role.DETAIL);
  }

  private static Shape polygon(double... xy) {
    Path2D.Double path = new Path2D.Double();
    path.moveTo(xy[0], xy[1]);
    for (int k = 2; k < xy.length; k += 2) {
      path.lineTo(xy[k], xy[k + 1]);
    }
    path.closePath();
    return path;
  }

  private static Shape stroke(Shape curve, double width) {
    return new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND).createStrokedShape(curve);
  }

  /**
   * Maps the silhouette's bounds onto the box (mirrored when asked), so the painted object touches all four sides,
   * clips to the box, and paints the parts in order: the body colour with a light-to-dark gradient, details in
   * fixed colours, and a dark outline around the whole silhouette.
   */
  private static void paintObject(
      Graphics2D g, List<Part> parts, Color body, boolean mirrored, Roi box) {
    Rectangle2D bounds = null;
    for (Part part : parts) {
      bounds = bounds == null ? part.shape().getBounds2D() : bounds.createUnion(part.shape().getBounds2D());
    }
    double bw = box.x2() - box.x1();
    double bh = box.y2() - box.y1();
    AffineTransform at = new AffineTransform();
    if (mirrored) {
      at.translate(box.x2(), box.y1());
      at.scale(-bw / bounds.getWidth(), bh / bounds.getHeight());
    } else {
      at.translate(box.x1(), box.y1());
      at.scale(bw / bounds.getWidth(), bh / bounds.getHeight());
    }
    at.translate(-bounds.getX(), -bounds.getY());
    Shape oldClip = g.getClip();
    g.clip(new Rectangle2D.Double(box.x1(), box.y1(), bw, bh));
    Area outline = new Area();
    List<Shape> shapes = new ArrayList<>(parts.size());
    for (Part part : parts) {
      Shape s = at.createTransformedShape(part.shape());
      shapes.add(s);
      if (part.role() != Role.GLASS && part.role() != Role.DETAIL) {
        outline.add(new Area(s));
      }
    }
    GradientPaint gradient = new GradientPaint(
        (float) box.x1(), (float) box.y1(), scale(body, 1.12),
        (float) box.x1(), (float) box.y2(), scale(body, 0.82));
    for (int k = 0; k < parts.size(); k++) {
      Role role = parts.get(k).role();
      switch (role) {
        case BODY -> g.setPaint(gradient);
        case SHADOW -> g.setColor(scale(body, 0.8));
        case DETAIL -> g.setColor(DARK);
        case GLASS -> g.setColor(GLASS);
        case LIGHT -> g.setColor(new Color(240, 236, 215));
        case ACCENT -> g.setColor(ACCENT);
      }
      g.fill(shapes.get(k));
    }
    g.setColor(scale(body, 0.5));
    g.setStroke(new BasicStroke((float) Math.max(1, Math.min(bw, bh) * 0.012)));
    g.draw(outline);
    g.setClip(oldClip);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Encoding

  /** Encodes as baseline JPEG at {@link #JPEG_QUALITY} (about 5–10 KB for a 224 x 224 scene, 7 KB on average). */
  public static byte[] jpeg(BufferedImage image) {
    return jpeg(image, JPEG_QUALITY);
  }

  /** Encodes as baseline JPEG at {@code quality} in [0, 1]. */
  public static byte[] jpeg(BufferedImage image, float quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Encodes as PNG (lossless; several times larger than JPEG for textured scenes). */
  public static byte[] png(BufferedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
    try {
      if (!ImageIO.write(image, "png", bytes)) {
        throw new IllegalStateException("no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Colours

  private static int labelIndex(String label) {
    int i = Vocabulary.LABELS.indexOf(label);
    if (i < 0) {
      throw new IllegalArgumentException("unknown label [" + label + "]");
    }
    return i;
  }

  private static Color jitter(Color c, SplittableRandom rng, int amount) {
    int d = rng.nextInt(-amount, amount + 1); // mostly brightness, a little hue
    return new Color(
        clampByte(c.getRed() + d + rng.nextInt(-amount / 3, amount / 3 + 1)),
        clampByte(c.getGreen() + d + rng.nextInt(-amount / 3, amount / 3 + 1)),
        clampByte(c.getBlue() + d + rng.nextInt(-amount / 3, amount / 3 + 1)));
  }

  private static Color scale(Color c, double f) {
    return new Color(clampByte((int) (c.getRed() * f)), clampByte((int) (c.getGreen() * f)),
        clampByte((int) (c.getBlue() * f)));
  }

  private static int lerp(Color a, Color b, double t) {
    return mix(a.getRGB(), b.getRGB(), t);
  }

  /** Linear mix of two RGB colours, {@code t} clamped to [0, 1]. */
  static int mix(int a, int b, double t) {
    t = clamp01(t);
    int r = (int) (((a >> 16) & 0xFF) * (1 - t) + ((b >> 16) & 0xFF) * t + 0.5);
    int g = (int) (((a >> 8) & 0xFF) * (1 - t) + ((b >> 8) & 0xFF) * t + 0.5);
    int bl = (int) ((a & 0xFF) * (1 - t) + (b & 0xFF) * t + 0.5);
    return (r << 16) | (g << 8) | bl;
  }

  private static double smoothstep(double lo, double hi, double v) {
    double t = clamp01((v - lo) / (hi - lo));
    return t * t * (3 - 2 * t);
  }

  private static double clamp01(double v) {
    return Math.max(0, Math.min(1, v));
  }

  private static int clampByte(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
