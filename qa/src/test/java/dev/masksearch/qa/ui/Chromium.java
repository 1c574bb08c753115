package dev.masksearch.qa.ui;

import dev.masksearch.qa.cluster.Apt;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium and its driver ({@code chromium}, {@code chromium-driver}) for the
 * browser tests. When either is missing and the tests run as root (CI, containers), they are
 * installed with {@code apt-get}; otherwise the test fails and says what to install. It never
 * skips: a browser test that silently does nothing hides a broken UI.
 */
final class Chromium {
  static final String INSTALL = Apt.command("chromium chromium-driver");

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
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1500,1300",
        "--hide-scrollbars");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.toFile())
            .withTimeout(Duration.ofMinutes(1))
            .build();
    return new ChromeDriver(service, options);
  }

  private static void install() throws IOException, InterruptedException {
    Apt.install("chromium chromium-driver", "The web UI's browser test");
  }

  private static Path find(String... names) {
    for (String dir :
        System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
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
