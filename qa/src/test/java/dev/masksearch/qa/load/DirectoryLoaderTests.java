package dev.masksearch.qa.load;

import com.carrotsearch.randomizedtesting.annotations.ThreadLeakLingering;
import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hc.core5.http.HttpHost;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.opensearch.client.RestClient;

/**
 * Tests of the directory loader: document building from a fixture directory (PNG and .npy masks, an
 * empty box, a missing file, a corrupt PNG, extra columns), batching limits, bulk failures, and
 * whole loads (refusal, resume) against a small fake node that speaks the few endpoints the loader
 * uses.
 */
@ThreadLeakLingering(linger = 5000) // the REST client's I/O threads end shortly after close()
// ExtrasFS would add stray entries (extra0) to the fixture directory, which the loader reads as
// mask kinds.
@LuceneTestCase.SuppressFileSystems("ExtrasFS")
public class DirectoryLoaderTests extends LuceneTestCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEADER =
      "id,source,width,height,bbox_x1,bbox_y1,bbox_x2,bbox_y2,masks,license,score,count,tag";

  private static Mask randomMask(Random r, int h, int w) {
    byte[] data = new byte[h * w];
    r.nextBytes(data);
    return Mask.of(MaskDType.UINT8, h, w, data);
  }

  /** A version 1.0 .npy file of little-endian float32 values. */
  private static byte[] npyFloat32(int h, int w, float[] values) {
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + h + ", " + w + "), }";
    int padded = (10 + header.length() + 1 + 63) / 64 * 64 - 10;
    ByteBuffer out =
        ByteBuffer.allocate(10 + padded + values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) padded);
    out.put(
        (header + " ".repeat(padded - header.length() - 1) + "\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    for (float v : values) {
      out.putFloat(v);
    }
    return out.array();
  }

  /** The fixture: five rows, two of them bad; returns the masks written, by "kind/id". */
  private Map<String, Mask> writeFixture(Path dir, Random r) throws IOException {
    Files.createDirectories(dir.resolve("images"));
    Files.createDirectories(dir.resolve("masks/isnet"));
    Files.createDirectories(dir.resolve("masks/depth"));
    Map<String, Mask> masks = new LinkedHashMap<>();
    // a: PNG masks of both kinds, a box, every extra column
    Mask aIsnet = randomMask(r, 6, 8);
    Files.write(dir.resolve("masks/isnet/a.png"), PngMasks.encode(aIsnet));
    masks.put("isnet/a", aIsnet);
    Mask aDepth = randomMask(r, 6, 8);
    Files.write(dir.resolve("masks/depth/a.png"), PngMasks.encode(aDepth));
    masks.put("depth/a", aDepth);
    // b: an .npy mask, no box, empty extra cells
    float[] values = new float[5 * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = r.nextFloat();
    }
    Files.write(dir.resolve("masks/isnet/b.npy"), npyFloat32(5, 3, values));
    masks.put("isnet/b", Mask.ofFloats(5, 3, values));
    // c: its depth mask is missing; d: a corrupt PNG; e: a mask larger than the row says
    Files.write(dir.resolve("masks/isnet/c.png"), PngMasks.encode(randomMask(r, 2, 2)));
    byte[] corrupt = PngMasks.encode(randomMask(r, 4, 4));
    Files.write(
        dir.resolve("masks/isnet/d.png"), java.util.Arrays.copyOf(corrupt, corrupt.length / 2));
    Files.write(dir.resolve("masks/isnet/e.png"), PngMasks.encode(randomMask(r, 3, 3)));
    for (String id : List.of("a", "b", "c", "d", "e")) {
      Files.write(
          dir.resolve("images/" + id + ".png"),
          ("image of " + id).getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(
        dir.resolve("index.csv"),
        HEADER
            + "\n"
            + "a,photo,8,6,1,2,7,5,isnet|depth,\"CC-BY, 4.0\",0.5,3,x\n"
            + "b,clipart,3,5,,,,,isnet,PD,,7,\n"
            + "c,photo,2,2,0,0,1,1,isnet|depth,PD,1e-3,1,y\n"
            + "d,photo,4,4,0,0,1,1,isnet,PD,2,2,z\n"
            + "e,photo,2,2,,,,,isnet,PD,2,2,z\n"
            + "f,photo,2,2\n");
    return masks;
  }

  public void testMappingFromDirectory() throws IOException {
    Path dir = createTempDir("data");
    writeFixture(dir, random());
    Dataset dataset = Dataset.read(dir);
    assertEquals(Set.of("isnet", "depth"), dataset.kinds());
    JsonNode body = JSON.valueToTree(dataset.indexBody(2, 1));
    JsonNode settings = body.path("settings");
    assertEquals("masksearch", settings.path("index.codec").asText());
    assertTrue(settings.path("index.derived_source.enabled").asBoolean());
    assertEquals(2, settings.path("number_of_shards").asInt());
    JsonNode p = body.path("mappings").path("properties");
    for (String keyword : List.of("id", "source", "license", "tag")) {
      assertEquals(keyword, "keyword", p.path(keyword).path("type").asText());
    }
    assertEquals("integer", p.path("width").path("type").asText());
    assertEquals("mask_roi", p.path("bbox").path("type").asText());
    assertEquals("mask", p.path("isnet").path("type").asText());
    assertEquals("mask", p.path("depth").path("type").asText());
    assertEquals("binary", p.path("image").path("type").asText());
    assertTrue(p.path("image").path("store").asBoolean());
    assertEquals("double", p.path("score").path("type").asText());
    assertEquals("long", p.path("count").path("type").asText());
    assertFalse(p.has("masks"));
    assertFalse(p.has("bbox_x1"));
    // the short last line is reported with its line number, not loaded
    assertEquals(5, dataset.rows().size());
    assertEquals(
        List.of("index.csv line 7: 4 cells, but the header has 13 columns"), dataset.problems());
    assertEquals(2, dataset.rows().get(0).line());
  }

  public void testDocumentsFromDirectory() throws Exception {
    Path dir = createTempDir("data");
    Map<String, Mask> masks = writeFixture(dir, random());
    Dataset dataset = Dataset.read(dir);
    DocumentBuilder builder = new DocumentBuilder(dataset);
    List<Dataset.Row> rows = dataset.rows();

    JsonNode a = JSON.readTree(builder.build(rows.get(0)).source());
    assertEquals("a", a.path("id").asText());
    assertEquals("photo", a.path("source").asText());
    assertEquals("CC-BY, 4.0", a.path("license").asText());
    assertEquals(8, a.path("width").asInt());
    assertEquals(List.of(1, 2, 7, 5), JSON.convertValue(a.path("bbox"), List.class));
    assertEquals(0.5, a.path("score").asDouble(), 0);
    assertTrue(a.path("score").isDouble());
    assertEquals(3, a.path("count").asLong());
    assertTrue(a.path("count").isIntegralNumber());
    assertEquals("x", a.path("tag").asText());
    assertEquals(
        "image of a",
        new String(Base64.getDecoder().decode(a.path("image").asText()), StandardCharsets.UTF_8));
    for (String kind : List.of("isnet", "depth")) {
      // A PNG goes as sent; decoding it gives the written pixels.
      byte[] png = Base64.getDecoder().decode(a.path(kind).path("png").asText());
      assertArrayEquals(Files.readAllBytes(dir.resolve("masks/" + kind + "/a.png")), png);
      assertArrayEquals(masks.get(kind + "/a").rawBytes(), PngMasks.decode(png).rawBytes());
    }

    JsonNode b = JSON.readTree(builder.build(rows.get(1)).source());
    assertFalse("an empty box is omitted", b.has("bbox"));
    assertFalse(b.has("score"));
    assertFalse(b.has("tag"));
    assertFalse(b.has("depth"));
    JsonNode npy = b.path("isnet");
    assertEquals("float32", npy.path("dtype").asText());
    assertEquals(List.of(5, 3), JSON.convertValue(npy.path("shape"), List.class));
    assertArrayEquals(
        masks.get("isnet/b").rawBytes(), Base64.getDecoder().decode(npy.path("data").asText()));

    assertProblems(builder, rows.get(2), "c", "masks/depth/c.png: missing (and no c.npy either)");
    assertProblems(builder, rows.get(3), "d", "masks/isnet/d.png: corrupt PNG");
    assertProblems(
        builder,
        rows.get(4),
        "e",
        "masks/isnet/e.png: the mask is 3 x 3 pixels but the row says 2 x 2 (width x height)");
  }

  private static void assertProblems(
      DocumentBuilder builder, Dataset.Row row, String id, String... expected) {
    DocumentBuilder.RowException e =
        expectThrows(DocumentBuilder.RowException.class, () -> builder.build(row));
    assertEquals(id, e.id());
    assertEquals(e.problems().toString(), expected.length, e.problems().size());
    for (int i = 0; i < expected.length; i++) {
      assertTrue(
          e.problems().get(i) + " should start with " + expected[i],
          e.problems().get(i).startsWith(expected[i]));
    }
  }

  public void testBadRows() throws Exception {
    Path dir = createTempDir("data");
    writeFixture(dir, random());
    Files.writeString(
        dir.resolve("index.csv"),
        HEADER
            + "\n"
            + ",photo,2,2,,,,,isnet,PD,,,\n"
            + "../a,photo,2,2,,,,,isnet,PD,,,\n"
            + "a,photo,eight,6,1,2,,5,isnet|sam|depth,PD,,,\n"
            + "b,photo,3,5,,,,,isnet,PD,,,\n");
    Files.write(dir.resolve("masks/isnet/b.png"), PngMasks.encode(randomMask(random(), 5, 3)));
    Dataset dataset = Dataset.read(dir);
    DocumentBuilder builder = new DocumentBuilder(dataset);
    assertProblems(builder, dataset.rows().get(0), "", "index.csv line 2: empty id");
    assertProblems(
        builder, dataset.rows().get(1), "../a", "index.csv line 3: id '../a' is not a file name");
    assertProblems(
        builder,
        dataset.rows().get(2),
        "a",
        "index.csv line 4: width 'eight' is not an integer",
        "index.csv line 4: the box has 3 of 4 corners; give all four or none",
        "masks/sam/: no such directory (index.csv line 4 lists the kind 'sam')");
    assertProblems(
        builder,
        dataset.rows().get(3),
        "b",
        "masks/isnet/b.png: there is also masks/isnet/b.npy; keep one");
    Files.delete(dir.resolve("images/a.png"));
    Files.writeString(dir.resolve("index.csv"), HEADER + "\na,photo,8,6,,,,,isnet,PD,,,\n");
    dataset = Dataset.read(dir);
    assertProblems(
        new DocumentBuilder(dataset),
        dataset.rows().get(0),
        "a",
        "images/a.png: missing (no .png, .jpg, .jpeg, .webp file for this id)");
  }

  public void testUnloadableDirectories() throws IOException {
    Path dir = createTempDir("data");
    IllegalArgumentException e =
        expectThrows(IllegalArgumentException.class, () -> Dataset.read(dir));
    assertTrue(
        e.getMessage(),
        e.getMessage().endsWith("index.csv: not found; a data directory needs an index.csv"));
    Files.writeString(dir.resolve("index.csv"), "name,masks\nx,isnet\n");
    e = expectThrows(IllegalArgumentException.class, () -> Dataset.read(dir));
    assertTrue(
        e.getMessage(),
        e.getMessage().endsWith("index.csv: no 'id' column (columns: [name, masks])"));
    Files.writeString(dir.resolve("index.csv"), "id,masks,image\nx,isnet,y\n");
    e = expectThrows(IllegalArgumentException.class, () -> Dataset.read(dir));
    assertEquals(
        "index.csv column 'image': 'image' is a field the loader fills itself", e.getMessage());
    Files.writeString(dir.resolve("index.csv"), "id,masks,a.b\nx,isnet,y\n");
    e = expectThrows(IllegalArgumentException.class, () -> Dataset.read(dir));
    assertEquals(
        "index.csv column 'a.b': 'a.b' cannot be a field name (letters, digits, '_' and '-' only)",
        e.getMessage());
    Files.writeString(dir.resolve("index.csv"), "id,masks,isnet\nx,isnet,y\n");
    Files.createDirectories(dir.resolve("masks/isnet"));
    e = expectThrows(IllegalArgumentException.class, () -> Dataset.read(dir));
    assertEquals("mask kind masks/isnet/ has the name of a column of index.csv", e.getMessage());
  }

  /** Batches keep to both limits, keep the order, and are as full as the limits allow. */
  public void testBatchingBoundaries() throws IOException {
    Random r = random();
    int iters = atLeast(20);
    for (int it = 0; it < iters; it++) {
      int maxDocs = RandomNumbers.randomIntBetween(r, 1, 10);
      long maxBytes = RandomNumbers.randomIntBetween(r, 30, 400);
      List<BulkBatcher.Batch> batches = new ArrayList<>();
      BulkBatcher batcher = new BulkBatcher(maxDocs, maxBytes, batches::add);
      List<DocumentBuilder.Document> docs = new ArrayList<>();
      int n = RandomNumbers.randomIntBetween(r, 0, 60);
      for (int i = 0; i < n; i++) {
        String source = "{\"v\":\"" + "x".repeat(RandomNumbers.randomIntBetween(r, 0, 300)) + "\"}";
        docs.add(new DocumentBuilder.Document("id\"" + i, source.getBytes(StandardCharsets.UTF_8)));
        batcher.add(docs.get(i));
      }
      batcher.flush();
      batcher.flush(); // nothing left: no empty batch
      int next = 0;
      for (int b = 0; b < batches.size(); b++) {
        BulkBatcher.Batch batch = batches.get(b);
        assertTrue(batch.ids().size() >= 1 && batch.ids().size() <= maxDocs);
        assertTrue(
            "only a single document may exceed the byte limit",
            batch.body().length <= maxBytes || batch.ids().size() == 1);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (String id : batch.ids()) {
          DocumentBuilder.Document doc = docs.get(next++);
          assertEquals(doc.id(), id);
          expected.write(BulkBatcher.action(id));
          expected.write(doc.source());
          expected.write('\n');
        }
        assertArrayEquals(expected.toByteArray(), batch.body());
        if (b + 1 < batches.size() && batch.ids().size() < maxDocs) {
          DocumentBuilder.Document following = docs.get(next);
          long size = BulkBatcher.action(following.id()).length + following.source().length + 1;
          assertTrue("the batch was sent early", batch.body().length + size > maxBytes);
        }
      }
      assertEquals(n, next);
      // every line of a body is JSON, the action's id included
      for (BulkBatcher.Batch batch : batches) {
        String[] lines = new String(batch.body(), StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i += 2) {
          assertEquals(
              batch.ids().get(i / 2), JSON.readTree(lines[i]).path("index").path("_id").asText());
        }
      }
    }
  }

  /**
   * A document exactly at the largest request goes alone; one byte more is refused, naming it, and
   * nothing is lost.
   */
  public void testLargestRequest() throws IOException {
    List<BulkBatcher.Batch> batches = new ArrayList<>();
    byte[] fits = "{\"v\":\"xxxxxxxx\"}".getBytes(StandardCharsets.UTF_8);
    long limit = BulkBatcher.action("a").length + fits.length + 1L;
    BulkBatcher batcher = new BulkBatcher(10, limit, limit, batches::add);
    batcher.add(new DocumentBuilder.Document("small", "{}".getBytes(StandardCharsets.UTF_8)));
    batcher.add(new DocumentBuilder.Document("a", fits));
    byte[] over = "{\"v\":\"xxxxxxxxx\"}".getBytes(StandardCharsets.UTF_8);
    BulkBatcher.DocumentTooLargeException e =
        expectThrows(
            BulkBatcher.DocumentTooLargeException.class,
            () -> batcher.add(new DocumentBuilder.Document("b", over)));
    assertEquals(
        "document b is "
            + (limit + 1)
            + " bytes in a _bulk request, over the largest request the loader sends, "
            + limit
            + " bytes (below the node's http.max_content_length); document skipped",
        e.getMessage());
    batcher.flush();
    assertEquals(
        List.of(List.of("small"), List.of("a")),
        batches.stream().map(BulkBatcher.Batch::ids).toList());
    assertTrue(
        BulkBatcher.MAX_REQUEST_BYTES < 100L << 20); // the node's default http.max_content_length
    IllegalArgumentException batchTooLarge =
        expectThrows(
            IllegalArgumentException.class, () -> new BulkBatcher(10, 96L << 20, batches::add));
    assertEquals(
        "a batch of 96 MB is over the largest request the loader sends, 95 MB (below the node's "
            + "http.max_content_length)",
        batchTooLarge.getMessage());
  }

  public void testBulkFailures() throws IOException {
    JsonNode response =
        JSON.readTree(
            """
        {"took": 3, "errors": true, "items": [
          {"index": {"_id": "a", "status": 201, "result": "created"}},
          {"index": {"_id": "b", "status": 400, "error": {"type": "mapper_parsing_exception",
            "reason": "failed to parse field [isnet] of type [mask]",
            "caused_by": {"type": "illegal_argument_exception", "reason": "value at row 0, column 1 is 1.5, outside [0, 1]"}}}},
          {"index": {"_id": "c", "status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}}]}""");
    List<IndexClient.ItemFailure> failures = IndexClient.failures(response);
    assertEquals(2, failures.size());
    assertEquals(
        "b: mapper_parsing_exception: failed to parse field [isnet] of type [mask]; caused by "
            + "illegal_argument_exception: value at row 0, column 1 is 1.5, outside [0, 1] (HTTP 400)",
        failures.get(0).toString());
    assertEquals(
        "c: es_rejected_execution_exception: queue full (HTTP 429)", failures.get(1).toString());
    assertEquals(
        List.of(), IndexClient.failures(JSON.readTree("{\"errors\": false, \"items\": []}")));
  }

  /**
   * Loads, refuses to load again, then resumes after more rows were added; the fake node rejects
   * document "b".
   */
  public void testLoadRefuseAndResume() throws Exception {
    Path dir = createTempDir("data");
    writeFixture(dir, random());
    FakeNode node = new FakeNode(Set.of("b"));
    try (RestClient client =
        RestClient.builder(new HttpHost("http", "127.0.0.1", node.port())).build()) {
      DirectoryLoader.LoadOptions options =
          DirectoryLoader.LoadOptions.defaults().withBatch(1 + random().nextInt(3), 10L << 20);
      DirectoryLoader.Summary first = new DirectoryLoader(client, options).load(dir, "real");
      assertEquals(first.errors().toString(), 6, first.rows());
      assertEquals(1, first.indexed());
      assertEquals(1, first.failed());
      assertEquals(4, first.skipped()); // c, d, e and the short line
      assertFalse(first.ok());
      assertTrue(
          first.errors().toString(),
          first
                  .errors()
                  .contains(
                      "masks/isnet/d.png: corrupt PNG: Error reading PNG image data (document d skipped)")
              || first.errors().stream()
                  .anyMatch(
                      m ->
                          m.startsWith("masks/isnet/d.png: corrupt PNG")
                              && m.endsWith("(document d skipped)")));
      assertTrue(
          first.errors().toString(),
          first.errors().contains("document b: mapper_parsing_exception: no b (HTTP 400)"));
      assertEquals(Set.of("a"), node.docs.keySet());
      assertEquals(
          "mask",
          node.mapping.path("mappings").path("properties").path("isnet").path("type").asText());

      IllegalArgumentException e =
          expectThrows(
              IllegalArgumentException.class,
              () -> new DirectoryLoader(client, options).load(dir, "real"));
      assertTrue(
          e.getMessage(),
          e.getMessage().startsWith("index [real] already exists; rerun with --resume"));

      Files.writeString(
          dir.resolve("index.csv"),
          HEADER
              + "\n"
              + "a,photo,8,6,1,2,7,5,isnet|depth,PD,0.5,3,x\n"
              + "g,photo,2,2,,,,,isnet,PD,,,\n");
      Files.write(dir.resolve("masks/isnet/g.png"), PngMasks.encode(randomMask(random(), 2, 2)));
      Files.write(dir.resolve("images/g.png"), new byte[] {1, 2, 3});
      node.docs.get("a").put("marker", "kept"); // resume must not send "a" again
      DirectoryLoader.Summary resumed =
          new DirectoryLoader(client, options.withResume(true)).load(dir, "real");
      assertEquals(resumed.errors().toString(), 1, resumed.indexed());
      assertEquals(1, resumed.alreadyPresent());
      assertTrue(resumed.ok());
      assertEquals("kept", node.docs.get("a").path("marker").asText());
      assertEquals(Set.of("a", "g"), node.docs.keySet());
      assertTrue(node.scrollsCleared > 0);
    } finally {
      node.close();
    }
  }

  /**
   * The command line: usage errors, and a run against the fake node with its exit status and
   * summary.
   */
  public void testCommandLine() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(2, DirectoryLoader.run(new String[0], o, e));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: bin/load DIR"));
    Path dir = createTempDir("my-data");
    writeFixture(dir, random());
    err.reset();
    assertEquals(2, DirectoryLoader.run(new String[] {dir.toString(), "--bach", "2"}, o, e));
    assertTrue(
        err.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8).startsWith("error: unknown option --bach"));
    err.reset();
    FakeNode node = new FakeNode(Set.of());
    try {
      int status =
          DirectoryLoader.run(
              new String[] {
                dir.toString(),
                "--url",
                "http://127.0.0.1:" + node.port(),
                "--batch",
                "2",
                "--progress",
                "lines"
              },
              o,
              e);
      assertEquals(1, status);
      String printed = out.toString(StandardCharsets.UTF_8);
      assertTrue(
          printed, printed.contains("6 rows: 2 indexed, 0 already present, 4 skipped, 0 failed"));
      assertTrue(printed, printed.contains("5/5 (100%)"));
      assertTrue(
          err.toString(StandardCharsets.UTF_8).contains("error: masks/depth/c.png: missing"));
      assertEquals(Set.of("a", "b"), node.docs.keySet());
      assertTrue("the index is named after the directory", node.indexName.startsWith("my-data"));
    } finally {
      node.close();
    }
  }
}
