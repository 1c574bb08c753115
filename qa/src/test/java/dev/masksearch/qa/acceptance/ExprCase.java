package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Random;

/**
 * A mask expression of one of the paper's shapes with random parameters, as text for the node and
 * with its own brute-force value (independent of the engine's expression code): the share of
 * salient pixels inside the box, the IoU of thresholded model and human maps, an intersection count
 * in a box, and arithmetic over CP terms.
 */
record ExprCase(int shape, double a, double b, Roi box) {

  static ExprCase random(Random random) {
    double a = CpCase.bound(random);
    double b = CpCase.bound(random);
    return new ExprCase(
        random.nextInt(4),
        Math.min(a, b),
        Math.max(a, b) + (random.nextBoolean() ? 0.01 : 0),
        Corpus.box(random, 80, 80));
  }

  String text() {
    return switch (shape) {
      case 0 -> f("cp(saliency, bbox, %s, %s) / cp(saliency, full, %s, %s)", a, b, a, b);
      case 1 -> f("iou(saliency > %s, human > %s)", a, b);
      case 2 -> f("cp(saliency >= %s & human >= %s, bbox)", a, b);
      default ->
          f(
              "cp(saliency, [%d, %d, %d, %d], %s, %s) - 2 * cp(human, full, %s, %s) + area(bbox)",
              box.x1(), box.y1(), box.x2(), box.y2(), a, b, a, b);
    };
  }

  /**
   * The brute-force value; null when the document has none (a missing mask or box, or a division by
   * zero).
   */
  Double expected(QaDoc doc) {
    Mask saliency = doc.masks().get("saliency");
    Mask human = doc.masks().get("human");
    boolean needsHuman = shape != 0;
    if (saliency == null || (needsHuman && human == null) || (shape != 1 && doc.box() == null)) {
      return null;
    }
    Roi full = new Roi(0, 0, saliency.width(), saliency.height());
    return switch (shape) {
      case 0 -> {
        double whole = CpReference.cp(saliency, full, a, b, false);
        yield whole == 0 ? null : CpReference.cp(saliency, doc.box(), a, b, false) / whole;
      }
      case 1 -> iou(saliency, human);
      case 2 -> (double) both(saliency, human, doc.box());
      default ->
          CpReference.cp(saliency, box, a, b, false)
              - 2 * CpReference.cp(human, full, a, b, false)
              + clippedArea(doc.box(), saliency);
    };
  }

  private Double iou(Mask s, Mask h) {
    ByteBuffer sd = bytes(s);
    ByteBuffer hd = bytes(h);
    long inter = 0;
    long union = 0;
    for (int i = 0; i < s.width() * s.height(); i++) {
      boolean p = CpReference.value(s, sd, i) > a;
      boolean q = CpReference.value(h, hd, i) > b;
      inter += p && q ? 1 : 0;
      union += p || q ? 1 : 0;
    }
    return union == 0 ? 0.0 : (double) inter / union;
  }

  private long both(Mask s, Mask h, Roi roi) {
    ByteBuffer sd = bytes(s);
    ByteBuffer hd = bytes(h);
    long count = 0;
    for (int y = Math.max(0, roi.y1()); y < Math.min(s.height(), roi.y2()); y++) {
      for (int x = Math.max(0, roi.x1()); x < Math.min(s.width(), roi.x2()); x++) {
        int i = y * s.width() + x;
        count += CpReference.value(s, sd, i) >= a && CpReference.value(h, hd, i) >= b ? 1 : 0;
      }
    }
    return count;
  }

  private static double clippedArea(Roi roi, Mask mask) {
    long w = Math.max(0, Math.min(mask.width(), roi.x2()) - Math.max(0, roi.x1()));
    long h = Math.max(0, Math.min(mask.height(), roi.y2()) - Math.max(0, roi.y1()));
    return (double) w * h;
  }

  private static ByteBuffer bytes(Mask mask) {
    return ByteBuffer.wrap(mask.rawBytes()).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
