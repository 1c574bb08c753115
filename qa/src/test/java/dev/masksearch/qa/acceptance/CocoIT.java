package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.RleMasks;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.load.CocoDocuments;
import dev.masksearch.qa.load.CocoLoader;
import dev.masksearch.qa.load.DirectoryLoader;
import dev.masksearch.qa.load.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/**
 * The real sample's COCO instances file ({@code ../shared/data/real-sample/coco/instances.json},
 * skipped when absent) loaded by {@link CocoLoader} (the code behind {@code bin/load --coco}) with
 * the sample's masks as extra image masks, resumed after deletions, then per-object and union
 * questions compared with brute force computed from the file's RLE and the PNG files alone.
 */
public class CocoIT extends ClusterTestCase {
  private static final String INDEX = "coco-sample";
  private static final ValueRange ONES = new ValueRange(0.5, 1.01);

  /** One object of the file, decoded here. */
  private record Obj(String category, Mask mask, Roi box) {}

  @Test
  public void cocoFileAnswersEqualBruteForceFromItsRle() throws IOException {
    Path sample = Path.of(System.getProperty("qa.realSample", "../../shared/data/real-sample"));
    Path file = sample.resolve("coco/instances.json");
    assumeTrue("no COCO file at " + file, Files.isRegularFile(file));
    deleteIndex(INDEX);
    // the masks of the sample as extra image masks; the images themselves are left out (100 MB)
    CocoDocuments documents = new CocoDocuments(file, null, sample.resolve("masks"));
    DirectoryLoader.LoadOptions options =
        new DirectoryLoader.LoadOptions(40, 4L << 20, 2, 0, false, Progress.NONE);
    CocoLoader.Summary summary = new CocoLoader(rest().client(), options).load(documents, INDEX);
    assertTrue(summary + " " + summary.problems(), summary.ok());
    JsonNode coco = new ObjectMapper().readTree(file.toFile());
    assertEquals(coco.get("images").size(), summary.indexed());
    assertEquals(coco.get("annotations").size(), summary.objects());

    // Resume: deleted images come back, the others are left alone.
    Set<String> deleted = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      deleted.add(coco.get("images").get(getRandom().nextInt(summary.images())).get("id").asText());
    }
    for (String id : deleted) {
      ok("DELETE", "/" + INDEX + "/_doc/" + id + "?refresh=true", null);
    }
    CocoLoader.Summary resumed =
        new CocoLoader(rest().client(), options.withResume(true)).load(documents, INDEX);
    assertEquals(resumed.toString(), deleted.size(), resumed.indexed());
    assertEquals(summary.images() - deleted.size(), resumed.alreadyPresent());

