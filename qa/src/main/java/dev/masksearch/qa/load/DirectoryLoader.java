package dev.masksearch.qa.load;

import dev.masksearch.qa.bench.Args;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
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
 * Indexes a directory of real data (images, masks as PNG or NumPy {@code .npy}, and an {@code
 * index.csv} of per-image metadata and boxes) into an OpenSearch index with the MaskSearch plugin;
 * {@code docs/loading.md} describes the layout, the mapping it creates, resume and errors.
 *
 * <p>Command line ({@code bin/load}): {@code DirectoryLoader DIR [--url http://localhost:9200]
 * [--index NAME] [--batch 100] [--batch-mb 10] [--shards 1] [--replicas 0] [--resume] [--progress
 * bar|lines|none]}; exits with 1 if any row was skipped or failed, 2 on a usage error or when
 * nothing could be loaded.
 *
 * <p>Programmatic use (tests): {@code new DirectoryLoader(restClient,
 * LoadOptions.defaults()).load(dir, index)} returns a {@link Summary}. HTTP goes through
 * OpenSearch's low-level {@link RestClient}, which a cluster test gets from its test framework, so
 * the tests and the command share one code path; JSON is Jackson's.
 */
public final class DirectoryLoader {
  /**
   * How to load. {@code maxBatchBytes} bounds a {@code _bulk} body (a larger single document goes
   * alone).
   */
  public record LoadOptions(
      int batchDocs,
      long maxBatchBytes,
      int shards,
      int replicas,
      boolean resume,
      Progress progress) {
    public static LoadOptions defaults() {
      return new LoadOptions(100, 10L << 20, 1, 0, false, Progress.NONE);
    }

    public LoadOptions withResume(boolean resume) {
      return new LoadOptions(batchDocs, maxBatchBytes, shards, replicas, resume, progress);
    }

    public LoadOptions withBatch(int batchDocs, long maxBatchBytes) {
      return new LoadOptions(batchDocs, maxBatchBytes, shards, replicas, resume, progress);
    }

    /**
     * The options of the command line ({@code --batch}, {@code --batch-mb}, {@code --shards},
     * {@code --replicas}, {@code --resume}, {@code --progress}), progress going to {@code out}.
     */
    static LoadOptions fromArgs(Args args, PrintStream out) {
      return new LoadOptions(
          args.integer("--batch", 100),
          (long) args.integer("--batch-mb", 10) << 20,
          args.integer("--shards", 1),
          args.integer("--replicas", 0),
          args.flag("--resume"),
          switch (args.string("--progress", "lines")) {
            case "bar" -> Progress.bar(out);
            case "none" -> Progress.NONE;
            case "lines" -> Progress.lines(out);
            default ->
                throw new IllegalArgumentException(
                    "--progress takes bar, lines or none, got ["
                        + args.string("--progress", "")
                        + "]");
          });
    }

    /** The options {@link #fromArgs} reads that take a value. */
    static final Set<String> VALUED =
        Set.of("--batch", "--batch-mb", "--shards", "--replicas", "--progress");

    /** The flags {@link #fromArgs} reads. */
    static final Set<String> FLAGS = Set.of("--resume");
  }

  /** The node of {@code --url}, or null after printing why it is not one. */
  static HttpHost host(String url, PrintStream err) {
    try {
      return HttpHost.create(url);
    } catch (URISyntaxException | IllegalArgumentException e) {
      err.println("error: bad --url " + url + ": " + e.getMessage());
      return null;
    }
  }

  /**
   * The outcome of a load: {@code rows} read from the CSV (bad lines included), {@code indexed}
   * documents the node accepted, {@code alreadyPresent} skipped by resume, {@code skipped} left out
   * for a local problem (bad file or cell), {@code failed} rejected by the node; {@code errors} has
   * one message per problem, naming the file or id.
   */
  public record Summary(
      int rows, int indexed, int alreadyPresent, int skipped, int failed, List<String> errors) {
    /** True when every row is in the index. */
    public boolean ok() {
      return skipped == 0 && failed == 0;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%,d rows: %,d indexed, %,d already present, %,d skipped, %,d failed",
          rows,
          indexed,
          alreadyPresent,
          skipped,
          failed);
    }
  }

  private final IndexClient client;
  private final LoadOptions options;

  public DirectoryLoader(RestClient client, LoadOptions options) {
    this.client = new IndexClient(client);
    this.options = options;
  }

  /**
   * Loads {@code dir} into {@code index}, creating it if absent. Without {@link
   * LoadOptions#resume()} an existing index is refused (its data is never deleted or overwritten);
   * with it, the documents already there are skipped.
   *
   * @throws IllegalArgumentException if the directory cannot be loaded at all, or the index exists
   *     without resume
   * @throws IOException if the node cannot be reached or rejects a request as a whole (the rows
   *     sent before stay indexed, so a rerun with resume continues)
   */
  public Summary load(Path dir, String index) throws IOException {
    Dataset dataset = Dataset.read(dir);
    Set<String> present = new HashSet<>();
    if (client.exists(index)) {
      if (!options.resume()) {
        throw new IllegalArgumentException(
            "index ["
                + index
                + "] already exists; rerun with --resume to add the "
                + "documents it lacks, or delete the index first (the loader never deletes data)");
      }
      present = client.ids(index);
    } else {
      client.create(index, dataset.indexBody(options.shards(), options.replicas()));
    }
    return new Run(dataset, index, present).load();
  }

  /** The state of one load: counts, errors, and the batcher sending to the node. */
  private final class Run {
    private final Dataset dataset;
    private final String index;
    private final Set<String> present;
    private final List<String> errors = new ArrayList<>();
    private final DocumentBuilder builder;
    private final BulkBatcher batcher;
    private int indexed;
    private int alreadyPresent;
    private int skipped;
    private int failed;

    Run(Dataset dataset, String index, Set<String> present) {
      this.dataset = dataset;
      this.index = index;
      this.present = present;
      this.builder = new DocumentBuilder(dataset);
      this.batcher = new BulkBatcher(options.batchDocs(), options.maxBatchBytes(), this::send);
    }

    Summary load() throws IOException {
      errors.addAll(dataset.problems());
      skipped += dataset.problems().size();
      Set<String> seen = new HashSet<>();
      List<Dataset.Row> rows = dataset.rows();
      long total = rows.size();
      long done = 0;
      for (Dataset.Row row : rows) {
        String id = row.get("id");
        if (!id.isEmpty() && !seen.add(id)) {
          skip("index.csv line " + row.line() + ": id '" + id + "' appears on an earlier line too");
        } else if (present.contains(id)) {
          alreadyPresent++;
        } else {
          try {
            batcher.add(builder.build(row));
          } catch (BulkBatcher.DocumentTooLargeException e) {
            skip(e.getMessage());
          } catch (DocumentBuilder.RowException e) {
            skipped++;
            for (String problem : e.problems()) {
              errors.add(problem + (e.id().isEmpty() ? "" : " (document " + e.id() + " skipped)"));
            }
          }
        }
        options.progress().update(++done, total, counts());
      }
      batcher.flush();
      client.refresh(index);
      options.progress().finish(done, total, counts());
      return new Summary(
          rows.size() + dataset.problems().size(),
          indexed,
          alreadyPresent,
          skipped,
          failed,
          List.copyOf(errors));
    }

    private void skip(String message) {
      skipped++;
      errors.add(message);
    }

    private void send(BulkBatcher.Batch batch) throws IOException {
      List<IndexClient.ItemFailure> failures = client.bulk(index, batch.body());
      failed += failures.size();
      indexed += batch.ids().size() - failures.size();
      for (IndexClient.ItemFailure failure : failures) {
        errors.add("document " + failure);
      }
    }

    private Progress.Counts counts() {
      return new Progress.Counts(indexed, alreadyPresent, skipped, failed);
    }
  }

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out, System.err));
  }

  static final String USAGE =
      "usage: bin/load DIR [--url http://localhost:9200] [--index NAME] [--batch 100] "
          + "[--batch-mb 10] [--shards 1] [--replicas 0] [--resume] [--progress bar|lines|none]";

  /**
   * The command: parses the arguments, loads, prints the summary and every error; returns the exit
   * status.
   */
  static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
    Args parsed;
    LoadOptions options;
    try {
      parsed =
          Args.parse(args, union(LoadOptions.VALUED, "--url", "--index"), LoadOptions.FLAGS, 1);
      options = LoadOptions.fromArgs(parsed, out);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    if (parsed.positional().isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    String given = parsed.positional().get(0);
    Path dir = Path.of(given).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      err.println("error: " + given + " is not a directory\n" + USAGE);
      return 2;
    }
    String url = parsed.string("--url", "http://localhost:9200");
    String index = parsed.string("--index", dir.getFileName().toString().toLowerCase(Locale.ROOT));
    HttpHost host = host(url, err);
    if (host == null) {
      return 2;
    }
    Summary summary;
    try (RestClient client = RestClient.builder(host).build()) {
      out.println("Loading " + dir + " into " + url + "/" + index + " ...");
      summary = new DirectoryLoader(client, options).load(dir, index);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      err.println(
          "Documents sent before the error stay indexed; rerun with --resume to continue from there.");
      return 2;
    }
    for (String error : summary.errors()) {
      err.println("error: " + error);
    }
    out.println(summary);
    return summary.ok() ? 0 : 1;
  }

  /** {@code options} and {@code more}: a command's options beside the load options. */
  static Set<String> union(Set<String> options, String... more) {
    Set<String> all = new HashSet<>(options);
    all.addAll(List.of(more));
    return all;
  }
}
