package dev.masksearch.qa.bench.alternatives;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.masksearch.qa.bench.alternatives.Alternatives.Row;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.PostgresServer;
import dev.masksearch.qa.data.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Test;

/**
 * The smoke version of {@code bin/bench alternatives} (issue 6), so that the benchmark cannot rot:
 * a few hundred masks on the acceptance cluster, every workload (filters at three selectivities
 * with a constant and a per-image ROI, top-25 both ways, the IoU sort, the 20-query session) on
 * every system (the plugin, painless scripts over binary doc values, the raw-mask scan). {@link
 * Alternatives} checks each answer against the brute-force values and throws on the first
 * disagreement; PostGIS raster too (Debian's {@code postgresql-15-postgis-3}, installed with apt
 * when missing and run as root, as CI does; otherwise the test fails naming the command). Warm and
 * cold runs (cold: page cache dropped when root, caches cleared, PostgreSQL restarted) and a
 * two-setting CHI sweep. Times are printed, never asserted.
 */
public class AlternativesIT extends ClusterTestCase {
  private static final int IMAGES = 200;

  @Test
  public void everySystemAgreesOnEveryWorkload() throws Exception {
    Path dir = Files.createTempDirectory("alternatives-it");
    try (PostgresServer postgres = PostgresServer.start(dir.resolve("postgres"));
        PostGis postgis = new PostGis(postgres, BenchImage.SYNTHETIC_SIDE, 60)) {
      Alternatives bench =
          new Alternatives(
              rest(),
              BenchImage.synthetic(new SyntheticDataset(randomLong())),
              IMAGES,
              BenchImage.SYNTHETIC_SIDE,
              dir.resolve("raw-masks.u8"),
              cluster().dataDirectories(),
              postgis,
              0,
              // masks in either mode: best compression's planar-coded tiles on the real node too
              randomBoolean() ? Loader.DEFAULT_CODEC : Loader.BEST_COMPRESSION_CODEC);
      try {
        run(bench);
      } finally {
        bench.close();
      }
    } finally {
      org.apache.lucene.util.IOUtils.rm(dir);
    }
    assertGreen();
  }

