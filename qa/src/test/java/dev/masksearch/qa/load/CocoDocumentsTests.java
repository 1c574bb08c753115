package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.Polygons;
import dev.masksearch.mask.RleMasks;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link CocoDocuments} on a small COCO file with every segmentation form (compressed and
 * uncompressed RLE, polygons with a hole), random instances, and one bad annotation of each kind:
 * each good one becomes a nested object with the decoded mask, each bad one a problem naming it and
 * why, and the image-level unions equal the OR of the objects' masks and boxes.
 */
public class CocoDocumentsTests extends LuceneTestCase {
  private final ObjectMapper json = new ObjectMapper();

  public void testObjectsUnionsAndProblems() throws IOException {
    int height = 20 + random().nextInt(30);
    int width = 20 + random().nextInt(30);
    List<Map<String, Object>> annotations = new ArrayList<>();
    List<Mask> expectedMasks = new ArrayList<>();
    List<int[]> expectedBoxes = new ArrayList<>();
    List<String> expectedCategories = new ArrayList<>();
    for (int a = 0; a < 1 + random().nextInt(6); a++) {
      Mask mask = randomInstance(height, width);
      int[] box = {random().nextInt(width / 2), random().nextInt(height / 2), 0, 0};
      box[2] = box[0] + 1 + random().nextInt(width - box[0]);
      box[3] = box[1] + 1 + random().nextInt(height - box[1]);
      Map<String, Object> segmentation = new LinkedHashMap<>();
      segmentation.put("size", List.of(height, width));
      segmentation.put(
          "counts",
          random().nextBoolean()
              ? RleMasks.encode(mask)
              : java.util.Arrays.stream(RleMasks.runs(mask)).boxed().toList());
      int category = 1 + random().nextInt(2);
      expectedCategories.add(category == 1 ? "person" : "dog");
      Map<String, Object> annotation =
          annotation(100 + a, 7, category, segmentation, cocoBox(box[0], box[1], box[2], box[3]));
      if (segmentation.get("counts") instanceof List<?>) {
        annotation.put("iscrowd", 1); // COCO's crowd regions come as uncompressed RLE
      }
      annotations.add(annotation);
      expectedMasks.add(mask);
      expectedBoxes.add(box);
    }
    // an object in two overlapping polygons: their union, rasterized by pixel centres
    List<List<Double>> polygon =
        List.of(
            List.of(2.0, 2.0, 14.0, 2.0, 14.0, 14.0, 2.0, 14.0),
            List.of(10.0, 10.0, 19.0, 10.0, 19.0, 19.0, 10.0, 19.0));
    annotations.add(annotation(200, 7, 2, polygon, cocoBox(2, 2, 19, 19)));
    Mask parts =
        Polygons.rasterize(
            List.of(
                new double[] {2, 2, 14, 2, 14, 14, 2, 14},
                new double[] {10, 10, 19, 10, 19, 19, 10, 19}),
            height,
            width,
            Polygons.Fill.UNION);
    assertEquals(12 * 12 + 9 * 9 - 4 * 4, parts.countPixels(Roi.FULL, new ValueRange(0.5, 1.01)));
    expectedMasks.add(parts);
    expectedBoxes.add(new int[] {2, 2, 19, 19});
    expectedCategories.add("dog");
    // bad ones, each left out with its reason
    Map<Integer, String> bad = new LinkedHashMap<>();
    annotations.add(annotation(301, 7, 9, polygon, cocoBox(0, 0, 1, 1)));
    bad.put(301, "category_id 9 is not in [categories]");
    annotations.add(
        annotation(302, 7, 1, Map.of("size", List.of(height + 1, width), "counts", "0"), null));
    bad.put(302, "is not the image's");
    annotations.add(
        annotation(303, 7, 1, Map.of("size", List.of(height, width), "counts", "1!"), null));
    bad.put(303, "the character '!'");
    annotations.add(
        annotation(304, 7, 1, Map.of("size", List.of(height, width), "counts", "12"), null));
    bad.put(304, "add up to 3 pixels");
    annotations.add(annotation(305, 7, 1, List.of(List.of(1.0, 2.0, 3.0)), null));
    bad.put(305, "at least three points");
    // (its own polygon: a skipped annotation must not reach the image's unions)
    List<List<Double>> corner =
        List.of(
            List.of(
                width - 3.0, height - 3.0, width * 1.0, height - 3.0, width * 1.0, height * 1.0));
    annotations.add(annotation(306, 7, 1, corner, List.of(0, 0, width + 5, 1)));
    bad.put(306, "does not lie in the");
    annotations.add(annotation(309, 7, 1, corner, List.of(width + 1, 0, 0, 1)));
    bad.put(309, "does not lie in the"); // x past the edge, width 0
    annotations.add(annotation(307, 7, 1, "nothing", null));
    bad.put(307, "expected RLE or polygons");
    annotations.add(annotation(308, 99, 1, polygon, null));
    // the image without annotations, and the unknown image

    Map<String, Object> coco = new LinkedHashMap<>();
    coco.put(
        "images",
        List.of(
            Map.of(
                "id",
                7,
                "file_name",
                "a/b/cat.png",
                "width",
                width,
                "height",
                height,
                "license",
                3),
            Map.of("id", 8, "file_name", "dog.jpg", "width", 5, "height", 4)));
    coco.put(
        "categories",
        List.of(
            Map.of("id", 1, "name", "person", "supercategory", "human"),
            Map.of("id", 2, "name", "dog")));
    coco.put("annotations", annotations);
    Path file = createTempDir().resolve("instances.json");
    Files.write(file, json.writeValueAsBytes(coco));

    CocoDocuments documents = new CocoDocuments(file, null, null);
    assertEquals(2, documents.imageCount());
    assertEquals(
        List.of("annotation 308: image_id 99 is not an image of the file (annotation skipped)"),
        documents.fileProblems());
    CocoDocuments.ImageDocument cat = documents.document(0);
    assertEquals("7", cat.id());
    assertEquals(expectedMasks.size(), cat.objects());
    assertEquals(bad.size(), cat.skippedAnnotations());
    assertEquals(bad.size(), cat.problems().size());
    int p = 0;
    for (Map.Entry<Integer, String> e : bad.entrySet()) {
      String problem = cat.problems().get(p++);
      assertTrue(problem, problem.startsWith("annotation " + e.getKey() + " of image 7: "));
      assertTrue(problem + " should say " + e.getValue(), problem.contains(e.getValue()));
      assertTrue(problem, problem.endsWith("(annotation skipped)"));
    }
    Map<String, Object> source = json.readValue(json.writeValueAsBytes(cat.source()), Map.class);
    assertEquals(3, source.get("license")); // other scalar keys of the image as they are
    assertEquals("a/b/cat.png", source.get("file_name"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> objects = (List<Map<String, Object>>) source.get("objects");
    byte[] union = new byte[height * width];
    byte[] boxes = new byte[height * width];
    for (int o = 0; o < objects.size(); o++) {
      Map<String, Object> object = objects.get(o);
      Mask mask = decode(object.get("mask"));
      assertArrayEquals("object " + o, expectedMasks.get(o).rawBytes(), mask.rawBytes());
      int[] box = expectedBoxes.get(o);
      assertEquals(List.of(box[0], box[1], box[2], box[3]), object.get("box"));
      assertEquals(expectedCategories.get(o), object.get("category"));
      assertEquals(
          o < expectedMasks.size() - 1 && ((Map<?, ?>) annotations.get(o)).get("iscrowd").equals(1),
          object.get("iscrowd"));
      assertEquals(100 + o < 100 + expectedMasks.size() - 1 ? 100 + o : 200, object.get("id"));
      for (int i = 0; i < union.length; i++) {
        union[i] |= mask.rawBytes()[i];
        int x = i % width;
        int y = i / width;
        if (x >= box[0] && x < box[2] && y >= box[1] && y < box[3]) {
          boxes[i] = (byte) 255;
        }
      }
    }
    assertArrayEquals(union, decode(source.get(CocoDocuments.OBJECTS_UNION)).rawBytes());
    assertArrayEquals(boxes, decode(source.get(CocoDocuments.BOXES_UNION)).rawBytes());

    // an image without objects: empty unions, so "outside every object" is the whole image
    CocoDocuments.ImageDocument dog = documents.document(1);
    assertEquals(0, dog.objects());
    assertTrue(dog.problems().isEmpty());
    Mask empty = decode(dog.source().get(CocoDocuments.OBJECTS_UNION));
    assertArrayEquals(new byte[4 * 5], empty.rawBytes());
  }

  private static Mask decode(Object value) {
    @SuppressWarnings("unchecked")
    Map<String, Object> rle = (Map<String, Object>) ((Map<String, Object>) value).get("rle");
    @SuppressWarnings("unchecked")
    List<Integer> size = (List<Integer>) rle.get("size");
    return RleMasks.decode(size.get(0), size.get(1), (String) rle.get("counts"), MaskLimits.FORMAT);
  }

  private static Map<String, Object> annotation(
      int id, int imageId, int categoryId, Object segmentation, Object bbox) {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("id", id);
    a.put("image_id", imageId);
    a.put("category_id", categoryId);
    a.put("segmentation", segmentation);
    if (bbox != null) {
      a.put("bbox", bbox);
    }
    a.put("iscrowd", 0);
    return a;
  }

  /** COCO's [x, y, w, h] of a half-open box. */
  private static List<Integer> cocoBox(int x1, int y1, int x2, int y2) {
    return List.of(x1, y1, x2 - x1, y2 - y1);
  }

  private static Mask randomInstance(int height, int width) {
    byte[] raw = new byte[height * width];
    int cx = random().nextInt(width);
    int cy = random().nextInt(height);
    int r = 1 + random().nextInt(Math.max(height, width) / 2);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
          raw[y * width + x] = (byte) 255;
        }
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }
}
