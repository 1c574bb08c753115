package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.mask.Roi;
import dev.masksearch.qa.bench.Workload;
import dev.masksearch.qa.bench.alternatives.Query.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The queries every system answers: the paper's workloads (filters at set selectivities with a
 * constant and a per-image ROI, top-25 both ways, the IoU sort, the scalar aggregation) and a
 * 20-query exploration session. A filter's threshold comes from the data (the raw-scan reference),
 * so it selects the share of images it names.
 */
final class Workloads {
  private static final Roi PAPER_ROI = Workload.PAPER_ROI;

  /** The top 25 over the whole mask: the bounds decide it, it reads no mask. */
  static final String TOP_WHOLE_MASK = "top-25 desc, diffuse attention";

  private final Reference reference;
  private final RawMasks raw;

  Workloads(Reference reference, RawMasks raw) {
    this.reference = reference;
    this.raw = raw;
  }

  /**
   * The paper's workloads at 1%, 10% and 50% selectivity (thresholds from the data), top-k both
   * ways, IoU.
   */
  List<List<Query>> all() {
    List<List<Query>> workloads = new ArrayList<>();
    Query constant = new Query("", Kind.FILTER_GT, PAPER_ROI, 0.6, 1.01, false, 0);
    for (double selectivity : new double[] {0.01, 0.1, 0.5}) {
      String pct = Math.round(selectivity * 100) + "%";
      workloads.add(
          List.of(atSelectivity(rename(constant, "filter, constant ROI, " + pct), selectivity)));
      workloads.add(List.of(boxFilter(selectivity)));
    }
    workloads.add(List.of(topWholeMask()));
    workloads.add(
        List.of(
            new Query("top-25 desc, constant ROI", Kind.TOP_DESC, PAPER_ROI, 0.6, 1.01, false, 0)));
    workloads.add(
        List.of(
            new Query(
                "top-25 asc, salient share of box", Kind.TOP_ASC, null, 0.85, 1.01, true, 0)));
    workloads.add(
        List.of(
            new Query(
                "top-25 asc, IoU(saliency > 0.8, human > 0.8)",
                Kind.IOU_ASC,
                full(),
                0,
                0,
                false,
                0)));
    workloads.add(
        List.of(
            Query.averageByClass("aggregation: avg salient share of box per class", 0.85, 1.01)));
    int example = likeExample();
    if (example >= 0) {
      workloads.add(List.of(Query.like("top-10 like image " + example + " (IoU at 0.5)", example)));
    }
    workloads.add(session());
    return workloads;
  }

  /**
   * An exploration session of 20 related queries, as a user refines a question: images whose model
   * looks away from the object (the salient share of the box under a threshold the user tightens
   * and loosens), then the images with most salient pixels in a central region at a few
   * selectivities, then top 25s over shifted regions and over refined value ranges.
   */
  private List<Query> session() {
    List<Query> queries = new ArrayList<>();
    for (double t : new double[] {0.02, 0.05, 0.1, 0.08, 0.06}) {
      queries.add(new Query("share of box < " + t, Kind.FILTER_LT, null, 0.85, 1.01, true, t));
    }
    for (double s : new double[] {0.01, 0.02, 0.05, 0.03, 0.04}) {
      queries.add(
          atSelectivity(
              new Query(
                  "central salient pixels, top " + s,
                  Kind.FILTER_GT,
                  PAPER_ROI,
                  0.8,
                  1.01,
                  false,
                  0),
              s));
    }
    for (Roi roi :
        new Roi[] {
          new Roi(40, 40, 184, 184),
          new Roi(60, 60, 200, 200),
          new Roi(0, 0, 112, 224),
          new Roi(112, 0, 224, 224),
          new Roi(56, 56, 168, 168)
        }) {
      queries.add(new Query("top-25 in " + roi, Kind.TOP_DESC, roi, 0.8, 1.01, false, 0));
    }
    double[][] ranges = {{0.2, 0.6}, {0.3, 0.6}, {0.3, 0.7}, {0.4, 0.7}, {0.5, 0.9}};
    for (double[] r : ranges) {
      queries.add(
          new Query(
              "top-25 in [" + r[0] + ", " + r[1] + ")",
              Kind.TOP_DESC,
              full(),
              r[0],
              r[1],
              false,
              0));
    }
    return queries;
  }

  /**
   * The example of the masks-like query: the image whose saliency map has the median number of
   * pixels at or above 0.5 (a typical map, neither empty nor full); -1 when the images differ in
   * size (the real sample), where only masks of the example's size would compare.
   */
  private int likeExample() {
    int n = raw.count();
    for (int i = 1; i < n; i++) {
      if (raw.width(i) != raw.width(0) || raw.height(i) != raw.height(0)) {
        return -1;
      }
    }
    int t = Query.likeCode();
    byte[] s = new byte[raw.width(0) * raw.height(0)];
    long[] keyed = new long[Math.min(n, 2000)];
    for (int i = 0; i < keyed.length; i++) {
      raw.read(i, 0, s);
      long on = 0;
      for (byte b : s) {
        on += (b & 0xFF) >= t ? 1 : 0;
      }
      keyed[i] = on << 32 | i;
    }
    Arrays.sort(keyed);
    return keyed.length == 0 ? -1 : (int) keyed[keyed.length / 2];
  }

  /** The top 25 over the whole mask by mid-value pixels (no threshold from the data). */
  Query topWholeMask() {
    return new Query(TOP_WHOLE_MASK, Kind.TOP_DESC, full(), 0.2, 0.6, false, 0);
  }

  /** The 1% filter on the salient share of each image's own box. */
  Query boxFilterOnePercent() {
    return boxFilter(0.01);
  }

  /**
   * The filter on the salient share of each image's own box that {@code selectivity} of the images
   * pass.
   */
  private Query boxFilter(double selectivity) {
    String name = "filter, per-image box, " + Math.round(selectivity * 100) + "%";
    return atSelectivity(new Query(name, Kind.FILTER_GT, null, 0.85, 1.01, true, 0), selectivity);
  }

  /** The whole of every image. */
  private Roi full() {
    return new Roi(0, 0, raw.maxSide(), raw.maxSide());
  }

  private static Query rename(Query q, String name) {
    return new Query(name, q.kind(), q.roi(), q.lv(), q.uv(), q.normalize(), q.threshold());
  }

  /**
   * The query with a threshold between two distinct values of the data such that about {@code
   * selectivity} of the images lie above it (a midpoint, so no system's rounding at the boundary
   * can change the answer).
   */
  private Query atSelectivity(Query q, double selectivity) {
    double[] values = reference.values(q).clone();
    Arrays.sort(values);
    int at = (int) Math.min(values.length - 1, Math.floor((1 - selectivity) * values.length));
    double below = values[Math.max(0, at - 1)];
    double above = values[at];
    if (below
        == above) { // step up to the next distinct value, or down when the tie runs to the top
      int next = at;
      while (next < values.length && values[next] == below) {
        next++;
      }
      if (next < values.length) {
        above = values[next];
      } else {
        int previous = at;
        while (previous >= 0 && values[previous] == above) {
          previous--;
        }
        below = previous >= 0 ? values[previous] : above - 1; // every image at the maximum matches
      }
    }
    return q.withThreshold((below + above) / 2);
  }
}
