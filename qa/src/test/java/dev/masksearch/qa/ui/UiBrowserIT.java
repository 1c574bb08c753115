package dev.masksearch.qa.ui;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.Rest;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.qa.data.SyntheticImage;
import dev.masksearch.qa.load.SampleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI ({@code /_plugins/masksearch/ui}) in real headless Chromium against the real cluster,
 * on the sample documents of {@code bin/run}: the paper's three scenarios entered through the form,
 * each answer compared with what the REST API returns for the DSL the page shows; overlays drawn;
 * the confusion matrix against a terms aggregation and a cell restricting the results;
 * augmentation; and a document's HTML shown as text. Screenshots are kept in {@code
 * qa/target/screenshots}.
 */
public class UiBrowserIT extends ClusterTestCase {
  private static final String INDEX = "ui_images";

  /** The same images with their objects nested (COCO-style instance masks as RLE). */
  private static final String OBJECTS_INDEX = "ui_objects";

  private static final int COUNT = 160;
  private static final String PAYLOAD =
      "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ChromeDriver browser;
  private static Path screenshots;

  @BeforeClass
  public static void loadAndOpen() throws Exception {
    deleteIndex(INDEX);
    ok("PUT", "/" + INDEX, SampleLoader.MAPPING);
    SyntheticDataset data = new SyntheticDataset(42);
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i <= COUNT; i++) {
      SyntheticImage image = data.image(i % COUNT);
      Map<String, Object> doc = new HashMap<>(SampleLoader.document(image, data.render(image)));
      String id = image.id() + "";
      if (i == COUNT) { // one document whose text fields carry HTML: shown as text, never run
        id = "xssdoc";
        doc.put("caption", PAYLOAD);
        doc.put("predicted", "<b>bold</b>");
      }
      bulk.append("{\"index\": {\"_id\": \"")
          .append(id)
          .append("\"}}\n")
          .append(Rest.toJson(doc))
          .append('\n');
      if (i % 40 == 39 || i == COUNT) {
        JsonNode reply = ok("POST", "/" + INDEX + "/_bulk", bulk.toString());
        assertFalse(reply.toString(), reply.path("errors").asBoolean());
        bulk.setLength(0);
      }
    }
    ok("POST", "/" + INDEX + "/_refresh", null);
    loadObjects(data);
    screenshots = Path.of(System.getProperty("qa.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    browser = Chromium.start();
    browser.get(
        "http://127.0.0.1:" + cluster().httpPort(0) + "/_plugins/masksearch/ui?index=" + INDEX);
    waitFor(
        "the page to load the index",
        "return document.body.dataset.ready === '1'"
            + " && document.getElementById('maskField').options.length > 0");
    assertEquals(
        INDEX,
        new Select(browser.findElement(By.id("index")))
            .getFirstSelectedOption()
            .getDomProperty("value"));
  }

  /**
   * 30 of the images again, each with two objects nested: its object's ellipse inside the box
   * ("object") and a blob anywhere ("distractor"), instance masks as compressed RLE.
   */
  private static void loadObjects(SyntheticDataset data) throws Exception {
    deleteIndex(OBJECTS_INDEX);
    @SuppressWarnings("unchecked")
    Map<String, Object> mapping = JSON.readValue(SampleLoader.MAPPING, Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> properties =
        (Map<String, Object>) ((Map<String, Object>) mapping.get("mappings")).get("properties");
    // OpenSearch's derived source does not support nested fields: keep _source
    @SuppressWarnings("unchecked")
    Map<String, Object> settings = (Map<String, Object>) mapping.get("settings");
    settings.keySet().removeIf(k -> k.contains("derived_source"));
    properties.put(
        "objects",
        Map.of(
            "type",
            "nested",
            "properties",
            Map.of(
                "category", Map.of("type", "keyword"),
                "mask", Map.of("type", "mask"),
                "box", Map.of("type", "mask_roi"))));
    ok("PUT", "/" + OBJECTS_INDEX, mapping);
    StringBuilder bulk = new StringBuilder();
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 30; i++) {
      SyntheticImage image = data.image(i);
      Map<String, Object> doc = new HashMap<>(SampleLoader.document(image, data.render(image)));
      int side = image.saliency().width();
      dev.masksearch.mask.Roi box = image.box();
      List<Map<String, Object>> objects = new ArrayList<>();
      objects.add(object("object", ellipse(side, box, r), box));
      dev.masksearch.mask.Roi blob =
          new dev.masksearch.mask.Roi(r.nextInt(side / 2), r.nextInt(side / 2), 0, 0);
      blob =
          new dev.masksearch.mask.Roi(
              blob.x1(), blob.y1(), blob.x1() + 20 + r.nextInt(80), blob.y1() + 20 + r.nextInt(80));
      objects.add(object("distractor", ellipse(side, blob, r), blob));
      doc.put("objects", objects);
      bulk.append("{\"index\": {\"_id\": \"o")
          .append(i)
          .append("\"}}\n")
          .append(Rest.toJson(doc))
          .append('\n');
    }
    JsonNode reply = ok("POST", "/" + OBJECTS_INDEX + "/_bulk?refresh=true", bulk.toString());
    assertFalse(reply.toString(), reply.path("errors").asBoolean());
  }

  private static Map<String, Object> object(
      String category, dev.masksearch.mask.Mask mask, dev.masksearch.mask.Roi box) {
    return Map.of(
        "category",
        category,
        "box",
        List.of(box.x1(), box.y1(), box.x2(), box.y2()),
        "mask",
        Map.of(
            "rle",
            Map.of(
                "size",
                List.of(mask.height(), mask.width()),
                "counts",
                dev.masksearch.mask.RleMasks.encode(mask))));
  }

  /** The ellipse inscribed in a box, a random share of its pixels dropped. */
  private static dev.masksearch.mask.Mask ellipse(
      int side, dev.masksearch.mask.Roi box, java.util.Random r) {
    byte[] raw = new byte[side * side];
    double cx = (box.x1() + box.x2()) / 2.0;
    double cy = (box.y1() + box.y2()) / 2.0;
    double rx = Math.max(1, (box.x2() - box.x1()) / 2.0);
    double ry = Math.max(1, (box.y2() - box.y1()) / 2.0);
    double keep = 0.2 + 0.8 * r.nextDouble();
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        double dx = (x + 0.5 - cx) / rx;
        double dy = (y + 0.5 - cy) / ry;
        if (dx * dx + dy * dy <= 1 && r.nextDouble() < keep) {
          raw[y * side + x] = (byte) 255;
        }
      }
    }
    return dev.masksearch.mask.Mask.of(dev.masksearch.mask.MaskDType.UINT8, side, side, raw);
  }

  @AfterClass
  public static void closeBrowser() {
    if (browser != null) {
      browser.quit();
      browser = null;
    }
    deleteIndex(INDEX);
    deleteIndex(OBJECTS_INDEX);
  }

  /**
   * Each test starts from a form without restrictions or text (the tests run in a random order).
   */
  @Before
  public void resetForm() {
    showIndex(INDEX); // the objects test uses another index
    for (WebElement clear : browser.findElements(By.cssSelector("#restrictions button"))) {
      clear.click();
    }
    type("text", "");
  }

  @Test
  public void scenario1BackgroundSaliencyAndAugmentation() throws Exception {
    select("mode", "cp");
    select("maskField", "saliency");
    select("roiKind", "field");
    select("roiField", "bbox");
    type("lv", "0.85");
    type("uv", "1.01");
    check("normalize", true);
    select("op", "filter");
    select("cmp", "lt");
    type("threshold", "0.05");
    type("size", "200");
    type("text", "");
    JsonNode dsl = dsl();
    JsonNode cp = dsl.at("/query/bool/filter/0/cp");
    assertEquals("saliency", cp.path("field").asText());
    assertEquals("bbox", cp.at("/roi/field").asText());
    assertEquals(0.05, cp.path("lt").asDouble(), 0);
    assertTrue(cp.path("normalize").asBoolean());
    List<Hit> hits = runAndCompare(dsl, "script_fields");
    assertFalse("scenario 1 finds images whose model looks at the background", hits.isEmpty());
    for (Hit hit : hits) {
      assertTrue(hit.id + " " + hit.value, hit.value < 0.05);
    }
    assertTrue(text("masksRead"), text("masksRead").startsWith("masks verified: "));
    assertCanvasesDrawn();
    screenshot("scenario-1");

    // Augmentation of the first two: pixels outside the box randomized, inside kept, downloadable
    // as PNG.
    List<WebElement> boxes = browser.findElements(By.cssSelector("#results input.select"));
    boxes.get(0).click();
    if (boxes.size() > 1) {
      boxes.get(1).click();
    }
    browser.findElement(By.id("augment")).click();
    int chosen = Math.min(2, boxes.size());
    waitFor(
        "augmented downloads",
        "return document.querySelectorAll('#augmented a[data-ready=\"1\"]').length === " + chosen);
    for (WebElement link : browser.findElements(By.cssSelector("#augmented a"))) {
      assertTrue(link.getAttribute("href"), link.getAttribute("href").startsWith("blob:"));
      assertTrue(
          link.getAttribute("download"), link.getAttribute("download").endsWith("-augmented.png"));
    }
    // Augmenting again randomizes the outside anew and keeps the inside: the pixels inside the
    // document's box are
    // the same both times, those outside (almost all) differ.
    String id = browser.findElement(By.cssSelector("#augmented .card")).getAttribute("data-id");
    JsonNode box = ok("GET", "/" + INDEX + "/_doc/" + id, null).at("/_source/bbox");
    js(
        "const c = document.querySelector('#augmented canvas');"
            + " window.__aug = c.getContext('2d').getImageData(0, 0, c.width, c.height).data.slice();");
    browser.findElement(By.id("augment")).click();
    waitFor(
        "augmented again",
        "return document.querySelectorAll('#augmented a[data-ready=\"1\"]').length === " + chosen);
    List<?> same =
        (List<?>)
            js(
                """
        const [x1, y1, x2, y2] = arguments[0];
        const c = document.querySelector('#augmented canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let inSame = 0, inAll = 0, outSame = 0, outAll = 0;
        for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) {
          const p = 4 * (y * c.width + x);
          const eq = d[p] === window.__aug[p] && d[p + 1] === window.__aug[p + 1] && d[p + 2] === window.__aug[p + 2];
          if (x >= x1 && x < x2 && y >= y1 && y < y2) { inAll++; if (eq) inSame++; } else { outAll++; if (eq) outSame++; }
        }
        return [inSame, inAll, outSame, outAll];""",
                List.of(
                    box.get(0).asInt(),
                    box.get(1).asInt(),
                    box.get(2).asInt(),
                    box.get(3).asInt()));
    assertEquals("inside the box: " + same, same.get(1), same.get(0));
    assertTrue(
        "outside the box: " + same,
        ((Number) same.get(2)).doubleValue() < 0.01 * ((Number) same.get(3)).doubleValue());
    assertTrue("outside the box: " + same, ((Number) same.get(3)).longValue() > 0);
    screenshot("scenario-1-augmented");
  }

  @Test
  public void scenario2TopMidValuePixels() throws Exception {
    select("mode", "cp");
    select("maskField", "saliency");
    select("roiKind", "full");
    type("lv", "0.2");
    type("uv", "0.6");
    check("normalize", false);
    select("op", "topk");
    type("k", "25");
    select("order", "desc");
    type("text", "");
    JsonNode dsl = dsl();
    assertEquals(25, dsl.at("/query/cp/k").asInt());
    assertEquals(25, dsl.path("size").asInt());
    List<Hit> hits = runAndCompare(dsl, "_score");
    assertEquals(25, hits.size());
    assertTrue(text("masksRead"), text("masksRead").startsWith("masks verified: "));
    assertCanvasesDrawn();
    screenshot("scenario-2");
  }

  @Test
  public void scenario3IouAscending() throws Exception {
    select("mode", "iou");
    select("iouA", "saliency");
    type("iouAThr", "0.8");
    select("iouB", "human");
    type("iouBThr", "0.8");
    select("op", "topk");
    type("k", "25");
    select("order", "asc");
    type("text", "");
    JsonNode dsl = dsl();
    JsonNode sort = dsl.at("/sort/0/mask_expr");
    assertEquals("iou(saliency > 0.8, human > 0.8)", sort.path("expr").asText());
    assertEquals("asc", sort.path("order").asText());
    List<Hit> hits = runAndCompare(dsl, "sort");
    assertEquals(25, hits.size());
    for (int i = 1; i < hits.size(); i++) {
      assertTrue(hits.get(i - 1).value <= hits.get(i).value);
    }
    assertCanvasesDrawn();
    screenshot("scenario-3");
  }

  /**
   * "like this" on a result: the form switches to the masks-like query of that document's mask,
   * runs it, and shows the same hits and similarities as the REST API, the document itself first.
   */
  @Test
  public void likeThisShowsTheMostAlikeMasks() throws Exception {
    select("mode", "cp");
    select("maskField", "saliency");
    select("roiKind", "full");
    type("lv", "0.5");
    type("uv", "1.01");
    select("op", "topk");
    type("k", "10");
    select("order", "desc");
    browser.findElement(By.id("run")).click();
    waitForResults();
    WebElement first = browser.findElement(By.cssSelector("#results .card"));
    String example = first.getAttribute("data-id");
    first.findElement(By.cssSelector("button.like")).click();
    waitForResults();
    JsonNode dsl = dsl();
    JsonNode like = dsl.at("/query/mask_like");
    assertEquals("saliency", like.path("field").asText());
    assertEquals(example, like.at("/like/id").asText());
    assertEquals(INDEX, like.at("/like/index").asText());
    assertEquals(10, like.path("k").asInt());
    List<Hit> hits = runAndCompare(dsl, "_score");
    assertEquals(10, hits.size());
    assertEquals(1.0, hits.get(0).value, 0.0); // an image is most like itself (IoU 1)
    for (int i = 1; i < hits.size(); i++) {
      assertTrue(hits.get(i - 1).value >= hits.get(i).value);
    }
    assertCanvasesDrawn();
    screenshot("like-this");
  }

  /**
   * A polygon ROI drawn by clicking an image: the points land in the DSL in mask coordinates, the
   * outline is drawn, and the filter's hits equal the REST API's.
   */
  @Test
  public void polygonDrawnOnAnImage() throws Exception {
    select("mode", "cp");
    select("maskField", "saliency");
    select("roiKind", "full");
    type("lv", "0.5");
    type("uv", "1.01");
    select("op", "topk");
    type("k", "5");
    select("order", "desc");
    browser.findElement(By.id("run")).click();
    waitForResults();
    select("roiKind", "polygon");
    browser.findElement(By.id("polyClear")).click();
    WebElement canvas = browser.findElement(By.cssSelector("#results canvas"));
    int w = canvas.getSize().getWidth();
    int h = canvas.getSize().getHeight();
    // three clicks: top-left, top-right and bottom-middle of the image (offsets from its centre)
    for (int[] at : new int[][] {{-w / 4, -h / 4}, {w / 4, -h / 4}, {0, h / 4}}) {
      new org.openqa.selenium.interactions.Actions(browser)
          .moveToElement(canvas, at[0], at[1])
          .click()
          .perform();
    }
    JsonNode polygon = dsl().at("/query/cp/roi/polygon");
    assertEquals(polygon.toString(), 3, polygon.size());
    int side = 224; // the synthetic masks' size: clicks land in mask pixels
    assertTrue(polygon.toString(), polygon.get(0).get(0).asInt() < side / 2);
    assertTrue(polygon.toString(), polygon.get(1).get(0).asInt() > side / 2);
    assertTrue(polygon.toString(), polygon.get(2).get(1).asInt() > side / 2);
    select("op", "filter");
    select("cmp", "gt");
    type("threshold", "0");
    type("size", "200");
    JsonNode dsl = dsl();
    assertTrue(dsl.toString(), dsl.at("/query/bool/filter/0/cp/roi/polygon").size() == 3);
    browser.findElement(By.id("run")).click();
    waitForResults();
    List<String> expected = restIds(dsl);
    assertFalse("some images have salient pixels in the triangle", expected.isEmpty());
    assertEquals(expected, shownIds());
    assertTrue(
        text("results"),
        browser.findElement(By.cssSelector("#results .value")).getText().contains("in the filter"));
    assertCanvasesDrawn();
    screenshot("polygon-roi");
    browser.findElement(By.id("polyClear")).click();
    select("roiKind", "full");
  }

  @Test
  public void confusionMatrixAndItsCells() throws Exception {
    select("labelField", "label");
    select("predField", "predicted");
    browser.findElement(By.id("matrixBtn")).click();
    waitFor("the matrix", "return document.getElementById('matrix').dataset.state === 'done'");
    JsonNode aggs =
        ok(
            "POST",
            "/" + INDEX + "/_search",
            """
        {"size": 0, "aggs": {"l": {"terms": {"field": "label", "size": 100},
         "aggs": {"p": {"terms": {"field": "predicted", "size": 100}}}}}}""");
    Map<String, Long> expected = new HashMap<>();
    for (JsonNode l : aggs.at("/aggregations/l/buckets")) {
      for (JsonNode p : l.at("/p/buckets")) {
        expected.put(
            l.path("key").asText() + " -> " + p.path("key").asText(), p.path("doc_count").asLong());
      }
    }
    Map<String, Long> shown = new HashMap<>();
    for (WebElement cell : browser.findElements(By.cssSelector("#matrix td"))) {
      long n = Long.parseLong(cell.getAttribute("data-count"));
      assertEquals(Long.toString(n), cell.getText());
      if (n > 0) {
        shown.put(
            cell.getAttribute("data-label") + " -> " + cell.getAttribute("data-predicted"), n);
      }
    }
    assertEquals(expected, shown);
    // The whole matrix is in view: it sits in the results column, wide enough for every class (it
    // was cut off in
    // the side column at 8 classes and more).
    assertTrue(
        "classes: " + expected.size(),
        ((Number)
                    js(
                        "return new Set([...document.querySelectorAll('#matrix td')]"
                            + ".map(c => c.dataset.label)).size"))
                .longValue()
            >= 2);
    assertEquals(
        "the matrix is not clipped",
        Boolean.TRUE,
        js(
            "var t = document.querySelector('#matrix table'); var m = document.getElementById('matrix');"
                + " return t.getBoundingClientRect().right <= m.getBoundingClientRect().right + 0.5"));
    // The document's HTML label is a column heading as text.
    assertTrue(browser.findElement(By.id("matrix")).getText().contains("<b>bold</b>"));
    assertEquals(
        0L,
        js("return document.querySelectorAll('#matrix b, #matrix script, #matrix img').length"));

    // Most confused first; opening one restricts the results to its documents.
    List<WebElement> confused = browser.findElements(By.cssSelector("#matrix .confused button"));
    assertFalse(confused.isEmpty());
    long previous = Long.MAX_VALUE;
    for (WebElement b : confused) {
      long n = Long.parseLong(b.getAttribute("data-count"));
      assertTrue(n <= previous);
      previous = n;
    }
    WebElement top = confused.get(0);
    String label = top.getAttribute("data-label");
    String predicted = top.getAttribute("data-predicted");
    long count = Long.parseLong(top.getAttribute("data-count"));
    select("mode", "cp");
    select("roiKind", "full");
    select("op", "filter");
    select("cmp", "gte");
    type("threshold", "0");
    type("size", "200");
    top.click();
    waitForResults();
    JsonNode dsl = dsl();
    assertTrue(
        dsl.toString(),
        dsl.toString().contains("{\"term\":{\"label\":" + JSON.writeValueAsString(label) + "}}"));
    assertEquals(
        Long.toString(count), browser.findElement(By.id("hitCount")).getAttribute("data-total"));
    List<String> ids = shownIds();
    assertEquals(count, ids.size());
    assertEquals(restIds(dsl), ids);
    for (WebElement card : browser.findElements(By.cssSelector("#results .card"))) {
      String text = card.getText();
      assertTrue(
          text, text.contains("label: " + label) && text.contains("predicted: " + predicted));
    }
    screenshot("confusion-matrix");
  }

  @Test
  public void documentHtmlIsShownAsText() throws Exception {
    select("mode", "cp");
    select("roiKind", "full");
    type("lv", "0.5");
    type("uv", "1.01");
    select("op", "filter");
    select("cmp", "gte");
    type("threshold", "0");
    type("text", "_id:xssdoc");
    JsonNode dsl = dsl();
    List<Hit> hits = runAndCompare(dsl, "script_fields");
    assertEquals(1, hits.size());
    String card = browser.findElement(By.cssSelector("#results .card")).getText();
    assertTrue(card, card.contains("caption: " + PAYLOAD));
    assertTrue(card, card.contains("predicted: <b>bold</b>"));
    assertEquals(
        0L,
        js("return document.querySelectorAll('#results script, #results img, #results b').length"));
    assertEquals(true, js("return window.__xss === undefined"));
    screenshot("html-as-text");
  }

  /**
   * A document's image URL never makes the browser call this node with the user's credentials:
   * paths and absolute URLs of the page's own origin (such as {@code http://<node>:9200/_flush})
   * are refused, and images of other origins are loaded without credentials or referrer.
   */
  @Test
  public void documentUrlsNeverCallThisNode() {
    String origin = (String) js("return location.origin");
    String host = origin.substring(origin.indexOf("//"));
    for (String refused :
        List.of(
            "/_flush",
            origin + "/_flush",
            origin.toUpperCase(Locale.ROOT) + "/_flush",
            host + "/_flush",
            "//\t" + host.substring(2) + "/_flush",
            origin.replace("//", "\\\\") + "/_flush",
            "https://user:secret@example.invalid/a.png",
            "javascript:alert(1)",
            "ftp://example.invalid/a.png")) {
      assertEquals(refused, null, js("return imageUrl(arguments[0])", refused));
    }
    assertEquals(
        "https://example.invalid/a.png", js("return imageUrl('https://example.invalid/a.png')"));
    assertEquals("http://example.invalid/a.png", js("return imageUrl('//example.invalid/a.png')"));
    @SuppressWarnings("unchecked")
    List<Object> made =
        (List<Object>)
            js(
                """
        const Real = window.Image, made = [];
        window.Image = function () { const i = new Real(); made.push(i); return i; };
        try { loadImage('https://example.invalid/a.png'); } finally { window.Image = Real; }
        return [made.length, made[0].crossOrigin, made[0].referrerPolicy, made[0].src];""");
    assertEquals(List.of(1L, "anonymous", "no-referrer", "https://example.invalid/a.png"), made);
  }

  /**
   * A mask field's name is found in an expression by string search: a name with RegExp syntax in it
   * is no error.
   */
  @Test
  public void fieldNamesAreNotPatterns() {
    assertEquals(
        true,
        js(
            "return namesOperand(arguments[0], 'sal(iency')",
            "{\"source\": \"iou(sal(iency , human) > 0\"}"));
    assertEquals(
        true,
        js("return namesOperand(arguments[0], 'a+b')", "{\"source\": \"cp(a+b, full, 0, 1)\"}"));
    assertEquals(
        false,
        js("return namesOperand(arguments[0], 'a+b')", "{\"source\": \"cp(aa+b, full, 0, 1)\"}"));
    assertEquals(
        false,
        js(
            "return namesOperand(arguments[0], 'saliency')",
            "{\"source\": \"cp(saliency2, full, 0, 1)\"}"));
  }

  // ---- helpers
  // -------------------------------------------------------------------------------------------------

  private record Hit(String id, double value) {}

  /**
   * Runs the page's DSL, waits for its results, and checks ids and values against the same DSL over
   * REST.
   */
  private List<Hit> runAndCompare(JsonNode dsl, String valueFrom) throws Exception {
    browser.findElement(By.id("run")).click();
    waitForResults();
    JsonNode reply = ok("POST", "/" + INDEX + "/_search", dsl.toString());
    List<Hit> expected = new ArrayList<>();
    for (JsonNode hit : reply.at("/hits/hits")) {
      JsonNode v =
          switch (valueFrom) {
            case "script_fields" -> hit.at("/fields/cp_value/0");
            case "sort" -> hit.at("/sort/0");
            default -> hit.path("_score");
          };
      expected.add(new Hit(hit.path("_id").asText(), v.isNumber() ? v.asDouble() : Double.NaN));
    }
    List<Hit> shown = new ArrayList<>();
    for (WebElement card : browser.findElements(By.cssSelector("#results .card"))) {
      String v = card.findElement(By.cssSelector(".value")).getAttribute("data-value");
      shown.add(
          new Hit(card.getAttribute("data-id"), v.isEmpty() ? Double.NaN : Double.parseDouble(v)));
    }
    assertEquals(expected, shown);
    String total = browser.findElement(By.id("hitCount")).getAttribute("data-total");
    if (reply.at("/hits/total/value").isNumber()) {
      assertEquals(reply.at("/hits/total/value").asText(), total);
    }
    return shown;
  }

  private static List<String> restIds(JsonNode dsl) {
    List<String> ids = new ArrayList<>();
    for (JsonNode hit : ok("POST", "/" + INDEX + "/_search", dsl.toString()).at("/hits/hits")) {
      ids.add(hit.path("_id").asText());
    }
    return ids;
  }

  private static List<String> shownIds() {
    return browser.findElements(By.cssSelector("#results .card")).stream()
        .map(c -> c.getAttribute("data-id"))
        .toList();
  }

  private static void waitForResults() {
    waitFor(
        "the results",
        "const r = document.getElementById('results');"
            + " return r.dataset.state === 'done' || r.dataset.state === 'error'");
    String error = text("error");
    assertTrue("the page shows an error: " + error, error.isEmpty());
  }

  /**
   * Every result canvas has drawn its image and overlay: non-black pixels, the heat map's included.
   */
  private static void assertCanvasesDrawn() {
    waitFor(
        "the overlays",
        "const cs = [...document.querySelectorAll('#results canvas')];"
            + " return cs.length > 0 && cs.every(c => c.dataset.rendered === '1')");
    Object coloured =
        js(
            """
        return [...document.querySelectorAll('#results canvas')].map(c => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 30) n++;
          return n / (c.width * c.height);
        });""");
    for (Object share : (List<?>) coloured) {
      assertTrue("canvas mostly blank: " + share, ((Number) share).doubleValue() > 0.2);
    }
  }

  /**
   * Per-object queries (issue 16): the form builds a nested query with the object's own mask in its
   * own box and a category; the page shows exactly the images and the matched objects (inner hits)
   * that the REST API returns for its DSL, and every object's outline, matched ones marked.
   */
  @Test
  public void perObjectQueriesShowTheMatchedObjects() throws Exception {
    showIndex(OBJECTS_INDEX);
    select("mode", "objects");
    select("objPath", "objects");
    select("objMask", "objects.mask");
    select("objRoi", "objects.box");
    select("objCatField", "objects.category");
    type("objCat", "object");
    type("objLv", "0.5");
    type("objUv", "1.01");
    check("objNormalize", true);
    select("cmp", "lt");
    type("threshold", "0.6");
    type("size", "50");
    JsonNode dsl = dsl();
    JsonNode nested = dsl.at("/query/bool/filter/0/nested");
    assertEquals("objects", nested.path("path").asText());
    assertEquals("objects.mask", nested.at("/query/bool/filter/1/cp/field").asText());
    assertEquals("objects.box", nested.at("/query/bool/filter/1/cp/roi/field").asText());
    assertEquals("object", nested.at("/query/bool/filter/0/term/objects.category").asText());
    browser.findElement(By.id("run")).click();
    waitForResults();
    JsonNode reply = ok("POST", "/" + OBJECTS_INDEX + "/_search", dsl.toString());
    List<String> expected = new ArrayList<>();
    for (JsonNode hit : reply.at("/hits/hits")) {
      List<String> offsets = new ArrayList<>();
      hit.at("/inner_hits/objects/hits/hits")
          .forEach(h -> offsets.add(h.at("/_nested/offset").asText()));
      expected.add(hit.path("_id").asText() + ":" + String.join(",", offsets) + ":2");
    }
    assertFalse("the query matches some images", expected.isEmpty());
    assertTrue("and not all", expected.size() < 30);
    waitFor(
        "the outlines",
        "const cs = [...document.querySelectorAll('#results canvas')];"
            + " return cs.length > 0 && cs.every(c => c.dataset.rendered === '1')");
    List<String> shown = new ArrayList<>();
    for (WebElement canvas : browser.findElements(By.cssSelector("#results canvas"))) {
      shown.add(
          canvas.getAttribute("data-id")
              + ":"
              + canvas.getAttribute("data-matched")
              + ":"
              + canvas.getAttribute("data-objects"));
    }
    assertEquals(expected, shown);
    screenshot("objects");
  }

  /** Selects an index in the page and waits until its mapping is loaded. */
  private static void showIndex(String index) {
    if (!index.equals(
        new Select(browser.findElement(By.id("index")))
            .getFirstSelectedOption()
            .getDomProperty("value"))) {
      select("index", index);
    }
    waitFor(
        "the mapping of " + index,
        "return document.getElementById('indexInfo').dataset.index === '" + index + "'");
  }

  private static JsonNode dsl() throws Exception {
    browser.findElement(By.id("generate")).click();
    String text = browser.findElement(By.id("dsl")).getDomProperty("value");
    return JSON.readTree(text);
  }

  private static void select(String id, String value) {
    new Select(browser.findElement(By.id(id))).selectByValue(value);
  }

  private static void type(String id, String value) {
    WebElement input = browser.findElement(By.id(id));
    input.clear();
    if (!value.isEmpty()) {
      input.sendKeys(value);
    }
  }

  private static void check(String id, boolean on) {
    WebElement box = browser.findElement(By.id(id));
    if (box.isSelected() != on) {
      box.click();
    }
  }

  private static String text(String id) {
    List<WebElement> found = browser.findElements(By.id(id));
    return found.isEmpty() ? "(no element #" + id + ")" : found.get(0).getText();
  }

  private static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  private static void waitFor(String what, String script) {
    try {
      new WebDriverWait(browser, Duration.ofSeconds(90))
          .until(d -> Boolean.TRUE.equals(js(script)));
    } catch (RuntimeException e) {
      screenshot("timeout");
      throw new AssertionError(
          "timed out waiting for " + what + "; page error: " + text("error"), e);
    }
  }

  private static void screenshot(String name) {
    try {
      Files.write(screenshots.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
