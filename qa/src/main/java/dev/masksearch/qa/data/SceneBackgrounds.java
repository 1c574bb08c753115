package dev.masksearch.qa.data;

import static dev.masksearch.qa.data.SceneColors.clamp01;
import static dev.masksearch.qa.data.SceneColors.jitter;
import static dev.masksearch.qa.data.SceneColors.lerp;
import static dev.masksearch.qa.data.SceneColors.mix;
import static dev.masksearch.qa.data.SceneColors.smoothstep;

import dev.masksearch.qa.data.SceneRenderer.Background;
import java.awt.Color;
import java.util.SplittableRandom;

/**
 * The scene's background: a {@link Background} chosen for the label (half the time one typical of
 * it), painted pixel by pixel from value noise, gradients, stripes and sine ripples with per-image
 * colours and scales.
 */
final class SceneBackgrounds {
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

  private SceneBackgrounds() {}

  /** One of the label's typical backgrounds or, as often, any background. */
  static Background choose(int label, SplittableRandom rng) {
    return rng.nextBoolean()
        ? TYPICAL[label][rng.nextInt(TYPICAL[label].length)]
        : Background.values()[rng.nextInt(Background.values().length)];
  }

  /**
   * Paints {@code kind} into the row-major RGB {@code pixels} of a {@code width x height} frame.
   */
  static void paint(Background kind, int[] pixels, int width, int height, SplittableRandom rng) {
    double side = Math.min(width, height);
    switch (kind) {
      case GRASS -> {
        Color dark = jitter(new Color(45, 100, 35), rng, 12);
        Color light = jitter(new Color(120, 165, 60), rng, 12);
        Noise patches = new Noise(rng, width, height, side * rng.nextDouble(0.2, 0.35), 3);
        Noise blades =
            new Noise(rng, width, height, side * 0.02, side * 0.08, 1); // tall thin streaks
        fill(
            pixels,
            width,
            height,
            (x, y) -> lerp(dark, light, 0.6 * patches.at(x, y) + 0.4 * blades.at(x, y)));
      }
      case SAND -> {
        Color dark = jitter(new Color(190, 160, 110), rng, 10);
        Color light = jitter(new Color(235, 212, 160), rng, 10);
        Noise dunes = new Noise(rng, width, height, side * rng.nextDouble(0.25, 0.45), 3);
        Noise warp = new Noise(rng, width, height, side * 0.3, 1);
        double angle = rng.nextDouble(-0.5, 0.5);
        double ca = Math.cos(angle) * 2 * Math.PI / (side * rng.nextDouble(0.08, 0.14));
        double sa = Math.sin(angle) * 2 * Math.PI / (side * 0.11);
        fill(
            pixels,
            width,
            height,
            (x, y) -> {
              double ripple = 0.5 + 0.5 * StrictMath.sin(y * ca + x * sa + 6 * warp.at(x, y));
              return lerp(dark, light, 0.75 * dunes.at(x, y) + 0.25 * ripple);
            });
      }
      case SKY -> {
        Color top = jitter(new Color(55, 115, 200), rng, 15);
        Color horizon = jitter(new Color(175, 210, 238), rng, 10);
        Color cloud = new Color(248, 248, 250);
        Noise clouds =
            new Noise(
                rng,
                width,
                height,
                side * rng.nextDouble(0.3, 0.5),
                side * rng.nextDouble(0.15, 0.25),
                4);
        double cover = rng.nextDouble(0.5, 0.65);
        fill(
            pixels,
            width,
            height,
            (x, y) -> {
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
        fill(
            pixels,
            width,
            height,
            (x, y) -> {
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
        fill(
            pixels,
            width,
            height,
            (x, y) -> {
              double across = vertical ? x : y;
              double along = vertical ? y : x;
              int p = (int) (across / plank);
              double seam = across - p * plank < 1.5 ? -0.35 : 0;
              double grain =
                  0.5
                      + 0.5
                          * StrictMath.sin(
                              across * f + 8 * grainWarp.at(x, y) + p * 1.7 + along * 0.002);
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
        fill(
            pixels,
            width,
            height,
            (x, y) -> {
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
   * Value noise: random values on a lattice of {@code cellX x cellY} pixel cells, smoothly
   * interpolated, summed over octaves of halving cell size and amplitude, then scaled to [0, 1].
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
      // Sums of smoothed uniforms bunch around 0.5: stretch a little so the colours span their
      // range.
      return clamp01(0.5 + 1.6 * (sum / norm - 0.5));
    }

    private static double smooth(double t) {
      return t * t * (3 - 2 * t);
    }
  }
}
