package dev.masksearch.qa.data;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import java.util.SplittableRandom;

/**
 * Paints the saliency map of each {@link Regime} and the human attention map of an object box.
 * Lengths scale with the box or the frame, so any frame size gives the same kind of picture.
 *
 * <p>Threshold geometry used below: a Gaussian is at least 0.85 of its peak within 0.57 sigma of
 * its centre and at least 0.8 within 0.67 sigma.
 */
final class AttentionMaps {
  private AttentionMaps() {}

  static Mask saliency(
      Regime regime, Roi box, int width, int height, MaskDType dtype, SplittableRandom rng) {
    SmoothField field = new SmoothField(width, height);
    return switch (regime) {
      case FOCUSED -> focused(field, box, dtype, rng);
      case BACKGROUND -> background(field, box, dtype, rng);
      case DIFFUSE -> diffuse(field, dtype, rng);
    };
  }

  /**
   * One strong blob near the box centre, up to two weaker ones in the box, sometimes a faint
   * distractor.
   */
  private static Mask focused(SmoothField field, Roi box, MaskDType dtype, SplittableRandom rng) {
    double bw = box.x2() - box.x1();
    double bh = box.y2() - box.y1();
    double cx = clamp(centreX(box) + rng.nextGaussian() * 0.06 * bw, box.x1(), box.x2());
    double cy = clamp(centreY(box) + rng.nextGaussian() * 0.06 * bh, box.y1(), box.y2());
    field.addGaussian(cx, cy, bw * rng.nextDouble(0.27, 0.4), bh * rng.nextDouble(0.27, 0.4), 1.0);
    for (int extra = rng.nextInt(3); extra > 0; extra--) {
      field.addGaussian(
          rng.nextDouble(box.x1(), box.x2()),
          rng.nextDouble(box.y1(), box.y2()),
          bw * rng.nextDouble(0.12, 0.28),
          bh * rng.nextDouble(0.12, 0.28),
          rng.nextDouble(0.25, 0.6));
    }
    if (rng.nextDouble() < 0.3) {
      double s = minSide(field) * rng.nextDouble(0.05, 0.12);
      field.addGaussian(
          rng.nextDouble(field.width),
          rng.nextDouble(field.height),
          s,
          s,
          rng.nextDouble(0.1, 0.35));
    }
    field.addSmoothNoise(rng, rng.nextDouble(0.02, 0.06), 3);
    return field.toPeakNormalized(dtype);
  }

  /**
   * One to three strong blobs whose centres lie outside the box by at least 0.75 sigma, so their >=
   * 0.85 cores stay outside it; often a weak blob on the object, as a model that half-sees it.
   */
  private static Mask background(
      SmoothField field, Roi box, MaskDType dtype, SplittableRandom rng) {
    int blobs = 1 + rng.nextInt(3);
    for (int b = 0; b < blobs; b++) {
      double s = minSide(field) * rng.nextDouble(0.07, 0.15);
      double sx = s * rng.nextDouble(0.8, 1.25);
      double sy = s * rng.nextDouble(0.8, 1.25);
      double[] c = pointOutside(box, 0.75 * sx, 0.75 * sy, field, rng);
      field.addGaussian(c[0], c[1], sx, sy, b == 0 ? 1.0 : rng.nextDouble(0.4, 0.9));
    }
    if (rng.nextDouble() < 0.6) {
      double bw = box.x2() - box.x1();
      double bh = box.y2() - box.y1();
      field.addGaussian(
          centreX(box),
          centreY(box),
          bw * rng.nextDouble(0.2, 0.35),
          bh * rng.nextDouble(0.2, 0.35),
          rng.nextDouble(0.15, 0.45));
    }
    field.addSmoothNoise(rng, rng.nextDouble(0.02, 0.07), 3);
    return field.toPeakNormalized(dtype);
  }

  /**
   * Three to six wide blobs anywhere plus stronger noise, stretched onto a narrow band such as
   * [0.15, 0.7]: most pixels are mid-valued and none reaches 0.85.
   */
  private static Mask diffuse(SmoothField field, MaskDType dtype, SplittableRandom rng) {
    int blobs = 3 + rng.nextInt(4);
    for (int b = 0; b < blobs; b++) {
      double s = minSide(field) * rng.nextDouble(0.25, 0.5);
      field.addGaussian(
          rng.nextDouble(field.width),
          rng.nextDouble(field.height),
          s * rng.nextDouble(0.8, 1.25),
          s * rng.nextDouble(0.8, 1.25),
          rng.nextDouble(0.5, 1.0));
    }
    field.addSmoothNoise(rng, rng.nextDouble(0.08, 0.2), 3);
    float low = (float) rng.nextDouble(0.1, 0.22);
    float high = (float) rng.nextDouble(0.58, 0.8);
    return field.toRange(dtype, low, high);
  }

  /**
   * Human attention: a Gaussian at the box centre (slightly jittered) with sigmas about a third of
   * the box sides, and in half the images a weaker second fixation inside the box (say, on the
   * head).
   */
  static Mask human(Roi box, int width, int height, MaskDType dtype, SplittableRandom rng) {
    SmoothField field = new SmoothField(width, height);
    double bw = box.x2() - box.x1();
    double bh = box.y2() - box.y1();
    field.addGaussian(
        centreX(box) + rng.nextGaussian() * 0.04 * bw,
        centreY(box) + rng.nextGaussian() * 0.04 * bh,
        bw * rng.nextDouble(0.28, 0.4),
        bh * rng.nextDouble(0.28, 0.4),
        1.0);
    if (rng.nextBoolean()) {
      field.addGaussian(
          rng.nextDouble(box.x1(), box.x2()),
          rng.nextDouble(box.y1(), box.y2()),
          0.15 * bw,
          0.15 * bh,
          rng.nextDouble(0.25, 0.5));
    }
    field.addSmoothNoise(rng, 0.015, 2);
    return field.toPeakNormalized(dtype);
  }

  /**
   * A uniform point of the frame outside the box grown by the margins. Rejection sampling: with
   * boxes of at most 70% of each side the outside is large, so 64 tries practically never run out;
   * if they do (a box filling a tiny frame), the frame corner farthest from the box centre is used.
   */
  private static double[] pointOutside(
      Roi box, double mx, double my, SmoothField field, SplittableRandom rng) {
    for (int attempt = 0; attempt < 64; attempt++) {
      double x = rng.nextDouble(field.width);
      double y = rng.nextDouble(field.height);
      if (x < box.x1() - mx || x >= box.x2() + mx || y < box.y1() - my || y >= box.y2() + my) {
        return new double[] {x, y};
      }
    }
    return new double[] {
      centreX(box) < field.width / 2.0 ? field.width : 0,
      centreY(box) < field.height / 2.0 ? field.height : 0
    };
  }

  private static double centreX(Roi box) {
    return (box.x1() + box.x2()) / 2.0;
  }

  private static double centreY(Roi box) {
    return (box.y1() + box.y2()) / 2.0;
  }

  private static double minSide(SmoothField field) {
    return Math.min(field.width, field.height);
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
