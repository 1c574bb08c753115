package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A data directory as {@link DirectoryLoader} reads it: {@code index.csv} (one row per image),
 * {@code images/<id>.*} and {@code masks/<kind>/<id>.png|.npy}. Reads the whole CSV up front,
 * because the type of an extra column (long, double or keyword) depends on all of its values; rows
 * are small next to their masks.
 */
public final class Dataset {
  /** Columns with a fixed meaning; every other column becomes a field of its own. */
  static final Set<String> KNOWN_COLUMNS =
      Set.of(
          "id", "source", "width", "height", "bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2", "masks",
          "license");

  /** Fields the loader fills itself, so no column or mask kind may take their names. */
  static final Set<String> RESERVED_FIELDS = Set.of("bbox", "image");

  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]*");

  /** One CSV row with its 1-based line number, for messages. */
  public record Row(int line, Map<String, String> values) {
    String get(String column) {
      String v = values.get(column);
      return v == null ? "" : v.strip();
    }
  }

  /** The mapping type of an extra column. */
  enum ColumnType {
    LONG("long"),
    DOUBLE("double"),
    KEYWORD("keyword");

    final String mappingType;

    ColumnType(String mappingType) {
      this.mappingType = mappingType;
    }
  }

  private final Path dir;
  private final List<String> columns;
  private final List<Row> rows;
  private final List<String> problems;
  private final Set<String> kinds;
  private final Map<String, ColumnType> extraColumns;

  private Dataset(
      Path dir, List<String> columns, List<Row> rows, List<String> problems, Set<String> kinds) {
    this.dir = dir;
    this.columns = columns;
    this.rows = rows;
    this.problems = problems;
    this.kinds = kinds;
    this.extraColumns = new LinkedHashMap<>();
    for (String column : columns) {
      if (!KNOWN_COLUMNS.contains(column)) {
        extraColumns.put(column, inferType(column));
      }
    }
  }

  /**
   * Reads {@code dir/index.csv} and lists the mask kinds (the directories under {@code masks/}).
   * Throws an {@link IllegalArgumentException} for a directory that cannot be loaded at all (no
   * CSV, no {@code id} or {@code masks} column, a column or kind whose name cannot be a field);
   * rows with the wrong number of cells are kept out and listed in {@link #problems()}.
   */
  public static Dataset read(Path dir) throws IOException {
    Path csv = dir.resolve("index.csv");
    if (!Files.isRegularFile(csv)) {
      throw new IllegalArgumentException(csv + ": not found; a data directory needs an index.csv");
    }
    List<String> columns = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    try (MappingIterator<String[]> it = mapper.readerFor(String[].class).readValues(csv.toFile())) {
      if (!it.hasNext()) {
        throw new IllegalArgumentException(csv + ": empty; the first line must name the columns");
      }
      for (String c : it.next()) {
        columns.add(c.strip());
      }
      while (it.hasNext()) {
        String[] cells = it.next();
        int line =
            it.getCurrentLocation().getLineNr()
                - 1; // the parser is already past the row's line break
        if (cells.length == 1 && cells[0].isBlank()) {
          continue; // blank line
        }
        if (cells.length != columns.size()) {
          problems.add(
              "index.csv line "
                  + line
                  + ": "
                  + cells.length
                  + " cells, but the header has "
                  + columns.size()
                  + " columns");
          continue;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < cells.length; i++) {
          values.put(columns.get(i), cells[i]);
        }
        rows.add(new Row(line, values));
      }
    } catch (RuntimeException e) {
      if (e.getCause() instanceof IOException io) {
        throw new IOException(csv + ": " + io.getMessage(), io);
      }
      throw e;
    }
    for (String required : List.of("id", "masks")) {
      if (!columns.contains(required)) {
        throw new IllegalArgumentException(
            csv + ": no '" + required + "' column (columns: " + columns + ")");
      }
    }
    Set<String> kinds = new TreeSet<>();
    Path masks = dir.resolve("masks");
    if (Files.isDirectory(masks)) {
      try (Stream<Path> entries = Files.list(masks)) {
        entries.filter(Files::isDirectory).forEach(p -> kinds.add(p.getFileName().toString()));
      }
    }
    for (String kind : kinds) {
      checkFieldName("mask kind masks/" + kind + "/", kind);
      if (columns.contains(kind)) {
        throw new IllegalArgumentException(
            "mask kind masks/" + kind + "/ has the name of a column of index.csv");
      }
    }
    for (String column : columns) {
      if (!KNOWN_COLUMNS.contains(column)) {
        checkFieldName("index.csv column '" + column + "'", column);
      }
    }
    return new Dataset(dir, List.copyOf(columns), rows, problems, kinds);
  }

  private static void checkFieldName(String what, String name) {
    if (!FIELD_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + ": '" + name + "' cannot be a field name (letters, digits, '_' and '-' only)");
    }
    if (RESERVED_FIELDS.contains(name)) {
      throw new IllegalArgumentException(
          what + ": '" + name + "' is a field the loader fills itself");
    }
  }

  private ColumnType inferType(String column) {
    boolean allLong = true;
    boolean allDouble = true;
    boolean any = false;
    for (Row row : rows) {
      String v = row.get(column);
      if (v.isEmpty()) {
        continue;
      }
      any = true;
      allLong &= parseLong(v) != null;
      allDouble &= parseDouble(v) != null;
    }
    return !any
        ? ColumnType.KEYWORD
        : allLong ? ColumnType.LONG : allDouble ? ColumnType.DOUBLE : ColumnType.KEYWORD;
  }

  static Long parseLong(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Double parseDouble(String v) {
    try {
      double d = Double.parseDouble(v);
      // "NaN", "Infinity" and Java's "1f" / "0x1p3" forms are text, not numbers, in a CSV
      return Double.isFinite(d) && v.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?") ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The body of {@code PUT /<index>}: the masksearch codec, derived source, and one field per
   * column and kind.
   */
  public Map<String, Object> indexBody(int shards, int replicas) {
    Map<String, Object> properties = new LinkedHashMap<>();
    for (String keyword : List.of("id", "source", "license")) {
      if (columns.contains(keyword)) {
        properties.put(keyword, Map.of("type", "keyword"));
      }
    }
    for (String integer : List.of("width", "height")) {
      if (columns.contains(integer)) {
        properties.put(integer, Map.of("type", "integer"));
      }
    }
    boolean boxes = columns.containsAll(List.of("bbox_x1", "bbox_y1", "bbox_x2", "bbox_y2"));
    if (boxes) {
      properties.put("bbox", Map.of("type", "mask_roi"));
    }
    for (String kind : kinds) { // with each mask's pixels per bin in the box, when there is one
      properties.put(
          kind,
          boxes
              ? Map.of("type", "mask", "index_box_counts", List.of("bbox"))
              : Map.of("type", "mask"));
    }
    if (hasImages()) {
      // Stored, so that derived source (which keeps no _source copy) can return it; binary has no
      // doc values.
      properties.put("image", Map.of("type", "binary", "store", true));
    }
    extraColumns.forEach(
        (column, type) -> properties.put(column, Map.of("type", type.mappingType)));
    return Map.of(
        "settings",
            Map.of(
                "index.codec",
                "masksearch",
                "index.derived_source.enabled",
                true,
                "number_of_shards",
                shards,
                "number_of_replicas",
                replicas),
        "mappings", Map.of("properties", properties));
  }

  public Path dir() {
    return dir;
  }

  public List<String> columns() {
    return columns;
  }

  /** The rows with the right number of cells, in file order. */
  public List<Row> rows() {
    return rows;
  }

  /** Rows that could not be read, as messages naming the line. */
  public List<String> problems() {
    return problems;
  }

  /** The mask kinds: the directory names under {@code masks/}. */
  public Set<String> kinds() {
    return kinds;
  }

  /** The columns beyond the known ones, with the type each becomes. */
  Map<String, ColumnType> extraColumns() {
    return extraColumns;
  }

  /**
   * Whether the directory has an {@code images/} folder, so that every document gets an {@code
   * image}.
   */
  public boolean hasImages() {
    return Files.isDirectory(dir.resolve("images"));
  }
}
