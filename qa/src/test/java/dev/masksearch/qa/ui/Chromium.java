package dev.masksearch.qa.ui;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium and its driver ({@code chromium}, {@code chromium-driver}) for the browser tests. When
 * either is missing and the tests run as root (CI, containers), they are installed with {@code apt-get}; otherwise
 * the test fails and says what to install. It never skips: a browser test that silently does nothing hides a broken
 * UI.
 */
final class Chromium {
  static final String INSTALL = "apt-get update && apt-get install -y chromium chromium-driver";

  private Chromium() {}

  /** A headless Chromium session, installing the browser first when needed and possible. */
  static ChromeDriver start() throws IOException, InterruptedException {
    Path browser = find("chromium", "chromium-browser");
    Path driver = find("chromedriver");
    if (browser == null || driver == null) {
      install();
      browser = find("chromium", "chromium-browser");
      driver = find("chromedriver");
      if (browser == null || driver == null) {
        throw new AssertionError("chromium or chromedriver still missing after `" + INSTALL + "`");
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    // --no-sandbox: Chromium's sandbox refuses root, which CI runs as; the page is our own.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1500,1300", "--hide-scrollbars");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
        .withTimeout(Duration.ofMinutes(1)).build();
    return new ChromeDriver(service, options);
  }

  private static void install() throws IOException, InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new AssertionError("The web UI's browser test needs Debian's headless Chromium and its driver; install them"
          + " with `sudo " + INSTALL + "` (run as root, the test installs them itself)");
    }
    Path log = Files.createTempFile("apt-chromium", ".log");
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", INSTALL).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process apt = builder.start();
    apt.getOutputStream().close();
    if (!apt.waitFor(15, TimeUnit.MINUTES)) {
      apt.destroyForcibly();
      throw new AssertionError("`" + INSTALL + "` did not finish within 15 minutes; see " + log);
    }
    if (apt.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      throw new AssertionError("`" + INSTALL + "` failed (" + apt.exitValue() + "):\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
  }

  private static Path find(String... names) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      for (String name : names) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }
}
