package dev.masksearch.qa.data;

import static dev.masksearch.qa.data.SceneColors.jitter;
import static dev.masksearch.qa.data.SceneColors.scale;

import dev.masksearch.mask.Roi;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scene's labelled object: a shaded stylised silhouette whose shape and colour depend on its
 * label only (with a small colour jitter and a random facing), so the classes look distinct, fitted
 * to touch all four sides of the image's box.
 */
final class SceneObjects {
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

  private static final Color DARK = new Color(30, 28, 30);
  private static final Color GLASS = new Color(160, 200, 230);
  private static final Color ACCENT = new Color(235, 120, 40); // beaks and noses

  private SceneObjects() {}

  /** The body colour of objects of the label at {@code label} in {@link Vocabulary#LABELS}. */
  static Color labelColor(int label) {
    return LABEL_COLORS[label];
  }

  /**
   * Draws the object's silhouette, colour and facing from {@code rng} and, when {@code drawObject},
   * paints it into {@code box}.
   */
  static void paint(Graphics2D g, int label, Roi box, SplittableRandom rng, boolean drawObject) {
    // The random draws are made whether or not the object is painted, so leaving it out changes
    // nothing else.
    List<Part> parts = silhouette(label, rng);
    Color body = jitter(LABEL_COLORS[label], rng, 14);
    boolean mirrored = rng.nextBoolean();
    if (drawObject) {
      paint(g, parts, body, mirrored, box);
    }
  }

  private enum Role {
    BODY,
    SHADOW,
    DETAIL,
    GLASS,
    LIGHT,
    ACCENT
  }

  /** A piece of a silhouette in unit coordinates and how it is coloured. */
  private record Part(Shape shape, Role role) {}

