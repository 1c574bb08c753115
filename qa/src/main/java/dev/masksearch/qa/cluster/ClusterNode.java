package dev.masksearch.qa.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One OpenSearch node of a {@link LocalCluster}: a process of the real distribution with its own
 * config, data and log directories under {@code directory}, and fixed ports so that it can be
 * stopped and started again with the same identity and data.
 */
final class ClusterNode {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  final String name;
  final int httpPort;
  final int transportPort;
  private final Path directory;
  private Process process;

  ClusterNode(String name, int httpPort, int transportPort, Path directory) {
    this.name = name;
    this.httpPort = httpPort;
    this.transportPort = transportPort;
    this.directory = directory;
  }

  /** Creates the node's directories with a copy of the distribution's config. */
  void prepare(DistributionHome home) throws IOException {
    Path config = directory.resolve("config");
    try (Stream<Path> files = Files.walk(home.config())) {
      for (Path source : files.toList()) {
        Path target = config.resolve(home.config().relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
    Files.createDirectories(directory.resolve("data"));
    Files.createDirectories(directory.resolve("logs"));
  }

  /**
   * Starts the process; returns once its HTTP port answers (cluster formation is the cluster's
   * business).
   */
  void start(DistributionHome home, String javaHome, String heap, Map<String, String> settings)
      throws IOException, InterruptedException {
    if (running()) {
      throw new IllegalStateException(name + " is already running");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "env",
                "OPENSEARCH_JAVA_HOME=" + javaHome,
                "OPENSEARCH_PATH_CONF=" + directory.resolve("config"),
                // The distribution's jvm.options write a heap dump to "data" and crash files to
                // "logs/", relative to the
                // directory the start script changes to (the shared home; "data" would be a file
                // there): into the node's own.
                "OPENSEARCH_JAVA_OPTS=-Xms"
                    + heap
                    + " -Xmx"
                    + heap
                    + " -XX:HeapDumpPath="
                    + directory.resolve("data")
                    + " -XX:ErrorFile="
                    + directory.resolve("logs").resolve("hs_err_pid%p.log"),
                home.bin("opensearch").toString()));
    settings.forEach((key, value) -> command.add("-E" + key + "=" + value));
    command.add("-Enode.name=" + name);
    command.add("-Ehttp.port=" + httpPort);
    command.add("-Etransport.port=" + transportPort);
    command.add("-Epath.data=" + directory.resolve("data"));
    command.add("-Epath.logs=" + directory.resolve("logs"));
    process =
        new ProcessBuilder(Unprivileged.command(command))
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(console().toFile()))
            .start();
    try {
      awaitHttp();
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop(); // a node that did not come up must not keep running and hold its ports
      throw e;
    }
  }

  private void awaitHttp() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest ping =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            name + " exited with " + process.exitValue() + "; its console:\n" + consoleTail());
      }
      try {
        if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new IOException(
        name
            + " did not answer on port "
            + httpPort
            + " within "
            + START_TIMEOUT
            + "; its console:\n"
            + consoleTail());
  }

  /**
   * Stops the node gracefully: SIGTERM to the OpenSearch JVM itself, then waits for it and its
   * wrapper to exit. (Signalling runuser instead would make it SIGKILL its child two seconds
   * later.) Forcibly if it hangs.
   */
  void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    if (tree.isEmpty()) {
      process.destroy();
    } else {
      tree.forEach(ProcessHandle::destroy);
    }
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      tree.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
    }
    for (ProcessHandle child : tree) {
      child.onExit().join();
    }
    process = null;
  }

  /**
   * Kills the node as a crash would: SIGKILL to the OpenSearch JVM itself, so nothing is flushed or
   * closed. Every process of the node's tree gets SIGKILL too, the JVM first: killing only runuser
   * (the process this class started when run as root) would leave the JVM running. The node's data
   * stays for a later {@link #start}.
   */
  void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    long jvm = jvmPid();
    ProcessHandle.of(jvm).ifPresent(ProcessHandle::destroyForcibly);
    tree.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor();
    for (ProcessHandle child : tree) {
      child.onExit().join();
    }
    process = null;
  }

  /** The process id of the OpenSearch JVM (the child of runuser when run as root). */
  long jvmPid() {
    return process
        .descendants()
        .filter(p -> p.info().command().orElse("").endsWith("/java"))
        .findFirst()
        .orElse(process.toHandle())
        .pid();
  }

  Path directory() {
    return directory;
  }

  Path dataDirectory() {
    return directory.resolve("data");
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  String address() {
    return "127.0.0.1:" + transportPort;
  }

  private Path console() {
    return directory.resolve("console.log");
  }

  String consoleTail() {
    try {
      List<String> lines = Files.readAllLines(console());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return name + "[http " + httpPort + ", transport " + transportPort + "]";
  }
}
