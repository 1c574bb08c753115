package dev.masksearch.qa.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * An OpenSearch home unpacked from the distribution zip that Maven resolved, with the plugin zip
 * installed by the distribution's own {@code bin/opensearch-plugin install}, exactly as a user
 * installs it.
 */
final class DistributionHome {
  private final Path home;

  private DistributionHome(Path home) {
    this.home = home;
  }

  /**
   * Unpacks {@code distribution} into {@code directory} (replacing what was there) and installs
   * {@code plugin}.
   */
  static DistributionHome install(Path distribution, Path plugin, Path directory, String javaHome)
      throws IOException, InterruptedException {
    deleteTree(directory);
    Path home = unzip(distribution, directory);
    ProcessBuilder install =
        new ProcessBuilder(
                home.resolve("bin/opensearch-plugin").toString(),
                "install",
                "--batch",
                plugin.toUri().toString())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("plugin-install.log").toFile());
    install.environment().put("OPENSEARCH_JAVA_HOME", javaHome);
    Process process = install.start();
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException(
          "bin/opensearch-plugin install failed; see "
              + directory.resolve("plugin-install.log")
              + ":\n"
              + Files.readString(directory.resolve("plugin-install.log")));
    }
    return new DistributionHome(home);
  }

  Path home() {
    return home;
  }

  Path bin(String tool) {
    return home.resolve("bin").resolve(tool);
  }

  Path config() {
    return home.resolve("config");
  }

  /**
   * Extracts the zip; returns its single top-level directory. Scripts under bin/ become executable.
   */
  private static Path unzip(Path zip, Path directory) throws IOException {
    Path top = null;
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        Path target = directory.resolve(entry.getName()).normalize();
        if (!target.startsWith(directory)) {
          throw new IOException("zip entry outside the target directory: " + entry.getName());
        }
        if (top == null) {
          top = directory.resolve(Path.of(entry.getName()).getName(0));
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = file.getInputStream(entry)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (target.getParent().getFileName().toString().equals("bin")) {
          target.toFile().setExecutable(true, false);
        }
      }
    }
    if (top == null) {
      throw new IOException("empty distribution zip " + zip);
    }
    return top;
  }

  static void deleteTree(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (var paths = Files.walk(directory)) {
      for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  public String toString() {
    return "DistributionHome[" + home + "]";
  }
}
