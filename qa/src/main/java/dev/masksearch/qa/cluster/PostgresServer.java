package dev.masksearch.qa.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A throw-away PostgreSQL 15 server with PostGIS raster, Debian's {@code postgresql-15-postgis-3},
 * for the benchmark against the alternatives: installed with apt when missing and run as root (see
 * {@link Apt}), a fresh data directory, listening on loopback only with trust authentication, run
 * as the unprivileged user when this JVM is root (initdb and postgres refuse root). Server settings
 * are the defaults a user gets from initdb.
 */
public final class PostgresServer implements AutoCloseable {
  /** Debian's package with PostGIS raster for PostgreSQL 15 (it pulls the server in). */
  public static final String PACKAGE = "postgresql-15-postgis-3";

  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final Path RASTER_EXTENSION =
      Path.of("/usr/share/postgresql/15/extension/postgis_raster.control");
  private static final String USER = "bench";

  private final Path dataDirectory;
  private final Path log;
  private final int port;
  private boolean running;

  private PostgresServer(Path dataDirectory, Path log, int port) {
    this.dataDirectory = dataDirectory;
    this.log = log;
    this.port = port;
  }

  /**
   * Installs PostGIS if needed (as root), creates a new cluster under {@code workdir} (deleting a
   * previous one), starts it and creates the {@code postgis} and {@code postgis_raster} extensions.
   */
  public static PostgresServer start(Path workdir)
      throws IOException, InterruptedException, SQLException {
    if (!Files.isExecutable(BIN.resolve("postgres")) || !Files.exists(RASTER_EXTENSION)) {
      Apt.install(PACKAGE, "The benchmark's PostGIS raster alternative");
    }
    Path base = Unprivileged.reachableDirectory(workdir.toAbsolutePath());
    Path data = base.resolve("pgdata");
    if (Files.exists(data)) {
      run(List.of("rm", "-rf", data.toString()), false);
    }
    Files.createDirectories(data);
    Unprivileged.handOver(base);
    run(
        Unprivileged.command(
            List.of(
                BIN.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C")),
        true);
    PostgresServer server =
        new PostgresServer(data, base.resolve("postgres.log"), LocalCluster.freePorts(1).get(0));
    server.startServer();
    try (Connection c = server.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION postgis");
      s.execute("CREATE EXTENSION postgis_raster");
    }
    return server;
  }

  private void startServer() throws IOException, InterruptedException {
    // The log goes to a file the unprivileged user may write: the data directory's parent was
    // handed over.
    run(
        Unprivileged.command(
            List.of(
                BIN.resolve("pg_ctl").toString(),
                "-D",
                dataDirectory.toString(),
                "-l",
                log.toString(),
                "-w",
                "-t",
                "120",
                "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 " + "-c unix_socket_directories=''",
                "start")),
        true);
    running = true;
  }

  /**
   * A new connection (each has its own session state, so nothing cached in the session carries
   * over).
   */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=" + USER);
  }

  /** Stops and starts the server: its shared buffers and every backend's caches start empty. */
  public void restart() throws IOException, InterruptedException {
    stop();
    startServer();
  }

  private void stop() throws IOException, InterruptedException {
    if (running) {
      running = false;
      run(
          Unprivileged.command(
              List.of(
                  BIN.resolve("pg_ctl").toString(),
                  "-D",
                  dataDirectory.toString(),
                  "-m",
                  "fast",
                  "-w",
                  "stop")),
          true);
    }
  }

  /** Stops the server and deletes its data directory. */
  @Override
  public void close() throws IOException {
    try {
      stop();
      run(List.of("rm", "-rf", dataDirectory.toString()), false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(List<String> command, boolean check)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("postgres", ".log");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      process.getOutputStream().close();
      int status = process.waitFor();
      if (check && status != 0) {
        throw new IOException(
            String.join(" ", command)
                + " failed ("
                + status
                + "):\n"
                + Files.readString(out, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
