package dev.masksearch.qa.cluster;

import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.RestClient;

/**
 * A cluster of real OpenSearch nodes from the distribution, with the plugin installed, on loopback.
 * Nodes keep their names, ports and data across {@link #stopNode stops} and {@link #restartAll
 * restarts}; a snapshot repository directory ({@code path.repo}) is shared by all of them.
 */
public final class LocalCluster implements Closeable {
  private final DistributionHome home;
  private final String javaHome;
  private final Path repository;
  private final List<ClusterNode> nodes;
  private final Rest rest;
  private final String heap;
  private final Map<String, String> extraSettings;

  private LocalCluster(
      DistributionHome home,
      String javaHome,
      Path repository,
      List<ClusterNode> nodes,
      String heap,
      Map<String, String> extraSettings) {
    this.heap = heap;
    this.extraSettings = extraSettings;
    this.home = home;
    this.javaHome = javaHome;
    this.repository = repository;
    this.nodes = nodes;
    HttpHost[] hosts =
        nodes.stream()
            .map(n -> new HttpHost("http", "127.0.0.1", n.httpPort))
            .toArray(HttpHost[]::new);
    // Responses may take minutes (health waits, snapshots, force merges): the client must not give
    // up first and resend them to another node.
    this.rest =
        new Rest(
            RestClient.builder(hosts)
                .setRequestConfigCallback(
                    config ->
                        config.setResponseTimeout(org.apache.hc.core5.util.Timeout.ofMinutes(5)))
                .build());
  }

  /**
   * Installs the plugin into a fresh copy of the distribution under {@code workdir} and starts
   * {@code size} nodes; returns when the cluster has formed with all of them.
   */
  public static LocalCluster start(Path distribution, Path plugin, Path workdir, int size)
      throws IOException, InterruptedException {
    return start(distribution, plugin, workdir, size, "1g");
  }

  /**
   * {@link #start(Path, Path, Path, int)} with each node's JVM heap ({@code -Xms} and {@code -Xmx},
   * e.g. "2g").
   */
  public static LocalCluster start(
      Path distribution, Path plugin, Path workdir, int size, String heap)
      throws IOException, InterruptedException {
    return start(distribution, plugin, workdir, size, heap, Map.of());
  }

  /**
   * {@link #start(Path, Path, Path, int, String)} with more node settings ({@code -E key=value} on
   * every node).
   */
  public static LocalCluster start(
      Path distribution,
      Path plugin,
      Path workdir,
      int size,
      String heap,
      Map<String, String> nodeSettings)
      throws IOException, InterruptedException {
    Path base = Unprivileged.reachableDirectory(workdir);
    String javaHome = System.getProperty("java.home");
    DistributionHome.deleteTree(base); // the previous run's nodes and data
    DistributionHome home =
        DistributionHome.install(distribution, plugin, base.resolve("home"), javaHome);
    List<ClusterNode> nodes = new ArrayList<>();
    java.util.Iterator<Integer> ports = freePorts(2 * size).iterator();
    for (int i = 0; i < size; i++) {
      ClusterNode node =
          new ClusterNode("node-" + i, ports.next(), ports.next(), base.resolve("node-" + i));
      node.prepare(home);
      nodes.add(node);
    }
    Path repository = base.resolve("snapshots");
    java.nio.file.Files.createDirectories(repository);
    Unprivileged.handOver(base);
    Unprivileged.checkReachable(Path.of(javaHome, "bin", "java"));
    LocalCluster cluster = new LocalCluster(home, javaHome, repository, nodes, heap, nodeSettings);
    try {
      cluster.startNodes(nodes);
      cluster.awaitHealth("green", size);
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      cluster.close(); // no node outlives a failed start
      throw e;
    }
    return cluster;
  }

  public Rest rest() {
    return rest;
  }

  /**
   * The HTTP port of node {@code i} (for clients other than {@link #rest()}, such as a browser).
   */
  public int httpPort(int i) {
    return nodes.get(i).httpPort;
  }

  public int size() {
    return nodes.size();
  }

