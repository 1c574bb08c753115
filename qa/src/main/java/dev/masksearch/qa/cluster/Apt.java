package dev.masksearch.qa.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs Debian packages a test or benchmark needs (Chromium for the browser test, PostGIS for
 * the benchmark) with {@code apt-get} when run as root (CI, containers); otherwise fails with the
 * command to run. Never skips: a check that silently does nothing hides a broken feature.
 */
public final class Apt {
  private Apt() {}

  /** The command that installs {@code packages}. */
  public static String command(String packages) {
    return "apt-get update && apt-get install -y " + packages;
  }

  /**
   * Installs {@code packages} as root; as another user throws an AssertionError naming {@code
   * purpose} and the command.
   */
  public static void install(String packages, String purpose)
      throws IOException, InterruptedException {
    String install = command(packages);
    if (!Unprivileged.isRoot()) {
      throw new AssertionError(
          purpose
              + " needs Debian's "
              + packages
              + "; install with `sudo "
              + install
              + "` (run as root, it installs them itself)");
    }
    Path log = Files.createTempFile("apt", ".log");
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", install)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process apt = builder.start();
    apt.getOutputStream().close();
    if (!apt.waitFor(15, TimeUnit.MINUTES)) {
      apt.destroyForcibly();
      throw new AssertionError("`" + install + "` did not finish within 15 minutes; see " + log);
    }
    if (apt.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      throw new AssertionError(
          "`"
              + install
              + "` failed ("
              + apt.exitValue()
              + "):\n"
              + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
  }
}
