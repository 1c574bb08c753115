package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.load.DirectoryLoader;
import dev.masksearch.qa.load.Progress;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.junit.Test;

/**
 * The real sample beside the checkout ({@code ../shared/data/real-sample}, skipped when absent):
 * indexed as it is by {@link DirectoryLoader} (the code behind {@code bin/load}), resumed after
 * deletions, then randomized queries over every mask kind compared with counts over the PNG files,
 * decoded here with ImageIO alone.
 */
public class RealSampleIT extends ClusterTestCase {

  @Test
  public void realSampleAnswersEqualCountsOverThePngFiles() throws Exception {
    Path dir = Path.of(System.getProperty("qa.realSample", "../../shared/data/real-sample"));
    assumeTrue("no real sample at " + dir, Files.isRegularFile(dir.resolve("index.csv")));
    String index = "real-sample";
    deleteIndex(index);
    DirectoryLoader.LoadOptions options =
        new DirectoryLoader.LoadOptions(50, 5L << 20, 3, 1, false, Progress.NONE);
    DirectoryLoader.Summary summary =
        new DirectoryLoader(rest().client(), options).load(dir, index);
    assertTrue(summary + " " + summary.errors(), summary.ok());

    List<QaDoc> docs = readWithImageIo(dir);
    assertEquals(docs.size(), summary.indexed());

    // Resume: documents deleted after a load come back, the others are left alone.
    List<String> deleted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = docs.get(getRandom().nextInt(docs.size())).id();
      if (!deleted.contains(id)) {
        ok("DELETE", "/" + index + "/_doc/" + id + "?refresh=true", null);
        deleted.add(id);
      }
    }
    DirectoryLoader.Summary resumed =
        new DirectoryLoader(rest().client(), options.withResume(true)).load(dir, index);
    assertEquals(resumed.toString(), deleted.size(), resumed.indexed());
    assertEquals(resumed.toString(), docs.size() - deleted.size(), resumed.alreadyPresent());
    ok("POST", "/" + index + "/_refresh", null);
    assertEquals(docs.size(), ok("GET", "/" + index + "/_count", null).path("count").asInt());

