package dev.masksearch.chi;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Plain reference implementations for the CHI tests, written from the spec only: values are decoded
 * from codes here, bins come from double comparisons against {@code b / bins}, and masks are
 * generated with their codes and values kept aside. Nothing here calls {@link MaskDType#value},
 * {@link MaskDType#codeRange} or {@link BinEdges}.
 */
final class ChiReference {
  private ChiReference() {}

  /**
   * The value of a code as the spec defines it (p / 255, p / 65535, or the float as stored; -0.0
   * reads as 0.0).
   */
  static double value(MaskDType dtype, int code) {
    double v =
        switch (dtype) {
          case UINT8 -> code / 255.0;
          case UINT16 -> code / 65535.0;
          case FLOAT16 -> (double) Float.float16ToFloat((short) code);
          case FLOAT32 -> (double) Float.intBitsToFloat(code);
        };
    return v + 0.0; // turns -0.0 into 0.0
  }

  /**
   * The bin of a value in [0, 1]: b with b / bins <= v < (b + 1) / bins, or bins for exactly 1.0.
   */
  static int bin(double v, int bins) {
    if (v == 1.0) {
      return bins;
    }
    int b =
        (int)
            Math.min(
                bins - 1,
                Math.floor(v * bins)); // a guess, then corrected with the exact comparisons
    while (b > 0 && (double) b / bins > v) {
      b--;
    }
    while (b + 1 < bins && (double) (b + 1) / bins <= v) {
      b++;
    }
    return b;
  }

  /**
   * The smallest valid code whose value is >= bound (maxCode + 1 if none), by bisection over {@link
   * #value}.
   */
  static int firstCodeAtLeast(MaskDType dtype, double bound) {
    int lo = 0;
    int hi = dtype.maxCode() + 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (value(dtype, mid) >= bound) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Whether x is exactly a bin edge c / bins for some c in 0 .. bins. */
  static boolean isEdge(double x, int bins) {
    long c = Math.round(x * bins);
    for (long d = c - 1; d <= c + 1; d++) {
      if (d >= 0 && d <= bins && (double) d / bins == x) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether [lv, uv) is a union of whole bins by the spec's rule: lv is an edge or <= 0, and uv is
   * an edge (1.0 included, which starts the top bin) or > 1. Ranges that hold no value at all also
   * count as aligned.
   */
  static boolean rangeAligned(double lv, double uv, int bins) {
    if (lv >= uv || lv > 1 || uv <= 0) {
      return true; // empty in value space
    }
    boolean lvOk = lv <= 0 || isEdge(lv, bins);
    boolean uvOk = uv > 1 || isEdge(uv, bins);
    return lvOk && uvOk;
  }

  /** A mask together with its codes and the reference value of every pixel. */
  record Generated(Mask mask, int[] codes, double[] values) {}

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

  /** The nearest code of a value t in [0, 1]. */
  static int quantize(MaskDType dtype, double t) {
    return switch (dtype) {
      case UINT8 -> (int) Math.round(t * 255);
      case UINT16 -> (int) Math.round(t * 65535);
      case FLOAT16 -> Float.floatToFloat16((float) t) & 0xFFFF;
      case FLOAT32 -> Float.floatToRawIntBits((float) t);
    };
  }

  /**
   * A code at, or one code below, the edge b / bins (so values sit exactly on or just beside bin
   * edges).
   */
  static int edgeCode(Random r, MaskDType dtype, int bins) {
    int b = RandomNumbers.randomIntBetween(r, 0, bins);
    int code = firstCodeAtLeast(dtype, (double) b / bins);
    return Math.clamp(code - (r.nextInt(3) == 0 ? 1 : 0), 0, dtype.maxCode());
  }

  /** The kinds of content {@link #mask} generates. */
  static final int KINDS = 9;

  /**
   * A mask of one of several kinds: smooth blobs (with exact 0 and 1 plateaus), uniform noise,
   * random codes (for floats: many tiny and subnormal values), all 0, all 1, all one value, values
   * on the edges of {@code bins}, a sparse mask, and a per-pixel mixture. Float masks sometimes
   * contain -0.0.
   */
  static Generated mask(
      Random r, MaskDType dtype, int height, int width, int kind, int[] binsChoices) {
    int n = height * width;
    int[] codes = new int[n];
    int max = dtype.maxCode();
    int constant = RandomNumbers.randomIntBetween(r, 0, max);
    Blobs blobs = new Blobs(r, height, width);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int k =
            kind == 8
                ? r.nextInt(8)
                : kind; // kind 8 mixes the others pixel by pixel (constants aside)
        codes[y * width + x] =
            switch (k) {
              case 0 -> quantize(dtype, blobs.at(y, x));
              case 1 -> quantize(dtype, r.nextDouble());
              case 2 -> RandomNumbers.randomIntBetween(r, 0, max);
              case 3 -> 0;
              case 4 -> max;
              case 5 -> constant;
              case 6 -> edgeCode(r, dtype, binsChoices[r.nextInt(binsChoices.length)]);
              default ->
                  r.nextInt(20) == 0 ? RandomNumbers.randomIntBetween(r, 0, max) : 0; // sparse
            };
      }
    }
    if ((dtype == MaskDType.FLOAT16 || dtype == MaskDType.FLOAT32) && r.nextInt(4) == 0) {
      int negZero = dtype == MaskDType.FLOAT16 ? 0x8000 : 0x80000000;
      for (int i = 0; i < n; i++) {
        if (codes[i] == 0 && r.nextBoolean()) {
          codes[i] = negZero; // stored as -0.0, must behave as 0.0
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = value(dtype, codes[i]);
    }
    Mask mask = Mask.of(dtype, height, width, rawBytes(dtype, codes));
    for (int i = 0; i < n; i++) {
      codes[i] = mask.code(i); // after the -0.0 rewrite; the reference values are unaffected
    }
    return new Generated(mask, codes, values);
  }

  /**
   * A sum of Gaussian blobs, shifted down and clamped to [0, 1] so that it has exact 0 and 1
   * plateaus.
   */
  private static final class Blobs {
    final double[][] blobs; // cy, cx, sigma, amplitude

    Blobs(Random r, int height, int width) {
      blobs = new double[RandomNumbers.randomIntBetween(r, 1, 5)][];
      for (int i = 0; i < blobs.length; i++) {
        blobs[i] =
            new double[] {
              r.nextDouble() * height * 1.2 - 0.1 * height,
              r.nextDouble() * width * 1.2 - 0.1 * width,
              1 + r.nextDouble() * Math.max(height, width) / 3.0,
              0.3 + r.nextDouble() * 1.2
            };
      }
    }

    double at(int y, int x) {
      double s = 0;
      for (double[] b : blobs) {
        double dy = y - b[0];
        double dx = x - b[1];
        s += b[3] * Math.exp(-(dx * dx + dy * dy) / (2 * b[2] * b[2]));
      }
      return Math.clamp(s - 0.05, 0.0, 1.0);
    }
  }
}
