package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One CP term of a query, as the {@code cp} query and sort take it, with its brute-force value for
 * a document.
 *
 * @param roi the constant region; null for the whole mask or a per-document box
 * @param perDocumentBox whether the region is each document's {@code bbox}
 */
record CpCase(
    String field, Roi roi, boolean perDocumentBox, double lv, double uv, boolean normalize) {
  private static final double[] EDGES = {
    0, 0.05, 0.1, 0.2, 0.25, 0.5, 0.6, 0.8, 0.85, 0.9, 0.95, 1.0, 1.01
  };

  /**
   * A random term over {@code fields}: whole, constant (sometimes past the edge, one pixel, empty)
   * or per-document.
   */
  static CpCase random(Random random, int maxSide, List<String> fields) {
    String field = fields.get(random.nextInt(fields.size()));
    Roi roi = null;
    boolean perDocument = false;
    switch (random.nextInt(3)) {
      case 0 -> roi = null;
      case 1 -> roi = Corpus.box(random, maxSide, maxSide);
      default -> perDocument = true;
    }
    double lv = bound(random);
    double uv = bound(random);
    if (lv > uv) {
      double t = lv;
      lv = uv;
      uv = t;
    }
    return new CpCase(field, roi, perDocument, lv, uv, random.nextInt(3) == 0);
  }

  /**
   * Bin edges (the aligned case), values between them, and 1.0/1.01 (with and without the value 1).
   */
  static double bound(Random random) {
    return random.nextBoolean()
        ? EDGES[random.nextInt(EDGES.length)]
        : Math.round(random.nextDouble() * 1000) / 1000.0;
  }

  /**
   * The brute-force value for {@code doc}; null when the term does not apply (no mask, or no box to
   * count in).
   */
  Double expected(QaDoc doc) {
    Mask mask = doc.masks().get(field);
    if (mask == null || (perDocumentBox && doc.box() == null)) {
      return null;
    }
    Roi region =
        perDocumentBox ? doc.box() : roi != null ? roi : new Roi(0, 0, mask.width(), mask.height());
    return CpReference.cp(mask, region, lv, uv, normalize);
  }

  /** The term's keys, to which a query adds a comparison or {@code k}, and a sort an order. */
  Map<String, Object> json() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("field", field);
    if (perDocumentBox) {
      json.put("roi", Map.of("field", "bbox"));
    } else if (roi != null) {
      json.put("roi", List.of(roi.x1(), roi.y1(), roi.x2(), roi.y2()));
    }
    json.put("range", List.of(lv, uv));
    json.put("normalize", normalize);
    return json;
  }

  Map<String, Object> with(String key, Object value) {
    Map<String, Object> json = json();
    json.put(key, value);
    return json;
  }
}
