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
 * A cluster of real OpenSearch nodes from the distribution, with the plugin installed, on loopback. Nodes keep
 * their names, ports and data across {@link #stopNode stops} and {@link #restartAll restarts}; a snapshot
 * repository directory ({@code path.repo}) is shared by all of them.
 */
public final class LocalCluster implements Closeable {
  private final DistributionHome home;
  private final String javaHome;
  private final Path repository;
  private final List<ClusterNode> nodes;
  private final Rest rest;

  private LocalCluster(DistributionHome home, String javaHome, Path repository, List<ClusterNode> nodes) {
    this.home = home;
    this.javaHome = javaHome;
    this.repository = repository;
    this.nodes = nodes;
    HttpHost[] hosts = nodes.stream().map(n -> new HttpHost("http", "127.0.0.1", n.httpPort)).toArray(HttpHost[]::new);
    this.rest = new Rest(RestClient.builder(hosts).build());
  }

  /**
   * Installs the plugin into a fresh copy of the distribution under {@code workdir} and starts {@code size}
   * nodes; returns when the cluster has formed with all of them.
   */
  public static LocalCluster start(Path distribution, Path plugin, Path workdir, int size)
      throws IOException, InterruptedException {
    Path base = Unprivileged.reachableDirectory(workdir);
    DistributionHome.deleteTree(base); // the previous run's nodes and data
    String javaHome = System.getProperty("java.home");
    DistributionHome home = DistributionHome.install(distribution, plugin, base.resolve("home"), javaHome);
    List<ClusterNode> nodes = new ArrayList<>();
    java.util.Iterator<Integer> ports = freePorts(2 * size).iterator();
    for (int i = 0; i < size; i++) {
      ClusterNode node = new ClusterNode("node-" + i, ports.next(), ports.next(), base.resolve("node-" + i));
      node.prepare(home);
      nodes.add(node);
    }
    Path repository = base.resolve("snapshots");
    java.nio.file.Files.createDirectories(repository);
    Unprivileged.handOver(base);
    LocalCluster cluster = new LocalCluster(home, javaHome, repository, nodes);
    cluster.startNodes(nodes);
    cluster.awaitHealth("green", size);
    return cluster;
  }

  public Rest rest() {
    return rest;
  }

  public int size() {
    return nodes.size();
  }

  /** The {@code fs} repository location every node may write snapshots to. */
  public Path repository() {
    return repository;
  }

  /** Stops node {@code i}; its data stays for a later {@link #startNode}. */
  public void stopNode(int i) throws InterruptedException {
    nodes.get(i).stop();
  }

  public void startNode(int i) throws IOException, InterruptedException {
    startNodes(List.of(nodes.get(i)));
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
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
    Rest.Reply reply;
    do { // retried: right after a node leaves, a request may meet a cluster still electing its manager
      reply = rest.call("GET", "/_cluster/health?wait_for_status=" + status + "&wait_for_nodes=" + nodeCount
          + "&wait_for_no_relocating_shards=true&wait_for_no_initializing_shards=true&timeout=30s", null);
      if (reply.ok() && !reply.body().path("timed_out").asBoolean()) {
        return;
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("cluster did not reach " + status + " with " + nodeCount + " nodes: " + reply.body());
  }

  private void startNodes(List<ClusterNode> toStart) throws IOException, InterruptedException {
    // Nodes start in parallel: a lone cluster-manager-eligible node waits for a quorum before answering health.
    List<Thread> threads = new ArrayList<>();
    List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (ClusterNode node : toStart) {
      Thread thread = new Thread(() -> {
        try {
          node.start(home, javaHome, settings());
        } catch (Exception e) {
          failures.add(e);
        }
      }, "start-" + node.name);
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
    settings.put("discovery.seed_hosts", nodes.stream().map(ClusterNode::address).collect(Collectors.joining(",")));
    settings.put("cluster.initial_cluster_manager_nodes",
        nodes.stream().map(n -> n.name).collect(Collectors.joining(",")));
    settings.put("path.repo", repository.toString());
    // Shared CI disks may be fuller than the default watermarks allow; allocation must not depend on that.
    settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
    return settings;
  }

  /** Distinct ports that were free a moment ago (all held open together, so none is handed out twice). */
  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0));
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
    try {
      for (ClusterNode node : nodes) {
        node.stop();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
