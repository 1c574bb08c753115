package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.bench.Args;
import dev.masksearch.qa.data.SceneRenderer;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.RestClient;

/**
 * Creates the sample index on a running node and fills it with the synthetic dataset: per image its
 * label, prediction and regime, the object box, the model's saliency map and a human-attention map,
 * the picture itself (a 224 x 224 JPEG, about 7 KB) with its background and number of distractor
 * objects, through {@code _bulk} with the directory loader's pieces ({@link IndexClient}, {@link
 * BulkBatcher}, {@link Progress}). Usage: {@code SampleLoader [--url http://localhost:9200]
 * [--index images] [--count 5000]}.
 *
 * <p>The index derives {@code _source} from the fields instead of storing it. OpenSearch 3.8
 * derives a {@code binary} field only from its stored value: without {@code "store": true} (with or
 * without doc values) index creation fails with "Unable to derive source for [image] with store
 * disabled". So {@code image} is stored, once (no {@code _source} copy), and {@code _source.image}
 * comes back as the same base64 JPEG bytes as indexed (checked on a 3.8.0 node).
 */
public final class SampleLoader {
  /** The sample index's settings and mapping (also the browser test's index). */
  public static final String MAPPING =
      """
      {"settings": {"index.codec": "masksearch", "index.derived_source.enabled": true,
                    "number_of_shards": 2, "number_of_replicas": 0},
       "mappings": {"properties": {
         "saliency": {"type": "mask", "index_box_counts": ["bbox"]},
         "human": {"type": "mask", "index_box_counts": ["bbox"]}, "bbox": {"type": "mask_roi"},
         "label": {"type": "keyword"}, "predicted": {"type": "keyword"}, "regime": {"type": "keyword"},
         "caption": {"type": "text"}, "image": {"type": "binary", "store": true},
         "background": {"type": "keyword"}, "distractors": {"type": "integer"}}}}""";

  private static final int BATCH = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  private SampleLoader() {}

  public static void main(String[] args) throws Exception {
    Args options = Args.parse(args, Set.of("--url", "--index", "--count"), Set.of(), 0);
    String url = options.string("--url", "http://localhost:9200");
    String index = options.string("--index", "images");
    int count = options.integer("--count", 5_000);
    try (RestClient client = RestClient.builder(HttpHost.create(url)).build()) {
      load(new IndexClient(client), index, count, BATCH, Progress.bar(System.out));
    }
    System.out.printf(Locale.ROOT, "index [%s] ready: %,d images%n", index, count);
  }

  /**
   * Replaces {@code index} with the first {@code count} images of the sample dataset (seed 42),
   * {@code batch} documents a {@code _bulk}; a document the node rejects stops the load with an
   * {@link IOException}.
   */
  static void load(IndexClient client, String index, int count, int batch, Progress progress)
      throws IOException {
    client.deleteIfExists(index);
    client.create(index, MAPPING);
    SyntheticDataset data = new SyntheticDataset(42);
    int[] indexed = {0}; // documents the node accepted, counted by the batcher's sink
    BulkBatcher batcher =
        new BulkBatcher(
            batch,
            BulkBatcher.MAX_REQUEST_BYTES,
            sent -> {
              JsonNode response = client.bulkResponse(index, sent.body());
              if (response.path("errors").asBoolean()) {
                throw new IOException(bulkFailure(response));
              }
              indexed[0] += sent.ids().size();
            });
    for (int i = 0; i < count; i++) {
      SyntheticImage image = data.image(i);
      batcher.add(
          new DocumentBuilder.Document(
              Integer.toString(image.id()),
              JSON.writeValueAsBytes(document(image, data.render(image)))));
      progress.update(i + 1, count, new Progress.Counts(indexed[0], 0, 0, 0));
    }
    batcher.flush();
    client.refresh(index);
    progress.finish(count, count, new Progress.Counts(indexed[0], 0, 0, 0));
  }

  /**
   * What a {@code _bulk} response with errors says: how many documents failed and the first one's
   * reason, or, if no item carries an error, the start of the response (however short it is).
   */
  static String bulkFailure(JsonNode response) {
    List<IndexClient.ItemFailure> failures = IndexClient.failures(response);
    if (failures.isEmpty()) {
      String body = response.toString();
      return "bulk failed: " + (body.length() > 500 ? body.substring(0, 500) + "..." : body);
    }
    return String.format(
        Locale.ROOT,
        "bulk failed for %d document(s), the first: %s",
        failures.size(),
        failures.get(0));
  }

  /**
   * The sample document of one synthetic image: label, prediction, regime, caption, box, both masks
   * (raw uint8, canonical form), the picture as a base64 JPEG, its background and distractors.
   */
  public static Map<String, Object> document(SyntheticImage image, SceneRenderer.Scene scene) {
    Roi box = image.box();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("label", image.label());
    doc.put("predicted", image.predicted());
    doc.put("regime", image.regime());
    doc.put("caption", "a " + image.label() + " predicted as " + image.predicted());
    doc.put("bbox", List.of(box.x1(), box.y1(), box.x2(), box.y2()));
    doc.put("saliency", DocumentBuilder.rawMask(image.saliency()));
    doc.put("human", DocumentBuilder.rawMask(image.human()));
    doc.put("image", Base64.getEncoder().encodeToString(SceneRenderer.jpeg(scene.image())));
    doc.put("background", scene.background());
    doc.put("distractors", scene.distractors());
    return doc;
  }
}