    List<String> kinds =
        new ArrayList<>(
            new TreeSet<>(docs.stream().flatMap(d -> d.masks().keySet().stream()).toList()));
    new CpChecks(rest(), index, docs, kinds, "id").randomized(getRandom(), 5, 512);
    maskLikeEqualsBruteForce(index, docs);
    polygonCpEqualsBruteForce(index, docs);
    deleteIndex(index);
  }

  /**
   * The masks most like a real mask, given by its document (found first, IoU 1), by IoU at 0.5: the
   * top 10 scores equal IoUs computed here over the PNG files, and so does the least-alike sort.
   */
  private void maskLikeEqualsBruteForce(String index, List<QaDoc> docs) {
    String kind = "isnet";
    List<QaDoc> withKind = docs.stream().filter(d -> d.masks().containsKey(kind)).toList();
    for (int q = 0; q < 3; q++) {
      // an example among the many masks of 256 x 256 (when the sample has them), so that it has
      // neighbours; the least alike of its size first, then the masks of other sizes (no value).
      // Not an empty one at the threshold: IoU with itself would be 0, not 1 (as documented).
      List<QaDoc> nonEmpty =
          withKind.stream()
              .filter(d -> iou(d.masks().get(kind), d.masks().get(kind), 0.5) == 1)
              .toList();
      List<QaDoc> common =
          nonEmpty.stream().filter(d -> d.masks().get(kind).width() == 256).toList();
      List<QaDoc> pool = common.isEmpty() ? nonEmpty : common;
      QaDoc example = pool.get(getRandom().nextInt(pool.size()));
      Mask like = example.masks().get(kind);
      List<Double> ious = new ArrayList<>();
      for (QaDoc d : withKind) {
        Mask m = d.masks().get(kind);
        if (m.height() == like.height() && m.width() == like.width()) {
          ious.add(iou(m, like, 0.5));
        }
      }
      Map<String, Object> term = new LinkedHashMap<>();
      term.put("field", kind);
      term.put("like", Map.of("index", index, "id", example.id()));
      term.put("similarity", "iou");
      term.put("threshold", 0.5);
      Map<String, Object> top = new LinkedHashMap<>(term);
      top.put("k", 10);
      JsonNode hits =
          ok(
                  "POST",
                  "/" + index + "/_search",
                  Map.of("size", 10, "query", Map.of("mask_like", top)))
              .path("hits")
              .path("hits");
      List<Double> want = ious.stream().sorted(Comparator.reverseOrder()).limit(10).toList();
      assertEquals(example.id(), want.size(), hits.size());
      for (int i = 0; i < hits.size(); i++) {
        assertEquals(
            example.id() + " hit " + i,
            (float) (double) want.get(i),
            hits.get(i).path("_score").floatValue(),
            0f);
      }
      assertEquals(1f, hits.get(0).path("_score").floatValue(), 0f);
      Map<String, Object> ascending = new LinkedHashMap<>(term);
      ascending.put("order", "asc");
      JsonNode least =
          ok(
                  "POST",
                  "/" + index + "/_search",
                  Map.of("size", 10, "sort", List.of(Map.of("mask_like", ascending))))
              .path("hits")
              .path("hits");
      List<Double> wantAsc = ious.stream().sorted().limit(10).toList();
      for (int i = 0; i < Math.min(least.size(), wantAsc.size()); i++) {
        assertEquals(
            example.id() + " asc " + i,
            wantAsc.get(i),
            least.get(i).path("sort").get(0).asDouble(),
            0.0);
      }
    }
  }

  /**
   * CP in a concave polygon with a hole, as a {@code cp} roi and as a region a {@code mask_expr}
   * declares: the documents past a threshold equal those of ray-cast counts.
   */
  private void polygonCpEqualsBruteForce(String index, List<QaDoc> docs) {
    double[] outer = {10, 10, 200, 30, 120, 120, 230, 220, 20, 180};
    double[] hole = {60, 60, 90, 60, 90, 90, 60, 90};
    List<List<List<Double>>> rings = List.of(points(outer), points(hole));
    Map<String, Long> counts = new LinkedHashMap<>();
    for (QaDoc d : docs) {
      Mask m = d.masks().get("alpha");
      if (m == null) {
        continue;
      }
      long n = 0;
      for (int y = 0; y < m.height(); y++) {
        for (int x = 0; x < m.width(); x++) {
          double v = m.value(y, x);
          n += v >= 0.5 && inside(x + 0.5, y + 0.5, outer, hole) ? 1 : 0;
        }
      }
      counts.put(d.id(), n);
    }
    long threshold = new ArrayList<>(counts.values()).get(getRandom().nextInt(counts.size()));
    Map<String, Object> cp = new LinkedHashMap<>();
    cp.put("field", "alpha");
    cp.put("roi", Map.of("polygon", rings));
    cp.put("range", List.of(0.5, 1.01));
    cp.put("gte", threshold);
    TreeSet<String> want = new TreeSet<>();
    counts.forEach(
        (id, n) -> {
          if (n >= threshold) {
            want.add(id);
          }
        });
    assertEquals("polygon cp >= " + threshold, want, ids(index, Map.of("cp", cp)));
    Map<String, Object> expr = new LinkedHashMap<>();
    expr.put("expr", "cp(alpha >= 0.5, hand)");
    expr.put("regions", Map.of("hand", Map.of("polygon", rings)));
    expr.put("gte", threshold);
    assertEquals(
        "mask_expr in a declared polygon >= " + threshold,
        want,
        ids(index, Map.of("mask_expr", expr)));
  }

  private TreeSet<String> ids(String index, Map<String, Object> query) {
    JsonNode hits =
        ok("POST", "/" + index + "/_search", Map.of("size", 2000, "_source", false, "query", query))
            .path("hits")
            .path("hits");
    TreeSet<String> ids = new TreeSet<>();
    hits.forEach(h -> ids.add(h.path("_id").asText()));
    return ids;
  }

  private static List<List<Double>> points(double[] ring) {
    List<List<Double>> points = new ArrayList<>();
    for (int i = 0; i < ring.length; i += 2) {
      points.add(List.of(ring[i], ring[i + 1]));
    }
    return points;
  }

  /** Even–odd by a ray to the right, over all rings. */
  private static boolean inside(double px, double py, double[]... rings) {
    boolean in = false;
    for (double[] ring : rings) {
      for (int p = 0, n = ring.length / 2; p < n; p++) {
        int q = (p + 1) % n;
        double xa = ring[2 * p], ya = ring[2 * p + 1], xb = ring[2 * q], yb = ring[2 * q + 1];
        if ((ya > py) != (yb > py) && xa + (py - ya) * (xb - xa) / (yb - ya) > px) {
          in = !in;
        }
      }
    }
    return in;
  }

  private static double iou(Mask a, Mask b, double threshold) {
    long i = 0;
    long u = 0;
    for (int y = 0; y < a.height(); y++) {
      for (int x = 0; x < a.width(); x++) {
        boolean p = a.value(y, x) >= threshold;
        boolean q = b.value(y, x) >= threshold;
        i += p && q ? 1 : 0;
        u += p || q ? 1 : 0;
      }
    }
    return u == 0 ? 0 : (double) i / u;
  }

  /**
   * The sample's rows and masks: the CSV through Jackson, each 8-bit PNG through ImageIO (value = p
   * / 255).
   */
  private static List<QaDoc> readWithImageIo(Path dir) throws IOException {
    List<QaDoc> docs = new ArrayList<>();
    CsvMapper csv = new CsvMapper();
    try (MappingIterator<Map<String, String>> rows =
        csv.readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(dir.resolve("index.csv").toFile())) {
      while (rows.hasNext()) {
        Map<String, String> row = rows.next();
        Map<String, Mask> masks = new LinkedHashMap<>();
        for (String kind : row.get("masks").split("\\|")) {
          masks.put(
              kind, readPng(dir.resolve("masks").resolve(kind).resolve(row.get("id") + ".png")));
        }
        Roi box =
            row.get("bbox_x1").isEmpty()
                ? null
                : new Roi(
                    Integer.parseInt(row.get("bbox_x1")),
                    Integer.parseInt(row.get("bbox_y1")),
                    Integer.parseInt(row.get("bbox_x2")),
                    Integer.parseInt(row.get("bbox_y2")));
        docs.add(new QaDoc(row.get("id"), row.get("source"), "", 0, box, masks, Map.of()));
      }
    }
    return docs;
  }

  static Mask readPng(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    Raster raster = image.getRaster();
    assertEquals(png + " should be single-channel", 1, raster.getNumBands());
    int[] pixels = raster.getSamples(0, 0, image.getWidth(), image.getHeight(), 0, (int[]) null);
    byte[] data = new byte[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      assertTrue(png + " should be 8-bit", pixels[i] < 256);
      data[i] = (byte) pixels[i];
    }
    return Mask.of(MaskDType.UINT8, image.getHeight(), image.getWidth(), data);
  }
}
