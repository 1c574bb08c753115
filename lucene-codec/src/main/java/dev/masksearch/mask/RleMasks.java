package dev.masksearch.mask;

import java.util.Arrays;

/**
 * Binary masks in COCO run-length encoding, as COCO, LVIS and SA-1B store instance masks and as
 * pycocotools reads and writes them. A mask of {@code h x w} pixels is read in column-major order
 * (down the first column, then the second, ...) as alternating runs of 0s and 1s, starting with a
 * run of 0s (of length 0 when the first pixel is 1); the runs add up to {@code h * w}. A pixel of 1
 * becomes the code 255 of a {@link MaskDType#UINT8} mask (value 1.0), as a 1-bit PNG's does.
 *
 * <p>The compressed form writes the runs as one ASCII string, pycocotools' code:
 *
 * <pre>
 * Counts  := Run*
 * Run     := Group* LastGroup       -- the value x, 5 bits a group, least significant group first
 * Group   := char(48 + (0x20 | g))  -- g: 5 bits of x; bit 5 says another group follows
 * LastGroup := char(48 + g)         -- bit 4 of the last group is the sign: x is negative when set
 * run[i]  := x                      for i &lt;= 2
 *          | x + run[i - 2]         for i &gt; 2 (a delta against the run of the same colour before)
 * </pre>
 *
 * (The delta starts at the fourth run, not the third: {@code i > 2} is pycocotools' rule, and a
 * decoder that used {@code i >= 2} would misread every mask.) The uncompressed form is the runs as
 * a list of integers.
 *
 * <p>Every problem is a {@link MaskFormatException} naming it, found before the pixels are
 * allocated: a size over the caller's limits, a character outside the code, a run cut off at the
 * end of the string, a negative run, runs that do not add up to {@code h * w}.
 */
public final class RleMasks {
  /** The code a pixel of 1 gets. */
  public static final int ONE = 255;

  /**
   * Characters (groups of 5 bits) a run may take in the compressed form: 7 hold any run of a mask
   * within {@link Mask#MAX_SIDE}.
   */
  public static final int MAX_CHARS_PER_RUN = 7;

  private RleMasks() {}

  /** Decodes the compressed form: {@code counts} in pycocotools' string code. */
  public static Mask decode(long height, long width, String counts, MaskLimits limits) {
    limits.check(height, width);
    return toMask((int) height, (int) width, parseCounts(counts, height * width));
  }

  /** Decodes the uncompressed form: {@code runs}, as given (not kept). */
  public static Mask decode(long height, long width, int[] runs, MaskLimits limits) {
    limits.check(height, width);
    long total = 0;
    for (int i = 0; i < runs.length; i++) {
      total = addRun(total, runs[i], i, height * width);
    }
    checkTotal(total, height * width);
    return toMask((int) height, (int) width, runs);
  }

  /**
   * Whether a mask is binary in the sense of this encoding: one byte a pixel, every code 0 or
   * {@link #ONE}.
   */
  public static boolean isBinary(Mask mask) {
    if (mask.dtype() != MaskDType.UINT8) {
      return false;
    }
    for (byte b : mask.rawBytes()) {
      if (b != 0 && b != (byte) ONE) {
        return false;
      }
    }
    return true;
  }

  /** The runs of a binary mask ({@link #isBinary}), column-major, starting with 0s. */
  public static int[] runs(Mask mask) {
    if (!isBinary(mask)) {
      throw new IllegalArgumentException("not a binary mask: " + mask);
    }
    int height = mask.height();
    int width = mask.width();
    byte[] raw = mask.rawBytes();
    int[] runs = new int[16];
    int count = 0;
    int current = 0; // the colour of the open run
    int length = 0;
    for (int x = 0; x < width; x++) {
      for (int y = 0; y < height; y++) {
        int bit = raw[y * width + x] == 0 ? 0 : 1;
        if (bit != current) {
          if (count == runs.length) {
            runs = Arrays.copyOf(runs, count * 2);
          }
          runs[count++] = length;
          current = bit;
          length = 0;
        }
        length++;
      }
    }
    runs = Arrays.copyOf(runs, count + 1);
    runs[count] = length;
    return runs;
  }

