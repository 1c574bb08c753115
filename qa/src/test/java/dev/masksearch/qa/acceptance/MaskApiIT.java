package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.Rest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.Test;

/**
 * The user-facing API on the real distribution, over HTTP: the mapping, every document encoding
 * (and the derived {@code _source} it comes back as), the cp query composed with text and metadata
 * queries and with {@code _count}, {@code _explain}, {@code _validate} and the profile, update and
 * reindex, and bad input.
 */
public class MaskApiIT extends ClusterTestCase {

  @Test
  public void mappingShowsTheMaskFields() {
    String index = "api-mapping";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 1, 1);
    JsonNode properties =
        ok("GET", "/" + index + "/_mapping", null).path(index).path("mappings").path("properties");
    assertEquals("mask", properties.path("saliency").path("type").asText());
    assertEquals(16, properties.path("saliency").path("grid_step").asInt());
    assertEquals(10, properties.path("saliency").path("bins").asInt());
    assertEquals("mask_roi", properties.path("bbox").path("type").asText());
    Rest.Reply change =
        call(
            "PUT",
            "/" + index + "/_mapping",
            "{\"properties\": {\"saliency\": {\"type\": \"mask\", \"grid_step\": 32, \"bins\": 10}}}");
    assertEquals(change.body().toString(), 400, change.status());
    assertTrue(change.body().toString(), change.body().toString().contains("grid_step"));
    deleteIndex(index);
  }

  /**
   * Each encoding, each mask size class: answers equal brute force and GET returns the same pixels.
   */
  @Test
  public void everyEncodingAnswersExactlyAndComesBack() {
    String index = "api-encodings";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 2, 1);
    List<QaDoc> docs = new ArrayList<>();
    for (Encoding encoding : Encoding.values()) {
      for (int i = 0; i < 8; i++) {
        QaDoc random = Corpus.document(getRandom(), "x", 70);
        Mask shape = random.masks().get("saliency");
        Encoding.Encoded saliency =
            encoding.encode(
                shape.height(),
                shape.width(),
                Corpus.levels(getRandom(), shape.height(), shape.width()));
        docs.add(
            QaDoc.of(
                encoding + "-" + i,
                random.label(),
                random.caption(),
                random.rank(),
                random.box(),
                Map.of("saliency", saliency)));
      }
    }
    Corpus.index(rest(), index, docs);
    new CpChecks(rest(), index, docs, List.of("saliency"), "doc_id").randomized(getRandom(), 8, 70);
    for (QaDoc doc : docs) {
      JsonNode source = ok("GET", "/" + index + "/_doc/" + doc.id(), null).path("_source");
      assertSamePixels(doc.id(), doc.masks().get("saliency"), source.path("saliency"));
      assertEquals(doc.label(), source.path("label").asText());
    }
    deleteIndex(index);
  }

  private static void assertSamePixels(String id, Mask expected, JsonNode canonical) {
    MaskDType dtype = MaskDType.fromApiName(canonical.path("dtype").asText());
    Mask actual =
        Mask.of(
            dtype,
            canonical.path("shape").get(0).asInt(),
            canonical.path("shape").get(1).asInt(),
            Base64.getDecoder().decode(canonical.path("data").asText()));
    assertEquals(id, expected.height(), actual.height());
    assertEquals(id, expected.width(), actual.width());
    for (int y = 0; y < expected.height(); y++) {
      for (int x = 0; x < expected.width(); x++) {
        assertEquals(id + " pixel " + x + "," + y, expected.value(y, x), actual.value(y, x), 0);
      }
    }
  }

  /**
   * cp beside match, term and range in bool, and inside constant_score and function_score; _count,
   * _explain.
   */
  @Test
  public void composesWithTextAndMetadataQueries() {
    String index = "api-compose";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 3, 1);
    List<QaDoc> docs = Corpus.generate(getRandom(), "c", 150, 60);
    Corpus.index(rest(), index, docs);
    CpChecks checks = new CpChecks(rest(), index, docs);
    for (int round = 0; round < 8; round++) {
      CpCase term = checks.telling(getRandom(), 60);
      String op = CpChecks.randomOp(getRandom());
      double threshold = checks.threshold(getRandom(), term);
      String label = Corpus.LABELS.get(getRandom().nextInt(Corpus.LABELS.size()));
      int minRank = getRandom().nextInt(60);
      Set<String> expected = new TreeSet<>();
      for (QaDoc doc : docs) {
        Double value = term.expected(doc);
        if (value != null
            && CpChecks.compare(value, op, threshold)
            && doc.caption().contains("outdoors")
            && !doc.label().equals(label)
            && doc.rank() >= minRank) {
          expected.add(doc.id());
        }
      }
      Map<String, Object> cp = Map.of("cp", term.with(op, threshold));
      Map<String, Object> bool =
          Map.of(
              "bool",
              Map.of(
                  "must", List.of(Map.of("match", Map.of("caption", "outdoors"))),
                  "filter", List.of(cp, Map.of("range", Map.of("rank", Map.of("gte", minRank)))),
                  "must_not", List.of(Map.of("term", Map.of("label", label)))));
      assertEquals(expected, ids(search(index, bool, 1000)));
      assertEquals(
          expected.size(),
          ok("POST", "/" + index + "/_count", Map.of("query", bool)).path("count").asInt());

      // constant_score gives every match the boost; function_score multiplies the scoring form's
      // exact CP.
      JsonNode constant =
          search(index, Map.of("constant_score", Map.of("filter", bool, "boost", 3)), 1000);
      assertEquals(expected, ids(constant));
      constant
          .path("hits")
          .path("hits")
          .forEach(hit -> assertEquals(3.0, hit.path("_score").asDouble(), 0));
      Map<String, Object> weighted =
          Map.of(
              "function_score",
              Map.of(
                  "query",
                  Map.of(
                      "bool",
                      Map.of(
                          "must",
                          List.of(Map.of("cp", term.json())),
                          "filter",
                          List.of(Map.of("term", Map.of("label", label))))),
                  "weight",
                  2));
      JsonNode scored = search(index, weighted, 1000);
      Set<String> labelled = new TreeSet<>();
      docs.stream()
          .filter(d -> d.label().equals(label) && term.expected(d) != null)
          .forEach(d -> labelled.add(d.id()));
      assertEquals(labelled, ids(scored));
      for (JsonNode hit : scored.path("hits").path("hits")) {
        QaDoc doc =
            docs.stream()
                .filter(d -> d.id().equals(hit.path("_id").asText()))
                .findFirst()
                .orElseThrow();
        assertEquals(label, doc.label());
        assertEquals(
            2 * term.expected(doc).floatValue(), (float) hit.path("_score").asDouble(), 1e-6);
      }

      QaDoc probe = docs.get(getRandom().nextInt(docs.size()));
      JsonNode explain = ok("POST", "/" + index + "/_explain/" + probe.id(), Map.of("query", cp));
      Double value = term.expected(probe);
      assertEquals(
          value != null && CpChecks.compare(value, op, threshold),
          explain.path("matched").asBoolean());
    }
    deleteIndex(index);
  }

  /**
   * _validate/query explains a bad cp query; the profile counts what the bounds decided and what
   * was read.
   */
  @Test
  public void validateAndProfile() {
    String index = "api-profile";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 2, 0);
    List<QaDoc> docs = Corpus.generate(getRandom(), "p", 120, 60);
    Corpus.index(rest(), index, docs);
    Map<String, Object> good =
        Map.of("cp", Map.of("field", "saliency", "range", List.of(0.5, 1.01), "gte", 10));
    assertTrue(
        ok("POST", "/" + index + "/_validate/query", Map.of("query", good))
            .path("valid")
            .asBoolean());
    JsonNode invalid =
        ok(
            "POST",
            "/" + index + "/_validate/query?explain=true",
            Map.of(
                "query",
                Map.of("cp", Map.of("field", "label", "range", List.of(0.5, 1.01), "gte", 10))));
    assertFalse(invalid.path("valid").asBoolean());
    assertTrue(invalid.toString(), invalid.toString().contains("not [mask]"));

    JsonNode profile =
        ok(
            "POST",
            "/" + index + "/_search",
            Map.of(
                "profile",
                true,
                "size",
                0,
                "query",
                Map.of("bool", Map.of("filter", List.of(good)))));
    ProfileCounters counters = ProfileCounters.of(profile);
    // Every document has a saliency mask: each is either decided by its bounds or read, exactly
    // once.
    assertEquals(docs.size(), counters.decidedByBounds() + counters.masksRead());
    deleteIndex(index);
  }

  /** _update of other fields keeps the mask; _reindex into a new index answers the same. */
  @Test
  public void updateAndReindexKeepTheMasks() {
    String index = "api-update";
    String copy = "api-update-copy";
    deleteIndex(index);
    deleteIndex(copy);
    Corpus.createIndex(rest(), index, 2, 1);
    Corpus.createIndex(rest(), copy, 3, 0);
    List<QaDoc> docs = new ArrayList<>(Corpus.generate(getRandom(), "u", 80, 50));
    Corpus.index(rest(), index, docs);
    for (int i = 0; i < docs.size(); i += 3) {
      QaDoc doc = docs.get(i);
      ok("POST", "/" + index + "/_update/" + doc.id(), Map.of("doc", Map.of("label", "updated")));
      docs.set(
          i,
          new QaDoc(
              doc.id(), "updated", doc.caption(), doc.rank(), doc.box(), doc.masks(), doc.json()));
    }
    ok("POST", "/" + index + "/_refresh", null);
    new CpChecks(rest(), index, docs).randomized(getRandom(), 4, 50);
    long updated = docs.stream().filter(d -> d.label().equals("updated")).count();
    assertEquals(
        updated,
        ok(
                "POST",
                "/" + index + "/_count",
                Map.of("query", Map.of("term", Map.of("label", "updated"))))
            .path("count")
            .asLong());

    ok(
        "POST",
        "/_reindex?refresh=true",
        Map.of("source", Map.of("index", index), "dest", Map.of("index", copy)));
    new CpChecks(rest(), copy, docs).randomized(getRandom(), 4, 50);
    deleteIndex(index);
    deleteIndex(copy);
  }

  /**
   * Every bad mask or box: a 400 naming the field and the problem; in a bulk only it fails; nothing
   * is lost.
   */
  @Test
  public void badInputIsAClear400AndLosesNothing() {
    String index = "api-bad";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 2, 1);
    List<QaDoc> docs = Corpus.generate(getRandom(), "g", 40, 40);
    Corpus.index(rest(), index, docs);

    Map<String, String> badMasks = new LinkedHashMap<>();
    badMasks.put("{\"shape\": [2, 2], \"dtype\": \"uint8\", \"data\": \"AAEC\"}", "needs 4");
    badMasks.put(
        "{\"shape\": [2, 2], \"dtype\": \"int8\", \"data\": \"AAECAw==\"}", "unknown dtype [int8]");
    badMasks.put(
        "{\"shape\": [1, 1], \"dtype\": \"float32\", \"data\": \""
            + b64(floatBytes(Float.NaN))
            + "\"}",
        "NaN");
    badMasks.put(
        "{\"shape\": [1, 1], \"dtype\": \"float32\", \"data\": \"" + b64(floatBytes(1.5f)) + "\"}",
        "outside [0, 1]");
    badMasks.put(
        "{\"shape\": [5000, 2], \"dtype\": \"uint8\", \"data\": \"AA==\"}", "out of bounds");
    badMasks.put("{\"shape\": [2], \"dtype\": \"uint8\", \"data\": \"AA==\"}", "shape");
    badMasks.put("{\"shape\": [1, 1], \"dtype\": \"uint8\", \"data\": \"%%%\"}", "base64");
    badMasks.put("{\"png\": \"" + b64(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}) + "\"}", "not a PNG");
    Mask png = Encoding.UINT8.encode(30, 30, Corpus.levels(getRandom(), 30, 30)).mask();
    badMasks.put(
        "{\"png\": \"" + b64(Arrays.copyOf(PngMasks.encode(png), 40)) + "\"}", "corrupt PNG");
    badMasks.put("[[0.1, 0.2], [0.3]]", "equal lengths");
    badMasks.put("[[0.1, \"x\"]]", "not a number");
    badMasks.put("[[0.1, -0.5]]", "outside [0, 1]");
    badMasks.put("\"just a string\"", "expected an object");
    for (Map.Entry<String, String> bad : badMasks.entrySet()) {
      assertBadDocument(
          index, "{\"saliency\": " + bad.getKey() + "}", "[saliency]", bad.getValue());
    }
    assertBadDocument(index, "{\"bbox\": [1, 2, 3]}", "[bbox]", "4 integers");
    assertBadDocument(index, "{\"bbox\": [1, 2, 3, \"x\"]}", "[bbox]", "4 integers");
    assertBadDocument(index, "{\"bbox\": [[1, 2, 3, 4], [5, 6, 7, 8]]}", "[bbox]", "one box");

    // A bulk with good and bad documents: the good ones are indexed, the bad ones reported with the
    // reason.
    StringBuilder bulk = new StringBuilder();
    List<QaDoc> good = Corpus.generate(getRandom(), "bulk-good-", 5, 40);
    int item = 0;
    List<Integer> badItems = new ArrayList<>();
    for (QaDoc doc : good) {
      bulk.append("{\"index\": {\"_id\": \"")
          .append(doc.id())
          .append("\"}}\n")
          .append(Rest.toJson(doc.json()))
          .append('\n');
      item++;
      bulk.append("{\"index\": {\"_id\": \"bulk-bad-")
          .append(item)
          .append("\"}}\n")
          .append("{\"saliency\": [[2.0]], \"label\": \"bad\"}\n");
      badItems.add(item++);
    }
    JsonNode response = ok("POST", "/" + index + "/_bulk?refresh=true", bulk.toString());
    assertTrue(response.path("errors").asBoolean());
    for (int i = 0; i < response.path("items").size(); i++) {
      JsonNode result = response.path("items").get(i).path("index");
      if (badItems.contains(i)) {
        assertEquals(400, result.path("status").asInt());
        assertTrue(result.toString(), result.path("error").toString().contains("[saliency]"));
      } else {
        assertEquals(result.toString(), 201, result.path("status").asInt());
      }
    }
    assertGreen();
    List<QaDoc> all = new ArrayList<>(docs);
    all.addAll(good);
    assertEquals(all.size(), ok("GET", "/" + index + "/_count", null).path("count").asInt());
    new CpChecks(rest(), index, all).randomized(getRandom(), 4, 40);
    deleteIndex(index);
  }

  /** Bad queries: a 400 naming the problem, never a 500. */
  @Test
  public void badQueriesAreClear400s() {
    String index = "api-bad-query";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 1, 0);
    Corpus.index(rest(), index, Corpus.generate(getRandom(), "q", 5, 20));
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"cp\": {\"field\": \"nope\", \"range\": [0, 1], \"gt\": 1}}", "nope");
    cases.put("{\"cp\": {\"field\": \"label\", \"range\": [0, 1], \"gt\": 1}}", "not [mask]");
    cases.put(
        "{\"cp\": {\"field\": \"saliency\", \"range\": [0.8, 0.2], \"gt\": 1}}",
        "above the upper bound");
    cases.put(
        "{\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"roi\": [1, 2, 3], \"gt\": 1}}",
        "4 integers");
    cases.put(
        "{\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"roi\": {\"field\": \"label\"}, \"gt\": 1}}",
        "label");
    cases.put("{\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"gt\": \"x\"}}", "[cp] gt: ");
    cases.put(
        "{\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"colour\": 1}}",
        "[cp] unknown field [colour]");
    cases.put(
        "{\"cp\": {\"field\": \"saliency\", \"range\": [0, 1], \"k\": 0}}",
        "[k] must be at least 1");
    for (Map.Entry<String, String> bad : cases.entrySet()) {
      Rest.Reply reply =
          call("POST", "/" + index + "/_search", "{\"query\": " + bad.getKey() + "}");
      assertEquals(bad.getKey() + " -> " + reply.body(), 400, reply.status());
      assertTrue(
          bad.getKey() + " should mention " + bad.getValue() + ": " + reply.body(),
          reply.body().toString().contains(bad.getValue()));
    }
    assertGreen();
    deleteIndex(index);
  }

  private static void assertBadDocument(String index, String source, String field, String problem) {
    Rest.Reply reply = call("POST", "/" + index + "/_doc", source);
    assertEquals(source + " -> " + reply.body(), 400, reply.status());
    String reason = reply.body().toString();
    assertTrue(reason, reason.contains(field));
    assertTrue(reason + " should mention " + problem, reason.contains(problem));
  }

  private static JsonNode search(String index, Object query, int size) {
    return ok("POST", "/" + index + "/_search", Map.of("size", size, "query", query));
  }

  private static Set<String> ids(JsonNode response) {
    Set<String> ids = new TreeSet<>();
    response.path("hits").path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
    return ids;
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] floatBytes(float value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
  }
}
