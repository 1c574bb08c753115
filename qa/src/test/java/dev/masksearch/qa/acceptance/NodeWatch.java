package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.LocalCluster;
import dev.masksearch.qa.cluster.Rest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs requests against a single-node cluster that they may harm, and judges each one: its outcome
 * (the exact answer, a 429 from a circuit breaker, or a 4xx whose reason names the cause) and,
 * after it, the node's health (its process alive, the cluster green, and no {@code
 * java.lang.OutOfMemoryError} logged, heap dump or JVM crash file written since the previous
 * request). Every request runs even when an earlier one failed: a problem is recorded with the
 * request's name, a dead node is started again (on its data, so that what it acknowledged can be
 * checked), and {@link #assertNoProblems} fails at the end with all of them. Each outcome is
 * printed, one line a request.
 */
final class NodeWatch {
  /**
   * A request and the checks of its outcome; throws (an assertion, or the client's error) when it
   * went wrong.
   */
  interface Step {
    String run() throws Exception;
  }

  private final LocalCluster node;
  private static final java.util.concurrent.atomic.AtomicBoolean keptDump =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final List<String> problems = new ArrayList<>();
  private Set<Path> knownDumps = new HashSet<>();
  private Map<Path, Long> logOffsets = new HashMap<>();

  NodeWatch(LocalCluster node) throws IOException {
    this.node = node;
    baseline();
  }

  Rest rest() {
    return node.rest();
  }

  /**
   * Starts the node again if an earlier test left it dead; evidence from before now is not this
   * test's.
   */
  void ensureUp() throws IOException, InterruptedException {
    if (!node.running(0)) {
      System.out.println("[hostile] the node was down; starting it again");
      node.startStoppedNodes();
    }
    baseline();
  }

  /**
   * Runs {@code step} (named {@code what}), then checks the node's health; records what went wrong.
   * Returns whether both passed.
   */
  boolean request(String what, Step step) {
    String outcome;
    boolean passed = true;
    long start = System.nanoTime();
    try {
      outcome = step.run();
    } catch (Exception | AssertionError e) {
      outcome = "FAILED: " + describe(e);
      problems.add(what + ": " + describe(e));
      passed = false;
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    String health = health();
    if (health != null) {
      problems.add(what + ": " + health);
      outcome += "; " + health;
      passed = false;
    }
    System.out.println("[hostile] " + what + " -> " + outcome + " [" + millis + " ms]");
    try {
      if (node.running(0) && health != null && health.startsWith(HUNG)) {
        node.killNode(0);
      }
      if (!node.running(0)) {
        ensureUp();
      } else if (health != null) {
        baseline(); // reported once
      }
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      problems.add(what + ": the node did not start again: " + e);
    }
    return passed;
  }

  void assertNoProblems() {
    assertTrue(
        problems.size() + " problem(s):\n  " + String.join("\n  ", problems), problems.isEmpty());
  }

  private static final String HUNG = "THE NODE HUNG";

  /**
   * Null when healthy, otherwise what is wrong. A node whose HTTP port does not answer is watched
   * until it answers or its process exits (a dying JVM writes its heap dump for seconds first), so
   * that a death is reported with the request that caused it, not with the next one; one that
   * neither answers nor exits for three minutes has hung.
   */
  String health() {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (true) {
      if (!node.running(0)) {
        return "THE NODE DIED; "
            + String.join("; ", newEvidence())
            + "; console: "
            + consoleEvidence();
      }
      try {
        Rest.Reply health =
            rest().call("GET", "/_cluster/health?wait_for_status=green&timeout=60s", null);
        if (!health.ok()
            || health.body().path("timed_out").asBoolean()
            || !"green".equals(health.body().path("status").asText())) {
          return "the cluster is not green: " + health.status() + " " + health.body();
        }
        break;
      } catch (UncheckedIOException e) {
        if (System.nanoTime() > deadline) {
          return HUNG
              + ": no answer to _cluster/health for 3 minutes, the process alive: "
              + e.getCause()
              + "; "
              + String.join("; ", newEvidence());
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return "interrupted";
        }
      }
    }
    List<String> evidence = newEvidence();
    return evidence.isEmpty() ? null : String.join("; ", evidence);
  }

  /** Remembers the dump and crash files there are and how long each log is. */
  private void baseline() throws IOException {
    knownDumps = new HashSet<>(dumps());
    logOffsets = new HashMap<>();
    for (Path log : logs()) {
      logOffsets.put(log, Files.size(log));
    }
  }

  /** Heap dumps, JVM crash files and OutOfMemoryErrors logged since the baseline. */
  private List<String> newEvidence() {
    List<String> found = new ArrayList<>();
    try {
      for (Path dump : dumps()) {
        if (!knownDumps.contains(dump)) {
          long size = Files.size(dump);
          if (dump.getFileName().toString().endsWith(".hprof")
              && !keptDump.compareAndSet(false, true)) {
            Files.delete(
                dump); // one kept per run is enough to look into; each is as large as the heap
            found.add(
                "heap dump "
                    + dump
                    + " ("
                    + (size >> 20)
                    + " MB, deleted: the run's first is kept)");
          } else {
            found.add("heap dump or crash file " + dump + " (" + (size >> 20) + " MB)");
            knownDumps.add(dump);
          }
        }
      }
      for (Path log : logs()) {
        String added = readFrom(log, logOffsets.getOrDefault(log, 0L));
        for (String line : added.split("\n")) {
          if (line.contains("java.lang.OutOfMemoryError")) {
            found.add("OutOfMemoryError in " + log.getFileName() + ": " + line.strip());
            break;
          }
        }
      }
    } catch (IOException e) {
      found.add("cannot read the node's directory: " + e);
    }
    return found;
  }

  /**
   * What the console says since the baseline about why the JVM stopped: the fatal error, its
   * thread, and the first frames of the plugin's code under it.
   */
  private String consoleEvidence() {
    Path console = node.nodeDirectory(0).resolve("console.log");
    try {
      List<String> lines = new ArrayList<>();
      int frames = 0;
      boolean fatal = false;
      for (String line : readFrom(console, logOffsets.getOrDefault(console, 0L)).split("\n")) {
        if (line.contains("fatal error in thread") && !fatal) {
          fatal = true;
          lines.add(line.substring(line.indexOf("fatal error")).strip());
        } else if (fatal && lines.size() == 1 && line.contains("Error")) {
          lines.add(line.strip());
        } else if (fatal && line.strip().startsWith("at dev.masksearch") && frames < 3) {
          frames++;
          lines.add(line.strip());
        }
      }
      return lines.isEmpty() ? "(no fatal error logged)" : String.join(" | ", lines);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /**
   * Heap dumps and JVM crash files anywhere under the cluster's directory (the node's, and the
   * distribution's home, where the JVM's relative default paths would put them: a heap dump would
   * be a file named {@code data}).
   */
  private List<Path> dumps() throws IOException {
    try (Stream<Path> files = Files.walk(node.nodeDirectory(0).getParent())) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              f -> {
                String name = f.getFileName().toString();
                return name.endsWith(".hprof") || name.startsWith("hs_err") || name.equals("data");
              })
          .toList();
    }
  }

  private List<Path> logs() throws IOException {
    try (Stream<Path> files = Files.walk(node.nodeDirectory(0))) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> f.getFileName().toString().endsWith(".log"))
          .toList();
    }
  }

  private static String readFrom(Path file, long offset) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      long from = offset > length ? 0 : offset; // rotated
      byte[] bytes = new byte[(int) Math.min(length - from, 64L << 20)];
      in.seek(from);
      in.readFully(bytes);
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof UncheckedIOException u) {
      return "no response: " + u.getMessage() + " (" + u.getCause() + ")";
    }
    String message = String.valueOf(e.getMessage());
    return (e instanceof AssertionError ? "" : e.getClass().getSimpleName() + ": ")
        + (message.length() > 1500 ? message.substring(0, 1500) + "..." : message);
  }

  // Outcomes.

  /**
   * Asserts the outcome every hostile request must have: the exact answer ({@code check} on a 2xx
   * without shard failures or a timeout), a 429 from a circuit breaker, or another 4xx whose
   * reasons match {@code cause}. Returns the outcome in words.
   */
  static String answerOrError(Rest.Reply reply, Pattern cause, Consumer<JsonNode> check) {
    String body = abbreviated(reply.body());
    if (reply.ok()) {
      assertEquals(
          "shard failures: " + body, 0, reply.body().path("_shards").path("failed").asInt());
      assertFalse("timed out: " + body, reply.body().path("timed_out").asBoolean());
      check.accept(reply.body());
      return reply.status() + ", the exact answer";
    }
    return refused(reply, cause);
  }

  /** Asserts a 429 from a circuit breaker or a 4xx whose reasons match {@code cause}. */
  static String refused(Rest.Reply reply, Pattern cause) {
    String body = abbreviated(reply.body());
    if (reply.status() == 429) {
      assertTrue(
          "a 429 from a circuit breaker: " + body, body.contains("circuit_breaking_exception"));
      return "429: " + firstReason(reply.body());
    }
    assertTrue(
        "an answer or a 4xx, not " + reply.status() + ": " + body,
        reply.status() >= 400 && reply.status() < 500);
    String reasons = String.join(" | ", reasons(reply.body()));
    assertTrue(
        "the reason names the cause (" + cause + "): " + body, cause.matcher(reasons).find());
    return reply.status() + ": " + firstReason(reply.body());
  }

  /** Every {@code reason} in an error body (root causes, causes, shard failures). */
  static List<String> reasons(JsonNode body) {
    List<String> reasons = new ArrayList<>();
    collect(body, reasons);
    return reasons;
  }

  private static void collect(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (e.getKey().equals("reason") && e.getValue().isTextual()) {
                  out.add(e.getValue().asText());
                } else {
                  collect(e.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, out));
    }
  }

  /**
   * The error's first root cause and, when it has one, its deepest cause: together they name the
   * problem.
   */
  static String firstReason(JsonNode body) {
    JsonNode error = body.path("error");
    JsonNode root = error.path("root_cause").path(0);
    JsonNode top = root.isMissingNode() ? error : root;
    String reason = top.path("reason").asText(body.toString());
    JsonNode deepest = error;
    while (deepest.path("caused_by").isObject()) {
      deepest = deepest.path("caused_by");
    }
    if (deepest != error && !deepest.path("reason").asText().equals(reason)) {
      reason +=
          " (caused by "
              + deepest.path("type").asText()
              + ": "
              + deepest.path("reason").asText()
              + ")";
    }
    return reason.length() > 400 ? reason.substring(0, 400) + "..." : reason;
  }

  static String abbreviated(JsonNode body) {
    String text = body.toString();
    return text.length() > 3000 ? text.substring(0, 3000) + "..." : text;
  }
}
