package dev.masksearch.qa.data;

import static dev.masksearch.qa.data.SceneColors.jitter;
import static dev.masksearch.qa.data.SceneColors.scale;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.SplittableRandom;

/**
 * The scene's distractors: zero to two small shaded objects (rocks, bushes, balls, crates) outside
 * the object box. In the {@link Regime#BACKGROUND} regime the first sits on the saliency map's
 * peak, which lies outside the box: the model looks at the rock or the bush, not at the object.
 */
final class SceneDistractors {
  private static final Color[] BALL_COLORS = {
    new Color(200, 40, 160), new Color(40, 170, 160), new Color(240, 240, 240)
  };

  private SceneDistractors() {}

  private enum Distractor {
    ROCK,
    BUSH,
    BALL,
    CRATE
  }

  /**
   * Paints zero to two small objects entirely outside the box (one or two in the background regime,
   * the first on the saliency peak, which that regime keeps outside the box); returns how many.
   */
  static int paint(
      Graphics2D g, SyntheticImage image, int width, int height, SplittableRandom rng) {
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
      Graphics2D g,
      Distractor kind,
      Color color,
      double cx,
      double cy,
      double r,
      SplittableRandom rng) {
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
      case BALL ->
          shade(g, new Ellipse2D.Double(cx - 0.7 * r, cy - 0.7 * r, 1.4 * r, 1.4 * r), color);
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
    g.setPaint(
        new GradientPaint(
            (float) b.getMinX(),
            (float) b.getMinY(),
            scale(color, 1.18),
            (float) b.getMaxX(),
            (float) b.getMaxY(),
            scale(color, 0.78)));
    g.fill(shape);
    g.setColor(scale(color, 0.55));
    g.setStroke(
        new BasicStroke((float) Math.max(0.8, Math.min(b.getWidth(), b.getHeight()) * 0.025)));
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
}
