package dev.masksearch.qa.bench;

import static dev.masksearch.qa.bench.SyntheticIndex.BOX;
import static dev.masksearch.qa.bench.SyntheticIndex.SALIENCY;
import static dev.masksearch.qa.bench.Workload.PAPER_ROI;
import static dev.masksearch.qa.bench.Workload.atLeast;

import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.IndexReader;

/**
 * The paper's query shapes over the synthetic saliency maps: filters with a constant and a
 * per-document ROI at several selectivities (thresholds taken from the data, so "1%" means 1% of
 * the masks match), and top-25 in both directions.
 */
public final class PaperWorkloads {
  private PaperWorkloads() {}

  /** The workloads over {@code reader}, with filter thresholds set from its values. */
  public static List<Workload> over(IndexReader reader) throws IOException {
    CpSpec paper = CpSpec.of(SALIENCY, PAPER_ROI, atLeast(0.6));
    CpSpec salientInBox = CpSpec.perDocument(SALIENCY, BOX, atLeast(0.85)).normalized();
    CpSpec diffuse = CpSpec.of(SALIENCY, Roi.FULL, new ValueRange(0.2, 0.6));
    List<Workload> workloads = new ArrayList<>();
    for (double selectivity : new double[] {0.01, 0.1, 0.5}) {
      String pct = Math.round(selectivity * 100) + "%";
      workloads.add(
          Workload.filter(
              "filter, constant ROI, " + pct,
              paper,
              Comparison.GT,
              Workload.quantile(reader, paper, 1 - selectivity)));
      workloads.add(
          Workload.filter(
              "filter, per-image box, " + pct,
              salientInBox,
              Comparison.GT,
              Workload.quantile(reader, salientInBox, 1 - selectivity)));
    }
    workloads.add(Workload.topK("top-25 desc, diffuse attention", diffuse, 25, CpOrder.DESC));
    workloads.add(Workload.topK("top-25 desc, constant ROI", paper, 25, CpOrder.DESC));
    workloads.add(Workload.topK("top-25 asc, salient share of box", salientInBox, 25, CpOrder.ASC));
    return workloads;
  }
}
