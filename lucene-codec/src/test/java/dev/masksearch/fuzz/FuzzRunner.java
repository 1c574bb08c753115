package dev.masksearch.fuzz;

import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one Jazzer fuzz target (a class with {@code public static void fuzzerTestOneInput(byte[])})
 * in a forked JVM through Jazzer's driver ({@code com.code_intelligence.jazzer.Jazzer}), and fails
 * with the crashing input, the exception and the reproducer's path when Jazzer reports a finding:
 * an exception the target does not accept, an {@link OutOfMemoryError} or {@link
 * StackOverflowError}, an input slower than the per-input timeout, or a process whose memory
 * exceeds the RSS limit.
 *
 * <p>A fork per target because Jazzer fuzzes one target per JVM, and so that an out-of-memory or a
 * crash ends the fork, not the test JVM. Seeds and regression inputs come from {@code
 * src/test/resources/fuzz/<Target>/} (read only); new corpus entries and findings go to {@code
 * target/fuzz/<Target>/}.
 *
 * <p>Modes (system properties, passed through Maven as {@code -Dname=value}):
 *
 * <ul>
 *   <li>default (CI): a fixed libFuzzer seed and a fixed number of runs per target ({@code runs},
 *       capped by {@link #CI_SECONDS_CAP} seconds on a slow machine), starting each time from the
 *       seeds only, so a run is repeatable yet coverage-guided;
 *   <li>{@code fuzz.seconds=N}: fuzz each target for N seconds with a random seed (or {@code
 *       fuzz.seed}), keeping the corpus in {@code target/fuzz/<Target>/corpus} between runs;
 *   <li>{@code fuzz.target=Name}: only that target (simple class name); {@code fuzz.skip=true}:
 *       none.
 * </ul>
 */
public final class FuzzRunner {
  /**
   * The CI run's wall-clock cap per target, in seconds: the runs count decides, this only bounds a
   * slow machine.
   */
  static final int CI_SECONDS_CAP = 30;

  /** libFuzzer's seed in the CI run. */
  static final long CI_SEED = 20260101;

  /** An input that runs longer is a finding (a hang). Generous: the machine is shared. */
  static final int INPUT_TIMEOUT_SECONDS = 30;

  /** The fork's heap; a small input that needs more is a finding (OutOfMemoryError). */
  static final String HEAP = "-Xmx1g";

  /**
   * The fuzzing thread's stack: a node's thread stack (1 MiB), so that a stack overflow here is one
   * on a node. (256 KiB found unbounded recursion sooner, but is too small for the deepest
   * expression the parser accepts once Jazzer's instrumentation has grown every frame.)
   */
  static final String STACK = "-Xss1m";

  /** libFuzzer's limit on the fork's resident memory (heap, metaspace, Jazzer's own). */
  static final int RSS_LIMIT_MB = 2560;

  /**
   * The fork runs as a child of a shell, not as a process this JVM spawns directly: libFuzzer
   * checks its RSS limit against the peak RSS that getrusage reports, and Linux carries the
   * spawning JVM's peak into a process spawned from it (which execs out of the JVM's memory), so a
   * test JVM grown past the limit by earlier tests would fail every target at its first input. A
   * shell's child starts its own count.
   */
  private static final List<String> SHELL = List.of("/bin/sh", "-c", "\"$@\"; exit $?", "sh");

  private FuzzRunner() {}

  /**
   * Fuzzes {@code target}: {@code runs} inputs in the CI mode (about 10 seconds' worth), or {@code
   * fuzz.seconds} seconds; {@code maxLen} is the largest input libFuzzer generates.
   */
  public static void fuzz(Class<?> target, int runs, int maxLen)
      throws IOException, InterruptedException {
    String only = System.getProperty("fuzz.target", "");
    if (Boolean.getBoolean("fuzz.skip")
        || (!only.isEmpty() && !only.equals(target.getSimpleName()))) {
      return;
    }
    String name = target.getSimpleName();
    Path seeds = Paths.get("src/test/resources/fuzz", name);
    Path work = Paths.get("target/fuzz", name).toAbsolutePath();
    Path corpus = work.resolve("corpus");
    Path findings = work.resolve("findings");
    long seconds = Long.getLong("fuzz.seconds", 0);
    boolean ci = seconds <= 0;
    if (ci) {
      deleteTree(corpus); // start from the seeds only, so the run is repeatable
    }
    deleteTree(findings);
    Files.createDirectories(corpus);
    Files.createDirectories(findings);

    List<String> command = new ArrayList<>(SHELL);
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add(HEAP);
    command.add(STACK);
    command.add("-XX:+EnableDynamicAgentLoading"); // Jazzer attaches its agent at startup
    command.add("-Djava.io.tmpdir=" + work);
    command.add("-Djava.awt.headless=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("com.code_intelligence.jazzer.Jazzer");
    command.add("--target_class=" + target.getName());
    command.add("--instrumentation_includes=dev.masksearch.**");
    command.add("--custom_hook_includes=dev.masksearch.**");
    command.add("--reproducer_path=" + findings);
    command.add("-artifact_prefix=" + findings + File.separator);
    command.add("-seed=" + (ci ? CI_SEED : Long.getLong("fuzz.seed", 0)));
    if (ci) {
      command.add("-runs=" + runs);
      command.add("-max_total_time=" + CI_SECONDS_CAP);
    } else {
      command.add("-max_total_time=" + seconds);
    }
    command.add("-max_len=" + maxLen);
    command.add("-timeout=" + INPUT_TIMEOUT_SECONDS);
    command.add("-rss_limit_mb=" + RSS_LIMIT_MB);
    command.add("-print_final_stats=1");
    command.add(corpus.toString()); // the first corpus directory receives new inputs
    if (Files.isDirectory(seeds)) {
      command.add(seeds.toAbsolutePath().toString());
    }

    Path log = work.resolve("fuzz.log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long waitSeconds = (ci ? CI_SECONDS_CAP : seconds) + INPUT_TIMEOUT_SECONDS + 120;
    if (!process.waitFor(waitSeconds, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly); // the fork under the shell
      process.destroyForcibly().waitFor();
      fail("fuzzing " + name + " did not end within " + waitSeconds + " s; see " + log);
    }
    if (process.exitValue() != 0) {
      fail(
          "fuzzing "
              + name
              + " found a problem (exit "
              + process.exitValue()
              + ")\n"
              + describeFindings(findings)
              + finding(log)
              + "\n--- end of "
              + log
              + " ---\n"
              + tail(log, 20));
    }
  }

  /**
   * Runs {@code target} in this JVM on every seed and regression input of {@code
   * src/test/resources/fuzz/<Target>/}; what a finding would be throws here. Returns the number of
   * inputs.
   */
  public static int replay(Class<?> target) throws Throwable {
    Path seeds = Paths.get("src/test/resources/fuzz", target.getSimpleName());
    java.lang.invoke.MethodHandle test =
        java.lang.invoke.MethodHandles.publicLookup()
            .findStatic(
                target,
                "fuzzerTestOneInput",
                java.lang.invoke.MethodType.methodType(void.class, byte[].class));
    int n = 0;
    try (Stream<Path> files = Files.list(seeds)) {
      for (Path file : files.sorted().toList()) {
        try {
          test.invoke(Files.readAllBytes(file));
        } catch (Throwable t) {
          throw new AssertionError(file + " fails " + target.getSimpleName(), t);
        }
        n++;
      }
    }
    return n;
  }

  private static String describeFindings(Path findings) throws IOException {
    StringBuilder s = new StringBuilder();
    try (Stream<Path> files = Files.list(findings)) {
      for (Path file : files.sorted().toList()) {
        s.append(file).append('\n');
        if (!file.getFileName().toString().endsWith(".java")) {
          byte[] input = Files.readAllBytes(file);
          s.append("  input (base64): ")
              .append(Base64.getEncoder().encodeToString(input))
              .append('\n');
        }
      }
    }
    return s.length() == 0 ? "(no crash file written)" : s.toString();
  }

  /** Jazzer's report of the finding: from "== Java Exception" to its DEDUP_TOKEN line. */
  private static String finding(Path log) throws IOException {
    List<String> all = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
    StringBuilder s = new StringBuilder();
    boolean in = false;
    for (String line : all) {
      in |=
          line.startsWith("== Java Exception")
              || line.contains("out-of-memory")
              || line.contains("ERROR: libFuzzer");
      if (in) {
        s.append(line).append('\n');
        in = !line.startsWith("DEDUP_TOKEN");
      }
    }
    return s.toString();
  }

  private static String tail(Path log, int lines) throws IOException {
    List<String> all = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
