package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Roi;
import dev.masksearch.qa.cluster.Rest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random documents for the acceptance suites, and the index they go into. Masks are smooth maps (a
 * few Gaussian blobs plus noise) of random size from 1x1 up, quantized to a random grid of levels
 * (0.05 steps land on bin edges), sometimes all equal; each in a random {@link Encoding}. Boxes may
 * lie past the mask's edge or be empty.
 */
final class Corpus {
  static final List<String> LABELS = List.of("cat", "dog", "bird", "car");
  static final List<String> MASK_FIELDS = List.of("saliency", "human");

  /**
   * Two mask fields: one with non-default CHI parameters, one with the defaults. {@code rev} is the
   * revision of a document that suites update in place ({@link DocHistory}).
   */
  static final String MAPPING =
      """
      {"properties": {
        "doc_id": {"type": "keyword"}, "label": {"type": "keyword"}, "caption": {"type": "text"},
        "rank": {"type": "integer"}, "rev": {"type": "integer"}, "bbox": {"type": "mask_roi"},
        "saliency": {"type": "mask", "grid_step": 16, "bins": 10}, "human": {"type": "mask"}}}""";

  private Corpus() {}

  /** Creates {@code index} with the masksearch codec and derived source. */
  static void createIndex(Rest rest, String index, int shards, int replicas) {
    rest.ok(
        "PUT",
        "/" + index,
        "{\"settings\": {\"index.codec\": \"masksearch\", \"index.derived_source.enabled\": true,"
            + " \"number_of_shards\": "
            + shards
            + ", \"number_of_replicas\": "
            + replicas
            + "}, \"mappings\": "
            + MAPPING
            + "}");
  }

  static List<QaDoc> generate(Random random, String idPrefix, int count, int maxSide) {
    List<QaDoc> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      docs.add(document(random, idPrefix + i, maxSide));
    }
    return docs;
  }

  static QaDoc document(Random random, String id, int maxSide) {
    int height = side(random, maxSide);
    int width = side(random, maxSide);
    Map<String, Encoding.Encoded> masks = new LinkedHashMap<>();
    masks.put("saliency", encoding(random).encode(height, width, levels(random, height, width)));
    if (random.nextInt(10) > 0) {
      masks.put("human", encoding(random).encode(height, width, levels(random, height, width)));
    }
    Roi box = random.nextInt(10) > 0 ? box(random, width, height) : null;
    String label = LABELS.get(random.nextInt(LABELS.size()));
    String caption = "a " + label + (random.nextBoolean() ? " outdoors" : " indoors");
    return QaDoc.of(id, label, caption, random.nextInt(100), box, masks);
  }

  static Encoding encoding(Random random) {
    return Encoding.values()[random.nextInt(Encoding.values().length)];
  }

  static int side(Random random, int maxSide) {
    return switch (random.nextInt(20)) {
      case 0 -> 1;
      case 1 -> 1 + random.nextInt(4);
      default -> 1 + random.nextInt(maxSide);
    };
  }

  /** A box mostly inside the mask; sometimes past its edge, one pixel, or empty. */
  static Roi box(Random random, int width, int height) {
    int x1 = random.nextInt(width + 10) - 5;
    int y1 = random.nextInt(height + 10) - 5;
    return switch (random.nextInt(10)) {
      case 0 -> new Roi(x1, y1, x1 + 1, y1 + 1);
      case 1 -> new Roi(x1, y1, x1, y1 + 5);
      default ->
          new Roi(x1, y1, x1 + 1 + random.nextInt(width + 5), y1 + 1 + random.nextInt(height + 5));
    };
  }

  /** Row-major levels in [0, 1]: blobs and noise, quantized; sometimes one value everywhere. */
  static double[] levels(Random random, int height, int width) {
    double[] levels = new double[height * width];
    if (random.nextInt(20) == 0) {
      java.util.Arrays.fill(levels, random.nextInt(21) / 20.0);
      return levels;
    }
    int blobs = 1 + random.nextInt(3);
    double[][] blob = new double[blobs][];
    for (int b = 0; b < blobs; b++) {
      blob[b] =
          new double[] {
            random.nextDouble() * width,
            random.nextDouble() * height,
            1 + random.nextDouble() * width / 3.0,
            1 + random.nextDouble() * height / 3.0,
            0.3 + 0.7 * random.nextDouble()
          };
    }
    double noise = random.nextDouble() * 0.15;
    int steps =
        switch (random.nextInt(3)) {
          case 0 -> 20;
          case 1 -> 255;
          default -> 0; // continuous
        };
    double max = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = noise * random.nextDouble();
        for (double[] g : blob) {
          double dx = (x - g[0]) / g[2];
          double dy = (y - g[1]) / g[3];
          v += g[4] * Math.exp(-0.5 * (dx * dx + dy * dy));
        }
        levels[y * width + x] = v;
        max = Math.max(max, v);
      }
    }
    boolean peakIsOne = random.nextBoolean();
    for (int i = 0; i < levels.length; i++) {
      double v = peakIsOne ? levels[i] / max : Math.min(1, levels[i]);
      levels[i] = steps == 0 ? v : Math.round(v * steps) / (double) steps;
    }
    return levels;
  }

  /**
   * Indexes the documents through {@code _bulk} (ids = doc ids), in batches; fails on any item
   * error.
   */
  static void index(Rest rest, String index, List<QaDoc> docs) {
    for (int from = 0; from < docs.size(); from += 100) {
      StringBuilder bulk = new StringBuilder();
      for (QaDoc doc : docs.subList(from, Math.min(docs.size(), from + 100))) {
        bulk.append("{\"index\": {\"_id\": \"")
            .append(doc.id())
            .append("\"}}\n")
            .append(Rest.toJson(doc.json()))
            .append('\n');
      }
      var response = rest.ok("POST", "/" + index + "/_bulk", bulk.toString());
      if (response.path("errors").asBoolean()) {
        throw new AssertionError("bulk item failed: " + response);
      }
    }
    rest.ok("POST", "/" + index + "/_refresh", null);
  }
}
