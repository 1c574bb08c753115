package dev.masksearch.mask;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.BytesRef;

/**
 * Tests of {@link Mask}, {@link MaskDType}, {@link MaskBytes}, {@link Roi} and {@link ValueRange}
 * against plain reference implementations written here: values are decoded from the codes this test
 * generated, never through the class under test.
 */
public class MaskTests extends LuceneTestCase {

  /** float16 code of 1.0 (sign 0, exponent 15, mantissa 0). */
  private static final int F16_ONE = 0x3C00;

  /** float32 bits of 1.0f. */
  private static final int F32_ONE = 0x3F800000;

  // ---------------------------------------------------------------------------------------------------------------
  // Reference decoding, independent of MaskDType.value

  /** The value of a code, decoded here from the spec. */
  static double refValue(MaskDType dtype, int code) {
    return switch (dtype) {
      case UINT8 -> code / 255.0;
      case UINT16 -> code / 65535.0;
      case FLOAT16 -> (double) Float.float16ToFloat((short) code);
      case FLOAT32 -> (double) Float.intBitsToFloat(code);
    };
  }

  /** A random mask with its codes kept aside so the test can decode them on its own. */
  record Generated(Mask mask, int[] codes, double[] values) {}

  /**
   * Random codes of a dtype (valid ones, i.e. values in [0, 1]), mixing uniform codes, 0, 1 and a
   * few repeats.
   */
  static int[] randomCodes(Random r, MaskDType dtype, int n) {
    int[] codes = new int[n];
    int max = dtype.maxCode();
    int flavour = r.nextInt(4);
    int constant = RandomNumbers.randomIntBetween(r, 0, max);
    for (int i = 0; i < n; i++) {
      codes[i] =
          switch (flavour) {
            case 0 -> RandomNumbers.randomIntBetween(r, 0, max);
            case 1 -> constant;
            case 2 -> r.nextBoolean() ? 0 : max; // only 0 and 1
            default ->
                switch (r.nextInt(4)) {
                  case 0 -> 0;
                  case 1 -> max;
                  case 2 -> Math.max(0, max - r.nextInt(3)); // just below 1
                  default -> RandomNumbers.randomIntBetween(r, 0, max);
                };
          };
    }
    return codes;
  }

  /** Little-endian raw bytes of codes. */
  static byte[] rawBytes(MaskDType dtype, int[] codes) {
    ByteBuffer out =
        ByteBuffer.allocate(codes.length * dtype.bytesPerPixel()).order(ByteOrder.LITTLE_ENDIAN);
    for (int c : codes) {
      switch (dtype) {
        case UINT8 -> out.put((byte) c);
        case UINT16, FLOAT16 -> out.putShort((short) c);
        case FLOAT32 -> out.putInt(c);
      }
    }
    return out.array();
  }

  static Generated randomMask(Random r, MaskDType dtype, int height, int width) {
    int[] codes = randomCodes(r, dtype, height * width);
    double[] values = new double[codes.length];
    for (int i = 0; i < codes.length; i++) {
      values[i] = refValue(dtype, codes[i]);
    }
    return new Generated(Mask.of(dtype, height, width, rawBytes(dtype, codes)), codes, values);
  }

