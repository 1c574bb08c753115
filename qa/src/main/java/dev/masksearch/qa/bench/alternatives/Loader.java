package dev.masksearch.qa.bench.alternatives;

import static dev.masksearch.qa.bench.alternatives.Alternatives.PLAIN_INDEX;
import static dev.masksearch.qa.bench.alternatives.Alternatives.PLUGIN_INDEX;
import static dev.masksearch.qa.bench.alternatives.Alternatives.POSTGIS_TABLE;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.Rest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Loads the same images into every system: the plugin's index ({@code mask} fields, the masksearch
 * codec, derived source), the plain index ({@code binary} doc values, the box as four integers),
 * the raw file of the raw scan and PostGIS's table; and measures what each takes ({@link Ingest}).
 */
final class Loader {
  /** The plugin index's codec: masks in best speed. */
  static final String DEFAULT_CODEC = "masksearch";

  /** The same, masks in best compression. */
  static final String BEST_COMPRESSION_CODEC = "masksearch_best_compression";

  /** The index setting that lets Lucene limit the write rate of large merges (dynamic). */
  private static final String AUTO_THROTTLE = "index.merge.scheduler.auto_throttle";

  static final String PLUGIN_MAPPING =
      """
      {"settings": {"index.codec": "masksearch", "index.derived_source.enabled": true, "number_of_shards": 1,
                    "number_of_replicas": 0, "refresh_interval": "-1", "max_result_window": 1000000,
                    "index.compound_format": false, "index.use_compound_file": false, "index.store.type": "mmapfs",
                    "index.queries.cache.enabled": false},
       "mappings": {"properties": {"saliency": {"type": "mask", "index_box_counts": ["bbox"]},
                                   "human": {"type": "mask", "index_box_counts": ["bbox"]},
                                   "bbox": {"type": "mask_roi"}, "cls": {"type": "keyword"}}}}""";

  // Both indices alike: every file memory-mapped (mmapfs; OpenSearch's default hybridfs reads
  // stored fields through NIO, and a filter's 500 to 25,000 hits each read their _id there, about
  // 13 us a hit here, half that mapped: docs/operations.md), and no query cache (the warm-ups
  // repeat
  // each filter more than the five times after which the node caches it: the timed runs would
  // read the cache, not the masks).

  // Without the plugin: masks as binary doc values (doc_values must be asked for), kept out of
  // _source (which
  // would store them a second time as base64), the box as four integers.
  private static final String PLAIN_MAPPING =
      """
      {"settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1",
                    "max_result_window": 1000000, "index.compound_format": false, "index.use_compound_file": false,
                    "index.store.type": "mmapfs", "index.queries.cache.enabled": false},
       "mappings": {"_source": {"excludes": ["saliency", "human"]},
                    "properties": {"saliency": {"type": "binary", "doc_values": true},
                                   "human": {"type": "binary", "doc_values": true},
                                   "w": {"type": "integer"}, "h": {"type": "integer"},
                                   "cls": {"type": "keyword"},
                                   "bx1": {"type": "integer"}, "by1": {"type": "integer"},
                                   "bx2": {"type": "integer"}, "by2": {"type": "integer"}}}}""";

  /** {@link #PLUGIN_MAPPING} with {@code codec} as its {@code index.codec}. */
  static String pluginMapping(String codec) {
    String setting = "\"index.codec\": \"" + DEFAULT_CODEC + "\"";
    if (!PLUGIN_MAPPING.contains(setting)) {
      throw new IllegalStateException("the plugin mapping sets no " + setting);
    }
    return PLUGIN_MAPPING.replace(setting, "\"index.codec\": \"" + codec + "\"");
  }

  private final Rest rest;
  private final String codec;
  private final IntFunction<BenchImage> images;
  private final int count;
  private final RawMasks raw;
  private final PostGis postgis;
  private final IndexFiles files;
  private final Base64.Encoder base64 = Base64.getEncoder();

  /**
   * {@code dataDirectories}: the nodes' {@code path.data}, where the indices' files are measured
   * (may be empty).
   */
  Loader(
      Rest rest,
      IntFunction<BenchImage> images,
      int count,
      RawMasks raw,
      PostGis postgis,
      List<Path> dataDirectories,
      String codec) {
    this.rest = rest;
    this.codec = codec;
    this.files = new IndexFiles(rest, dataDirectories);
    this.images = images;
    this.count = count;
    this.raw = raw;
    this.postgis = postgis;
  }