  private void run(Alternatives bench) throws Exception {
    Ingest ingest = bench.ingest(100);
    assertEquals(
        2L * IMAGES * BenchImage.SYNTHETIC_SIDE * BenchImage.SYNTHETIC_SIDE, ingest.rawMaskBytes());
    assertTrue("PostGIS table size", ingest.storeBytes().get(Alternatives.POSTGIS_TABLE) > 0);
    assertTrue("plugin index size", ingest.storeBytes().get(Alternatives.PLUGIN_INDEX) > 0);
    assertTrue(
        "compressed masks found on disk: " + ingest.pluginFiles(),
        ingest.compressedMaskBytes() > 0);
    assertTrue("CHI found on disk: " + ingest.pluginFiles(), ingest.chiBytes() > 0);
    List<List<Query>> workloads = bench.workloads();
    assertEquals(13, workloads.size());
    assertEquals(Query.Kind.AVG_BY_CLASS, workloads.get(workloads.size() - 3).get(0).kind());
    assertEquals(Query.Kind.LIKE_TOP, workloads.get(workloads.size() - 2).get(0).kind());
    assertEquals(20, workloads.get(workloads.size() - 1).size());
    List<Row> rows = bench.run(workloads, 1, line -> {});
    for (Row row : rows) {
      for (SystemKind system : SystemKind.values()) {
        if (system == SystemKind.POSTGIS && row.name().contains(" like image ")) {
          assertTrue(
              "PostGIS runs no masks-like query", Double.isNaN(row.medianMillis().get(system)));
          continue;
        }
        assertTrue(row.name() + " on " + system, row.medianMillis().get(system) >= 0);
        assertTrue(row.name() + " cold on " + system, row.coldMillis().get(system) >= 0);
        assertTrue(
            row.name() + " on " + system + " timed out", row.medianMillis().get(system) < 60_000);
      }
      if (row.name().startsWith("aggregation")) { // one average per class, each checked
        assertEquals(Query.CLASSES, row.matches());
      }
      if (row.name().contains("filter, ")
          || row.name().startsWith("top-25 desc")
          || row.name().contains(" like image ")) {
        long read = row.masksRead().get(SystemKind.PLUGIN);
        assertTrue(
            row.name() + ": plugin masks read " + read, read >= 0 && read <= row.masksTotal());
      }
    }
    // the CSV of the scaling curve holds every latency the rows hold, and draws one panel a
    // workload
    Path csv = Files.createTempFile("alternatives-it", ".csv");
    try {
      Files.writeString(csv, AlternativesReport.csv(IMAGES, rows));
      Map<String, Map<String, TreeMap<Long, ScalingCurve.Point>>> curves = new LinkedHashMap<>();
      ScalingCurve.read(csv, curves);
      assertEquals(rows.size(), curves.size());
      for (Row row : rows) {
        assertTrue(row.name() + ": load " + row.load(), row.load() >= 0);
        for (SystemKind system : SystemKind.values()) {
          double warm = row.medianMillis().get(system);
          ScalingCurve.Point point =
              curves
                  .get(row.name().replaceAll(" like image \\d+", " like an image"))
                  .getOrDefault(system.name(), new TreeMap<>())
                  .get(2L * IMAGES);
          if (Double.isNaN(warm)) {
            assertEquals(row.name() + " on " + system, null, point);
          } else {
            assertEquals(row.name() + " on " + system, warm, point.warm(), 0.001);
            assertEquals(row.coldMillis().get(system), point.cold(), 0.001);
          }
        }
      }
      String svg = ScalingCurve.svg(curves);
      assertTrue(svg.startsWith("<svg"));
      assertEquals(rows.size(), svg.split("font-weight=\"bold\"", -1).length - 1);
    } finally {
      Files.delete(csv);
    }
    // polygons and squares of their area: answers checked against ray casting inside
    List<RegionShapes.Result> shapes =
        RegionShapes.run(rest(), bench.raw(), Alternatives.PLUGIN_INDEX, 1, line -> {});
    assertEquals(RegionShapes.POLYGONS.size(), shapes.size());
    for (RegionShapes.Result shape : shapes) {
      assertTrue(shape.toString(), shape.matches() > 0 && shape.polygonPixels() > 1000);
      assertTrue(shape.toString(), Math.abs(shape.boxPixels() - shape.polygonPixels()) < 500);
    }
    // the fixed-cost table's requests, their phases read from the profile: the floor, the top 25,
    // and the 1% box filter
    List<FixedCost.Result> fixed = FixedCost.measure(rest(), bench);
    assertEquals(3, fixed.size());
    assertEquals(Workloads.TOP_WHOLE_MASK, fixed.get(1).name());
    assertTrue(fixed.get(2).name(), fixed.get(2).name().startsWith("filter, per-image box, 1%"));
    for (FixedCost.Result r : fixed) {
      assertTrue(r.toString(), r.clientMs() > 0 && r.queryMs() > 0 && r.fetchMs() > 0);
    }
    List<ChiSweep.Result> sweep =
        ChiSweep.run(
            rest(),
            bench,
            IMAGES,
            List.of(new ChiSweep.Config(32, 20), new ChiSweep.Config(56, 10)),
            AlternativesBench.sweepQueries(bench),
            1,
            line -> {});
    assertEquals(2, sweep.size());
    assertTrue(
        "a coarser CHI is smaller: " + sweep, sweep.get(1).chiBytes() < sweep.get(0).chiBytes());
    System.out.print(
        AlternativesReport.report(
                IMAGES + " images", ingest, rows, 1, 0, 60, bench.pageCacheDropped())
            + AlternativesReport.sweepReport(sweep, IMAGES, 1));
  }
}
