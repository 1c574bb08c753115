package dev.masksearch.qa.data;

import java.awt.Color;
import java.util.SplittableRandom;

/** Colour arithmetic shared by the scene's painters: jitter, shading, mixing and clamping. */
final class SceneColors {
  private SceneColors() {}

  /** {@code c} shifted at random by about {@code amount} per channel. */
  static Color jitter(Color c, SplittableRandom rng, int amount) {
    int d = rng.nextInt(-amount, amount + 1); // mostly brightness, a little hue
    return new Color(
        clampByte(c.getRed() + d + rng.nextInt(-amount / 3, amount / 3 + 1)),
        clampByte(c.getGreen() + d + rng.nextInt(-amount / 3, amount / 3 + 1)),
        clampByte(c.getBlue() + d + rng.nextInt(-amount / 3, amount / 3 + 1)));
  }

  /** {@code c} brightened ({@code f > 1}) or darkened. */
  static Color scale(Color c, double f) {
    return new Color(
        clampByte((int) (c.getRed() * f)),
        clampByte((int) (c.getGreen() * f)),
        clampByte((int) (c.getBlue() * f)));
  }

  static int lerp(Color a, Color b, double t) {
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

  static double smoothstep(double lo, double hi, double v) {
    double t = clamp01((v - lo) / (hi - lo));
    return t * t * (3 - 2 * t);
  }

  static double clamp01(double v) {
    return Math.max(0, Math.min(1, v));
  }

  static int clampByte(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
