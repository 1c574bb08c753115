package dev.masksearch.qa.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs OpenSearch as an unprivileged user when the tests run as root: OpenSearch refuses to start
 * as root, and CI and containers run as root. The user ({@value #USER}) is created on first use,
 * like {@code bin/run} does.
 */
public final class Unprivileged {
  static final String USER = "masksearch";

  private Unprivileged() {}

  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The command prefixed to run as {@value #USER} when this JVM is root, unchanged otherwise. */
  static List<String> command(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", USER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * As root: creates the user if needed and gives it the directory tree. Otherwise does nothing.
   */
  static void handOver(Path directory) throws IOException, InterruptedException {
    if (!isRoot()) {
      return;
    }
    if (exec(List.of("id", USER)) != 0
        && exec(
                List.of(
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    USER))
            != 0) {
      throw new IOException(
          "cannot create the user " + USER + " that OpenSearch runs as (useradd failed)");
    }
    if (exec(List.of("chown", "-R", USER, directory.toString())) != 0) {
      throw new IOException("chown -R " + USER + " " + directory + " failed");
    }
  }

  /**
   * A directory the unprivileged user can reach: {@code preferred} when every ancestor is
   * searchable by others, otherwise a fresh directory under /tmp (a checkout under /root, say, is
   * not).
   */
  static Path reachableDirectory(Path preferred) throws IOException {
    if (!isRoot() || everyAncestorSearchable(preferred.toAbsolutePath())) {
      return preferred;
    }
    // One directory per checkout, reused (and cleaned) by every run, so runs do not pile up under
    // /tmp.
    Path fallback =
        Path.of(
            "/tmp", "masksearch-qa-" + Integer.toHexString(preferred.toAbsolutePath().hashCode()));
    System.out.println(
        "the qa cluster runs in " + fallback + " (the checkout is not reachable by " + USER + ")");
    return fallback;
  }

  /**
   * As root: fails clearly unless {@value #USER} can execute {@code file} (the JDK OpenSearch runs
   * on).
   */
  static void checkReachable(Path file) throws IOException, InterruptedException {
    if (isRoot()
        && exec(List.of("id", USER)) == 0
        && exec(List.of("runuser", "-u", USER, "--", "test", "-x", file.toString())) != 0) {
      throw new IOException(
          "the user "
              + USER
              + " that OpenSearch runs as cannot execute "
              + file
              + "; use a JDK outside /root (for example under /usr/lib/jvm)");
    }
  }

  private static boolean everyAncestorSearchable(Path path) throws IOException {
    for (Path p = path.getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p)
          && !Files.getPosixFilePermissions(p)
              .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
        return false;
      }
    }
    return true;
  }

  private static int exec(List<String> command) throws IOException, InterruptedException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor();
  }
}
