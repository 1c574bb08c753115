package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.Polygons;
import dev.masksearch.mask.RleMasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Turns a COCO instances file into one document per image: the image's fields, its objects as a
 * {@code nested} array (instance mask as COCO RLE, box, category, area, crowd flag, score), the
 * union of its instance masks and of its boxes as image-level masks, and optionally extra masks of
 * the image (saliency maps...) from a directory. {@code docs/loading.md} describes the mapping.
 *
 * <p>Each annotation is checked and decoded here, so that a bad one is reported with its id and
 * why, and left out of its image, without stopping the load: a missing or malformed segmentation,
 * runs that do not fit the image, an unknown image or category, a malformed box. Polygons are
 * rasterized by {@link Polygons} (pixel centres, even–odd) and sent as compressed RLE.
 */
public final class CocoDocuments {
  /** The nested field of an image's objects. */
  public static final String OBJECTS = "objects";

  /** The image-level mask of the union of its objects' instance masks. */
  public static final String OBJECTS_UNION = "objects_union";

  /** The image-level mask of the union of its objects' boxes. */
  public static final String BOXES_UNION = "boxes_union";

  /** The fields the loader makes itself: no mask kind or other image key may take their names. */
  private static final List<String> LOADER_FIELDS =
      List.of(
          "image_id",
          "file_name",
          "width",
          "height",
          "objects_count",
          "image",
          OBJECTS,
          OBJECTS_UNION,
          BOXES_UNION);

  /**
   * One image's document: its objects, the annotations left out, and every problem (of those
   * annotations, and of the image's files).
   */
  public record ImageDocument(
      String id,
      Map<String, Object> source,
      int objects,
      int skippedAnnotations,
      List<String> problems) {}

  private final JsonNode images;
  private final Map<Long, List<JsonNode>> annotations = new LinkedHashMap<>();
  private final Map<Long, JsonNode> categories = new HashMap<>();
  private final List<String> fileProblems = new ArrayList<>();
  private final Path imageRoot;
  private final Path masksDir;
  private final List<String> maskKinds;
  private final Base64.Encoder base64 = Base64.getEncoder();

  /**
   * Reads {@code file}; {@code imageRoot} (or null) resolves each image's {@code file_name}, whose
   * bytes are stored in the {@code image} field; {@code masksDir} (or null) holds extra masks as
   * {@code <kind>/<file name without extension>.png} or {@code .npy}, one field per kind.
   */
  public CocoDocuments(Path file, Path imageRoot, Path masksDir) throws IOException {
    JsonNode coco = new ObjectMapper().readTree(file.toFile());
    if (coco == null || !coco.path("images").isArray() || !coco.path("annotations").isArray()) {
      throw new IllegalArgumentException(
          file + ": not a COCO instances file (no [images] and [annotations] arrays)");
    }
    this.images = coco.get("images");
    this.imageRoot = imageRoot;
    this.masksDir = masksDir;
    this.maskKinds = masksDir == null ? List.of() : kinds(masksDir);
    for (JsonNode category : coco.path("categories")) {
      categories.put(category.path("id").asLong(), category);
    }
    for (JsonNode image : images) {
      if (annotations.put(image.path("id").asLong(), new ArrayList<>()) != null) {
        throw new IllegalArgumentException(
            file + ": image id " + image.path("id") + " appears twice in [images]");
      }
    }
    for (JsonNode annotation : coco.get("annotations")) {
      List<JsonNode> of = annotations.get(annotation.path("image_id").asLong(Long.MIN_VALUE));
      if (of == null) {
        fileProblems.add(
            "annotation "
                + annotation.path("id")
                + ": image_id "
                + annotation.path("image_id")
                + " is not an image of the file (annotation skipped)");
      } else {
        of.add(annotation);
      }
    }
  }

