package dev.masksearch.mask;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link RleMasks} against a plain reference written from COCO's definition (pixel k of the
 * column-major order lies in run i when the runs before i add up to at most k), on random binary
 * masks of every kind of run structure. The real annotations of the shared sample, written by
 * pycocotools, are decoded in qa's {@code CocoInstancesTests}.
 */
public class RleMasksTests extends LuceneTestCase {

  public void testRandomMasksRoundTripThroughBothForms() {
    Random random = random();
    for (int iter = 0; iter < 300 * RANDOM_MULTIPLIER; iter++) {
      Mask mask = randomBinaryMask(random);
      int[] runs = RleMasks.runs(mask);
      assertArrayEquals(referenceRuns(mask), runs);
      String counts = RleMasks.encode(mask);
      assertArrayEquals(
          counts, runs, RleMasks.parseCounts(counts, (long) mask.height() * mask.width()));
      assertSamePixels(mask, RleMasks.decode(mask.height(), mask.width(), counts, limits()));
      assertSamePixels(mask, RleMasks.decode(mask.height(), mask.width(), runs.clone(), limits()));
    }
  }

  /** Decoding paints exactly the reference's pixels for any runs that add up, zeros included. */
  public void testDecodeMatchesReferenceForArbitraryRuns() {
    Random random = random();
    for (int iter = 0; iter < 300 * RANDOM_MULTIPLIER; iter++) {
      int height = 1 + random.nextInt(40);
      int width = 1 + random.nextInt(40);
      int[] runs = randomRuns(random, height * width);
      Mask decoded = RleMasks.decode(height, width, runs, limits());
      byte[] expected = new byte[height * width];
      long k = 0;
      for (int i = 0; i < runs.length; i++) {
        for (int r = 0; r < runs[i]; r++, k++) {
          int x = (int) (k / height);
          int y = (int) (k % height);
          expected[y * width + x] = (byte) (i % 2 == 1 ? RleMasks.ONE : 0);
        }
      }
      assertArrayEquals(expected, decoded.rawBytes());
    }
  }

  /** Hand-checked strings of pycocotools' code, including the delta that starts at run 3. */
  public void testKnownStrings() {
    // 2 x 3, column-major 0 1 | 1 1 | 0 0: runs [1, 3, 2]
    Mask mask = RleMasks.decode(2, 3, new int[] {1, 3, 2}, limits());
    assertArrayEquals(new byte[] {0, (byte) 255, 0, (byte) 255, (byte) 255, 0}, mask.rawBytes());
    assertEquals("132", RleMasks.encode(mask));
    // runs [0, 40, 10, 30]: 40 needs two groups ("X1": 8 | 0x20, then 1); run 3 is 30 - 40 = -10
    // (one group, sign bit set: -10 & 0x1f = 22 = 'F')
    assertEquals(
        "0X1:F", RleMasks.encode(RleMasks.decode(8, 10, new int[] {0, 40, 10, 30}, limits())));
    assertArrayEquals(new int[] {0, 40, 10, 30}, RleMasks.parseCounts("0X1:F", 80));
  }

  public void testEdgeCases() {
    // one pixel, each colour
    assertArrayEquals(new byte[] {0}, RleMasks.decode(1, 1, "1", limits()).rawBytes());
    assertArrayEquals(new byte[] {(byte) 255}, RleMasks.decode(1, 1, "01", limits()).rawBytes());
    // all zeros and all ones of the largest mask the format takes: one and two runs
    int side = Mask.MAX_SIDE;
    Mask zeros = RleMasks.decode(side, side, new int[] {side * side}, MaskLimits.FORMAT);
    assertEquals(1, RleMasks.runs(zeros).length);
    assertEquals(
        zeros.pixelCount(), RleMasks.parseCounts(RleMasks.encode(zeros), zeros.pixelCount())[0]);
    Mask ones = RleMasks.decode(side, side, RleMasks.encode(ones(side)), MaskLimits.FORMAT);
    assertArrayEquals(new int[] {0, side * side}, RleMasks.runs(ones));
    // zero-length runs inside are accepted, as pycocotools accepts them
    assertArrayEquals(
        new byte[] {(byte) 255, (byte) 255},
        RleMasks.decode(1, 2, new int[] {0, 1, 0, 1}, limits()).rawBytes());
  }

