package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.NpyMasks;
import dev.masksearch.mask.PngMasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one row of a {@link Dataset} into the JSON source of its document, reading and decoding its
 * mask files.
 *
 * <p>Every mask is decoded here, before anything is sent, so that a bad file is reported by its
 * path ({@code masks/isnet/foo.png: corrupt PNG: ...}) and only its document is skipped. A PNG is
 * then sent as the plugin's {@code png} encoding byte for byte; a {@code .npy} file as raw data of
 * the decoded mask. All problems of a row are collected, so one run reports every bad file at once.
 */
public final class DocumentBuilder {
  private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".webp");

  /** A document ready for {@code _bulk}. */
  public record Document(String id, byte[] source) {}

  /** The row cannot become a document; {@link #problems()} names each file or cell at fault. */
  /**
   * A mask as the raw form of a {@code mask} field's value: {@code shape}, {@code dtype}, base64
   * {@code data}.
   */
  public static Map<String, Object> rawMask(Mask mask) {
    return Map.of(
        "shape",
        List.of(mask.height(), mask.width()),
        "dtype",
        mask.dtype().apiName(),
        "data",
        Base64.getEncoder().encodeToString(mask.rawBytes()));
  }

  public static final class RowException extends Exception {
    private final String id;
    private final List<String> problems;

    RowException(String id, List<String> problems) {
      super(String.join("; ", problems));
      this.id = id;
      this.problems = List.copyOf(problems);
    }

    /** The row's id, or the empty string when the row has none. */
    public String id() {
      return id;
    }

    public List<String> problems() {
      return problems;
    }
  }

  private final Dataset dataset;
  private final ObjectMapper json = new ObjectMapper();
  private final Base64.Encoder base64 = Base64.getEncoder();

  public DocumentBuilder(Dataset dataset) {
    this.dataset = dataset;
  }

  /** The row's document, or a {@link RowException} listing everything wrong with it. */
  public Document build(Dataset.Row row) throws RowException {
    String id = row.get("id");
    List<String> problems = new ArrayList<>();
    if (id.isEmpty()) {
      throw new RowException("", List.of("index.csv line " + row.line() + ": empty id"));
    }
    if (id.contains("/") || id.contains("\\") || id.startsWith(".")) {
      // The id names files; a path in it would read outside the data directory.
      throw new RowException(
          id, List.of("index.csv line " + row.line() + ": id '" + id + "' is not a file name"));
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    for (String keyword : List.of("id", "source", "license")) {
      putIfPresent(doc, keyword, row.get(keyword));
    }
    Integer width = integer(row, "width", problems);
    Integer height = integer(row, "height", problems);
    putIfPresent(doc, "width", width);
    putIfPresent(doc, "height", height);
    bbox(row, doc, problems);
    for (String kind : kinds(row, problems)) {
      Object mask = mask(id, kind, width, height, problems);
      putIfPresent(doc, kind, mask);
    }
    if (dataset.hasImages()) {
      putIfPresent(doc, "image", image(id, problems));
    }
    dataset
        .extraColumns()
        .forEach(
            (column, type) -> {
              String v = row.get(column);
              if (!v.isEmpty()) {
                doc.put(
                    column,
                    switch (type) {
                      case LONG -> Dataset.parseLong(v);
                      case DOUBLE -> Dataset.parseDouble(v);
                      case KEYWORD -> v;
                    });
              }
            });
    if (!problems.isEmpty()) {
      throw new RowException(id, problems);
    }
    try {
      return new Document(id, json.writeValueAsBytes(doc));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot write JSON for " + id, e); // plain maps and strings always serialize
    }
  }

  private static void putIfPresent(Map<String, Object> doc, String field, Object value) {
    if (value != null && !"".equals(value)) {
      doc.put(field, value);
    }
  }

  private static Integer integer(Dataset.Row row, String column, List<String> problems) {
    String v = row.get(column);
    if (v.isEmpty()) {
      return null;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      problems.add(
          "index.csv line " + row.line() + ": " + column + " '" + v + "' is not an integer");
      return null;
    }
  }

  /**
   * All four corners, or none: a row without a main object has an empty box and gets no {@code
   * bbox}.
   */
  private static void bbox(Dataset.Row row, Map<String, Object> doc, List<String> problems) {
    List<String> names = List.of("bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2");
    List<Integer> box = new ArrayList<>();
    int empty = 0;
    for (String name : names) {
      String v = row.get(name);
      if (v.isEmpty()) {
        empty++;
        continue;
      }
      try {
        box.add(Integer.parseInt(v));
      } catch (NumberFormatException e) {
        problems.add(
            "index.csv line " + row.line() + ": " + name + " '" + v + "' is not an integer");
        return;
      }
    }
    if (empty == 0) {
      doc.put("bbox", box);
    } else if (empty != names.size()) {
      problems.add(
          "index.csv line "
              + row.line()
              + ": the box has "
              + (names.size() - empty)
              + " of 4 corners; give all four or none");
    }
  }

  private List<String> kinds(Dataset.Row row, List<String> problems) {
    List<String> kinds = new ArrayList<>();
    for (String kind : row.get("masks").split("\\|")) {
      kind = kind.strip();
      if (kind.isEmpty() || kinds.contains(kind)) {
        continue;
      }
      if (!dataset.kinds().contains(kind)) {
        problems.add(
            "masks/"
                + kind
                + "/: no such directory (index.csv line "
                + row.line()
                + " lists the kind '"
                + kind
                + "')");
        continue;
      }
      kinds.add(kind);
    }
    return kinds;
  }

  /** The mask's JSON value, or null after adding a problem naming the file. */
  private Object mask(
      String id, String kind, Integer width, Integer height, List<String> problems) {
    return maskFile(
        dataset.dir().resolve("masks").resolve(kind),
        "masks/" + kind + "/",
        id,
        width,
        height,
        problems,
        true);
  }

  /**
   * The JSON value of the mask {@code <name>.png} or {@code <name>.npy} in {@code dir} (a PNG byte
   * for byte, an array as raw data), checked to decode and to have the width and height given
   * (unless null); else null after adding a problem that names the file as {@code prefix + name}.
   * Without either file: a problem if {@code required}, else just null.
   */
  static Object maskFile(
      Path dir,
      String prefix,
      String id,
      Integer width,
      Integer height,
      List<String> problems,
      boolean required) {
    Path png = dir.resolve(id + ".png");
    Path npy = dir.resolve(id + ".npy");
    String pngName = prefix + id + ".png";
    String npyName = prefix + id + ".npy";
    boolean hasPng = Files.isRegularFile(png);
    boolean hasNpy = Files.isRegularFile(npy);
    if (!hasPng && !hasNpy && !required) {
      return null;
    }
    if (hasPng == hasNpy) {
      problems.add(
          hasPng
              ? pngName + ": there is also " + npyName + "; keep one"
              : pngName + ": missing (and no " + id + ".npy either)");
      return null;
    }
    String name = hasPng ? pngName : npyName;
    try {
      byte[] bytes = Files.readAllBytes(hasPng ? png : npy);
      Mask mask = hasPng ? PngMasks.decode(bytes) : NpyMasks.decode(bytes);
      if ((width != null && mask.width() != width) || (height != null && mask.height() != height)) {
        problems.add(
            name
                + ": the mask is "
                + mask.width()
                + " x "
                + mask.height()
                + " pixels but the row says "
                + width
                + " x "
                + height
                + " (width x height)");
        return null;
      }
      if (hasPng) {
        return Map.of("png", Base64.getEncoder().encodeToString(bytes));
      }
      return rawMask(mask);
    } catch (MaskFormatException e) {
      problems.add(name + ": " + e.getMessage());
    } catch (IOException e) {
      problems.add(name + ": cannot read: " + e);
    }
    return null;
  }

  /** The image file's bytes as base64, or null after adding a problem. */
  private String image(String id, List<String> problems) {
    for (String extension : IMAGE_EXTENSIONS) {
      Path file = dataset.dir().resolve("images").resolve(id + extension);
      if (Files.isRegularFile(file)) {
        try {
          return base64.encodeToString(Files.readAllBytes(file));
        } catch (IOException e) {
          problems.add("images/" + id + extension + ": cannot read: " + e);
          return null;
        }
      }
    }
    problems.add(
        "images/"
            + id
            + ".png: missing (no "
            + String.join(", ", IMAGE_EXTENSIONS)
            + " file for this id)");
    return null;
  }
}