  /**
   * Generates the images and loads them into both indices (timing each index's {@code _bulk}s), the
   * raw file and PostGIS's table (unless PostGIS is left out); then refreshes and force-merges each
   * index to one segment and measures every store.
   */
  Ingest load(int batch) throws IOException {
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      Rest.Reply deleted = rest.call("DELETE", "/" + index, null);
      if (!deleted.ok() && deleted.status() != 404) {
        throw new IllegalStateException("DELETE " + index + ": " + deleted.body());
      }
    }
    rest.ok("PUT", "/" + PLUGIN_INDEX, pluginMapping(codec));
    rest.ok("PUT", "/" + PLAIN_INDEX, PLAIN_MAPPING);
    long pluginNanos = 0;
    long plainNanos = 0;
    StringBuilder plugin = new StringBuilder();
    StringBuilder plain = new StringBuilder();
    for (int i = 0; i < count; i++) {
      BenchImage image = images.apply(i);
      raw.append(image);
      int[] box = image.box();
      String s = base64.encodeToString(image.saliency());
      String h = base64.encodeToString(image.human());
      String action = action(i);
      plugin
          .append(action)
          .append(pluginDocument(i, s, h, box, image.width(), image.height()))
          .append('\n');
      plain
          .append(action)
          .append("{\"saliency\":\"")
          .append(s)
          .append("\",\"human\":\"")
          .append(h)
          .append("\",\"w\":")
          .append(image.width())
          .append(",\"h\":")
          .append(image.height())
          .append(",\"cls\":\"")
          .append(Query.classOf(i))
          .append('"')
          .append(",\"bx1\":")
          .append(box[0])
          .append(",\"by1\":")
          .append(box[1])
          .append(",\"bx2\":")
          .append(box[2])
          .append(",\"by2\":")
          .append(box[3])
          .append("}\n");
      if ((i + 1) % batch == 0 || i + 1 == count) {
        pluginNanos += bulk(PLUGIN_INDEX, plugin);
        plainNanos += bulk(PLAIN_INDEX, plain);
      }
    }
    raw.map();
    Map<String, Double> perSecond = new LinkedHashMap<>();
    Double postgisSeconds = postgis == null ? null : loadPostGis();
    Map<String, Double> merge = new LinkedHashMap<>();
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      unthrottleMerges(index); // both, so that neither index's merges slow the other's force merge
    }
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      long t0 = System.nanoTime();
      rest.ok("POST", "/" + index + "/_refresh", null);
      long refreshed = System.nanoTime() - t0;
      perSecond.put(
          index,
          count / (((index.equals(PLUGIN_INDEX) ? pluginNanos : plainNanos) + refreshed) / 1e9));
      t0 = System.nanoTime();
      forceMerge(index);
      merge.put(index, (System.nanoTime() - t0) / 1e9);
      JsonNode counted = rest.ok("GET", "/" + index + "/_count", null);
      if (counted.path("count").asInt() != count) {
        throw new AssertionError(
            index + " holds " + counted.path("count") + " documents, not " + count);
      }
    }
    Map<String, Long> byExtension = files.byExtension(PLUGIN_INDEX);
    Map<String, Long> plainByExtension = files.byExtension(PLAIN_INDEX);
    Map<String, Long> store = new LinkedHashMap<>();
    for (String index : List.of(PLUGIN_INDEX, PLAIN_INDEX)) {
      store.put(index, files.storeBytes(index));
    }
    if (postgis != null) {
      perSecond.put(POSTGIS_TABLE, count / postgisSeconds);
      store.put(POSTGIS_TABLE, postgisBytes());
    }
    long compressed = byExtension.getOrDefault("mskr", 0L);
    long chi = byExtension.getOrDefault("mskc", 0L) + byExtension.getOrDefault("mskm", 0L);
    return new Ingest(
        count,
        raw.rawBytes(),
        store,
        compressed,
        chi,
        perSecond,
        merge,
        byExtension,
        plainByExtension);
  }

  /**
   * Indexes the first {@code images} images again, from the raw file, into a new {@code index} with
   * {@code mapping} (the plugin's, with other CHI parameters), {@code batch} a {@code _bulk},
   * force-merged to one segment; returns its files' bytes by extension.
   */
  Map<String, Long> indexPluginCopy(String index, String mapping, int images, int batch)
      throws IOException {
    rest.call("DELETE", "/" + index, null);
    rest.ok("PUT", "/" + index, mapping);
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < images; i++) {
      body.append(action(i)).append(pluginDocument(i)).append('\n');
      if ((i + 1) % batch == 0 || i + 1 == images) {
        bulk(index, body);
      }
    }
    rest.ok("POST", "/" + index + "/_refresh", null);
    unthrottleMerges(index);
    forceMerge(index);
    return files.byExtension(index);
  }

  /**
   * Lets {@code index}'s merges write at full speed. Lucene limits the writes of merges over 50 MB
   * (from 20 MB/s, lower while merges keep up); a force merge is not limited but waits for the
   * merges running, one of which took 300 s on 4.5 s of CPU after a load of 200,000 images. The
   * benchmark's indices take no writes after their load, so it is never turned on again.
   */
  private void unthrottleMerges(String index) {
    rest.ok("PUT", "/" + index + "/_settings", Map.of(AUTO_THROTTLE, false));
  }

  /** Merges {@code index} to one segment; searches (and {@code _segments}) then see that alone. */
  private void forceMerge(String index) {
    rest.ok("POST", "/" + index + "/_forcemerge?max_num_segments=1", null);
    rest.ok("POST", "/" + index + "/_refresh", null);
  }

  private double loadPostGis() throws IOException {
    try {
      return postgis.load(raw);
    } catch (java.sql.SQLException e) {
      throw new IOException("loading PostGIS: " + e.getMessage(), e);
    }
  }

  private long postgisBytes() throws IOException {
    try {
      return postgis.tableBytes();
    } catch (java.sql.SQLException e) {
      throw new IOException(e);
    }
  }

  /**
   * The plugin index's document of image {@code i}: both masks (base64 uint8), the box, the class.
   */
  private static String pluginDocument(
      int i, String saliency, String human, int[] box, int width, int height) {
    return "{\"cls\":\""
        + Query.classOf(i)
        + "\",\"saliency\":"
        + maskJson(saliency, width, height)
        + ",\"human\":"
        + maskJson(human, width, height)
        + ",\"bbox\":["
        + box[0]
        + ","
        + box[1]
        + ","
        + box[2]
        + ","
        + box[3]
        + "]}";
  }

  /** The plugin index's document of image {@code i}, from the raw file. */
  private String pluginDocument(int i) {
    return pluginDocument(
        i, rawBase64(i, 0), rawBase64(i, 1), raw.box(i), raw.width(i), raw.height(i));
  }

  /** Base64 of image {@code i}'s mask {@code plane} (0 saliency, 1 human) from the raw file. */
  private String rawBase64(int i, int plane) {
    byte[] mask = new byte[raw.maxSide() * raw.maxSide()];
    raw.read(i, plane, mask);
    return base64.encodeToString(Arrays.copyOf(mask, raw.width(i) * raw.height(i)));
  }

  private static String maskJson(String data, int width, int height) {
    return "{\"shape\":["
        + height
        + ","
        + width
        + "],\"dtype\":\"uint8\",\"data\":\""
        + data
        + "\"}";
  }

  /** The {@code _bulk} action line that indexes image {@code i} under its number. */
  private static String action(int i) {
    return "{\"index\":{\"_id\":\"" + i + "\"}}\n";
  }

  /** Sends and empties {@code body}; returns the nanoseconds the {@code _bulk} took. */
  private long bulk(String index, StringBuilder body) {
    long t0 = System.nanoTime();
    JsonNode response = rest.ok("POST", "/" + index + "/_bulk", body.toString());
    long nanos = System.nanoTime() - t0;
    if (response.path("errors").asBoolean()) {
      throw new IllegalStateException(
          "_bulk into "
              + index
              + " failed: "
              + response.toString().substring(0, Math.min(1000, response.toString().length())));
    }
    body.setLength(0);
    return nanos;
  }
}