  /** CP by brute force over the reference values. */
  static long refCount(double[] values, int height, int width, Roi roi, double lv, double uv) {
    int x1 = Math.max(roi.x1(), 0);
    int y1 = Math.max(roi.y1(), 0);
    int x2 = Math.min(roi.x2(), width);
    int y2 = Math.min(roi.y2(), height);
    long n = 0;
    for (int y = y1; y < y2; y++) {
      for (int x = x1; x < x2; x++) {
        double v = values[y * width + x];
        if (lv <= v && v < uv) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * A random ROI that may be unaligned, past the edges, negative, inverted, a single pixel or huge.
   */
  static Roi randomRoi(Random r, int height, int width) {
    switch (r.nextInt(8)) {
      case 0:
        return Roi.FULL;
      case 1:
        { // one pixel
          int x = r.nextInt(width);
          int y = r.nextInt(height);
          return new Roi(x, y, x + 1, y + 1);
        }
      case 2:
        { // inverted or zero-width: empty
          int x = RandomNumbers.randomIntBetween(r, -2, width + 2);
          int y = RandomNumbers.randomIntBetween(r, -2, height + 2);
          return new Roi(x, y, x - r.nextInt(3), y + RandomNumbers.randomIntBetween(r, -2, 3));
        }
      case 3: // extreme coordinates
        return new Roi(
            RandomPicks.randomFrom(r, new Integer[] {Integer.MIN_VALUE, -1, 0}),
            RandomPicks.randomFrom(r, new Integer[] {Integer.MIN_VALUE, -1, 0}),
            RandomPicks.randomFrom(r, new Integer[] {Integer.MAX_VALUE, 65535, 65536, width}),
            RandomPicks.randomFrom(r, new Integer[] {Integer.MAX_VALUE, 65535, 65536, height}));
      default:
        {
          int x1 = RandomNumbers.randomIntBetween(r, -5, width + 5);
          int y1 = RandomNumbers.randomIntBetween(r, -5, height + 5);
          return new Roi(
              x1,
              y1,
              RandomNumbers.randomIntBetween(r, x1, width + 5),
              RandomNumbers.randomIntBetween(r, y1, height + 5));
        }
    }
  }

  /**
   * A random value range biased to interesting bounds: pixel values of the mask and their
   * neighbours, edges, 0, 1.
   */
  static double[] randomRange(Random r, double[] values) {
    double lv = randomBound(r, values);
    double uv = randomBound(r, values);
    if (r.nextInt(4) != 0 && lv > uv) { // mostly non-empty ranges, but keep some lv > uv
      double t = lv;
      lv = uv;
      uv = t;
    }
    return new double[] {lv, uv};
  }

  static double randomBound(Random r, double[] values) {
    double v = values[r.nextInt(values.length)];
    return switch (r.nextInt(10)) {
      case 0 -> v;
      case 1 -> Math.nextUp(v);
      case 2 -> Math.nextDown(v);
      case 3 ->
          RandomPicks.randomFrom(
              r,
              new Double[] {
                0.0,
                -0.0,
                1.0,
                1.5,
                -1.0,
                Math.nextUp(1.0),
                Math.nextDown(1.0),
                Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY,
                Double.MIN_VALUE,
                0.8
              });
      case 4 -> {
        int bins = RandomNumbers.randomIntBetween(r, 1, 64);
        yield (double) RandomNumbers.randomIntBetween(r, 0, bins) / bins;
      }
      default -> r.nextDouble() * 1.4 - 0.2;
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // countPixels

  public void testCountPixelsMatchesBruteForce() {
    Random r = random();
    int masks = atLeast(200);
    for (int m = 0; m < masks; m++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int height = RandomNumbers.randomIntBetween(r, 1, r.nextBoolean() ? 8 : 70);
      int width = RandomNumbers.randomIntBetween(r, 1, r.nextBoolean() ? 8 : 70);
      Generated g = randomMask(r, dtype, height, width);
      for (int q = 0; q < 50; q++) {
        Roi roi = randomRoi(r, height, width);
        double[] range = randomRange(r, g.values());
        long expected = refCount(g.values(), height, width, roi, range[0], range[1]);
        long actual = g.mask().countPixels(roi, new ValueRange(range[0], range[1]));
        if (expected != actual) {
          fail(
              g.mask()
                  + " roi="
                  + roi
                  + " range="
                  + Arrays.toString(range)
                  + " expected "
                  + expected
                  + " got "
                  + actual);
        }
      }
    }
  }

  /** Mask.value and Mask.code decode what was written, at every pixel. */
  public void testValueAndCodeMatchRawData() {
    Random r = random();
    for (MaskDType dtype : MaskDType.values()) {
      int height = RandomNumbers.randomIntBetween(r, 1, 40);
      int width = RandomNumbers.randomIntBetween(r, 1, 40);
      Generated g = randomMask(r, dtype, height, width);
      assertEquals(dtype, g.mask().dtype());
      assertEquals(height, g.mask().height());
      assertEquals(width, g.mask().width());
      assertEquals(height * width, g.mask().pixelCount());
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int i = y * width + x;
          assertEquals(g.codes()[i], g.mask().code(i));
          assertEquals(
              Double.doubleToRawLongBits(g.values()[i]),
              Double.doubleToRawLongBits(g.mask().value(y, x)));
        }
      }
    }
  }

  /**
   * 204 / 255 is 0.8 exactly, and both doubles round that same rational, so a uint8 204 must count
   * in [0.8, 1); likewise uint16 52428 / 65535.
   */
  public void testValueExactlyOnLowerBoundIsIncluded() {
    assertTrue(204 / 255.0 >= 0.8); // the premise, checked rather than assumed
    assertTrue(203 / 255.0 < 0.8);
    assertTrue(52428 / 65535.0 >= 0.8);
    assertTrue(52427 / 65535.0 < 0.8);

    Mask u8 =
        Mask.of(MaskDType.UINT8, 1, 4, new byte[] {(byte) 203, (byte) 204, (byte) 255, (byte) 254});
    assertEquals(
        2, u8.countPixels(Roi.FULL, new ValueRange(0.8, 1.0))); // 204 and 254; 255 is 1.0, excluded
    assertEquals(3, u8.countPixels(Roi.FULL, new ValueRange(0.8, 1.5))); // now 1.0 too
    assertEquals(
        1, u8.countPixels(Roi.FULL, new ValueRange(0.0, 0.8))); // 203 only: uv is exclusive
    assertEquals(1, u8.countPixels(Roi.FULL, new ValueRange(1.0, Double.POSITIVE_INFINITY)));

    Mask u16 =
        Mask.of(MaskDType.UINT16, 1, 2, rawBytes(MaskDType.UINT16, new int[] {52427, 52428}));
    assertEquals(1, u16.countPixels(Roi.FULL, new ValueRange(0.8, 1.0)));
    assertEquals(1, u16.countPixels(Roi.FULL, new ValueRange(0.0, 0.8)));
  }

  public void testEmptyRoiAndEmptyRangeCountZero() {
    Mask mask = Mask.of(MaskDType.UINT8, 3, 3, new byte[9]); // all zero
    ValueRange all = new ValueRange(-1, 2);
    assertEquals(9, mask.countPixels(Roi.FULL, all));
    assertEquals(0, mask.countPixels(new Roi(1, 0, 1, 3), all)); // zero width
    assertEquals(0, mask.countPixels(new Roi(2, 0, 1, 3), all)); // inverted
    assertEquals(0, mask.countPixels(new Roi(3, 0, 10, 3), all)); // entirely right of the mask
    assertEquals(0, mask.countPixels(new Roi(-10, -10, 0, 0), all)); // entirely above-left
    assertEquals(0, mask.countPixels(Roi.FULL, new ValueRange(0, 0))); // [0, 0)
    assertEquals(0, mask.countPixels(Roi.FULL, new ValueRange(0.5, 0.25))); // lv > uv
    assertEquals(
        9, mask.countPixels(Roi.FULL, new ValueRange(0, 1))); // [0, 1] as [0, 1): zeros count
    assertEquals(9, mask.countPixels(Roi.FULL, new ValueRange(-0.0, Double.MIN_VALUE)));
    assertEquals(0, mask.countPixels(Roi.FULL, new ValueRange(Double.MIN_VALUE, 1)));
    assertEquals(4, mask.countPixels(new Roi(-1, -1, 2, 2), all)); // clipped to 2x2
  }

  // ---------------------------------------------------------------------------------------------------------------
  // MaskDType

  public void testDTypeConstants() {
    assertEquals(1, MaskDType.UINT8.bytesPerPixel());
    assertEquals(2, MaskDType.UINT16.bytesPerPixel());
    assertEquals(2, MaskDType.FLOAT16.bytesPerPixel());
    assertEquals(4, MaskDType.FLOAT32.bytesPerPixel());
    assertEquals(255, MaskDType.UINT8.maxCode());
    assertEquals(65535, MaskDType.UINT16.maxCode());
    assertEquals(F16_ONE, MaskDType.FLOAT16.maxCode());
    assertEquals(F32_ONE, MaskDType.FLOAT32.maxCode());
    for (MaskDType t : MaskDType.values()) {
      assertEquals(1.0, refValue(t, t.maxCode()), 0.0);
      assertSame(t, MaskDType.fromApiName(t.apiName()));
    }
    assertEquals("uint8", MaskDType.UINT8.apiName());
    assertEquals("float16", MaskDType.FLOAT16.apiName());
    MaskFormatException e =
        expectThrows(MaskFormatException.class, () -> MaskDType.fromApiName("UINT8"));
    assertTrue(e.getMessage(), e.getMessage().contains("UINT8"));
    expectThrows(MaskFormatException.class, () -> MaskDType.fromApiName("float64"));
  }

  /**
   * Bounds worth checking codeRange with: bin edges and their neighbours, code values and theirs,
   * specials.
   */
  private static List<Double> interestingBounds(Random r, MaskDType dtype) {
    List<Double> bounds =
        new ArrayList<>(
            List.of(
                0.0,
                -0.0,
                1.0,
                1.5,
                -1.0,
                0.8,
                Math.nextUp(1.0),
                Math.nextDown(1.0),
                Double.MIN_VALUE,
                -Double.MIN_VALUE,
                Double.NEGATIVE_INFINITY,
                Double.POSITIVE_INFINITY,
                Double.MAX_VALUE));
    for (int bins = 1; bins <= 64; bins++) {
      int b = RandomNumbers.randomIntBetween(r, 0, bins);
      double edge = (double) b / bins;
      bounds.add(edge);
      bounds.add(Math.nextUp(edge));
      bounds.add(Math.nextDown(edge));
    }
    for (int i = 0; i < 40; i++) {
      double v = refValue(dtype, RandomNumbers.randomIntBetween(r, 0, dtype.maxCode()));
      bounds.add(v);
      bounds.add(Math.nextUp(v));
      bounds.add(Math.nextDown(v));
      bounds.add(r.nextDouble());
    }
    return bounds;
  }

  /**
   * For the dtypes with few codes, codeRange agrees with the double comparison at every single
   * code.
   */
  public void testCodeRangeExhaustive() {
    Random r = random();
    for (MaskDType dtype : new MaskDType[] {MaskDType.UINT8, MaskDType.UINT16, MaskDType.FLOAT16}) {
      double[] values = new double[dtype.maxCode() + 1];
      for (int c = 0; c < values.length; c++) {
        values[c] = refValue(dtype, c);
      }
      List<Double> bounds = interestingBounds(r, dtype);
      int pairs = dtype == MaskDType.UINT16 ? 400 : 2000;
      for (int p = 0; p < pairs; p++) {
        double lv = RandomPicks.randomFrom(r, bounds);
        double uv = RandomPicks.randomFrom(r, bounds);
        long range = dtype.codeRange(lv, uv);
        int lo = (int) (range >>> 32);
        int hi = (int) range;
        assertTrue(lo <= hi);
        assertTrue(lo >= 0 && hi <= dtype.maxCode() + 1);
        for (int c = 0; c < values.length; c++) {
          boolean expected = lv <= values[c] && values[c] < uv;
          boolean actual = lo <= c && c < hi;
          if (expected != actual) {
            fail(
                dtype
                    + " ["
                    + lv
                    + ", "
                    + uv
                    + ") code "
                    + c
                    + " value "
                    + values[c]
                    + " expected "
                    + expected);
          }
        }
      }
    }
  }

  /**
   * float32 has a billion codes; since codes sort like values, checking the codes at and beside the
   * returned bounds plus random codes pins the interval.
   */
  public void testCodeRangeFloat32Sampled() {
    Random r = random();
    MaskDType dtype = MaskDType.FLOAT32;
    List<Double> bounds = interestingBounds(r, dtype);
    int pairs = atLeast(5000);
    for (int p = 0; p < pairs; p++) {
      double lv = RandomPicks.randomFrom(r, bounds);
      double uv = RandomPicks.randomFrom(r, bounds);
      long range = dtype.codeRange(lv, uv);
      int lo = (int) (range >>> 32);
      int hi = (int) range;
      assertTrue(lo <= hi);
      int[] probes = new int[40];
      for (int i = 0; i < probes.length; i++) {
        probes[i] =
            switch (i % 8) {
              case 0 -> lo;
              case 1 -> lo - 1;
              case 2 -> hi;
              case 3 -> hi - 1;
              case 4 -> lo + 1;
              case 5 -> hi + 1;
              default -> RandomNumbers.randomIntBetween(r, 0, F32_ONE);
            };
      }
      for (int c : probes) {
        if (c < 0 || c > F32_ONE) {
          continue;
        }
        double v = refValue(dtype, c);
        boolean expected = lv <= v && v < uv;
        boolean actual = lo <= c && c < hi;
        if (expected != actual) {
          fail(
              "float32 ["
                  + lv
                  + ", "
                  + uv
                  + ") code "
                  + Integer.toHexString(c)
                  + " value "
                  + v
                  + " expected "
                  + expected);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Validation in Mask.of / Mask.ofFloats

  public void testRejectsBadShapeAndLength() {
    for (int[] shape :
        new int[][] {{0, 1}, {1, 0}, {-1, 5}, {5, -1}, {4097, 1}, {1, 4097}, {0, 0}}) {
      MaskFormatException e =
          expectThrows(
              MaskFormatException.class,
              () -> Mask.of(MaskDType.UINT8, shape[0], shape[1], new byte[1]));
      assertTrue(e.getMessage(), e.getMessage().contains("out of bounds"));
      expectThrows(
          MaskFormatException.class, () -> Mask.ofFloats(shape[0], shape[1], new float[1]));
    }
    expectThrows(
        MaskFormatException.class,
        () -> Mask.checkShape(1L << 32, 1)); // a long that would wrap as an int
    // 4096 is allowed on one side.
    assertEquals(4096, Mask.of(MaskDType.UINT8, 1, 4096, new byte[4096]).width());
    assertEquals(4096, Mask.of(MaskDType.UINT8, 4096, 1, new byte[4096]).height());

    for (MaskDType dtype : MaskDType.values()) {
      int h = RandomNumbers.randomIntBetween(random(), 1, 20);
      int w = RandomNumbers.randomIntBetween(random(), 1, 20);
      int right = h * w * dtype.bytesPerPixel();
      for (int len : new int[] {0, right - 1, right + 1, right * 2}) {
        MaskFormatException e =
            expectThrows(MaskFormatException.class, () -> Mask.of(dtype, h, w, new byte[len]));
        assertTrue(e.getMessage(), e.getMessage().contains("needs " + right));
      }
    }
    expectThrows(MaskFormatException.class, () -> Mask.ofFloats(2, 3, new float[5]));
    expectThrows(MaskFormatException.class, () -> Mask.ofFloats(2, 3, new float[7]));
  }

  private static void assertRejected(
      MaskDType dtype, int height, int width, int badIndex, int badCode, String... words) {
    int[] codes = new int[height * width];
    Arrays.fill(codes, dtype.maxCode() / 2);
    codes[badIndex] = badCode;
    MaskFormatException e =
        expectThrows(
            MaskFormatException.class, () -> Mask.of(dtype, height, width, rawBytes(dtype, codes)));
    String msg = e.getMessage();
    assertTrue(msg, msg.contains("row " + badIndex / width + ", column " + badIndex % width));
    for (String word : words) {
      assertTrue(msg + " should mention " + word, msg.contains(word));
    }
  }

  public void testRejectsInvalidFloat16() {
    Random r = random();
    int[][] bad = {
      {0x7E00, 0},
      {0x7C01, 0},
      {0xFE00, 0},
      {0xFFFF, 0}, // NaN, signalling NaN, negative NaNs
      {0x7C00, 1},
      {0xFC00, 1}, // +inf, -inf
      {0xBC00, 2},
      {0x8001, 2},
      {0x3C01, 2},
      {0x4000, 2},
      {0x7BFF, 2} // -1, -tiny, next above 1, 2, max finite
    };
    String[] words = {"NaN", "infinite", "outside"};
    for (int[] b : bad) {
      int h = RandomNumbers.randomIntBetween(r, 1, 6);
      int w = RandomNumbers.randomIntBetween(r, 1, 6);
      assertRejected(MaskDType.FLOAT16, h, w, r.nextInt(h * w), b[0], words[b[1]]);
    }
    // Every float16 code is accepted exactly when its value lies in [0, 1] (or it is -0.0).
    for (int c = 0; c <= 0xFFFF; c++) {
      float v = Float.float16ToFloat((short) c);
      boolean valid = v >= 0f && v <= 1f; // -0.0f >= 0f holds
      byte[] raw = rawBytes(MaskDType.FLOAT16, new int[] {c});
      if (valid) {
        Mask m = Mask.of(MaskDType.FLOAT16, 1, 1, raw);
        assertEquals(c == 0x8000 ? 0 : c, m.code(0));
      } else {
        expectThrows(MaskFormatException.class, () -> Mask.of(MaskDType.FLOAT16, 1, 1, raw));
      }
    }
  }

  public void testRejectsInvalidFloat32() {
    Random r = random();
    float[] nan = {Float.NaN, Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0xFFC00000)};
    float[] inf = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    float[] outside = {
      -1f, -Float.MIN_VALUE, Math.nextUp(1f), 2f, Float.MAX_VALUE, -Float.MAX_VALUE
    };
    float[][] groups = {nan, inf, outside};
    String[] words = {"NaN", "infinite", "outside"};
    for (int g = 0; g < groups.length; g++) {
      for (float bad : groups[g]) {
        int h = RandomNumbers.randomIntBetween(r, 1, 6);
        int w = RandomNumbers.randomIntBetween(r, 1, 6);
        int at = r.nextInt(h * w);
        // Through the raw bytes (keeps NaN payloads) ...
        assertRejected(MaskDType.FLOAT32, h, w, at, Float.floatToRawIntBits(bad), words[g]);
        // ... and through ofFloats.
        float[] values = new float[h * w];
        Arrays.fill(values, 0.25f);
        values[at] = bad;
        MaskFormatException e =
            expectThrows(MaskFormatException.class, () -> Mask.ofFloats(h, w, values));
        assertTrue(e.getMessage(), e.getMessage().contains("row " + at / w + ", column " + at % w));
        assertTrue(e.getMessage(), e.getMessage().contains(words[g]));
      }
    }
    // Random invalid bit patterns: anything above 1.0f or with the sign bit (except -0.0).
    for (int i = 0; i < 1000; i++) {
      int bits = r.nextInt();
      float v = Float.intBitsToFloat(bits);
      boolean valid = v >= 0f && v <= 1f;
      byte[] raw = rawBytes(MaskDType.FLOAT32, new int[] {bits});
      if (valid) {
        assertEquals(bits == 0x80000000 ? 0 : bits, Mask.of(MaskDType.FLOAT32, 1, 1, raw).code(0));
      } else {
        expectThrows(MaskFormatException.class, () -> Mask.of(MaskDType.FLOAT32, 1, 1, raw));
      }
    }
  }

  /** The extremes of [0, 1] are valid, including subnormals. */
  public void testAcceptsBoundaryFloats() {
    Mask m =
        Mask.ofFloats(
            1, 5, new float[] {0f, 1f, Float.MIN_VALUE, Math.nextDown(1f), Float.MIN_NORMAL});
    assertEquals(0.0, m.value(0, 0), 0.0);
    assertEquals(1.0, m.value(0, 1), 0.0);
    assertEquals((double) Float.MIN_VALUE, m.value(0, 2), 0.0);
    assertEquals(1, m.countPixels(Roi.FULL, new ValueRange(1.0, 2.0)));
    assertEquals(1, m.countPixels(Roi.FULL, new ValueRange(0.0, Double.MIN_VALUE)));
  }

  /** -0.0 is stored as +0.0, so it sorts (and counts) as the smallest value. */
  public void testNegativeZeroBecomesZero() {
    Mask f32 = Mask.ofFloats(1, 3, new float[] {-0.0f, 0.5f, -0.0f});
    assertEquals(0, f32.code(0));
    assertEquals(0, f32.code(2));
    assertEquals(0L, Double.doubleToRawLongBits(f32.value(0, 0))); // +0.0, not -0.0
    assertEquals(2, f32.countPixels(Roi.FULL, new ValueRange(0.0, 0.5)));
    assertEquals(2, f32.countPixels(Roi.FULL, new ValueRange(0.0, Double.MIN_VALUE)));

    byte[] raw = rawBytes(MaskDType.FLOAT16, new int[] {0x8000, 0x3800, 0x8000});
    Mask f16 = Mask.of(MaskDType.FLOAT16, 3, 1, raw);
    assertEquals(0, f16.code(0));
    assertEquals(0, f16.code(2));
    assertEquals(0L, Double.doubleToRawLongBits(f16.value(2, 0)));
    assertEquals(2, f16.countPixels(Roi.FULL, new ValueRange(0.0, 0.5)));
    // The canonical bytes no longer hold the sign bit.
    assertEquals(0, MaskBytes.encode(f16)[MaskBytes.HEADER_BYTES + 1]);
  }

  /** uint8 and uint16 have no invalid code: every byte pattern is a mask. */
  public void testIntegerDTypesAcceptEveryCode() {
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    Mask u8 = Mask.of(MaskDType.UINT8, 16, 16, all);
    for (int i = 0; i < 256; i++) {
      assertEquals(i, u8.code(i));
    }
    byte[] raw16 = new byte[2 * 65536];
    for (int i = 0; i < 65536; i++) {
      raw16[2 * i] = (byte) i; // little-endian
      raw16[2 * i + 1] = (byte) (i >>> 8);
    }
    Mask u16 = Mask.of(MaskDType.UINT16, 256, 256, raw16);
    for (int i = 0; i < 65536; i += 257) {
      assertEquals(i, u16.code(i));
    }
    assertEquals(65536, u16.countPixels(Roi.FULL, new ValueRange(0, 1.5)));
    assertEquals(1, u16.countPixels(Roi.FULL, new ValueRange(1, 1.5)));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // MaskBytes

  public void testMaskBytesRoundTrip() {
    Random r = random();
    int iters = atLeast(100);
    for (int it = 0; it < iters; it++) {
      MaskDType dtype = RandomPicks.randomFrom(r, MaskDType.values());
      int h = RandomNumbers.randomIntBetween(r, 1, 50);
      int w = RandomNumbers.randomIntBetween(r, 1, 50);
      Generated g = randomMask(r, dtype, h, w);
      byte[] enc = MaskBytes.encode(g.mask());
      assertEquals(MaskBytes.HEADER_BYTES + h * w * dtype.bytesPerPixel(), enc.length);
      // The header layout is part of the format: check it byte by byte.
      ByteBuffer hdr = ByteBuffer.wrap(enc).order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(1, hdr.get());
      assertEquals(MaskBytes.id(dtype), hdr.get());
      assertEquals(h, hdr.getInt());
      assertEquals(w, hdr.getInt());
      assertArrayEquals(
          rawBytes(dtype, g.codes()), Arrays.copyOfRange(enc, MaskBytes.HEADER_BYTES, enc.length));

      // Decode from inside a larger array, to exercise BytesRef offsets.
      int pre = r.nextInt(5);
      int post = r.nextInt(5);
      byte[] padded = new byte[pre + enc.length + post];
      Arrays.fill(padded, (byte) 0x7F);
      System.arraycopy(enc, 0, padded, pre, enc.length);
      Mask back = MaskBytes.decode(new BytesRef(padded, pre, enc.length));
      assertEquals(dtype, back.dtype());
      assertEquals(h, back.height());
      assertEquals(w, back.width());
      for (int i = 0; i < h * w; i++) {
        assertEquals(g.codes()[i], back.code(i));
      }
      assertArrayEquals(enc, MaskBytes.encode(back));
    }
  }

  public void testMaskBytesStableIds() {
    MaskDType[] order = {MaskDType.UINT8, MaskDType.UINT16, MaskDType.FLOAT16, MaskDType.FLOAT32};
    for (int id = 0; id < order.length; id++) {
      assertEquals(id, MaskBytes.id(order[id]));
      assertSame(order[id], MaskBytes.dtypeOf(id));
    }
    for (int id : new int[] {-1, 4, 5, 127, 255, Integer.MIN_VALUE}) {
      MaskFormatException e = expectThrows(MaskFormatException.class, () -> MaskBytes.dtypeOf(id));
      assertTrue(e.getMessage(), e.getMessage().contains("dtype"));
    }
  }

  private static byte[] header(int version, int dtypeId, int h, int w, int dataBytes) {
    return ByteBuffer.allocate(MaskBytes.HEADER_BYTES + dataBytes)
        .order(ByteOrder.LITTLE_ENDIAN)
        .put((byte) version)
        .put((byte) dtypeId)
        .putInt(h)
        .putInt(w)
        .array();
  }

  private static MaskFormatException decodeFails(byte[] bytes) {
    return expectThrows(MaskFormatException.class, () -> MaskBytes.decode(new BytesRef(bytes)));
  }

  public void testMaskBytesRejectsMalformed() {
    byte[] good = header(1, 1, 2, 3, 12);
    assertEquals(6, MaskBytes.decode(new BytesRef(good)).pixelCount());

    // Truncated headers.
    for (int len = 0; len < MaskBytes.HEADER_BYTES; len++) {
      assertTrue(decodeFails(Arrays.copyOf(good, len)).getMessage().contains("truncated"));
    }
    // Truncated or overlong data.
    decodeFails(Arrays.copyOf(good, good.length - 1));
    decodeFails(Arrays.copyOf(good, MaskBytes.HEADER_BYTES));
    decodeFails(Arrays.copyOf(good, good.length + 1));
    // A correct slice of a longer array is fine, but a slice one byte short is not.
    byte[] longer = Arrays.copyOf(good, good.length + 4);
    assertEquals(6, MaskBytes.decode(new BytesRef(longer, 0, good.length)).pixelCount());
    expectThrows(
        MaskFormatException.class,
        () -> MaskBytes.decode(new BytesRef(longer, 0, good.length - 1)));

    // Bad versions.
    for (int v : new int[] {0, 2, -1, 127}) {
      assertTrue(decodeFails(header(v, 1, 2, 3, 12)).getMessage().contains("version"));
    }
    // Bad dtype ids.
    for (int id : new int[] {4, -1, 127}) {
      assertTrue(decodeFails(header(1, id, 2, 3, 12)).getMessage().contains("dtype"));
    }
    // Bad shapes, including ones whose product would overflow an int.
    for (int[] s :
        new int[][] {{0, 3}, {2, 0}, {-2, 3}, {4097, 1}, {65536, 65536}, {Integer.MIN_VALUE, -1}}) {
      assertTrue(decodeFails(header(1, 0, s[0], s[1], 0)).getMessage().contains("out of bounds"));
    }
    // Invalid values in the data are rejected like in Mask.of.
    byte[] f32 = header(1, 3, 1, 2, 8);
    ByteBuffer.wrap(f32)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putFloat(MaskBytes.HEADER_BYTES + 4, Float.NaN);
    assertTrue(decodeFails(f32).getMessage().contains("NaN"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Roi and ValueRange

  public void testRoiPackRoundTripAndClamping() {
    Random r = random();
    int iters = atLeast(10000);
    for (int i = 0; i < iters; i++) {
      int x1 = RandomNumbers.randomIntBetween(r, 0, Roi.MAX_COORDINATE);
      int y1 = RandomNumbers.randomIntBetween(r, 0, Roi.MAX_COORDINATE);
      int x2 = RandomNumbers.randomIntBetween(r, 0, Roi.MAX_COORDINATE);
      int y2 = RandomNumbers.randomIntBetween(r, 0, Roi.MAX_COORDINATE);
      Roi roi = new Roi(x1, y1, x2, y2);
      assertEquals(roi, Roi.unpack(roi.pack())); // in range: exact round trip
    }
    for (int i = 0; i < iters; i++) {
      Roi roi = new Roi(anyCoordinate(r), anyCoordinate(r), anyCoordinate(r), anyCoordinate(r));
      Roi back = Roi.unpack(roi.pack());
      // Each coordinate clamps to [0, 65535] independently.
      assertEquals(Math.clamp(roi.x1(), 0, 65535), back.x1());
      assertEquals(Math.clamp(roi.y1(), 0, 65535), back.y1());
      assertEquals(Math.clamp(roi.x2(), 0, 65535), back.x2());
      assertEquals(Math.clamp(roi.y2(), 0, 65535), back.y2());
      // ... which clipping to any mask makes equivalent.
      int w = RandomNumbers.randomIntBetween(r, 1, Mask.MAX_SIDE);
      int h = RandomNumbers.randomIntBetween(r, 1, Mask.MAX_SIDE);
      assertEquals(roi.clip(w, h), back.clip(w, h));
    }
    assertEquals(new Roi(0, 0, 65535, 65535), Roi.unpack(Roi.FULL.pack()));
    assertEquals(-1L, new Roi(65535, 65535, 65535, 65535).pack());
    assertEquals(0L, new Roi(-5, Integer.MIN_VALUE, 0, -1).pack());
  }

  private static int anyCoordinate(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> r.nextInt();
      case 1 -> RandomNumbers.randomIntBetween(r, -100, 100);
      case 2 -> RandomNumbers.randomIntBetween(r, 65500, 65600);
      default ->
          RandomPicks.randomFrom(
              r, new Integer[] {Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 65535, 65536});
    };
  }

  public void testRoiClipAreaAndEmptiness() {
    Roi roi = new Roi(-3, 2, 12, 5);
    assertEquals(new Roi(0, 2, 10, 5), roi.clip(10, 20));
    assertEquals(30, roi.clip(10, 20).area());
    assertEquals(45, roi.area());
    assertTrue(new Roi(5, 5, 5, 9).isEmpty());
    assertTrue(new Roi(6, 5, 5, 9).isEmpty());
    assertTrue(new Roi(0, 9, 5, 9).isEmpty());
    assertEquals(0, new Roi(6, 5, 5, 9).area());
    assertTrue(new Roi(11, 0, 20, 5).clip(10, 10).isEmpty());
    assertFalse(Roi.FULL.clip(1, 1).isEmpty());
    assertEquals(4096L * 4096, Roi.FULL.clip(4096, 4096).area());
    assertEquals(1, new Roi(3, 3, 4, 4).area());
  }

  /**
   * Roi allows any ints, and area() is documented as the number of pixels, a long; yet the width
   * and height are computed in int arithmetic before widening, so a wide region wraps around.
   */
  public void testRoiAreaDoesNotOverflow() {
    assertEquals(
        2L * Integer.MAX_VALUE, new Roi(-Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 1).area());
    assertEquals((1L << 32) - 1, new Roi(Integer.MIN_VALUE, 0, Integer.MAX_VALUE, 1).area());
  }

  public void testValueRange() {
    expectThrows(MaskFormatException.class, () -> new ValueRange(Double.NaN, 1));
    expectThrows(MaskFormatException.class, () -> new ValueRange(0, Double.NaN));
    assertTrue(new ValueRange(0, 0).isEmpty());
    assertTrue(new ValueRange(0.5, 0.25).isEmpty());
    assertFalse(new ValueRange(0, Double.MIN_VALUE).isEmpty());
    assertFalse(new ValueRange(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY).isEmpty());
    assertEquals("[0.25, 1.5)", new ValueRange(0.25, 1.5).toString());
  }
}
