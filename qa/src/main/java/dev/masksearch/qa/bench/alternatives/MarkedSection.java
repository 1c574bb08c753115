package dev.masksearch.qa.bench.alternatives;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites the part of a markdown document between {@code <!-- name:begin -->} and {@code <!--
 * name:end -->}, so that a benchmark's measured tables land in the docs as produced, never copied
 * by hand.
 */
final class MarkedSection {
  private MarkedSection() {}

  static void replace(Path doc, String name, String content) throws IOException {
    String text = Files.readString(doc);
    String begin = "<!-- " + name + ":begin -->\n";
    String end = "<!-- " + name + ":end -->";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IOException(doc + " has no section marked " + begin.strip() + " ... " + end);
    }
    Files.writeString(
        doc,
        text.substring(0, from + begin.length()) + content.strip() + "\n" + text.substring(to));
  }
}