  /** The compressed form of a binary mask ({@link #isBinary}): its runs in pycocotools' code. */
  public static String encode(Mask mask) {
    int[] runs = runs(mask);
    StringBuilder out = new StringBuilder(runs.length * 2);
    for (int i = 0; i < runs.length; i++) {
      long x = i > 2 ? (long) runs[i] - runs[i - 2] : runs[i];
      boolean more = true;
      while (more) {
        int group = (int) (x & 0x1f);
        x >>= 5; // arithmetic: a negative delta keeps its sign
        more = (group & 0x10) != 0 ? x != -1 : x != 0;
        out.append((char) (48 + (more ? group | 0x20 : group)));
      }
    }
    return out.toString();
  }

  /** Parses pycocotools' string code into runs, checked against {@code pixels}. */
  static int[] parseCounts(String counts, long pixels) {
    int[] runs = new int[Math.min(counts.length(), 1024)];
    int count = 0;
    long total = 0;
    int p = 0;
    while (p < counts.length()) {
      long x = 0;
      int groups = 0;
      boolean more = true;
      while (more) {
        if (p == counts.length()) {
          throw new MaskFormatException(
              "[counts] ends inside run " + count + ": its last character says more follow");
        }
        char c = counts.charAt(p);
        int group = c - 48;
        if (group < 0 || group > 63) {
          throw new MaskFormatException(
              "[counts] has the character '"
                  + c
                  + "' at "
                  + p
                  + "; the RLE string code uses '0' to 'o' only");
        }
        if (groups == MAX_CHARS_PER_RUN) {
          throw new MaskFormatException(
              "run " + count + " of [counts] at " + p + " is longer than any mask's run");
        }
        x |= (long) (group & 0x1f) << (5 * groups);
        more = (group & 0x20) != 0;
        groups++;
        p++;
        if (!more && (group & 0x10) != 0) {
          x |= -1L << (5 * groups); // sign extension
        }
      }
      if (count > 2) {
        x += runs[count - 2];
      }
      total = addRun(total, x, count, pixels);
      if (count == runs.length) {
        runs = Arrays.copyOf(runs, Math.min(counts.length(), count * 2));
      }
      runs[count++] = (int) x;
    }
    checkTotal(total, pixels);
    return Arrays.copyOf(runs, count);
  }

  /** The running total after run i, refusing a negative run or one past the mask's pixels. */
  private static long addRun(long total, long run, int i, long pixels) {
    if (run < 0) {
      throw new MaskFormatException("run " + i + " of [counts] is negative (" + run + ")");
    }
    if (run > pixels - total) {
      throw new MaskFormatException(
          "the runs of [counts] pass the mask's "
              + pixels
              + " pixels (height x width of [size]) at run "
              + i);
    }
    return total + run;
  }

  private static void checkTotal(long total, long pixels) {
    if (total != pixels) {
      throw new MaskFormatException(
          "the runs of [counts] add up to "
              + total
              + " pixels, but [size] says height x width = "
              + pixels);
    }
  }

  /** Paints checked runs (adding up to height x width) into a row-major uint8 mask. */
  private static Mask toMask(int height, int width, int[] runs) {
    byte[] raw = new byte[height * width];
    int x = 0; // the column-major position of the next run's first pixel
    int y = 0;
    for (int i = 0; i < runs.length; i++) {
      int left = runs[i];
      boolean ones = (i & 1) == 1;
      while (left > 0) { // the run's part in column x, then the next column
        int part = Math.min(left, height - y);
        if (ones) {
          for (int yy = y; yy < y + part; yy++) {
            raw[yy * width + x] = (byte) ONE;
          }
        }
        left -= part;
        y += part;
        if (y == height) {
          y = 0;
          x++;
        }
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }
}
