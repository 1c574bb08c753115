package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.bench.alternatives.Query.Kind;
import java.util.HashMap;
import java.util.Map;

/**
 * The exact value of every image for a query, by reading its raw masks (single thread): what every
 * system's answer is checked against, what sets the filters' thresholds, and what the raw scan
 * ranks.
 */
final class Reference {
  private final RawMasks raw;
  private final Map<Query, double[]> exact = new HashMap<>();

  Reference(RawMasks raw) {
    this.raw = raw;
  }

  /** {@link #values(Query)}, computed once per query: for checking answers. */
  double[] exact(Query q) {
    return exact.computeIfAbsent(q, this::values);
  }

  /** Every image's exact value for the query, read now. */
  double[] values(Query q) {
    return values(q, raw.count());
  }

  /** {@link #values(Query)} over the first {@code count} images. */
  double[] values(Query q, int count) {
    double[] values = new double[count];
    int maxSide = raw.maxSide();
    byte[] s = new byte[maxSide * maxSide];
    byte[] h = new byte[maxSide * maxSide];
    if (q.kind() == Kind.LIKE_TOP) {
      byte[] like = new byte[maxSide * maxSide];
      raw.read(q.example(), 0, like);
      int t = Query.likeCode();
      for (int i = 0; i < count; i++) {
        raw.read(i, 0, s);
        int inter = 0;
        int union = 0;
        for (int p = 0, n = raw.width(i) * raw.height(i); p < n; p++) {
          boolean a = (s[p] & 0xFF) >= t;
          boolean b = (like[p] & 0xFF) >= t;
          inter += a & b ? 1 : 0;
          union += a | b ? 1 : 0;
        }
        values[i] = union == 0 ? 0 : (double) inter / union;
      }
      return values;
    }
    if (q.kind() == Kind.IOU_ASC) {
      int t = Query.firstCodeAbove(Query.IOU_THRESHOLD);
      for (int i = 0; i < count; i++) {
        raw.read(i, 0, s);
        raw.read(i, 1, h);
        int inter = 0;
        int union = 0;
        for (int p = 0, n = raw.width(i) * raw.height(i); p < n; p++) {
          boolean a = (s[p] & 0xFF) >= t;
          boolean b = (h[p] & 0xFF) >= t;
          inter += a & b ? 1 : 0;
          union += a | b ? 1 : 0;
        }
        values[i] = union == 0 ? 0 : (double) inter / union;
      }
      return values;
    }
    int lo = q.lo();
    int hi = q.hi();
    for (int i = 0; i < count; i++) {
      int[] r =
          q.perDocument()
              ? raw.box(i)
              : new int[] {q.roi().x1(), q.roi().y1(), q.roi().x2(), q.roi().y2()};
      int x1 = Math.max(0, r[0]);
      int y1 = Math.max(0, r[1]);
      int w = raw.width(i);
      int x2 = Math.min(w, r[2]);
      int y2 = Math.min(raw.height(i), r[3]);
      raw.read(i, 0, s);
      long n = 0;
      for (int y = y1; y < y2; y++) {
        for (int x = x1, at = y * w + x1; x < x2; x++, at++) {
          int p = s[at] & 0xFF;
          n += p >= lo && p < hi ? 1 : 0;
        }
      }
      long area = (long) Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
      values[i] = q.normalize() ? (area == 0 ? 0 : (double) n / area) : n;
    }
    return values;
  }
}