  public void testMalformedInputIsRefusedWithItsProblem() {
    assertRefused("the character '!'", () -> RleMasks.decode(2, 2, "1!", limits()));
    assertRefused("the character 'p'", () -> RleMasks.decode(2, 2, "p", limits()));
    assertRefused("ends inside run 1", () -> RleMasks.decode(2, 2, "1X", limits()));
    assertRefused("longer than any mask's run", () -> RleMasks.decode(2, 2, "XXXXXXXX0", limits()));
    // run 3 = -2 + run 1 = -1 ("N" is -2 in one group)
    assertRefused(
        "run 3 of [counts] is negative (-1)", () -> RleMasks.decode(4, 4, "111N", limits()));
    // run 2 takes no delta: "N" there is -2 itself
    assertRefused(
        "run 2 of [counts] is negative (-2)", () -> RleMasks.decode(4, 4, "11N", limits()));
    assertRefused("add up to 3 pixels", () -> RleMasks.decode(2, 2, "12", limits()));
    assertRefused("pass the mask's 4 pixels", () -> RleMasks.decode(2, 2, "122", limits()));
    assertRefused("add up to 0 pixels", () -> RleMasks.decode(2, 2, "", limits()));
    assertRefused("is negative", () -> RleMasks.decode(2, 2, new int[] {3, -1}, limits()));
    assertRefused(
        "pass the mask's", () -> RleMasks.decode(2, 2, new int[] {Integer.MAX_VALUE, 1}, limits()));
    // the size is checked before anything is parsed or allocated
    MaskLimits small = new MaskLimits(64, 1000);
    assertRefused("over the limit of 64 a side", () -> RleMasks.decode(65, 1, "0", small));
    assertRefused("over the limit of 1000 pixels", () -> RleMasks.decode(40, 40, "0", small));
    assertRefused("out of bounds", () -> RleMasks.decode(0, 3, "3", limits()));
    // encoding a mask that is not binary is a caller's error, not an input's
    Mask soft = Mask.of(MaskDType.UINT8, 1, 2, new byte[] {0, 7});
    assertFalse(RleMasks.isBinary(soft));
    IllegalArgumentException e =
        expectThrows(IllegalArgumentException.class, () -> RleMasks.encode(soft));
    assertFalse(e instanceof MaskFormatException);
    assertFalse(RleMasks.isBinary(Mask.ofFloats(1, 1, new float[] {1})));
  }

  private static void assertRefused(String message, Runnable call) {
    MaskFormatException e = expectThrows(MaskFormatException.class, call::run);
    assertTrue(e.getMessage(), e.getMessage().contains(message));
  }

  private static MaskLimits limits() {
    return MaskLimits.FORMAT;
  }

  private static Mask ones(int side) {
    byte[] raw = new byte[side * side];
    java.util.Arrays.fill(raw, (byte) RleMasks.ONE);
    return Mask.of(MaskDType.UINT8, side, side, raw);
  }

  private static void assertSamePixels(Mask expected, Mask actual) {
    assertEquals(expected.height(), actual.height());
    assertEquals(expected.width(), actual.width());
    assertEquals(MaskDType.UINT8, actual.dtype());
    assertArrayEquals(expected.rawBytes(), actual.rawBytes());
  }

  /** Runs from the definition: walk the column-major order and cut where the colour changes. */
  private static int[] referenceRuns(Mask mask) {
    List<Integer> runs = new ArrayList<>();
    int colour = 0;
    int length = 0;
    for (int k = 0; k < mask.pixelCount(); k++) {
      int y = k % mask.height();
      int x = k / mask.height();
      int pixel = mask.code(y * mask.width() + x) == 0 ? 0 : 1;
      if (pixel != colour) {
        runs.add(length);
        colour = pixel;
        length = 0;
      }
      length++;
    }
    runs.add(length);
    return runs.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Random runs (zeros among them) that add up to {@code pixels}. */
  private static int[] randomRuns(Random random, int pixels) {
    List<Integer> runs = new ArrayList<>();
    int left = pixels;
    while (left > 0) {
      int run =
          random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(Math.min(left, 1 + random.nextInt(60)));
      runs.add(Math.min(run, left));
      left -= Math.min(run, left);
    }
    return runs.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Binary masks of several structures: noise, blobs (long runs, negative deltas), all of one
   * colour, single rows and columns.
   */
  private static Mask randomBinaryMask(Random random) {
    int height = random.nextInt(5) == 0 ? 1 : 1 + random.nextInt(70);
    int width = random.nextInt(5) == 0 ? 1 : 1 + random.nextInt(70);
    byte[] raw = new byte[height * width];
    switch (random.nextInt(4)) {
      case 0 -> {
        double p = random.nextDouble();
        for (int i = 0; i < raw.length; i++) {
          raw[i] = (byte) (random.nextDouble() < p ? RleMasks.ONE : 0);
        }
      }
      case 1 -> {
        for (int blob = random.nextInt(4); blob >= 0; blob--) {
          int cx = random.nextInt(width);
          int cy = random.nextInt(height);
          int r = 1 + random.nextInt(30);
          for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
              if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                raw[y * width + x] = (byte) RleMasks.ONE;
              }
            }
          }
        }
      }
      case 2 -> java.util.Arrays.fill(raw, (byte) (random.nextBoolean() ? RleMasks.ONE : 0));
      default -> {
        int x0 = random.nextInt(width);
        int x1 = x0 + random.nextInt(width - x0 + 1);
        int y0 = random.nextInt(height);
        int y1 = y0 + random.nextInt(height - y0 + 1);
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            raw[y * width + x] = (byte) RleMasks.ONE;
          }
        }
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, raw);
  }
}