  private static List<String> kinds(Path masksDir) throws IOException {
    if (!Files.isDirectory(masksDir)) {
      throw new IllegalArgumentException(masksDir + ": no such directory of masks");
    }
    try (Stream<Path> dirs = Files.list(masksDir)) {
      List<String> kinds =
          dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
      for (String kind : kinds) {
        if (!kind.matches("[A-Za-z0-9_-]+") || LOADER_FIELDS.contains(kind)) {
          throw new IllegalArgumentException(
              masksDir.resolve(kind) + ": a mask kind names a field; this name cannot be one");
        }
      }
      return kinds;
    }
  }

  /** Problems of the file itself: annotations of no image. */
  public List<String> fileProblems() {
    return fileProblems;
  }

  /** The images, in the file's order. */
  public int imageCount() {
    return images.size();
  }

  /** The annotations the file holds for images it lists. */
  public int annotationCount() {
    return annotations.values().stream().mapToInt(List::size).sum();
  }

  /** The index body: settings and the mapping of the documents {@link #document} builds. */
  public Map<String, Object> indexBody(int shards, int replicas) {
    Map<String, Object> objectFields = new LinkedHashMap<>();
    objectFields.put("id", Map.of("type", "long"));
    objectFields.put("category_id", Map.of("type", "integer"));
    objectFields.put("category", Map.of("type", "keyword"));
    objectFields.put("supercategory", Map.of("type", "keyword"));
    objectFields.put("mask", Map.of("type", "mask"));
    objectFields.put("box", Map.of("type", "mask_roi"));
    objectFields.put("area", Map.of("type", "double"));
    objectFields.put("iscrowd", Map.of("type", "boolean"));
    objectFields.put("score", Map.of("type", "float"));
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("image_id", Map.of("type", "long"));
    properties.put("file_name", Map.of("type", "keyword"));
    properties.put("width", Map.of("type", "integer"));
    properties.put("height", Map.of("type", "integer"));
    properties.put("objects_count", Map.of("type", "integer"));
    properties.put(OBJECTS, Map.of("type", "nested", "properties", objectFields));
    properties.put(OBJECTS_UNION, Map.of("type", "mask"));
    properties.put(BOXES_UNION, Map.of("type", "mask"));
    for (String kind : maskKinds) {
      properties.put(kind, Map.of("type", "mask"));
    }
    if (imageRoot != null) {
      properties.put("image", Map.of("type", "binary"));
    }
    return Map.of(
        "settings",
        Map.of(
            "index.codec",
            "masksearch",
            "number_of_shards",
            shards,
            "number_of_replicas",
            replicas),
        "mappings",
        Map.of("properties", properties));
  }

  /** The document id of image i: its COCO id. */
  public String id(int i) {
    return String.valueOf(images.get(i).path("id").asLong());
  }

