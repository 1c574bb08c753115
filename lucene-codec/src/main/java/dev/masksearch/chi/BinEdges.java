package dev.masksearch.chi;

import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.ValueRange;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The value bins of a CHI expressed in the codes of one {@link MaskDType}. Bin {@code b < bins}
 * holds the values {@code [b / bins, (b + 1) / bins)}; bin {@code bins} holds exactly 1.0. Because
 * a dtype's codes sort like its values, bin b is the code interval {@code [edge(b), edge(b + 1))},
 * and all reasoning about which bins a query range covers happens on integers, with the same double
 * comparisons as {@link dev.masksearch.mask.Mask#countPixels}.
 */
public final class BinEdges {
  private static final ConcurrentHashMap<Long, BinEdges> CACHE = new ConcurrentHashMap<>();

  private final MaskDType dtype;
  private final int bins;

  /**
   * edges[b] = first code of bin b, for b = 0 .. bins + 1 (edges[bins + 1] = maxCode + 1, past the
   * last bin).
   */
  private final int[] edges;

  /**
   * code -> bin (up to 256, so 16 bits), for the dtypes with at most 65,536 codes; null for
   * float32.
   */
  private final char[] binOfCode;

  private BinEdges(MaskDType dtype, int bins) {
    this.dtype = dtype;
    this.bins = bins;
    this.edges = new int[bins + 2];
    for (int b = 0; b <= bins; b++) {
      edges[b] = (int) (dtype.codeRange((double) b / bins, Double.POSITIVE_INFINITY) >>> 32);
    }
    edges[bins + 1] = dtype.maxCode() + 1;
    this.binOfCode = dtype == MaskDType.FLOAT32 ? null : tabulate();
  }

  /** The (cached) edges of a dtype and bin count. */
  public static BinEdges of(MaskDType dtype, int bins) {
    return CACHE.computeIfAbsent(
        (long) dtype.ordinal() << 32 | bins, k -> new BinEdges(dtype, bins));
  }

  private char[] tabulate() {
    char[] table = new char[dtype.maxCode() + 1];
    for (int b = 0; b <= bins; b++) {
      for (int c = edges[b]; c < edges[b + 1]; c++) {
        table[c] = (char) b;
      }
    }
    return table;
  }

  /** The bin of a valid code, 0 .. bins. */
  public int binOf(int code) {
    if (binOfCode != null) {
      return binOfCode[code];
    }
    int lo = 0;
    int hi = bins; // invariant: edges[lo] <= code, answer in [lo, hi]
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (edges[mid] <= code) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * The cumulative levels that bracket a value range. Pixels counted at level {@code l} have bin
   * {@code >= l}; level 0 is every pixel and level {@code bins + 1} none. The bins fully inside the
   * range are {@code [innerFrom, innerTo)} and the bins that overlap it {@code [outerFrom,
   * outerTo)}, so that {@code count(innerFrom) - count(innerTo) <= CP <= count(outerFrom) -
   * count(outerTo)} for any region.
   */
  public Levels levels(ValueRange range) {
    long codes = dtype.codeRange(range.lv(), range.uv());
    int lo = (int) (codes >>> 32);
    int hi = (int) codes;
    if (lo >= hi) {
      return Levels.EMPTY;
    }
    int innerFrom = 0; // first bin starting at or after lo
    while (edges[innerFrom] < lo) {
      innerFrom++;
    }
    int innerTo = bins + 1; // last t with edges[t] <= hi
    while (edges[innerTo] > hi) {
      innerTo--;
    }
    int outerFrom = bins; // last bin starting at or before lo
    while (edges[outerFrom] > lo) {
      outerFrom--;
    }
    int outerTo = 0; // first t with edges[t] >= hi
    while (edges[outerTo] < hi) {
      outerTo++;
    }
    return new Levels(innerFrom, Math.max(innerFrom, innerTo), outerFrom, outerTo);
  }

  public int bins() {
    return bins;
  }

  /** Level brackets of a range; see {@link BinEdges#levels}. */
  public record Levels(int innerFrom, int innerTo, int outerFrom, int outerTo) {
    /** The levels of an empty range: no bin inside, none overlapping. */
    public static final Levels EMPTY = new Levels(0, 0, 0, 0);

    /** Whether no pixel can be in the range. */
    public boolean isEmpty() {
      return outerFrom >= outerTo;
    }

    /** Whether the range is a union of whole bins, so region counts are exact. */
    public boolean isAligned() {
      return innerFrom == outerFrom && innerTo == outerTo;
    }
  }
}
