package dev.masksearch.qa.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.RleMasks;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link RleMasks} on real COCO annotations written by pycocotools: the shared sample's {@code
 * coco/instances.json} (skipped when absent). Its data README says how they were made: the
 * 8-connected components of at least 64 pixels of the image's {@code alpha} mask (category 1) or
 * {@code isnet} mask (category 2), thresholded at p &gt; 127. So each image's decoded instances
 * must be exactly those components, computed here from the PNG files with ImageIO alone, with the
 * file's area and box; and encoding a decoded instance must give back the file's string.
 */
public class CocoInstancesTests extends LuceneTestCase {
  private static final int MIN_COMPONENT = 64;

  public void testEveryInstanceDecodesToItsComponentOfTheThresholdedMask() throws IOException {
    Path sample = Path.of(System.getProperty("qa.realSample", "../../shared/data/real-sample"));
    Path file = sample.resolve("coco/instances.json");
    assumeTrue("no COCO file at " + file, Files.isRegularFile(file));
    JsonNode coco = new ObjectMapper().readTree(file.toFile());
    Map<Integer, JsonNode> images = new HashMap<>();
    coco.get("images").forEach(image -> images.put(image.get("id").asInt(), image));
    Map<Integer, List<JsonNode>> byImage = new HashMap<>();
    coco.get("annotations")
        .forEach(
            a -> byImage.computeIfAbsent(a.get("image_id").asInt(), k -> new ArrayList<>()).add(a));
    int instances = 0;
    for (Map.Entry<Integer, List<JsonNode>> entry : byImage.entrySet()) {
      JsonNode image = images.get(entry.getKey());
      int height = image.get("height").asInt();
      int width = image.get("width").asInt();
      int category = entry.getValue().get(0).get("category_id").asInt();
      String kind = category == 1 ? "alpha" : "isnet";
      Path png = sample.resolve("masks/" + kind + "/" + image.get("sample_id").asText() + ".png");
      Set<Set<Integer>> expected = components(ImageIO.read(png.toFile()), height, width);
      Set<Set<Integer>> decoded = new HashSet<>();
      for (JsonNode annotation : entry.getValue()) {
        assertEquals(category, annotation.get("category_id").asInt());
        JsonNode rle = annotation.get("segmentation");
        assertEquals(
            List.of(height, width),
            List.of(rle.get("size").get(0).asInt(), rle.get("size").get(1).asInt()));
        String counts = rle.get("counts").asText();
        Mask mask = RleMasks.decode(height, width, counts, MaskLimits.FORMAT);
        assertEquals(counts, RleMasks.encode(mask));
        Set<Integer> pixels = new HashSet<>();
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (int y = 0; y < height; y++) {
          for (int x = 0; x < width; x++) {
            int code = mask.code(y * width + x);
            assertTrue(code == 0 || code == RleMasks.ONE);
            if (code != 0) {
              pixels.add(y * width + x);
              x0 = Math.min(x0, x);
              y0 = Math.min(y0, y);
              x1 = Math.max(x1, x);
              y1 = Math.max(y1, y);
            }
          }
        }
        assertEquals(annotation.get("area").asInt(), pixels.size());
        JsonNode box = annotation.get("bbox"); // [x, y, w, h], inclusive of the last pixel
        assertEquals(x0, box.get(0).asInt());
        assertEquals(y0, box.get(1).asInt());
        assertEquals(x1 - x0 + 1, box.get(2).asInt());
        assertEquals(y1 - y0 + 1, box.get(3).asInt());
        decoded.add(pixels);
        instances++;
      }
      assertEquals("image " + image.get("sample_id"), expected, decoded);
    }
    assertEquals(coco.get("annotations").size(), instances);
  }

  /** The 8-connected components of at least 64 pixels of {@code mask > 127}, as pixel sets. */
  private static Set<Set<Integer>> components(BufferedImage png, int height, int width) {
    assertEquals(width, png.getWidth());
    assertEquals(height, png.getHeight());
    Raster raster = png.getRaster();
    boolean[] on = new boolean[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        on[y * width + x] = raster.getSample(x, y, 0) > 127;
      }
    }
    boolean[] seen = new boolean[on.length];
    Set<Set<Integer>> components = new HashSet<>();
    for (int start = 0; start < on.length; start++) {
      if (!on[start] || seen[start]) {
        continue;
      }
      Set<Integer> component = new HashSet<>();
      ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(start));
      seen[start] = true;
      while (!queue.isEmpty()) {
        int p = queue.poll();
        component.add(p);
        int px = p % width;
        int py = p / width;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int x = px + dx;
            int y = py + dy;
            if (x >= 0
                && y >= 0
                && x < width
                && y < height
                && on[y * width + x]
                && !seen[y * width + x]) {
              seen[y * width + x] = true;
              queue.add(y * width + x);
            }
          }
        }
      }
      if (component.size() >= MIN_COMPONENT) {
        components.add(component);
      }
    }
    return components;
  }
}
