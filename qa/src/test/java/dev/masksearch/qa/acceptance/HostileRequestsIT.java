package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.carrotsearch.randomizedtesting.RandomizedTest;
import com.carrotsearch.randomizedtesting.annotations.ThreadLeakScope;
import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import dev.masksearch.qa.acceptance.PixelClasses.P;
import dev.masksearch.qa.acceptance.PixelClasses.X;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.Rest;
import dev.masksearch.qa.cluster.SharedCluster;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Requests meant to kill a node (issue 13, "one search request can kill a node"), sent to a real
 * node with a {@value #HEAP} heap, a single-node cluster of its own: mask expressions of hundreds
 * of value tests, of many calls, fields and nesting levels over 4096 x 4096 masks; masks of many
 * distinct large shapes in one segment, queried before and after a force merge; PNG decompression
 * bombs in concurrent {@code _bulk} requests; and a huge {@code k}, {@code size}, {@code from} and
 * {@code search_after} with every query and sort form.
 *
 * <p>Every request must get the exact answer (checked against brute force over the masks this test
 * generated), a 429 from a circuit breaker, or a 4xx whose reason names the cause. After each one
 * the node must be alive and green, with no {@code java.lang.OutOfMemoryError} in its logs and no
 * heap dump or JVM crash file ({@link NodeWatch}); at the end every acknowledged document must be
 * there. A request that kills the node is reported by name, the node is started again on its data,
 * and the remaining requests still run.
 *
 * <p>The parent breaker counts the children's bytes here, not the heap's (as in {@link
 * MemorySafetyIT}): nothing but the plugin's own limits stands between these requests and an
 * OutOfMemoryError.
 */
@ThreadLeakScope(ThreadLeakScope.Scope.NONE)
public class HostileRequestsIT extends RandomizedTest {
  private static final String HEAP = "512m";
  private static final int SIDE = 4096;
  private static final String EXPR = "hostile-expr";
  private static final String SHAPES = "hostile-shapes";
  private static final String PNG = "hostile-png";

  /**
   * The mask fields of the expression index: {@code m}, and seven more for the many-fields
   * expression.
   */
  private static final List<String> FIELDS = List.of("m", "f1", "f2", "f3", "f4", "f5", "f6", "f7");

  private static final int EXPR_DOCS = 3;
  private static final Roi BOX = new Roi(517, 301, 3333, 3901);
  private static final String BOX_TEXT = "[517, 301, 3333, 3901]";
  private static final int SHAPE_DOCS = 40;
  private static final Roi QUARTER = new Roi(0, 0, 2048, 2048);
  private static final String QUARTER_TEXT = "[0, 0, 2048, 2048]";

  /** What a refusal of an expression must name: the limit it exceeds, or what would not fit. */
  private static final Pattern EXPRESSION_CAUSE =
      Pattern.compile(
          "(?i)limit|too (many|large|long|deep)|levels deep|max_|value tests|predicate|terms|Data too large");

  private static final Pattern MASK_CAUSE = Pattern.compile("(?i)mask|png|pixel|limit|too large");
  private static final Pattern PNG_CAUSE =
      Pattern.compile("(?i)png|channel|rgba|grayscale|bit depth|decompress|too large|pixels");
  private static final Pattern K_CAUSE = Pattern.compile("(?i)\\[k\\]|\\bk\\b");

  /** OpenSearch's own refusals: the result window, or (beyond an int) the number out of range. */
  private static final Pattern WINDOW_CAUSE =
      Pattern.compile(
          "(?i)result window|from \\+ size|\\[size\\]|\\[from\\]|out of range of `int`");

  private static final Pattern SEARCH_AFTER_CAUSE =
      Pattern.compile("(?i)search_after|sort value|failed to parse");

  private static LocalCluster node;

  /** Acknowledged documents by index: each must be there at the end. */
  private static final Map<String, Set<String>> ACKNOWLEDGED = new ConcurrentHashMap<>();

  /**
   * The expression index: each acknowledged document's pixel classes by region ("full", {@link
   * #BOX_TEXT}).
   */
  private static Map<String, Map<String, PixelClasses>> exprDocs;

  private static ShapeIndex shapes;

  private NodeWatch watch;

  @BeforeClass
  public static void startSmallNode() throws Exception {
    long start = System.nanoTime();
    node =
        SharedCluster.startSeparate(
            "hostile", 1, HEAP, Map.of("indices.breaker.total.use_real_memory", "false"));
    System.out.println(
        "[hostile] (the "
            + HEAP
            + " node started in "
            + (System.nanoTime() - start) / 1_000_000
            + " ms)");
  }

  @Before
  public void watchTheNode() throws Exception {
    watch = new NodeWatch(node);
    watch.ensureUp();
  }

  /** Every acknowledged document is there (the node restarted first if a request killed it). */
  @AfterClass
  public static void everyAcknowledgedDocumentIsThere() throws Exception {
    try {
      if (node == null) {
        return;
      }
      if (!node.running(0)) {
        node.startStoppedNodes();
      }
      for (Map.Entry<String, Set<String>> index : ACKNOWLEDGED.entrySet()) {
        assertEquals(
            "the acknowledged documents of " + index.getKey(),
            new TreeSet<>(index.getValue()),
            ids(node.rest(), index.getKey()));
      }
    } finally {
      ACKNOWLEDGED.clear();
      exprDocs = null;
      shapes = null;
      if (node != null) {
        node.close();
        node = null;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Expressions: hundreds of value tests, many calls, many fields, deep nesting.

  @Test
  public void expressionsOfManyTestsCallsFieldsAndLevels() {
    ensureExprIndex();
    assertFalse(
        "the 4096 x 4096 masks were indexed (a 429 on every one would leave nothing to query)",
        exprDocs == null || exprDocs.isEmpty());
    // The expression that killed a 2 GB node: five cp calls whose predicates hold 400 value tests
    // between them.
    List<X> calls = new ArrayList<>();
    for (int c = 0; c < 5; c++) {
      calls.add(X.cp(orOf("m", 0, PixelClasses.thresholds(1 + 80 * c, 80, 4)), "full"));
    }
    X killer = X.sum(calls);
    watch.request(
        "mask_expr filter: 5 cp calls of 400 value tests (the expression that killed a 2 GB node)",
        () -> exprFilter(killer));
    watch.request("mask_expr sort: 5 cp calls of 400 value tests", () -> exprSort(killer, false));
    watch.request(
        "masksearch script_fields: 5 cp calls of 400 value tests", () -> scriptFields(killer));

    // Many calls: 100 (the default limit of terms), then 101.
    List<X> hundred = new ArrayList<>();
    for (String t : PixelClasses.thresholds(1, 100, 4)) {
      hundred.add(X.cp(P.greater("m", 0, t), "full"));
    }
    watch.request(
        "mask_expr filter: 100 cp calls of one test each", () -> exprFilter(X.sum(hundred)));
    // 101 in two sums, so that the expression nests 52 levels: over the limit of terms alone.
    List<X> fiftyOne = new ArrayList<>(hundred.subList(50, 100));
    fiftyOne.add(X.cp(P.greater("m", 0, ".0101"), "full"));
    X hundredAndOne =
        X.sum(
            List.of(
                X.sum(hundred.subList(0, 50)).parenthesized(), X.sum(fiftyOne).parenthesized()));
    watch.request(
        "mask_expr filter: 101 cp calls (over the limit of terms)",
        () -> mustRefuse(exprFilterReply(hundredAndOne, 0), EXPRESSION_CAUSE));

    // Many tests: one call of 1,200 tests in 24 groups of 50 (nesting 73 levels, 9,700 characters).
    List<P> groups = new ArrayList<>();
    for (int g = 0; g < 24; g++) {
      groups.add(orOf("m", 0, PixelClasses.thresholds(1 + 50 * g, 50, 4)));
    }
    X manyTests = X.cp(P.or(groups), "full");
    watch.request(
        "mask_expr filter: one cp call of 1,200 value tests ("
            + manyTests.text().length()
            + " characters)",
        () -> exprFilter(manyTests));

    // Many fields: every mask of the document in one expression (8 x 16 MB decoded), in and across
    // calls.
    List<P> everyField = new ArrayList<>();
    List<P> everyFieldHigh = new ArrayList<>();
    for (int f = 0; f < FIELDS.size(); f++) {
      everyField.add(P.greater(FIELDS.get(f), f, ".001"));
      everyFieldHigh.add(P.greater(FIELDS.get(f), f, ".02"));
    }
    X manyFields =
        X.sum(
            List.of(
                X.cp(P.or(everyField), "full"),
                X.cp(P.and(everyField), BOX_TEXT),
                X.iou(
                    P.and(List.of(P.greater("m", 0, ".002"), P.greater("f1", 1, ".002"))),
                    P.or(List.of(P.greater("f2", 2, ".003"), P.greater("f3", 3, ".003")))),
                X.cp(
                    P.or(
                        List.of(
                            P.and(everyFieldHigh.subList(0, 4)).parenthesized(),
                            P.and(everyFieldHigh.subList(4, 8)).parenthesized())),
                    "full"),
                X.iou(P.greater("f4", 4, ".01"), P.greater("f7", 7, ".01"))));
    watch.request(
        "mask_expr filter: 8 mask fields of 4096x4096 in one expression",
        () -> exprFilter(manyFields));
    watch.request(
        "mask_expr sort: 8 mask fields of 4096x4096 in one expression",
        () -> exprSort(manyFields, true));

    // Deep nesting: five predicates 100 levels deep (the limit), 100 unary minuses, then just over
    // and far over.
    List<X> deepCalls = new ArrayList<>();
    for (int c = 0; c < 5; c++) {
      deepCalls.add(X.cp(nestedOr("m", 0, PixelClasses.thresholds(1 + 100 * c, 100, 4)), "full"));
    }
    X deep = X.sum(deepCalls);
    watch.request(
        "mask_expr filter: 5 cp calls of predicates 100 levels deep (500 tests)",
        () -> exprFilter(deep));
    X negated = X.cp(nestedOr("m", 0, PixelClasses.thresholds(1, 99, 4)), "full").negated(99);
    watch.request(
        "mask_expr filter: 99 unary minuses over a predicate 99 levels deep",
        () -> exprFilter(negated));
    X tooDeep = X.cp(nestedOr("m", 0, PixelClasses.thresholds(1, 101, 4)), "full");
    watch.request(
        "mask_expr filter: a predicate 101 levels deep (over the limit)",
        () -> mustRefuse(exprFilterReply(tooDeep, 0), EXPRESSION_CAUSE));
    String parentheses = "cp(" + "(".repeat(4000) + "m>.5" + ")".repeat(4000) + ", full)";
    watch.request(
        "mask_expr filter: 4,000 nested parentheses",
        () ->
            mustRefuse(
                search(
                    EXPR,
                    Map.of(
                        "size",
                        10,
                        "query",
                        Map.of("mask_expr", Map.of("expr", parentheses, "gte", 0)))),
                EXPRESSION_CAUSE));
    watch.request(
        "masksearch script_fields: a predicate 101 levels deep (over the limit)",
        () ->
            mustRefuse(
                search(
                    EXPR,
                    Map.of(
                        "size",
                        10,
                        "script_fields",
                        Map.of(
                            "v",
                            Map.of(
                                "script",
                                Map.of("lang", "masksearch", "source", tooDeep.text()))))),
                EXPRESSION_CAUSE));

    // Afterwards: every document there, and plain expressions exact in every form.
    // (Two masks and two pixel maps: 96 MB of the default breaker's 204 MB on this heap.)
    X plain =
        X.sum(
            List.of(
                X.cp(P.greater("m", 0, ".02"), "full"),
                X.cp(P.greater("f3", 3, ".005"), BOX_TEXT)));
    watch.request(
        "after the expressions: every acknowledged document there, a plain expression exact",
        () -> {
          assertEquals(new TreeSet<>(ACKNOWLEDGED.get(EXPR)), ids(watch.rest(), EXPR));
          assertExact(exprFilter(plain));
          assertExact(exprSort(plain, true));
          assertExact(scriptFields(plain));
          return "exact";
        });
    watch.assertNoProblems();
  }

  /** {@code FIELD > t1 | FIELD > t2 | ...}, a flat chain. */
  private static P orOf(String field, int fieldIndex, List<String> thresholds) {
    return P.or(thresholds.stream().map(t -> P.greater(field, fieldIndex, t)).toList());
  }

  /**
   * {@code ((... (FIELD > t1 | FIELD > t2) | ...) | FIELD > tn)}: one level of parentheses per
   * test.
   */
  private static P nestedOr(String field, int fieldIndex, List<String> thresholds) {
    P nested = P.greater(field, fieldIndex, thresholds.get(0));
    for (String t : thresholds.subList(1, thresholds.size())) {
      nested = P.or(List.of(nested.parenthesized(), P.greater(field, fieldIndex, t)));
    }
    return nested;
  }

  private static synchronized void ensureExprIndex() {
    if (exprDocs != null) {
      return;
    }
    NodeWatch setup;
    try {
      setup = new NodeWatch(node);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    deleteIndex(EXPR);
    StringBuilder mapping = new StringBuilder("{\"doc_id\": {\"type\": \"keyword\"}");
    for (String field : FIELDS) {
      mapping.append(", \"").append(field).append("\": {\"type\": \"mask\"}");
    }
    mapping.append('}');
    node.rest()
        .ok(
            "PUT",
            "/" + EXPR,
            "{\"settings\": {\"index.codec\": \"masksearch\", \"number_of_shards\": 1,"
                + " \"number_of_replicas\": 0}, \"mappings\": {\"properties\": "
                + mapping
                + "}}");
    ACKNOWLEDGED.put(EXPR, ConcurrentHashMap.newKeySet());
    Map<String, Map<String, PixelClasses>> docs = new LinkedHashMap<>();
    Random random = getRandom();
    for (int i = 0; i < EXPR_DOCS; i++) {
      long start = System.nanoTime();
      String id = "e" + i;
      List<Mask> masks = new ArrayList<>();
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("doc_id", id);
      for (String field : FIELDS) {
        Mask mask = rectangleMask(random, SIDE, SIDE, 1 + random.nextInt(20));
        masks.add(mask);
        doc.put(field, Map.of("png", Base64.getEncoder().encodeToString(PngWriter.gray8(mask))));
      }
      Map<String, PixelClasses> classes =
          Map.of(
              "full",
              PixelClasses.of(masks, new Roi(0, 0, SIDE, SIDE)),
              BOX_TEXT,
              PixelClasses.of(masks, BOX));
      masks = null;
      System.out.println(
          "[hostile] (test side: "
              + FIELDS.size()
              + " masks generated, encoded and counted in "
              + (System.nanoTime() - start) / 1_000_000
              + " ms)");
      setup.request(
          "index " + id + ": 8 masks of 4096x4096 (all-zero PNGs but for a rectangle)",
          () -> {
            Rest.Reply reply = node.rest().call("PUT", "/" + EXPR + "/_doc/" + id, doc);
            if (reply.ok()) {
              ACKNOWLEDGED.get(EXPR).add(id);
              docs.put(id, classes);
              return reply.status() + ", acknowledged";
            }
            return NodeWatch.refused(reply, MASK_CAUSE);
          });
    }
    node.rest().ok("POST", "/" + EXPR + "/_refresh", null);
    setup.assertNoProblems();
    exprDocs = docs;
  }

  /** A uint8 mask of zeros but for one rectangle of {@code code}. */
  private static Mask rectangleMask(Random random, int height, int width, int code) {
    byte[] data = new byte[height * width];
    int x1 = random.nextInt(width / 2);
    int y1 = random.nextInt(height / 2);
    int x2 = x1 + 1 + random.nextInt(width - x1);
    int y2 = y1 + 1 + random.nextInt(height - y1);
    for (int y = y1; y < y2; y++) {
      java.util.Arrays.fill(data, y * width + x1, y * width + x2, (byte) code);
    }
    return Mask.of(MaskDType.UINT8, height, width, data);
  }

  private static Map<String, Double> exprValues(X expr) {
    Map<String, Double> values = new HashMap<>();
    exprDocs.forEach((id, classes) -> values.put(id, expr.value().applyAsDouble(classes) + 0.0));
    return values;
  }

  /**
   * The median value, with {@code gte}: a threshold the bounds of this document set cannot decide
   * alone.
   */
  private static double median(Map<String, Double> values) {
    List<Double> sorted = values.values().stream().sorted().toList();
    return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
  }

  private Rest.Reply exprFilterReply(X expr, double threshold) {
    return search(
        EXPR,
        Map.of(
            "size",
            10,
            "_source",
            false,
            "track_total_hits",
            true,
            "query",
            Map.of(
                "bool",
                Map.of(
                    "filter",
                    List.of(Map.of("mask_expr", Map.of("expr", expr.text(), "gte", threshold)))))));
  }

  private String exprFilter(X expr) {
    Map<String, Double> values = exprValues(expr);
    double threshold = median(values);
    Set<String> expected = new TreeSet<>();
    values.forEach(
        (id, v) -> {
          if (v >= threshold) {
            expected.add(id);
          }
        });
    return NodeWatch.answerOrError(
        exprFilterReply(expr, threshold),
        EXPRESSION_CAUSE,
        body ->
            assertEquals(
                expr.text().length() > 200 ? "the expression" : expr.text(),
                expected,
                hitIds(body)));
  }

  private String exprSort(X expr, boolean ascending) {
    Map<String, Double> values = exprValues(expr);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("size", 10);
    body.put("_source", false);
    body.put(
        "sort",
        List.of(
            Map.of("mask_expr", Map.of("expr", expr.text(), "order", ascending ? "asc" : "desc")),
            Map.of("doc_id", "asc")));
    return NodeWatch.answerOrError(
        search(EXPR, body),
        EXPRESSION_CAUSE,
        reply -> assertSorted(reply, values, ascending, null, "mask_expr sort"));
  }

  private String scriptFields(X expr) {
    Map<String, Double> values = exprValues(expr);
    return NodeWatch.answerOrError(
        search(
            EXPR,
            Map.of(
                "size",
                10,
                "_source",
                false,
                "script_fields",
                Map.of(
                    "v", Map.of("script", Map.of("lang", "masksearch", "source", expr.text()))))),
        EXPRESSION_CAUSE,
        body -> assertScriptFields(body, values));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Many distinct large shapes in one segment, before and after a force merge.

  /**
   * The shapes index: documents of one {@code m} mask each of a shape no other has ((4096 - 32 i) x
   * (4000 + i): a CHI grid of its own, too), zeros but for a rectangle, sent as PNGs of a few KB;
   * their brute-force values for a few cp terms and expressions, computed when each mask was
   * generated.
   */
  private static final class ShapeIndex {
    final List<CpCase> terms;
    final X difference;
    final X positive;
    final Map<String, Map<Object, Double>> values = new ConcurrentHashMap<>();
    int nextShape;

    ShapeIndex(Random random) {
      List<CpCase> t = new ArrayList<>();
      t.add(
          new CpCase("m", null, false, 0, 0.01, false)); // the background: differs with each shape
      t.add(new CpCase("m", new Roi(211, 97, 3803, 2601), false, 0.2, 0.85, random.nextBoolean()));
      t.add(
          new CpCase(
              "m", null, true, CpCase.bound(random) / 2, 0.5 + CpCase.bound(random) / 2, false));
      this.terms = t;
      X above = X.cp(P.greater("m", 0, ".5"), "full");
      X set = X.cp(P.greater("m", 0, ".0001"), QUARTER_TEXT);
      this.difference =
          new X(
              above.text() + " - " + set.text() + " / 7",
              d -> above.value().applyAsDouble(d) - set.value().applyAsDouble(d) / 7);
      X inBox = X.cp(P.greater("m", 0, ".3"), "bbox");
      this.positive = new X(inBox.text() + " + 1", d -> inBox.value().applyAsDouble(d) + 1);
    }

    /** The next document's JSON (an acknowledged write adds it to {@link #values}). */
    Map.Entry<Map<String, Object>, Map<Object, Double>> next(Random random) {
      int i = nextShape++;
      int height = SIDE - 32 * i;
      int width = 4000 + i;
      Mask mask =
          random.nextInt(10) == 0
              ? Mask.of(MaskDType.UINT8, height, width, new byte[height * width])
              : rectangleMask(random, height, width, 1 + random.nextInt(255));
      Roi box = Corpus.box(random, width, height);
      String id = "s" + i;
      QaDoc doc =
          QaDoc.of(
              id,
              "shape",
              "shape " + height + "x" + width,
              i,
              box,
              Map.of(
                  "m",
                  new Encoding.Encoded(
                      Map.of("png", Base64.getEncoder().encodeToString(PngWriter.gray8(mask))),
                      mask)));
      Map<Object, Double> v = new HashMap<>();
      for (CpCase term : terms) {
        v.put(term, term.expected(doc));
      }
      Map<String, PixelClasses> classes =
          Map.of(
              "full",
              PixelClasses.of(List.of(mask), new Roi(0, 0, width, height)),
              QUARTER_TEXT,
              PixelClasses.of(List.of(mask), QUARTER),
              "bbox",
              PixelClasses.of(List.of(mask), box));
      v.put(difference.text(), difference.value().applyAsDouble(classes) + 0.0);
      v.put(positive.text(), positive.value().applyAsDouble(classes) + 0.0);
      return Map.entry(doc.json(), v);
    }

    /** Each acknowledged document's value of a term or expression text. */
    Map<String, Double> of(Object key) {
      Map<String, Double> out = new HashMap<>();
      for (String id : ACKNOWLEDGED.get(SHAPES)) {
        out.put(id, values.get(id).get(key));
      }
      return out;
    }
  }

  private static final String SHAPES_MAPPING =
      """
      {"properties": {"doc_id": {"type": "keyword"}, "label": {"type": "keyword"}, "caption": {"type": "text"},
                      "rank": {"type": "integer"}, "bbox": {"type": "mask_roi"}, "m": {"type": "mask"}}}""";

  private synchronized void ensureShapes() {
    if (shapes != null) {
      return;
    }
    deleteIndex(SHAPES);
    watch
        .rest()
        .ok(
            "PUT",
            "/" + SHAPES,
            "{\"settings\": {\"index.codec\": \"masksearch\", \"number_of_shards\": 1,"
                + " \"number_of_replicas\": 0}, \"mappings\": "
                + SHAPES_MAPPING
                + "}");
    ACKNOWLEDGED.put(SHAPES, ConcurrentHashMap.newKeySet());
    ShapeIndex index = new ShapeIndex(getRandom());
    addShapes(
        index,
        SHAPE_DOCS,
        "index "
            + SHAPE_DOCS
            + " masks of distinct shapes, 4096x4000 to "
            + (SIDE - 32 * (SHAPE_DOCS - 1))
            + "x"
            + (4000 + SHAPE_DOCS - 1));
    watch.request(
        "refresh",
        () -> {
          watch.rest().ok("POST", "/" + SHAPES + "/_refresh", null);
          return segments(SHAPES) + " segment(s)";
        });
    shapes = index;
  }

  /**
   * Indexes {@code count} more shapes through {@code _bulk} requests of 15; records what was
   * acknowledged.
   */
  private void addShapes(ShapeIndex index, int count, String what) {
    for (int from = 0; from < count; from += 15) {
      StringBuilder bulk = new StringBuilder();
      Map<String, Map<Object, Double>> pending = new HashMap<>();
      long start = System.nanoTime();
      for (int i = from; i < Math.min(count, from + 15); i++) {
        Map.Entry<Map<String, Object>, Map<Object, Double>> doc = index.next(getRandom());
        String id = (String) doc.getKey().get("doc_id");
        pending.put(id, doc.getValue());
        bulk.append("{\"index\": {\"_id\": \"")
            .append(id)
            .append("\"}}\n")
            .append(Rest.toJson(doc.getKey()))
            .append('\n');
      }
      System.out.println(
          "[hostile] (test side: "
              + pending.size()
              + " masks generated, encoded and counted in "
              + (System.nanoTime() - start) / 1_000_000
              + " ms)");
      watch.request(
          what + ": a _bulk of " + pending.size(),
          () -> {
            Rest.Reply reply = watch.rest().call("POST", "/" + SHAPES + "/_bulk", bulk.toString());
            if (!reply.ok()) {
              return NodeWatch.refused(reply, MASK_CAUSE);
            }
            int acked = 0;
            List<String> refusals = new ArrayList<>();
            for (JsonNode item : reply.body().path("items")) {
              JsonNode result = item.path("index");
              String id = result.path("_id").asText();
              int status = result.path("status").asInt();
              if (status == 200 || status == 201) {
                index.values.put(id, pending.get(id));
                ACKNOWLEDGED.get(SHAPES).add(id);
                acked++;
              } else {
                refusals.add(NodeWatch.refused(new Rest.Reply(status, result), MASK_CAUSE));
              }
            }
            return acked + " acknowledged" + (refusals.isEmpty() ? "" : ", refused: " + refusals);
          });
    }
  }

  @Test
  public void manyDistinctLargeShapesInOneSegmentThenMerged() {
    ensureShapes();
    // As indexed: the indexing buffer (10% of the heap) holds a few 16 MB masks, so a few shapes a
    // segment.
    shapeQueries("as indexed");
    watch.request("_forcemerge?max_num_segments=1", this::forceMerge);
    shapeQueries("one segment");
    // Some go, others come (still other shapes), and the merge runs again over deletions.
    watch.request(
        "delete 3 documents",
        () -> {
          List<String> some =
              new ArrayList<>(new TreeSet<>(ACKNOWLEDGED.get(SHAPES))).subList(0, 3);
          for (String id : List.copyOf(some)) {
            watch.rest().ok("DELETE", "/" + SHAPES + "/_doc/" + id, null);
            ACKNOWLEDGED.get(SHAPES).remove(id);
          }
          return "deleted";
        });
    addShapes(shapes, 3, "index 3 more distinct shapes");
    watch.request("_forcemerge?max_num_segments=1 over deletions", this::forceMerge);
    watch.request(
        "after the merges: every acknowledged document there, every cp form exact",
        () -> {
          assertEquals(new TreeSet<>(ACKNOWLEDGED.get(SHAPES)), ids(watch.rest(), SHAPES));
          CpChecks checks = new CpChecks(watch.rest(), SHAPES, shapes::of, "doc_id");
          for (CpCase term : shapes.terms) {
            checks.filter(term, "gte", median(shapes.of(term)));
            checks.topK(term, 10);
            checks.scoring(term, 10);
            checks.sort(term, getRandom().nextBoolean(), 20);
          }
          return "exact";
        });
    watch.assertNoProblems();
  }

  private String forceMerge() {
    watch.rest().ok("POST", "/" + SHAPES + "/_refresh", null);
    int before = segments(SHAPES);
    Rest.Reply reply =
        watch.rest().call("POST", "/" + SHAPES + "/_forcemerge?max_num_segments=1", null);
    assertTrue(reply.status() + " " + reply.body(), reply.ok());
    watch.rest().ok("POST", "/" + SHAPES + "/_refresh", null);
    assertEquals("segments after the force merge", 1, segments(SHAPES));
    return before + " segments -> 1 segment of " + ACKNOWLEDGED.get(SHAPES).size() + " shapes";
  }

  private void shapeQueries(String phase) {
    for (CpCase term : shapes.terms) {
      Map<String, Double> values = shapes.of(term);
      watch.request(
          phase + ": cp filter " + term, () -> cpFilter(term, "gte", median(values), 10_000));
      watch.request(phase + ": cp top-k (k 10) " + term, () -> cpTopK(term, 10, 10));
      watch.request(phase + ": cp sort desc " + term, () -> cpSort(term, false, null));
    }
    watch.request(
        phase + ": mask_expr sort asc " + shapes.difference.text(),
        () -> exprSortShapes(shapes.difference, true, null));
  }

  private static int segments(String index) {
    JsonNode shards =
        node.rest()
            .ok("GET", "/" + index + "/_segments", null)
            .path("indices")
            .path(index)
            .path("shards");
    int segments = 0;
    for (JsonNode shard : shards) {
      for (JsonNode copy : shard) {
        segments += copy.path("num_search_segments").asInt();
      }
    }
    return segments;
  }

  // The cp forms, each judged by NodeWatch.answerOrError against the shapes' brute force.

  private String cpFilter(CpCase term, String op, double threshold, int size) {
    Map<String, Double> values = shapes.of(term);
    Set<String> expected = new TreeSet<>();
    values.forEach(
        (id, v) -> {
          if (CpChecks.compare(v, op, threshold)) {
            expected.add(id);
          }
        });
    return NodeWatch.answerOrError(
        search(
            SHAPES,
            Map.of(
                "size",
                size,
                "_source",
                false,
                "track_total_hits",
                true,
                "query",
                Map.of("bool", Map.of("filter", List.of(Map.of("cp", term.with(op, threshold))))))),
        EXPRESSION_CAUSE,
        body -> {
          assertEquals("filter " + term, expected, hitIds(body));
          assertEquals(expected.size(), body.path("hits").path("total").path("value").asInt());
        });
  }

  private String cpTopK(CpCase term, Object k, int size) {
    return NodeWatch.answerOrError(
        search(
            SHAPES,
            Map.of("size", size, "_source", false, "query", Map.of("cp", term.with("k", k)))),
        K_CAUSE,
        body -> assertTopScores(body, shapes.of(term), size));
  }

  private String cpScoring(CpCase term, int size) {
    return NodeWatch.answerOrError(
        search(
            SHAPES,
            Map.of(
                "size",
                size,
                "_source",
                false,
                "track_total_hits",
                true,
                "query",
                Map.of("cp", term.json()))),
        K_CAUSE,
        body -> assertTopScores(body, shapes.of(term), size));
  }

  private String cpSort(CpCase term, boolean ascending, List<Object> after) {
    Map<String, Object> body =
        sortBody(Map.of("cp", term.with("order", ascending ? "asc" : "desc")), after);
    return NodeWatch.answerOrError(
        search(SHAPES, body),
        SEARCH_AFTER_CAUSE,
        reply -> assertSorted(reply, shapes.of(term), ascending, after, "cp sort " + term));
  }

  private String exprSortShapes(X expr, boolean ascending, List<Object> after) {
    Map<String, Object> body =
        sortBody(
            Map.of("mask_expr", Map.of("expr", expr.text(), "order", ascending ? "asc" : "desc")),
            after);
    return NodeWatch.answerOrError(
        search(SHAPES, body),
        SEARCH_AFTER_CAUSE,
        reply ->
            assertSorted(
                reply, shapes.of(expr.text()), ascending, after, "mask_expr sort " + expr.text()));
  }

  private static Map<String, Object> sortBody(Map<String, Object> sortKey, List<Object> after) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("size", 10_000);
    body.put("_source", false);
    body.put("sort", List.of(sortKey, Map.of("doc_id", "asc")));
    if (after != null) {
      body.put("search_after", after);
    }
    return body;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // PNG decompression bombs.

  @Test
  public void pngDecompressionBombsInConcurrentBulks() throws Exception {
    deleteIndex(PNG);
    Corpus.createIndex(watch.rest(), PNG, 1, 0);
    ACKNOWLEDGED.put(PNG, ConcurrentHashMap.newKeySet());
    byte[] bomb = PngWriter.rgba16Zeros(SIDE, SIDE);
    String bombJson = Rest.toJson(Map.of("png", Base64.getEncoder().encodeToString(bomb)));
    int writeThreads = 2;
    for (JsonNode n : watch.rest().ok("GET", "/_nodes/thread_pool", null).path("nodes")) {
      writeThreads = n.path("thread_pool").path("write").path("size").asInt(writeThreads);
    }
    int bulks = writeThreads + 1; // every write thread gets one, and one waits in the queue
    Map<String, QaDoc> valid = new ConcurrentHashMap<>();
    List<String> bodies = new ArrayList<>();
    for (int b = 0; b < bulks; b++) {
      StringBuilder bulk = new StringBuilder();
      for (int i = 0; i < 32; i++) {
        bulk.append("{\"index\": {\"_id\": \"bomb-")
            .append(b)
            .append('-')
            .append(i)
            .append("\"}}\n")
            .append("{\"doc_id\": \"bomb-")
            .append(b)
            .append('-')
            .append(i)
            .append("\", \"saliency\": ")
            .append(bombJson)
            .append("}\n");
        if (i % 16 == 7) {
          QaDoc doc = Corpus.document(getRandom(), "valid-" + b + "-" + i, 48);
          valid.put(doc.id(), doc);
          bulk.append("{\"index\": {\"_id\": \"")
              .append(doc.id())
              .append("\"}}\n")
              .append(Rest.toJson(doc.json()))
              .append('\n');
        }
      }
      bodies.add(bulk.toString());
    }
    String what =
        bulks
            + " concurrent _bulk requests of 32 PNG bombs ("
            + bomb.length / 1024
            + " KB, 4096x4096 16-bit RGBA: 128 MiB decoded) and 2 valid documents each";
    watch.request(
        what,
        () -> {
          ExecutorService pool = Executors.newFixedThreadPool(bulks);
          try {
            List<Future<Rest.Reply>> replies = new ArrayList<>();
            for (String body : bodies) {
              replies.add(pool.submit(() -> watch.rest().call("POST", "/" + PNG + "/_bulk", body)));
            }
            List<String> outcomes = new ArrayList<>();
            for (Future<Rest.Reply> future : replies) {
              outcomes.add(judgeBombBulk(future.get()));
            }
            return String.join("; ", outcomes);
          } finally {
            pool.shutdownNow();
          }
        });
    watch.request(
        "after the bombs: exactly the acknowledged documents, cp answers exact",
        () -> {
          watch.rest().ok("POST", "/" + PNG + "/_refresh", null);
          assertEquals(new TreeSet<>(ACKNOWLEDGED.get(PNG)), ids(watch.rest(), PNG));
          List<QaDoc> there = ACKNOWLEDGED.get(PNG).stream().map(valid::get).toList();
          if (!there.isEmpty()) {
            new CpChecks(watch.rest(), PNG, there).randomized(getRandom(), 2, 48);
          }
          return there.size() + " documents, exact";
        });
    watch.assertNoProblems();
  }

  /**
   * Each bomb refused (a 400 naming the PNG's problem, or a 429); each valid document indexed or a
   * 429.
   */
  private static String judgeBombBulk(Rest.Reply reply) {
    if (!reply.ok()) {
      return "the whole _bulk " + NodeWatch.refused(reply, PNG_CAUSE);
    }
    Map<String, Integer> statuses = new java.util.TreeMap<>();
    String reason = null;
    for (JsonNode item : reply.body().path("items")) {
      JsonNode result = item.path("index");
      String id = result.path("_id").asText();
      int status = result.path("status").asInt();
      statuses.merge(status + (id.startsWith("bomb") ? " bomb" : " valid"), 1, Integer::sum);
      if (id.startsWith("bomb")) {
        assertTrue("a bomb was indexed: " + result, status != 200 && status != 201);
        String refused = NodeWatch.refused(new Rest.Reply(status, result), PNG_CAUSE);
        reason = reason == null ? refused : reason;
      } else if (status == 200 || status == 201) {
        ACKNOWLEDGED.get(PNG).add(id);
      } else {
        assertEquals("a valid document refused other than by a breaker: " + result, 429, status);
      }
    }
    return statuses + " (" + reason + ")";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // A huge k, size, from and search_after with every form.

  @Test
  public void hugeKSizeFromAndSearchAfter() {
    ensureShapes();
    CpCase term = shapes.terms.get(1);
    X diff = shapes.difference;
    Map<String, Double> termValues = shapes.of(term);
    watch.request("cp top-k, k 2^31-1, size 10", () -> cpTopK(term, Integer.MAX_VALUE, 10));
    watch.request("cp top-k, k 2^31-1, size 10000", () -> cpTopK(term, Integer.MAX_VALUE, 10_000));
    watch.request(
        "cp top-k, k 2^31 (beyond an int)",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    "{\"size\": 10, \"_source\": false, \"query\": {\"cp\": "
                        + Rest.toJson(term.json()).replaceFirst("\\}$", ", \"k\": 2147483648}")
                        + "}}"),
                K_CAUSE,
                body -> assertTopScores(body, termValues, 10)));
    watch.request(
        "cp top-k, k 10^12",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    "{\"size\": 10, \"_source\": false, \"query\": {\"cp\": "
                        + Rest.toJson(term.json()).replaceFirst("\\}$", ", \"k\": 1000000000000}")
                        + "}}"),
                K_CAUSE,
                body -> assertTopScores(body, termValues, 10)));
    watch.request("cp filter, size 10000", () -> cpFilter(term, "gte", median(termValues), 10_000));
    watch.request("cp scoring form, size 10000", () -> cpScoring(term, 10_000));
    watch.request("cp sort desc, size 10000", () -> cpSort(term, false, null));
    watch.request("cp sort asc, size 10000", () -> cpSort(term, true, null));
    watch.request(
        "cp sort desc, search_after [Double.MAX_VALUE]",
        () -> cpSort(term, false, List.of(Double.MAX_VALUE, "")));
    watch.request(
        "cp sort asc, search_after [Double.MAX_VALUE]",
        () -> cpSort(term, true, List.of(Double.MAX_VALUE, "")));
    watch.request(
        "cp sort asc, search_after [-Double.MAX_VALUE]",
        () -> cpSort(term, true, List.of(-Double.MAX_VALUE, "")));
    watch.request(
        "cp sort desc, search_after [Long.MAX_VALUE]",
        () -> cpSort(term, false, List.of(Long.MAX_VALUE, "")));
    watch.request(
        "cp sort desc, search_after [1e400]",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    "{\"size\": 10000, \"_source\": false, \"sort\": [{\"cp\": "
                        + Rest.toJson(term.with("order", "desc"))
                        + "}, {\"doc_id\": \"asc\"}], \"search_after\": [1e400, \"\"]}"),
                SEARCH_AFTER_CAUSE,
                reply ->
                    assertSorted(
                        reply,
                        termValues,
                        false,
                        List.of(Double.POSITIVE_INFINITY, ""),
                        "cp sort")));
    for (Map.Entry<String, String> window :
        Map.of(
                "size 10001",
                "\"size\": 10001",
                "size 2^31-1",
                "\"size\": 2147483647",
                "from 2^31-1",
                "\"from\": 2147483647, \"size\": 10",
                "size 2^31 (beyond an int)",
                "\"size\": 2147483648")
            .entrySet()) {
      watch.request(
          "cp filter, " + window.getKey(),
          () ->
              mustRefuse(
                  search(
                      SHAPES,
                      "{"
                          + window.getValue()
                          + ", \"query\": {\"cp\": "
                          + Rest.toJson(term.with("gte", 0))
                          + "}}"),
                  WINDOW_CAUSE));
    }
    watch.request(
        "cp sort, from 9990 size 10",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    Map.of(
                        "from",
                        9990,
                        "size",
                        10,
                        "sort",
                        List.of(
                            Map.of("cp", term.with("order", "desc")), Map.of("doc_id", "asc")))),
                WINDOW_CAUSE,
                body -> assertEquals(0, body.path("hits").path("hits").size())));

    Map<String, Double> diffValues = shapes.of(diff.text());
    double threshold = median(diffValues);
    Set<String> above = new TreeSet<>();
    diffValues.forEach(
        (id, v) -> {
          if (v >= threshold) {
            above.add(id);
          }
        });
    watch.request(
        "mask_expr filter, size 10000",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    Map.of(
                        "size",
                        10_000,
                        "_source",
                        false,
                        "query",
                        Map.of("mask_expr", Map.of("expr", diff.text(), "gte", threshold)))),
                EXPRESSION_CAUSE,
                body -> assertEquals(above, hitIds(body))));
    watch.request("mask_expr sort desc, size 10000", () -> exprSortShapes(diff, false, null));
    watch.request(
        "mask_expr sort asc, search_after [Double.MAX_VALUE]",
        () -> exprSortShapes(diff, true, List.of(Double.MAX_VALUE, "")));
    watch.request(
        "mask_expr sort desc, search_after [Double.MAX_VALUE]",
        () -> exprSortShapes(diff, false, List.of(Double.MAX_VALUE, "")));
    watch.request(
        "mask_expr sort asc, search_after [-Double.MAX_VALUE]",
        () -> exprSortShapes(diff, true, List.of(-Double.MAX_VALUE, "")));

    Map<String, Object> script = Map.of("lang", "masksearch", "source", diff.text());
    watch.request(
        "masksearch script_fields, size 10000",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    Map.of(
                        "size",
                        10_000,
                        "_source",
                        false,
                        "script_fields",
                        Map.of("v", Map.of("script", script)))),
                EXPRESSION_CAUSE,
                body -> assertScriptFields(body, diffValues)));
    watch.request(
        "masksearch _script sort desc, size 10000, search_after [Double.MAX_VALUE]",
        () -> {
          Map<String, Object> body =
              sortBody(
                  Map.of("_script", Map.of("type", "number", "script", script, "order", "desc")),
                  List.of(Double.MAX_VALUE, ""));
          return NodeWatch.answerOrError(
              search(SHAPES, body),
              SEARCH_AFTER_CAUSE,
              reply ->
                  assertSorted(
                      reply, diffValues, false, List.of(Double.MAX_VALUE, ""), "_script sort"));
        });
    Map<String, Double> positiveValues = shapes.of(shapes.positive.text());
    watch.request(
        "masksearch script_score, size 10000",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    Map.of(
                        "size",
                        10_000,
                        "_source",
                        false,
                        "query",
                        Map.of(
                            "script_score",
                            Map.of(
                                "query",
                                Map.of("match_all", Map.of()),
                                "script",
                                Map.of("lang", "masksearch", "source", shapes.positive.text()))))),
                EXPRESSION_CAUSE,
                body -> assertTopScores(body, positiveValues, 10_000)));
    watch.request(
        "masksearch script query, size 10000",
        () ->
            NodeWatch.answerOrError(
                search(
                    SHAPES,
                    Map.of(
                        "size",
                        10_000,
                        "_source",
                        false,
                        "query",
                        Map.of(
                            "script",
                            Map.of(
                                "script",
                                Map.of(
                                    "lang",
                                    "masksearch",
                                    "source",
                                    String.format(
                                        Locale.ROOT, "%s >= %s", diff.text(), threshold)))))),
                EXPRESSION_CAUSE,
                body -> assertEquals(above, hitIds(body))));
    watch.request(
        "after: every acknowledged document there",
        () -> {
          assertEquals(new TreeSet<>(ACKNOWLEDGED.get(SHAPES)), ids(watch.rest(), SHAPES));
          return "all there";
        });
    watch.assertNoProblems();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Assertions and helpers.

  /**
   * The hits are the top {@code size} by value, best first, each scored with its own exact value (a
   * float).
   */
  private static void assertTopScores(JsonNode body, Map<String, Double> values, int size) {
    List<Float> expected =
        values.values().stream()
            .map(Double::floatValue)
            .sorted(Comparator.reverseOrder())
            .limit(size)
            .toList();
    List<Float> actual = new ArrayList<>();
    for (JsonNode hit : body.path("hits").path("hits")) {
      String id = hit.path("_id").asText();
      float score = (float) hit.path("_score").asDouble();
      assertTrue("unexpected hit " + id, values.containsKey(id));
      assertEquals("score of " + id, values.get(id).floatValue(), score, 0f);
      actual.add(score);
    }
    assertEquals("top " + size, expected, actual);
  }

  /**
   * The hits are every document after {@code after} (value, id; null: from the start) in the order
   * of value then id, each with its exact value as its first sort value.
   */
  private static void assertSorted(
      JsonNode body,
      Map<String, Double> values,
      boolean ascending,
      List<Object> after,
      String what) {
    Comparator<Map.Entry<String, Double>> byValue = Map.Entry.comparingByValue();
    Comparator<Map.Entry<String, Double>> order =
        (ascending ? byValue : byValue.reversed()).thenComparing(Map.Entry.comparingByKey());
    List<String> expected = new ArrayList<>();
    values.entrySet().stream()
        .sorted(order)
        .forEach(
            e -> {
              if (after == null) {
                expected.add(e.getKey());
                return;
              }
              double v = ((Number) after.get(0)).doubleValue();
              int c = ascending ? Double.compare(e.getValue(), v) : Double.compare(v, e.getValue());
              if (c > 0 || (c == 0 && e.getKey().compareTo((String) after.get(1)) > 0)) {
                expected.add(e.getKey());
              }
            });
    List<String> actual = new ArrayList<>();
    for (JsonNode hit : body.path("hits").path("hits")) {
      String id = hit.path("_id").asText();
      actual.add(id);
      assertTrue(what + ": unexpected hit " + id, values.containsKey(id));
      assertEquals(
          what + ": sort value of " + id, values.get(id), hit.path("sort").get(0).asDouble(), 0);
    }
    assertEquals(what, expected.subList(0, Math.min(expected.size(), 10_000)), actual);
  }

  private static void assertScriptFields(JsonNode body, Map<String, Double> values) {
    JsonNode hits = body.path("hits").path("hits");
    assertEquals(values.size(), hits.size());
    for (JsonNode hit : hits) {
      String id = hit.path("_id").asText();
      assertEquals(
          "script field of " + id,
          values.get(id),
          hit.path("fields").path("v").get(0).asDouble(),
          0);
    }
  }

  /** A 4xx naming the cause; an answer is wrong here. */
  private static String mustRefuse(Rest.Reply reply, Pattern cause) {
    assertFalse("refused, not answered: " + NodeWatch.abbreviated(reply.body()), reply.ok());
    return NodeWatch.refused(reply, cause);
  }

  /** Passes a nested check's assertion on (used where a check returns an outcome in words). */
  private static void assertExact(String outcome) {
    assertTrue("an exact answer, not " + outcome, outcome.endsWith("the exact answer"));
  }

  private Rest.Reply search(String index, Object body) {
    return watch.rest().call("POST", "/" + index + "/_search", body);
  }

  private static Set<String> hitIds(JsonNode body) {
    Set<String> ids = new TreeSet<>();
    body.path("hits").path("hits").forEach(hit -> ids.add(hit.path("_id").asText()));
    return ids;
  }

  private static Set<String> ids(Rest rest, String index) {
    rest.ok("POST", "/" + index + "/_refresh", null);
    JsonNode reply =
        rest.ok(
            "POST",
            "/" + index + "/_search",
            Map.of(
                "size",
                10_000,
                "_source",
                false,
                "track_total_hits",
                true,
                "query",
                Map.of("match_all", Map.of())));
    Set<String> ids = hitIds(reply);
    assertEquals(ids.size(), reply.path("hits").path("total").path("value").asInt());
    return ids;
  }

  private static void deleteIndex(String index) {
    Rest.Reply reply = node.rest().call("DELETE", "/" + index, null);
    assertTrue(reply.body().toString(), reply.ok() || reply.status() == 404);
  }
}