    Map<String, List<Obj>> objects = objectsFromTheFile(coco);
    Map<String, Mask> saliency = new HashMap<>();
    for (JsonNode image : coco.get("images")) {
      Path png = sample.resolve("masks/specres/" + image.get("sample_id").asText() + ".png");
      saliency.put(image.get("id").asText(), RealSampleIT.readPng(png));
    }
    for (int q = 0; q < 6; q++) {
      perObjectShareOfItsBox(objects, q % 2 == 0 ? "annotated object" : "segmented object");
    }
    for (int q = 0; q < 4; q++) {
      salientShareOutsideEveryObject(objects, saliency, q % 2 == 0);
    }
    deleteIndex(INDEX);
  }

  /**
   * "Images with a [category] instance whose mask covers under [share] of its own box": a nested
   * query whose inner hits name the matching objects.
   */
  private void perObjectShareOfItsBox(Map<String, List<Obj>> objects, String category) {
    double share = 0.2 + 0.7 * getRandom().nextDouble();
    Map<String, Object> cp =
        Map.of(
            "cp",
            Map.of(
                "field",
                "objects.mask",
                "roi",
                Map.of("field", "objects.box"),
                "range",
                List.of(0.5, 1.01),
                "normalize",
                true,
                "lt",
                share));
    Map<String, Object> query =
        Map.of(
            "nested",
            Map.of(
                "path",
                "objects",
                "query",
                Map.of(
                    "bool",
                    Map.of(
                        "filter",
                        List.of(Map.of("term", Map.of("objects.category", category)), cp))),
                "inner_hits",
                Map.of("size", 100, "_source", false)));
    JsonNode hits =
        ok("POST", "/" + INDEX + "/_search", Map.of("size", 1000, "_source", false, "query", query))
            .path("hits")
            .path("hits");
    Map<String, Set<Integer>> actual = new HashMap<>();
    for (JsonNode hit : hits) {
      Set<Integer> offsets = new HashSet<>();
      for (JsonNode inner : hit.path("inner_hits").path("objects").path("hits").path("hits")) {
        offsets.add(inner.path("_nested").path("offset").asInt());
      }
      actual.put(hit.get("_id").asText(), offsets);
    }
    Map<String, Set<Integer>> expected = new HashMap<>();
    objects.forEach(
        (id, list) -> {
          for (int o = 0; o < list.size(); o++) {
            Obj obj = list.get(o);
            Roi box = obj.box().clip(obj.mask().width(), obj.mask().height());
            double value =
                box.area() == 0 ? 0 : (double) obj.mask().countPixels(box, ONES) / box.area();
            if (obj.category().equals(category) && value < share) {
              expected.computeIfAbsent(id, k -> new HashSet<>()).add(o);
            }
          }
        });
    assertEquals(category + " < " + share, expected, actual);
  }

  /**
   * "Images whose salient pixels (specres above 0.8) lie mostly outside every object" (or every
   * object's box): the image-level union masks the loader made, in a {@code mask_expr}.
   */
  private void salientShareOutsideEveryObject(
      Map<String, List<Obj>> objects, Map<String, Mask> saliency, boolean boxes) {
    double share = 0.5 + 0.5 * getRandom().nextDouble();
    String union = boxes ? CocoDocuments.BOXES_UNION : CocoDocuments.OBJECTS_UNION;
    String expr =
        String.format(
            Locale.ROOT,
            "cp(specres > 0.8 & %s < 0.5, full) / cp(specres, full, 0.8, 1.01)",
            union);
    JsonNode hits =
        ok(
                "POST",
                "/" + INDEX + "/_search",
                Map.of(
                    "size",
                    1000,
                    "_source",
                    false,
                    "query",
                    Map.of("mask_expr", Map.of("expr", expr, "gt", share))))
            .path("hits")
            .path("hits");
    Set<String> actual = new HashSet<>();
    hits.forEach(hit -> actual.add(hit.get("_id").asText()));
    Set<String> expected = new HashSet<>();
    saliency.forEach(
        (id, s) -> {
          long salient = 0;
          long outside = 0;
          for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
              double v = s.value(y, x);
              salient += v >= 0.8 ? 1 : 0; // cp(specres, full, 0.8, 1.01)
              if (v > 0.8) { // specres > 0.8
                boolean covered = false;
                for (Obj obj : objects.getOrDefault(id, List.of())) {
                  covered |=
                      boxes
                          ? x >= obj.box().x1()
                              && x < obj.box().x2()
                              && y >= obj.box().y1()
                              && y < obj.box().y2()
                          : obj.mask().code(y * s.width() + x) != 0;
                }
                outside += covered ? 0 : 1;
              }
            }
          }
          if (salient > 0 && (double) outside / salient > share) {
            expected.add(id);
          }
        });
    assertEquals(expr + " > " + share, expected, actual);
  }

  /** Each image's objects, decoded from the file's RLE; boxes from COCO's [x, y, w, h]. */
  private static Map<String, List<Obj>> objectsFromTheFile(JsonNode coco) {
    Map<Long, String> categories = new HashMap<>();
    coco.get("categories")
        .forEach(c -> categories.put(c.get("id").asLong(), c.get("name").asText()));
    Map<String, List<Obj>> objects = new HashMap<>();
    for (JsonNode a : coco.get("annotations")) {
      JsonNode rle = a.get("segmentation");
      Mask mask =
          RleMasks.decode(
              rle.get("size").get(0).asInt(),
              rle.get("size").get(1).asInt(),
              rle.get("counts").asText(),
              MaskLimits.FORMAT);
      JsonNode b = a.get("bbox");
      Roi box =
          new Roi(
              (int) Math.floor(b.get(0).asDouble()),
              (int) Math.floor(b.get(1).asDouble()),
              (int) Math.ceil(b.get(0).asDouble() + b.get(2).asDouble()),
              (int) Math.ceil(b.get(1).asDouble() + b.get(3).asDouble()));
      objects
          .computeIfAbsent(a.get("image_id").asText(), k -> new ArrayList<>())
          .add(new Obj(categories.get(a.get("category_id").asLong()), mask, box));
    }
    return objects;
  }
}
