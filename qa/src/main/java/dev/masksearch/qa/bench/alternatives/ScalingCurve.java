package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.qa.bench.Args;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The scaling curve of issue 15: each system's latency against the masks in the index, one small
 * log-log panel per workload (warm solid, cold dashed), drawn as SVG from the CSV files that {@code
 * bin/bench alternatives --only workloads --csv F} writes at each scale. Their {@code cold_ms} is a
 * median of cold runs from run k of 4 December on, a single cold run in the files before.
 *
 * <p>Usage: {@code bin/bench curve --out docs/scaling/scaling.svg a.csv b.csv ...}
 */
public final class ScalingCurve {
  /** The CSV header {@link AlternativesReport#csv} writes and this reads. */
  static final String HEADER = "images,workload,system,warm_ms,cold_ms,masks_read,load";

  private static final int COLUMNS = 3;
  private static final int PANEL_WIDTH = 300;
  private static final int PANEL_HEIGHT = 200;
  private static final int MARGIN = 50;
  private static final int TOP = 70;
  private static final Map<String, String> COLOURS =
      Map.of(
          "PLUGIN", "#1f77b4",
          "PAINLESS", "#ff7f0e",
          "BRUTE_FORCE", "#2ca02c",
          "POSTGIS", "#7f7f7f");

  private ScalingCurve() {}

  /** One system's latencies at one scale. */
  record Point(long masks, double warm, double cold) {}

  public static void main(String[] args) throws IOException {
    Args options = Args.parse(args, Set.of("--out"), Set.of(), Integer.MAX_VALUE);
    String out = options.string("--out", null);
    List<Path> inputs = options.positional().stream().map(Path::of).toList();
    if (out == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("usage: ScalingCurve --out F.svg a.csv [b.csv ...]");
    }
    Map<String, Map<String, TreeMap<Long, Point>>> curves = new LinkedHashMap<>();
    for (Path input : inputs) {
      read(input, curves);
    }
    Files.writeString(Path.of(out), svg(curves));
    System.err.println("wrote " + out + ": " + curves.size() + " workloads");
  }

