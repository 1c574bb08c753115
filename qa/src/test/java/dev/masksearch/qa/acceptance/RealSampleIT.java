package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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
    deleteIndex(index);
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
