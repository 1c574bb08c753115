package dev.masksearch.qa.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.masksearch.qa.bench.Alternatives.Ingest;
import dev.masksearch.qa.bench.Alternatives.Row;
import dev.masksearch.qa.bench.Alternatives.SystemKind;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.data.SyntheticDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/**
 * The smoke version of {@code bin/bench alternatives} (issue 6), so that the benchmark cannot rot: a few hundred
 * masks on the acceptance cluster, every workload (filters at three selectivities with a constant and a per-image
 * ROI, top-25 both ways, the IoU sort, the 20-query session) on every system (the plugin, painless scripts over
 * binary doc values, the raw-mask scan). {@link Alternatives} checks each answer against the brute-force values and
 * throws on the first disagreement. Times are printed, never asserted. PostGIS is not part of the benchmark yet.
 */
public class AlternativesIT extends ClusterTestCase {
  private static final int IMAGES = 200;

  @Test
  public void everySystemAgreesOnEveryWorkload() throws Exception {
    Path dir = Files.createTempDirectory("alternatives-it");
    Alternatives bench = new Alternatives(rest(), new SyntheticDataset(randomLong()), IMAGES,
        dir.resolve("raw-masks.u8"), cluster().dataDirectories());
    try {
      Ingest ingest = bench.ingest(100);
      assertEquals(2L * IMAGES * Alternatives.PIXELS, ingest.rawMaskBytes());
      assertTrue("plugin index size", ingest.storeBytes().get(Alternatives.PLUGIN_INDEX) > 0);
      assertTrue("compressed masks found on disk: " + ingest.pluginFiles(), ingest.compressedMaskBytes() > 0);
      assertTrue("CHI found on disk: " + ingest.pluginFiles(), ingest.chiBytes() > 0);
      List<List<Alternatives.Query>> workloads = bench.workloads();
      assertEquals(11, workloads.size());
      assertEquals(20, workloads.get(workloads.size() - 1).size());
      List<Row> rows = bench.run(workloads, 1, line -> {});
      for (Row row : rows) {
        for (SystemKind system : SystemKind.values()) {
          assertTrue(row.name() + " on " + system, row.medianMillis().get(system) >= 0);
        }
        if (row.name().contains("filter, ") || row.name().startsWith("top-25 desc")) {
          long read = row.masksRead().get(SystemKind.PLUGIN);
          assertTrue(row.name() + ": plugin masks read " + read, read >= 0 && read <= row.masksTotal());
        }
      }
      System.out.print(AlternativesBench.report(ingest, rows, IMAGES, 1));
    } finally {
      bench.close();
      Files.deleteIfExists(dir);
    }
    assertGreen();
  }
}
