package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.mask.Roi;
import dev.masksearch.qa.bench.alternatives.Query.Kind;
import dev.masksearch.qa.cluster.Rest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Painless over {@code binary} doc values as a system: scripts that read {@code
 * doc['saliency'].value} (a {@code BytesRef} over the doc value bytes) and count pixels, in a
 * {@code script} query for filters, {@code script_score} for top-k descending, and a {@code
 * _script} sort for ascending top-k and the IoU. It reads every mask the query names.
 */
final class PainlessSystem {
  /**
   * Counts the pixels of the saliency bytes in the region (the document's box or params) and range.
   */
  private static final String CP_SCRIPT =
      """
      def b = doc['saliency'].value;
      byte[] a = b.bytes; int off = b.offset;
      int x1; int y1; int x2; int y2;
      if (params.box) {
        x1 = (int) doc['bx1'].value; y1 = (int) doc['by1'].value; x2 = (int) doc['bx2'].value; y2 = (int) doc['by2'].value;
      } else {
        x1 = params.x1; y1 = params.y1; x2 = params.x2; y2 = params.y2;
      }
      int w = (int) doc['w'].value; int h = (int) doc['h'].value;
      if (x1 < 0) { x1 = 0; } if (y1 < 0) { y1 = 0; } if (x2 > w) { x2 = w; } if (y2 > h) { y2 = h; }
      int lo = params.lo; int hi = params.hi;
      long n = 0;
      for (int y = y1; y < y2; y++) {
        int row = off + y * w;
        for (int i = row + x1; i < row + x2; i++) {
          int p = a[i] & 255;
          if (p >= lo && p < hi) { n++; }
        }
      }
      long area = x2 > x1 && y2 > y1 ? (long) (x2 - x1) * (y2 - y1) : 0;
      double v = params.norm ? (area == 0 ? 0.0 : n / (double) area) : (double) n;
      """;

  /**
   * IoU(saliency > t, human > t) over the whole mask, {@code t} the first code above the threshold.
   */
  private static final String IOU_SCRIPT =
      """
      def s = doc['saliency'].value; def h = doc['human'].value;
      byte[] a = s.bytes; int ao = s.offset; byte[] c = h.bytes; int co = h.offset;
      int t = params.t; int n = (int) doc['w'].value * (int) doc['h'].value;
      int inter = 0; int union = 0;
      for (int i = 0; i < n; i++) {
        boolean x = (a[ao + i] & 255) >= t;
        boolean z = (c[co + i] & 255) >= t;
        if (x && z) { inter++; }
        if (x || z) { union++; }
      }
      return union == 0 ? 0.0 : inter / (double) union;
      """;

  /**
   * IoU(saliency >= t, example >= t), the example given thresholded as a string of {@code '0'} and
   * {@code '1'} (painless cannot read another document).
   */
  private static final String LIKE_SCRIPT =
      """
      def s = doc['saliency'].value;
      byte[] a = s.bytes; int ao = s.offset; String q = params.q;
      int t = params.t; int n = (int) doc['w'].value * (int) doc['h'].value;
      if (n != q.length()) { return 0.0; }
      int inter = 0; int union = 0;
      for (int i = 0; i < n; i++) {
        boolean x = (a[ao + i] & 255) >= t;
        boolean z = q.charAt(i) == (char) 49;
        if (x && z) { inter++; }
        if (x || z) { union++; }
      }
      return union == 0 ? 0.0 : inter / (double) union;
      """;

  private final Rest rest;
  private final int count;

  private final RawMasks raw;

  PainlessSystem(Rest rest, int count, RawMasks raw) {
    this.rest = rest;
    this.count = count;
    this.raw = raw;
  }

  /**
   * Image {@code i}'s saliency as {@code '0'}/{@code '1'} per pixel, at the masks-like threshold.
   */
  private String thresholded(int i) {
    byte[] s = new byte[raw.width(i) * raw.height(i)];
    raw.read(i, 0, s);
    int t = Query.likeCode();
    StringBuilder text = new StringBuilder(s.length);
    for (byte b : s) {
      text.append((b & 0xFF) >= t ? '1' : '0');
    }
    return text.toString();
  }

  Answer answer(Query q) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("_source", false);
    body.put("track_total_hits", false);
    Map<String, Object> params = new LinkedHashMap<>();
    String source;
    if (q.kind() == Kind.IOU_ASC) {
      params.put("t", Query.firstCodeAbove(Query.IOU_THRESHOLD));
      source = IOU_SCRIPT;
    } else if (q.kind() == Kind.LIKE_TOP) {
      params.put("t", Query.likeCode());
      params.put("q", thresholded(q.example()));
      source = LIKE_SCRIPT;
    } else {
      params.put("box", q.perDocument());
      Roi roi = q.perDocument() ? new Roi(0, 0, 0, 0) : q.roi();
      params.put("x1", roi.x1());
      params.put("y1", roi.y1());
      params.put("x2", roi.x2());
      params.put("y2", roi.y2());
      params.put("lo", q.lo());
      params.put("hi", q.hi());
      params.put("norm", q.normalize());
      params.put("t", q.threshold());
      source =
          CP_SCRIPT
              + (q.filter()
                  ? (q.kind() == Kind.FILTER_GT ? "return v > params.t;" : "return v < params.t;")
                  : "return v;");
    }
    Map<String, Object> script = Map.of("lang", "painless", "source", source, "params", params);
    switch (q.kind()) {
      case FILTER_GT, FILTER_LT -> {
        body.put("size", count);
        body.put(
            "query",
            Map.of("bool", Map.of("filter", List.of(Map.of("script", Map.of("script", script))))));
      }
      case TOP_DESC, LIKE_TOP -> {
        body.put("size", q.k());
        body.put(
            "query",
            Map.of(
                "script_score", Map.of("query", Map.of("match_all", Map.of()), "script", script)));
      }
      case AVG_BY_CLASS -> NodeSearch.aggregateByClass(body, script);
      case TOP_ASC, IOU_ASC -> {
        body.put("size", Query.K);
        body.put(
            "sort",
            List.of(Map.of("_script", Map.of("type", "number", "script", script, "order", "asc"))));
      }
    }
    return NodeSearch.answer(
        q, NodeSearch.search(rest, Alternatives.PLAIN_INDEX, body), q.masks(count));
  }
}