  /** Image i's document (its id is the COCO image id); never null. */
  public ImageDocument document(int i) {
    JsonNode image = images.get(i);
    long imageId = image.path("id").asLong();
    int height = image.path("height").asInt();
    int width = image.path("width").asInt();
    List<String> problems = new ArrayList<>();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("image_id", imageId);
    String fileName = image.path("file_name").asText("");
    if (!fileName.isEmpty()) {
      doc.put("file_name", fileName);
    }
    doc.put("width", width);
    doc.put("height", height);
    image
        .fields()
        .forEachRemaining(
            e -> { // other scalar keys as they are (license, coco_url, date_captured, ...)
              String key = e.getKey();
              if (e.getValue().isValueNode()
                  && !key.equals("id") // the document's id, and image_id
                  && !LOADER_FIELDS.contains(key)
                  && !maskKinds.contains(key)) {
                doc.put(key, e.getValue());
              }
            });
    try {
      MaskLimits.FORMAT.check(height, width);
    } catch (MaskFormatException e) {
      problems.add("image " + imageId + ": " + e.getMessage() + " (its objects skipped)");
      doc.put("objects_count", 0);
      return new ImageDocument(
          String.valueOf(imageId), doc, 0, annotations.get(imageId).size(), problems);
    }
    byte[] union = new byte[height * width];
    byte[] boxes = new byte[height * width];
    List<Map<String, Object>> objects = new ArrayList<>();
    for (JsonNode annotation : annotations.get(imageId)) {
      try {
        objects.add(object(annotation, height, width, union, boxes));
      } catch (IllegalArgumentException e) { // a MaskFormatException, or any other bad value
        problems.add(
            "annotation "
                + annotation.path("id")
                + " of image "
                + imageId
                + ": "
                + e.getMessage()
                + " (annotation skipped)");
      }
    }
    doc.put("objects_count", objects.size());
    doc.put(OBJECTS, objects);
    doc.put(OBJECTS_UNION, rle(Mask.of(MaskDType.UINT8, height, width, union)));
    doc.put(BOXES_UNION, rle(Mask.of(MaskDType.UINT8, height, width, boxes)));
    String stem = stem(fileName.isEmpty() ? String.valueOf(imageId) : fileName);
    for (String kind : maskKinds) {
      Object mask =
          DocumentBuilder.maskFile(
              masksDir.resolve(kind), kind + "/", stem, width, height, problems, false);
      if (mask != null) {
        doc.put(kind, mask);
      }
    }
    if (imageRoot != null && !fileName.isEmpty()) {
      Path file = imageRoot.resolve(fileName).normalize();
      if (!file.startsWith(imageRoot.normalize()) || !Files.isRegularFile(file)) {
        problems.add("image " + imageId + ": " + fileName + " is not a file under " + imageRoot);
      } else {
        try {
          doc.put("image", base64.encodeToString(Files.readAllBytes(file)));
        } catch (IOException e) {
          problems.add("image " + imageId + ": cannot read " + file + ": " + e);
        }
      }
    }
    int skipped = annotations.get(imageId).size() - objects.size();
    return new ImageDocument(String.valueOf(imageId), doc, objects.size(), skipped, problems);
  }

  /** One annotation as a nested object; paints its mask and box into the unions. */
  private Map<String, Object> object(
      JsonNode annotation, int height, int width, byte[] union, byte[] boxes) {
    Map<String, Object> object = new LinkedHashMap<>();
    if (annotation.has("id")) {
      object.put("id", annotation.get("id").asLong());
    }
    JsonNode categoryId = annotation.path("category_id");
    if (!categoryId.isIntegralNumber()) {
      throw new MaskFormatException("category_id is " + describe(categoryId) + ", not an integer");
    }
    object.put("category_id", categoryId.asInt());
    JsonNode category = categories.get(categoryId.asLong());
    if (category == null) {
      throw new MaskFormatException("category_id " + categoryId + " is not in [categories]");
    }
    if (category.hasNonNull("name")) {
      object.put("category", category.get("name").asText());
    }
    if (category.hasNonNull("supercategory")) {
      object.put("supercategory", category.get("supercategory").asText());
    }
    Mask mask = segmentation(annotation.path("segmentation"), height, width);
    int[] box = box(annotation.path("bbox"), height, width);
    // checked whole before it reaches the unions: a skipped annotation must leave them alone
    object.put("mask", rle(mask));
    byte[] pixels = mask.rawBytes();
    for (int p = 0; p < pixels.length; p++) {
      union[p] |= pixels[p];
    }
    if (box != null) {
      object.put("box", List.of(box[0], box[1], box[2], box[3]));
      for (int y = box[1]; y < box[3]; y++) {
        java.util.Arrays.fill(boxes, y * width + box[0], y * width + box[2], (byte) 255);
      }
    }
    if (annotation.path("area").isNumber()) {
      object.put("area", annotation.get("area").asDouble());
    }
    if (annotation.has("iscrowd")) {
      object.put("iscrowd", annotation.get("iscrowd").asInt() != 0);
    }
    if (annotation.path("score").isNumber()) {
      object.put("score", annotation.get("score").asDouble());
    }
    return object;
  }

