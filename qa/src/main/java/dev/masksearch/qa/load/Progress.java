package dev.masksearch.qa.load;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Reports a load's progress: on a terminal a single line redrawn in place ({@code \r}) at most 10
 * times a second; elsewhere (CI logs, files, pipes) a plain line every 10% and at the end, since a
 * redrawn line there is one long line of escape noise. Hand-written rather than a progress-bar
 * library: one line of output does not justify a terminal library (JLine) on the classpath.
 */
public abstract class Progress {
  /** No output: for programmatic use. */
  public static final Progress NONE =
      new Progress() {
        @Override
        void update(long done, long total, Counts counts) {}

        @Override
        void finish(long done, long total, Counts counts) {}
      };

  /** The counts shown beside the bar. */
  record Counts(int indexed, int present, int skipped, int failed) {}

  abstract void update(long done, long total, Counts counts);

  abstract void finish(long done, long total, Counts counts);

  /** A bar redrawn in place on {@code out}, for a terminal. */
  public static Progress bar(PrintStream out) {
    return new Bar(out);
  }

  /** Plain lines on {@code out}, for logs. */
  public static Progress lines(PrintStream out) {
    return new Lines(out);
  }

  static String counts(Counts c) {
    return String.format(
        Locale.ROOT,
        "indexed %,d, already present %,d, skipped %,d, failed %,d",
        c.indexed(),
        c.present(),
        c.skipped(),
        c.failed());
  }

  private static final class Bar extends Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastDraw;

    Bar(PrintStream out) {
      this.out = out;
    }

    @Override
    void update(long done, long total, Counts counts) {
      long now = System.nanoTime();
      if (now - lastDraw >= 100_000_000L) {
        lastDraw = now;
        draw(done, total, counts);
      }
    }

    @Override
    void finish(long done, long total, Counts counts) {
      draw(done, total, counts);
      out.println();
    }

    private void draw(long done, long total, Counts counts) {
      int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
      double seconds = (System.nanoTime() - start) / 1e9;
      String eta =
          done == 0 || done >= total
              ? ""
              : String.format(
                  Locale.ROOT, " eta %s", duration((long) (seconds / done * (total - done))));
      // \033[K clears what a longer previous line left behind.
      out.print(
          String.format(
              Locale.ROOT,
              "\r[%s%s] %,d/%,d %3d%% %s%s\033[K",
              "=".repeat(filled),
              " ".repeat(WIDTH - filled),
              done,
              total,
              total == 0 ? 100 : 100 * done / total,
              counts(counts),
              eta));
      out.flush();
    }
  }

  private static final class Lines extends Progress {
    private final PrintStream out;
    private long nextPercent = 10;

    Lines(PrintStream out) {
      this.out = out;
    }

    @Override
    void update(long done, long total, Counts counts) {
      if (total > 0 && 100 * done / total >= nextPercent && done < total) {
        nextPercent = 100 * done / total / 10 * 10 + 10;
        line(done, total, counts);
      }
    }

    @Override
    void finish(long done, long total, Counts counts) {
      line(done, total, counts);
    }

    private void line(long done, long total, Counts counts) {
      out.println(
          String.format(
              Locale.ROOT,
              "%,d/%,d (%d%%): %s", // rows of a directory, images of a COCO file
              done,
              total,
              total == 0 ? 100 : 100 * done / total,
              counts(counts)));
    }
  }

  static String duration(long seconds) {
    return seconds >= 3600
        ? String.format(
            Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
