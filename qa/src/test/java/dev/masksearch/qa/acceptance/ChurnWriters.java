package dev.masksearch.qa.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.acceptance.LoadLog.Op;
import dev.masksearch.qa.cluster.Rest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The writes of a mixed load, each recorded in {@link DocHistory} before it is sent: bulk indexing
 * of new documents (with, now and then, one bad document that alone must fail with a 400 naming the
 * field), partial updates of the metadata (label, caption, rank, box) and of the masks through
 * {@code _update}'s {@code doc}, mask replacement through an update script (any encoding, PNG
 * included), and deletes.
 *
 * <p>A partial update merges objects key by key, so a {@code doc} update gives masks in the raw
 * form (whose three keys replace the stored ones) or as nested arrays; a PNG object merged into a
 * stored raw mask would hold both and be refused. The script replaces the whole value, so it takes
 * any encoding.
 */
final class ChurnWriters {
  private static final String REPLACE_MASKS =
      "ctx._source.saliency = params.saliency; "
          + "ctx._source.human = params.human; ctx._source.rev = params.rev";

  private final Rest rest;
  private final String index;
  private final DocHistory history;
  private final LoadLog log;
  private final int maxSide;
  private int batch;

  ChurnWriters(Rest rest, String index, DocHistory history, LoadLog log, int maxSide) {
    this.rest = rest;
    this.index = index;
    this.history = history;
    this.log = log;
    this.maxSide = maxSide;
  }

  /**
   * Indexes ten new documents in one {@code _bulk} (one in twenty batches with a bad one), then
   * refreshes.
   */
  void indexBatch(Random random) {
    List<QaDoc> docs = Corpus.generate(random, "b" + batch++ + "-", 10, maxSide);
    int bad = random.nextInt(20) == 0 ? random.nextInt(docs.size() + 1) : -1;
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i <= docs.size(); i++) {
      if (i == bad) {
        bulk.append("{\"index\": {\"_id\": \"bad-")
            .append(batch)
            .append("\"}}\n")
            .append(
                "{\"doc_id\": \"bad\", \"saliency\": {\"shape\": [2, 2], \"dtype\": \"uint8\", \"data\": \"AAEC\"}}\n");
      }
      if (i < docs.size()) {
        QaDoc doc = docs.get(i);
        history.written(doc, 0);
        Map<String, Object> json = new HashMap<>(doc.json());
        json.put("rev", 0);
        bulk.append("{\"index\": {\"_id\": \"")
            .append(doc.id())
            .append("\"}}\n")
            .append(Rest.toJson(json))
            .append('\n');
      }
    }
    long start = System.nanoTime();
    Rest.Reply reply = rest.call("POST", "/" + index + "/_bulk", bulk.toString());
    log.record(Op.BULK, start);
    if (!reply.ok()) {
      log.error("bulk -> " + reply.status() + ": " + reply.body());
      return;
    }
    for (JsonNode item : reply.body().path("items")) {
      JsonNode result = item.path("index");
      String id = result.path("_id").asText();
      if (id.startsWith("bad-")) {
        String error = result.path("error").toString();
        if (result.path("status").asInt() == 400
            && error.contains("[saliency]")
            && error.contains("needs 4")) {
          log.refusedAsExpected();
        } else {
          log.error("the bad bulk item -> " + result);
        }
      } else if (result.path("status").asInt() / 100 != 2) {
        log.error("bulk item " + id + " -> " + result);
      }
    }
    for (JsonNode item : reply.body().path("items")) {
      JsonNode result = item.path("index");
      docs.stream()
          .filter(
              d ->
                  d.id().equals(result.path("_id").asText())
                      && result.path("status").asInt() / 100 == 2)
          .forEach(d -> history.acknowledged(d, 0));
    }
    Rest.Reply refresh = rest.call("POST", "/" + index + "/_refresh", null);
    if (!refresh.ok()) {
      log.error("refresh -> " + refresh.status() + ": " + refresh.body());
    }
  }

  /**
   * One partial update of a live document: its metadata, its masks (doc), or its masks (script).
   */
  void update(Random random) {
    DocHistory.Current current = history.claim(random);
    if (current == null) {
      return;
    }
    QaDoc old = current.doc();
    int rev = current.rev() + 1;
    Map<String, Object> fields = new HashMap<>();
    QaDoc next;
    Op op;
    Map<String, Object> body;
    int kind = random.nextInt(3);
    if (kind == 0) {
      String label = Corpus.LABELS.get(random.nextInt(Corpus.LABELS.size()));
      Roi box = random.nextInt(10) > 0 ? Corpus.box(random, maxSide, maxSide) : null;
      next =
          new QaDoc(
              old.id(),
              label,
              "an updated " + label,
              random.nextInt(100),
              box,
              old.masks(),
              Map.of());
      fields.put("label", label);
      fields.put("caption", next.caption());
      fields.put("rank", next.rank());
      fields.put("bbox", box == null ? null : List.of(box.x1(), box.y1(), box.x2(), box.y2()));
      op = Op.UPDATE_METADATA;
    } else {
      int height = Corpus.side(random, maxSide);
      int width = Corpus.side(random, maxSide);
      Map<String, Encoding.Encoded> masks = new HashMap<>();
      masks.put(
          "saliency",
          encoding(random, kind == 1).encode(height, width, Corpus.levels(random, height, width)));
      if (random.nextInt(10) > 0) {
        masks.put(
            "human",
            encoding(random, kind == 1)
                .encode(height, width, Corpus.levels(random, height, width)));
      }
      QaDoc encoded = QaDoc.of(old.id(), old.label(), old.caption(), old.rank(), old.box(), masks);
      next = encoded;
      fields.put("saliency", encoded.json().get("saliency"));
      fields.put(
          "human", encoded.json().get("human")); // null removes a human mask the new saliency lacks
      op = kind == 1 ? Op.UPDATE_MASKS : Op.UPDATE_SCRIPT;
    }
    fields.put("rev", rev);
    body =
        op == Op.UPDATE_SCRIPT
            ? Map.of(
                "script", Map.of("lang", "painless", "source", REPLACE_MASKS, "params", fields))
            : Map.of("doc", fields);
    history.written(next, rev);
    long start = System.nanoTime();
    Rest.Reply reply = rest.call("POST", "/" + index + "/_update/" + old.id(), body);
    log.record(op, start);
    if (reply.ok()) {
      history.acknowledged(next, rev);
      history.retire(current);
    } else {
      log.error(op + " of " + old.id() + " -> " + reply.status() + ": " + reply.body());
      history.release(current);
    }
  }

  /** Deletes one live document. */
  void delete(Random random) {
    DocHistory.Current current = history.claim(random);
    if (current == null) {
      return;
    }
    long start = System.nanoTime();
    Rest.Reply reply = rest.call("DELETE", "/" + index + "/_doc/" + current.id(), null);
    log.record(Op.DELETE, start);
    if (reply.ok()) {
      history.retire(current);
    } else {
      log.error("delete " + current.id() + " -> " + reply.status() + ": " + reply.body());
      history.release(current);
    }
  }

  /** Any encoding, or (for a merging {@code doc} update) any but PNG. */
  private static Encoding encoding(Random random, boolean mergeable) {
    Encoding encoding = Corpus.encoding(random);
    while (mergeable && (encoding == Encoding.PNG8 || encoding == Encoding.PNG16)) {
      encoding = Corpus.encoding(random);
    }
    return encoding;
  }
}