  /** Adds a CSV file's points: workload -> system -> masks -> point. */
  static void read(Path csv, Map<String, Map<String, TreeMap<Long, Point>>> curves)
      throws IOException {
    List<String> lines = Files.readAllLines(csv);
    if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
      throw new IOException(csv + ": not a benchmark CSV (header " + HEADER + ")");
    }
    for (String line : lines.subList(1, lines.size())) {
      List<String> f = fields(line);
      long masks = 2 * Long.parseLong(f.get(0)); // two masks an image
      double warm = millis(f.get(3));
      double cold = millis(f.get(4));
      if (Double.isNaN(warm)) {
        continue; // the system did not run the workload
      }
      Point previous =
          curves
              .computeIfAbsent(f.get(1), w -> new LinkedHashMap<>())
              .computeIfAbsent(f.get(2), s -> new TreeMap<>())
              .put(masks, new Point(masks, warm, cold));
      if (previous != null) { // two runs at one scale: one would silently hide the other
        throw new IOException(
            csv + ": a second point for " + f.get(1) + ", " + f.get(2) + " at " + masks + " masks");
      }
    }
  }

  private static double millis(String field) {
    if (field.isEmpty()) {
      return Double.NaN;
    }
    return field.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(field);
  }

  /** The fields of a CSV line; a quoted field may hold commas and doubled quotes. */
  static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
        field.append('"');
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  static String svg(Map<String, Map<String, TreeMap<Long, Point>>> curves) {
    int rows = Math.ceilDiv(curves.size(), COLUMNS);
    int width = COLUMNS * (PANEL_WIDTH + MARGIN) + MARGIN;
    int height = TOP + rows * (PANEL_HEIGHT + MARGIN + 20);
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"
                + "<text x=\"%d\" y=\"20\" font-size=\"14\">Latency (ms, log) against masks in the"
                + " index (log): warm solid, cold dashed</text>%n",
            width,
            height,
            MARGIN));
    int x = MARGIN;
    for (SystemKind system : SystemKind.values()) { // the legend, in report order
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"40\" x2=\"%d\" y2=\"40\" stroke=\"%s\" stroke-width=\"2\"/>"
                  + "<text x=\"%d\" y=\"44\">%s</text>%n",
              x,
              x + 20,
              COLOURS.get(system.name()),
              x + 25,
              system.title));
      x += 220;
    }
    int panel = 0;
    for (Map.Entry<String, Map<String, TreeMap<Long, Point>>> workload : curves.entrySet()) {
      int left = MARGIN + (panel % COLUMNS) * (PANEL_WIDTH + MARGIN);
      int top = TOP + (panel / COLUMNS) * (PANEL_HEIGHT + MARGIN + 20);
      panel(svg, workload.getKey(), workload.getValue(), left, top);
      panel++;
    }
    return svg.append("</svg>\n").toString();
  }

  /** One workload's panel: decade grid lines, then one warm and one cold line per system. */
  private static void panel(
      StringBuilder svg,
      String title,
      Map<String, TreeMap<Long, Point>> systems,
      int left,
      int top) {
    double minX = Double.MAX_VALUE;
    double maxX = 0;
    double minY = Double.MAX_VALUE;
    double maxY = 0;
    for (TreeMap<Long, Point> points : systems.values()) {
      for (Point p : points.values()) {
        minX = Math.min(minX, p.masks());
        maxX = Math.max(maxX, p.masks());
        for (double ms : new double[] {p.warm(), p.cold()}) {
          if (Double.isFinite(ms) && ms > 0) {
            minY = Math.min(minY, ms);
            maxY = Math.max(maxY, ms);
          }
        }
      }
    }
    double x0 = Math.log10(minX) - 0.1;
    double x1 = Math.log10(maxX) + 0.1;
    double y0 = Math.floor(Math.log10(minY));
    double y1 = Math.ceil(Math.log10(maxY));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n"
                + "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            left,
            top - 6,
            escape(title),
            left,
            top,
            PANEL_WIDTH,
            PANEL_HEIGHT));
    for (int decade = (int) y0; decade <= (int) y1; decade++) {
      double y = top + PANEL_HEIGHT * (1 - (decade - y0) / Math.max(1e-9, y1 - y0));
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
              left,
              y,
              left + PANEL_WIDTH,
              y,
              left - 4,
              y + 4,
              decade >= 0
                  ? String.format(Locale.ROOT, "%,d", (long) Math.pow(10, decade))
                  : String.valueOf(Math.pow(10, decade))));
    }
    for (Map.Entry<String, TreeMap<Long, Point>> system : systems.entrySet()) {
      for (boolean warm : new boolean[] {true, false}) {
        StringBuilder path = new StringBuilder();
        for (Point p : system.getValue().values()) {
          double ms = warm ? p.warm() : p.cold();
          if (!Double.isFinite(ms) || ms <= 0) {
            continue;
          }
          double px = left + PANEL_WIDTH * (Math.log10(p.masks()) - x0) / (x1 - x0);
          double py = top + PANEL_HEIGHT * (1 - (Math.log10(ms) - y0) / Math.max(1e-9, y1 - y0));
          path.append(path.isEmpty() ? "M" : " L")
              .append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
          if (warm) {
            svg.append(
                String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                    px,
                    py,
                    COLOURS.get(system.getKey())));
          }
        }
        svg.append(
            String.format(
                Locale.ROOT,
                "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s/>%n",
                path,
                COLOURS.get(system.getKey()),
                warm ? "" : " stroke-dasharray=\"4 3\""));
      }
    }
    TreeMap<Long, Point> any = systems.values().iterator().next();
    for (long masks : any.keySet()) {
      double px = left + PANEL_WIDTH * (Math.log10(masks) - x0) / (x1 - x0);
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%,d</text>%n",
              px,
              top + PANEL_HEIGHT + 14,
              masks));
    }
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
