package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.bench.Args;
import dev.masksearch.qa.data.SceneRenderer;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Creates the sample index on a running node and fills it with the synthetic dataset: per image its label,
 * prediction and regime, the object box, the model's saliency map and a human-attention map, the picture itself
 * (a 224 x 224 JPEG, about 7 KB) with its background and number of distractor objects, through {@code _bulk}.
 * Usage: {@code SampleLoader [--url http://localhost:9200] [--index images] [--count 5000]}.
 *
 * <p>The index derives {@code _source} from the fields instead of storing it. OpenSearch 3.8 derives a
 * {@code binary} field only from its stored value: without {@code "store": true} (with or without doc values) index
 * creation fails with "Unable to derive source for [image] with store disabled". So {@code image} is stored, once
 * (no {@code _source} copy), and {@code _source.image} comes back as the same base64 JPEG bytes as indexed (checked
 * on a 3.8.0 node).
 */
public final class SampleLoader {
  /** The sample index's settings and mapping (also the browser test's index). */
  public static final String MAPPING = """
      {"settings": {"index.codec": "masksearch", "index.derived_source.enabled": true,
                    "number_of_shards": 2, "number_of_replicas": 0},
       "mappings": {"properties": {
         "saliency": {"type": "mask"}, "human": {"type": "mask"}, "bbox": {"type": "mask_roi"},
         "label": {"type": "keyword"}, "predicted": {"type": "keyword"}, "regime": {"type": "keyword"},
         "caption": {"type": "text"}, "image": {"type": "binary", "store": true},
         "background": {"type": "keyword"}, "distractors": {"type": "integer"}}}}""";
  private static final int BATCH = 200;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final String url;

  private SampleLoader(String url) {
    this.url = url;
  }

  public static void main(String[] args) throws Exception {
    String url = Args.stringArg(args, "--url", "http://localhost:9200");
    String index = Args.stringArg(args, "--index", "images");
    int count = Args.intArg(args, "--count", 5_000);
    new SampleLoader(url).load(index, count);
  }

  private void load(String index, int count) throws IOException, InterruptedException {
    send("DELETE", "/" + index, null, true);
    send("PUT", "/" + index, MAPPING, false);
    SyntheticDataset data = new SyntheticDataset(42);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < count; i++) {
      SyntheticImage image = data.image(i);
      bulk.append("{\"index\": {\"_id\": \"").append(image.id()).append("\"}}\n")
          .append(json.writeValueAsString(document(image, data.render(image)))).append('\n');
      if ((i + 1) % BATCH == 0 || i + 1 == count) {
        JsonNode response = json.readTree(send("POST", "/" + index + "/_bulk", bulk.toString(), false));
        if (response.path("errors").asBoolean()) {
          throw new IOException(bulkFailure(response));
        }
        bulk.setLength(0);
        System.out.printf(Locale.ROOT, "\rindexed %,d / %,d images", i + 1, count);
      }
    }
    send("POST", "/" + index + "/_refresh", null, false);
    System.out.printf(Locale.ROOT, "%nindex [%s] ready: %,d images%n", index, count);
  }

  /**
   * What a {@code _bulk} response with errors says: how many documents failed and the first one's reason, or, if no
   * item carries an error, the start of the response (however short it is).
   */
  static String bulkFailure(JsonNode response) {
    List<IndexClient.ItemFailure> failures = IndexClient.failures(response);
    if (failures.isEmpty()) {
      String body = response.toString();
      return "bulk failed: " + (body.length() > 500 ? body.substring(0, 500) + "..." : body);
    }
    return String.format(Locale.ROOT, "bulk failed for %d document(s), the first: %s", failures.size(), failures.get(0));
  }

  /**
   * The sample document of one synthetic image: label, prediction, regime, caption, box, both masks (raw uint8,
   * canonical form), the picture as a base64 JPEG, its background and distractors.
   */
  public static Map<String, Object> document(SyntheticImage image, SceneRenderer.Scene scene) {
    Roi box = image.box();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("label", image.label());
    doc.put("predicted", image.predicted());
    doc.put("regime", image.regime());
    doc.put("caption", "a " + image.label() + " predicted as " + image.predicted());
    doc.put("bbox", List.of(box.x1(), box.y1(), box.x2(), box.y2()));
    doc.put("saliency", raw(image.saliency()));
    doc.put("human", raw(image.human()));
    doc.put("image", Base64.getEncoder().encodeToString(SceneRenderer.jpeg(scene.image())));
    doc.put("background", scene.background());
    doc.put("distractors", scene.distractors());
    return doc;
  }

  private static Map<String, Object> raw(Mask mask) {
    return Map.of("shape", List.of(mask.height(), mask.width()), "dtype", mask.dtype().apiName(),
        "data", Base64.getEncoder().encodeToString(mask.rawBytes()));
  }

  private String send(String method, String path, String body, boolean ignoreErrors)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
        .header("Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (!ignoreErrors && response.statusCode() >= 300) {
      throw new IOException(method + " " + path + " -> " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }
}