  /** The instance mask: compressed or uncompressed RLE, or polygons rasterized. */
  private static Mask segmentation(JsonNode segmentation, int height, int width) {
    if (segmentation.isObject()) {
      JsonNode size = segmentation.path("size");
      if (!size.isArray()
          || size.size() != 2
          || size.get(0).asInt() != height
          || size.get(1).asInt() != width) {
        throw new MaskFormatException(
            "segmentation size " + size + " is not the image's [" + height + ", " + width + "]");
      }
      JsonNode counts = segmentation.path("counts");
      if (counts.isTextual()) {
        return RleMasks.decode(height, width, counts.asText(), MaskLimits.FORMAT);
      }
      if (counts.isArray()) {
        int[] runs = new int[counts.size()];
        for (int i = 0; i < runs.length; i++) {
          if (!counts.get(i).canConvertToInt()) {
            throw new MaskFormatException("RLE run " + i + " is " + counts.get(i) + ", not an int");
          }
          runs[i] = counts.get(i).asInt();
        }
        return RleMasks.decode(height, width, runs, MaskLimits.FORMAT);
      }
      throw new MaskFormatException("segmentation counts is " + describe(counts));
    }
    if (segmentation.isArray() && !segmentation.isEmpty()) {
      List<double[]> rings = new ArrayList<>();
      for (JsonNode ring : segmentation) {
        if (!ring.isArray()) {
          throw new MaskFormatException("a polygon ring is " + describe(ring) + ", not an array");
        }
        double[] coordinates = new double[ring.size()];
        for (int i = 0; i < coordinates.length; i++) {
          if (!ring.get(i).isNumber()) {
            throw new MaskFormatException("a polygon coordinate is " + describe(ring.get(i)));
          }
          coordinates[i] = ring.get(i).asDouble();
        }
        rings.add(coordinates);
      }
      return Polygons.rasterize(rings, height, width, Polygons.Fill.UNION); // as pycocotools merges
    }
    throw new MaskFormatException(
        "segmentation is " + describe(segmentation) + "; expected RLE or polygons");
  }

  /**
   * COCO's {@code [x, y, w, h]} as a half-open box {@code [floor(x), floor(y), ceil(x + w), ceil(y
   * + h)]}, or null without a box.
   */
  private static int[] box(JsonNode bbox, int height, int width) {
    if (bbox.isMissingNode() || bbox.isNull()) {
      return null;
    }
    if (!bbox.isArray() || bbox.size() != 4) {
      throw new MaskFormatException("bbox " + bbox + " is not [x, y, width, height]");
    }
    double[] b = new double[4];
    for (int i = 0; i < 4; i++) {
      if (!bbox.get(i).isNumber() || !Double.isFinite(bbox.get(i).asDouble())) {
        throw new MaskFormatException("bbox " + bbox + " is not four numbers");
      }
      b[i] = bbox.get(i).asDouble();
    }
    if (b[0] < 0
        || b[1] < 0
        || b[2] < 0
        || b[3] < 0
        || b[0] > width
        || b[1] > height
        || b[0] + b[2] > width + 1 // a pixel's tolerance for boxes of float coordinates
        || b[1] + b[3] > height + 1) {
      throw new MaskFormatException(
          "bbox " + bbox + " does not lie in the " + width + " x " + height + " image");
    }
    return new int[] {
      (int) Math.floor(b[0]),
      (int) Math.floor(b[1]),
      (int) Math.min(width, Math.ceil(b[0] + b[2])),
      (int) Math.min(height, Math.ceil(b[1] + b[3]))
    };
  }

  private static Map<String, Object> rle(Mask mask) {
    return Map.of(
        "rle",
        Map.of("size", List.of(mask.height(), mask.width()), "counts", RleMasks.encode(mask)));
  }

  private static String stem(String fileName) {
    String name = Path.of(fileName).getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static String describe(JsonNode node) {
    return node.isMissingNode()
        ? "missing"
        : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  /** The kinds of extra masks, in order. */
  public List<String> maskKinds() {
    return List.copyOf(new TreeSet<>(maskKinds));
  }
}
