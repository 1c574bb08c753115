package dev.masksearch.qa.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.masksearch.qa.bench.Args;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.RestClient;

/**
 * Indexes a COCO instances file (COCO, LVIS, SA-1B style annotations) into an OpenSearch index with
 * the MaskSearch plugin: one document per image with its objects nested ({@link CocoDocuments}).
 * Bad annotations are reported (which, why) and left out without stopping the load; {@code _bulk}
 * requests are sized by documents and bytes; a load resumes after an interruption. {@code
 * docs/loading.md} describes it.
 *
 * <p>Command line ({@code bin/load --coco}): {@code CocoLoader FILE.json [--images DIR] [--masks
 * DIR] [--url http://localhost:9200] [--index NAME] [--batch 100] [--batch-mb 10] [--shards 1]
 * [--replicas 0] [--resume] [--progress bar|lines|none]}; exits with 1 if any annotation or image
 * was left out, 2 on a usage error or when nothing could be loaded.
 */
public final class CocoLoader {
  /**
   * The outcome: {@code images} in the file, {@code indexed} images the node accepted, {@code
   * alreadyPresent} skipped by resume, {@code failed} images the node rejected or that were too
   * large to send, {@code objects} indexed, {@code annotationsSkipped} left out for a problem of
   * their own; {@code problems} names each.
   */
  public record Summary(
      int images,
      int indexed,
      int alreadyPresent,
      int failed,
      int objects,
      int annotationsSkipped,
      List<String> problems) {
    /** True when every image and annotation of the file is in the index. */
    public boolean ok() {
      return problems.isEmpty();
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%,d images: %,d indexed, %,d already present, %,d failed; %,d objects indexed, %,d"
              + " annotations skipped",
          images,
          indexed,
          alreadyPresent,
          failed,
          objects,
          annotationsSkipped);
    }
  }

  private final IndexClient client;
  private final DirectoryLoader.LoadOptions options;
  private final ObjectMapper json = new ObjectMapper();

  public CocoLoader(RestClient client, DirectoryLoader.LoadOptions options) {
    this.client = new IndexClient(client);
    this.options = options;
  }

  /**
   * Loads the documents into {@code index}, creating it if absent; an existing index is refused
   * without resume (never deleted or overwritten), and with it the images already there are
   * skipped.
   */
  public Summary load(CocoDocuments coco, String index) throws IOException {
    Set<String> present = new HashSet<>();
    if (client.exists(index)) {
      if (!options.resume()) {
        throw new IllegalArgumentException(
            "index ["
                + index
                + "] already exists; rerun with --resume to add the images it lacks, or "
                + "delete the index first (the loader never deletes data)");
      }
      present = client.ids(index);
    } else {
      client.create(index, coco.indexBody(options.shards(), options.replicas()));
    }
    List<String> problems = new ArrayList<>(coco.fileProblems());
    Tally counts = new Tally();
    counts.skippedAnnotations = coco.fileProblems().size();
    List<Integer> objectsInBatch = new ArrayList<>();
    BulkBatcher batcher =
        new BulkBatcher(
            options.batchDocs(),
            options.maxBatchBytes(),
            batch -> {
              List<IndexClient.ItemFailure> failures = client.bulk(index, batch.body());
              Set<String> failedIds = new HashSet<>();
              for (IndexClient.ItemFailure failure : failures) {
                problems.add("image " + failure);
                failedIds.add(failure.id());
              }
              for (int d = 0; d < batch.ids().size(); d++) {
                if (!failedIds.contains(batch.ids().get(d))) {
                  counts.indexed++;
                  counts.objects += objectsInBatch.get(d);
                }
              }
              counts.failed += failures.size();
              objectsInBatch.subList(0, batch.ids().size()).clear(); // a next image's may follow
            });
    int total = coco.imageCount();
    for (int i = 0; i < total; i++) {
      if (present.contains(coco.id(i))) {
        counts.present++;
      } else {
        CocoDocuments.ImageDocument doc = coco.document(i);
        problems.addAll(doc.problems());
        counts.skippedAnnotations += doc.skippedAnnotations();
        // the batcher may send the earlier images' batch before taking this one
        objectsInBatch.add(doc.objects());
        try {
          batcher.add(new DocumentBuilder.Document(doc.id(), json.writeValueAsBytes(doc.source())));
        } catch (BulkBatcher.DocumentTooLargeException e) {
          objectsInBatch.remove(objectsInBatch.size() - 1);
          counts.failed++;
          problems.add(e.getMessage());
        }
      }
      options.progress().update(i + 1, total, counts.progress());
    }
    batcher.flush();
    client.refresh(index);
    options.progress().finish(total, total, counts.progress());
    return new Summary(
        total,
        counts.indexed,
        counts.present,
        counts.failed,
        counts.objects,
        counts.skippedAnnotations,
        List.copyOf(problems));
  }

  /** What a load has done so far. */
  private static final class Tally {
    int indexed;
    int present;
    int failed;
    int objects;
    int skippedAnnotations;

    Progress.Counts progress() {
      return new Progress.Counts(indexed, present, 0, failed);
    }
  }

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out, System.err));
  }

  static final String USAGE =
      "usage: bin/load --coco FILE.json [--images DIR] [--masks DIR] [--url http://localhost:9200]"
          + " [--index NAME] [--batch 100] [--batch-mb 10] [--shards 1] [--replicas 0] [--resume]"
          + " [--progress bar|lines|none]";

  /** The command: parses the arguments, loads, prints the summary and every problem. */
  static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
    Args parsed;
    DirectoryLoader.LoadOptions options;
    try {
      parsed =
          Args.parse(
              args,
              DirectoryLoader.union(
                  DirectoryLoader.LoadOptions.VALUED, "--images", "--masks", "--url", "--index"),
              DirectoryLoader.LoadOptions.FLAGS,
              1);
      options = DirectoryLoader.LoadOptions.fromArgs(parsed, out);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    if (parsed.positional().isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    String given = parsed.positional().get(0);
    Path file = Path.of(given).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      err.println("error: " + given + " is not a file\n" + USAGE);
      return 2;
    }
    String images = parsed.string("--images", null);
    String masks = parsed.string("--masks", null);
    String url = parsed.string("--url", "http://localhost:9200");
    String name = file.getFileName().toString().replaceFirst("\\.json$", "");
    String index = parsed.string("--index", name.toLowerCase(Locale.ROOT));
    HttpHost host = DirectoryLoader.host(url, err);
    if (host == null) {
      return 2;
    }
    Summary summary;
    try (RestClient client = RestClient.builder(host).build()) {
      CocoDocuments coco =
          new CocoDocuments(
              file,
              images == null ? null : Path.of(images).toAbsolutePath().normalize(),
              masks == null ? null : Path.of(masks).toAbsolutePath().normalize());
      out.println(
          "Loading "
              + file
              + " ("
              + coco.imageCount()
              + " images, "
              + coco.annotationCount()
              + " annotations) into "
              + url
              + "/"
              + index
              + " ...");
      summary = new CocoLoader(client, options).load(coco, index);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      err.println(
          "Images sent before the error stay indexed; rerun with --resume to continue from there.");
      return 2;
    }
    for (String problem : summary.problems()) {
      err.println("error: " + problem);
    }
    out.println(summary);
    return summary.ok() ? 0 : 1;
  }
}