  /**
   * Runs {@code jcmd <pid of node i> args...} as the user the node runs as (for Java Flight
   * Recorder on a node); returns its output.
   */
  public String jcmd(int i, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(javaHome, "bin", "jcmd").toString(), Long.toString(nodes.get(i).jvmPid())));
    command.addAll(List.of(args));
    Process jcmd =
        new ProcessBuilder(Unprivileged.command(command)).redirectErrorStream(true).start();
    String out =
        new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (jcmd.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** Every node's {@code path.data}. */
  public List<Path> dataDirectories() {
    return nodes.stream().map(ClusterNode::dataDirectory).toList();
  }

  /**
   * Node {@code i}'s own directory: its {@code console.log}, {@code logs/} and {@code data/} (where
   * the JVM would write a heap dump on an OutOfMemoryError), for tests that check what a node went
   * through.
   */
  public Path nodeDirectory(int i) {
    return nodes.get(i).directory();
  }

  /** Whether node {@code i}'s process is alive. */
  public boolean running(int i) {
    return nodes.get(i).running();
  }

  /** The {@code fs} repository location every node may write snapshots to. */
  public Path repository() {
    return repository;
  }

  /** Stops node {@code i}; its data stays for a later {@link #startNode}. */
  public void stopNode(int i) throws InterruptedException {
    nodes.get(i).stop();
  }

  /**
   * Kills node {@code i} with SIGKILL ({@code kill -9} of its JVM): a crash, with no shutdown and
   * no flush. Its data stays for a later {@link #startNode}.
   */
  public void killNode(int i) throws InterruptedException {
    nodes.get(i).kill();
  }

  public void startNode(int i) throws IOException, InterruptedException {
    startNodes(List.of(nodes.get(i)));
  }

  /**
   * Starts the nodes a failed test left stopped, so that one failure does not cascade into later
   * suites.
   */
  public void startStoppedNodes() throws IOException, InterruptedException {
    List<ClusterNode> stopped = nodes.stream().filter(n -> !n.running()).toList();
    if (!stopped.isEmpty()) {
      startNodes(stopped);
      awaitHealth("green", nodes.size());
    }
  }

  /** Stops every node, then starts them all again on the same data: a full cluster restart. */
  public void restartAll() throws IOException, InterruptedException {
    for (ClusterNode node : nodes) {
      node.stop();
    }
    startNodes(nodes);
  }

  /** Waits until the cluster has {@code nodeCount} nodes and at least the given health status. */
  public void awaitHealth(String status, int nodeCount) {
    awaitHealth(status, nodeCount, "");
  }

  /**
   * Waits until the cluster has {@code nodeCount} nodes and the given indices (comma-separated;
   * empty for all) at least the given health status: with a node down, other suites' indices
   * without replicas are red whatever this one's state.
   */
  public void awaitHealth(String status, int nodeCount, String indices) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
    Rest.Reply reply;
    do { // retried: right after a node leaves, a request may meet a cluster still electing its
      // manager
      try {
        reply =
            rest.call(
                "GET",
                "/_cluster/health/"
                    + indices
                    + "?wait_for_status="
                    + status
                    + "&wait_for_nodes="
                    + nodeCount
                    + "&wait_for_no_relocating_shards=true&wait_for_no_initializing_shards=true&timeout=30s",
                null);
      } catch (java.io.UncheckedIOException e) {
        reply = new Rest.Reply(0, Rest.JSON.getNodeFactory().textNode(e.toString()));
      }
      if (reply.ok() && !reply.body().path("timed_out").asBoolean()) {
        return;
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError(
        "cluster did not reach " + status + " with " + nodeCount + " nodes: " + reply.body());
  }

  private void startNodes(List<ClusterNode> toStart) throws IOException, InterruptedException {
    // Nodes start in parallel: a lone cluster-manager-eligible node waits for a quorum before
    // answering health.
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (ClusterNode node : toStart) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  node.start(home, javaHome, heap, settings());
                } catch (Exception e) {
                  failures.add(e);
                }
              },
              "start-" + node.name);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      IOException failure = new IOException("nodes failed to start");
      failures.forEach(failure::addSuppressed);
      throw failure;
    }
  }

  private Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("cluster.name", "masksearch-qa");
    settings.put("network.host", "127.0.0.1");
    settings.put(
        "discovery.seed_hosts",
        nodes.stream().map(ClusterNode::address).collect(Collectors.joining(",")));
    settings.put(
        "cluster.initial_cluster_manager_nodes",
        nodes.stream().map(n -> n.name).collect(Collectors.joining(",")));
    settings.put("path.repo", repository.toString());
    // Shared CI disks may be fuller than the default watermarks allow; allocation must not depend
    // on that.
    settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
    settings.putAll(extraSettings);
    return settings;
  }

  /**
   * Distinct free ports below Linux's ephemeral range (32768 and up), so that while a node is down
   * no outgoing connection can take its port before it restarts. All are held open together, so
   * none is handed out twice.
   */
  static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    java.util.Random random = new java.util.Random();
    try {
      for (int attempts = 0; sockets.size() < count; attempts++) {
        if (attempts > 1000) {
          throw new IOException("no free ports between 20000 and 32000");
        }
        try {
          sockets.add(
              new ServerSocket(
                  20000 + random.nextInt(12000), 50, java.net.InetAddress.getLoopbackAddress()));
        } catch (IOException taken) {
          // try another
        }
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  @Override
  public void close() throws IOException {
    rest.close();
    // In parallel: a test JVM's shutdown must not wait for nodes one after another.
    nodes.parallelStream()
        .forEach(
            node -> {
              try {
                node.stop();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }
}