  /**
   * The label's silhouette, facing right, in unit coordinates; its parts' union is later fitted to
   * the box.
   */
  private static List<Part> silhouette(int label, SplittableRandom rng) {
    List<Part> p = new ArrayList<>();
    double v = rng.nextDouble(-0.04, 0.04); // a little variation in proportions
    switch (Vocabulary.LABELS.get(label)) {
      case "cat" -> {
        p.add(
            new Part(
                stroke(new QuadCurve2D.Double(0.2, 0.55, -0.02, 0.5, 0.04, 0.12), 0.07),
                Role.BODY));
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
        p.add(
            new Part(
                stroke(new QuadCurve2D.Double(0.14, 0.42, 0.02, 0.3, 0.0, 0.08), 0.06), Role.BODY));
        for (double x : new double[] {0.16, 0.3, 0.58, 0.7}) {
          p.add(
              new Part(
                  new Rectangle2D.Double(x, 0.55, 0.09, 0.45),
                  x == 0.3 || x == 0.7 ? Role.SHADOW : Role.BODY));
        }
        p.add(new Part(new RoundRectangle2D.Double(0.1, 0.3 + v, 0.7, 0.34, 0.2, 0.2), Role.BODY));
        p.add(new Part(new Ellipse2D.Double(0.64, 0.05, 0.28, 0.32), Role.BODY));
        p.add(
            new Part(
                new RoundRectangle2D.Double(0.8, 0.18, 0.2, 0.14, 0.08, 0.08), Role.BODY)); // snout
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
        p.add(
            new Part(
                new RoundRectangle2D.Double(0.0, 0.36 + v / 2, 1.0, 0.42, 0.14, 0.14), Role.BODY));
        p.add(new Part(new Rectangle2D.Double(0.93, 0.46, 0.07, 0.08), Role.LIGHT));
        p.add(wheel(0.13, 0.6, 0.28));
        p.add(wheel(0.63, 0.6, 0.28));
        p.add(new Part(new Ellipse2D.Double(0.22, 0.69, 0.1, 0.1), Role.LIGHT));
        p.add(new Part(new Ellipse2D.Double(0.72, 0.69, 0.1, 0.1), Role.LIGHT));
      }
      case "truck" -> {
        p.add(new Part(new Rectangle2D.Double(0.0, 0.0, 0.68, 0.74), Role.BODY)); // cargo box
        p.add(new Part(new Rectangle2D.Double(0.03, 0.08, 0.62, 0.03), Role.SHADOW));
        p.add(
            new Part(
                polygon(0.7, 0.25 + v, 0.88, 0.25 + v, 1.0, 0.48, 1.0, 0.8, 0.7, 0.8),
                Role.BODY)); // cab
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
        p.add(
            new Part(
                polygon(0.0, 0.5 + v / 2, 1.0, 0.5 + v / 2, 0.84, 1.0, 0.14, 1.0),
                Role.BODY)); // hull
        p.add(
            new Part(
                polygon(0.03, 0.6, 0.97, 0.6, 0.955, 0.65, 0.045, 0.65), Role.SHADOW)); // stripe
      }
      case "plane" -> {
        p.add(
            new Part(
                polygon(0.02, 0.0, 0.12, 0.0, 0.26, 0.4, 0.06, 0.42), Role.SHADOW)); // tail fin
        p.add(
            new Part(
                new RoundRectangle2D.Double(0.0, 0.36 + v / 2, 1.0, 0.22, 0.3, 0.22),
                Role.BODY)); // fuselage
        p.add(new Part(polygon(0.36, 0.5, 0.6, 0.5, 0.44, 1.0, 0.34, 1.0), Role.SHADOW)); // wing
        for (int w = 0; w < 7; w++) {
          p.add(new Part(new Ellipse2D.Double(0.3 + w * 0.07, 0.42, 0.035, 0.05), Role.GLASS));
        }
        p.add(
            new Part(
                polygon(0.88, 0.41, 0.96, 0.43, 0.97, 0.47, 0.88, 0.47), Role.GLASS)); // cockpit
      }
      case "horse" -> {
        p.add(
            new Part(
                stroke(new QuadCurve2D.Double(0.16, 0.3, 0.0, 0.35, 0.02, 0.68), 0.07),
                Role.SHADOW)); // tail
        for (double x : new double[] {0.18, 0.3, 0.6, 0.7}) {
          p.add(
              new Part(
                  new Rectangle2D.Double(x, 0.5, 0.07, 0.47),
                  x == 0.3 || x == 0.7 ? Role.SHADOW : Role.BODY));
          p.add(
              new Part(new Rectangle2D.Double(x - 0.005, 0.94, 0.08, 0.06), Role.DETAIL)); // hooves
        }
        p.add(new Part(new Ellipse2D.Double(0.12, 0.24 + v, 0.68, 0.36), Role.BODY));
        p.add(new Part(polygon(0.62, 0.36, 0.7, 0.08, 0.84, 0.06, 0.82, 0.4), Role.BODY)); // neck
        p.add(
            new Part(
                polygon(0.74, 0.0, 0.86, 0.02, 1.0, 0.22, 0.97, 0.3, 0.9, 0.3, 0.78, 0.16),
                Role.BODY)); // head
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
    return new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND)
        .createStrokedShape(curve);
  }

  /**
   * Maps the silhouette's bounds onto the box (mirrored when asked), so the painted object touches
   * all four sides, clips to the box, and paints the parts in order: the body colour with a
   * light-to-dark gradient, details in fixed colours, and a dark outline around the whole
   * silhouette.
   */
  private static void paint(Graphics2D g, List<Part> parts, Color body, boolean mirrored, Roi box) {
    Rectangle2D bounds = null;
    for (Part part : parts) {
      bounds =
          bounds == null
              ? part.shape().getBounds2D()
              : bounds.createUnion(part.shape().getBounds2D());
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
    GradientPaint gradient =
        new GradientPaint(
            (float) box.x1(),
            (float) box.y1(),
            scale(body, 1.12),
            (float) box.x1(),
            (float) box.y2(),
            scale(body, 0.82));
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
}
