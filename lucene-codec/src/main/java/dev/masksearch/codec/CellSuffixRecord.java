package dev.masksearch.codec;

import dev.masksearch.chi.ChiGrid;
import java.io.IOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.util.BitUtil;
import org.apache.lucene.util.FixedBitSet;

/**
 * One document's cell histograms as the second tier of a CHI in two tiers (docs/design.md, "The CHI
 * in two tiers"; MaskSearch20 stores it after each mask from version 3 of its files): read whole,
 * in one sequential read, by the documents the first tier leaves open. Each cell keeps, for its
 * non-empty bins after the lowest, the pixels in that bin or above (suffix sums) at one bit width,
 * so a cell's count at any level is one load and walking the cells parses no variable-length
 * integers.
 *
 * <pre>
 * Record  --&gt; Cell^cells               (row by row, as ChiGrid numbers cells)
 * Cell    --&gt; Header, [Bitmap, Sums]
 * Header  --&gt; VInt: slot &lt;&lt; 1 when every pixel of the cell lies in bin slot (nothing follows),
 *              else width &lt;&lt; 1 | 1, width from 1 to the bits of the cell's area
 * Bitmap  --&gt; Byte^ceil(slots / 8), bit s (least significant first) set when bin s holds pixels;
 *              at least two bits set, none at or past slots
 * Sums    --&gt; for each set bin after the lowest, in bin order, the pixels of the cell in that bin
 *              or above, width bits each, least significant bit first, padded to a byte
 * </pre>
 *
 * The lowest set bin's suffix sum is the cell's area, which the grid gives; slots = bins + 1.
 */
final class CellSuffixRecord {
  private CellSuffixRecord() {}

  /**
   * Writes {@code histograms}, {@code slots} counts a cell (as {@code Chi.cellHistograms} lays
   * them), every cell holding at least one pixel.
   */
  static void write(int[] histograms, int slots, DataOutput out) throws IOException {
    byte[] bitmap = new byte[bitmapBytes(slots)];
    for (int base = 0; base < histograms.length; base += slots) {
      int lowest = -1;
      int nonEmpty = 0;
      for (int s = 0; s < slots; s++) {
        if (histograms[base + s] != 0) {
          lowest = lowest < 0 ? s : lowest;
          nonEmpty++;
        }
      }
      if (nonEmpty == 0) {
        throw new IllegalArgumentException("cell " + base / slots + " holds no pixel");
      }
      if (nonEmpty == 1) {
        out.writeVInt(lowest << 1);
        continue;
      }
      // the largest sum written is the second set bin's: all pixels but the lowest bin's
      int largest = 0;
      for (int s = lowest + 1; s < slots; s++) {
        largest += histograms[base + s];
      }
      int width = 32 - Integer.numberOfLeadingZeros(largest);
      out.writeVInt(width << 1 | 1);
      java.util.Arrays.fill(bitmap, (byte) 0);
      for (int s = 0; s < slots; s++) {
        if (histograms[base + s] != 0) {
          bitmap[s >>> 3] |= (byte) (1 << (s & 7));
        }
      }
      out.writeBytes(bitmap, bitmap.length);
      long pending = 0; // bits not yet written, least significant first
      int pendingBits = 0;
      int suffix = largest;
      for (int s = lowest + 1; s < slots; s++) {
        if (histograms[base + s] == 0) {
          continue;
        }
        pending |= (long) suffix << pendingBits;
        pendingBits += width;
        suffix -= histograms[base + s];
        while (pendingBits >= 8) {
          out.writeByte((byte) pending);
          pending >>>= 8;
          pendingBits -= 8;
        }
      }
      if (pendingBits > 0) {
        out.writeByte((byte) pending);
      }
    }
  }

  /**
   * Reads the records of one grid's masks, reusing its scratch: one per thread, like the cursors
   * that hand it records.
   */
  static final class Reader {
    private final ChiGrid grid;
    private final int slots;
    private final String resource;
    // the current cell's bitmap, every bit its bytes can hold (so that bits past the slots, which
    // a corrupt bitmap may set, are still bits of the set)
    private final FixedBitSet set;

    /**
     * A reader of records of {@code grid}'s cells over {@code slots} bins, read from {@code
     * resource}.
     */
    Reader(ChiGrid grid, int slots, String resource) {
      this.grid = grid;
      this.slots = slots;
      this.resource = resource;
      this.set = new FixedBitSet(bitmapBytes(slots) * Byte.SIZE);
    }

    /**
     * Reads the record in {@code bytes[0, length)}: {@code out[c * levelCount + k]} becomes the
     * pixels of cell c whose bin is at least {@code levels[k]} (0 .. slots: level 0 is the cell's
     * area, level slots holds none).
     *
     * @throws CorruptIndexException if the bytes cannot be parsed as a record of the grid's cells
     *     and these slots (headers, bitmaps and lengths; a sum is checked against its cell's area
     *     when a level reads it)
     */
    void read(byte[] bytes, int length, int[] levels, int levelCount, int[] out)
        throws CorruptIndexException {
      int bitmapBytes = bitmapBytes(slots);
      boolean oneWord = bitmapBytes <= Long.BYTES;
      int p = 0;
      int cell = 0;
      int gx = grid.gx(); // each a division: not once a cell
      int gy = grid.gy();
      for (int cy = 0; cy < gy; cy++) {
        int rows = grid.lineY(cy + 1) - grid.lineY(cy);
        for (int cx = 0; cx < gx; cx++, cell++) {
          long area = (long) rows * (grid.lineX(cx + 1) - grid.lineX(cx));
          // the header, a VInt of at most two bytes (slot < 257, width <= 25)
          if (p >= length) {
            throw corrupt("ends before cell " + cell);
          }
          int header = bytes[p++];
          if (header < 0) {
            if (p >= length || bytes[p] < 0) {
              throw corrupt("cell " + cell + " has a bad header");
            }
            header = (header & 0x7F) | bytes[p++] << 7;
          }
          int o = cell * levelCount;
          if ((header & 1) == 0) {
            int slot = header >>> 1;
            if (slot >= slots) {
              throw corrupt("cell " + cell + " is in bin " + slot + " of " + slots);
            }
            for (int k = 0; k < levelCount; k++) {
              out[o + k] = levels[k] <= slot ? (int) area : 0;
            }
            continue;
          }
          int width = header >>> 1;
          if (width < 1
              || width > Long.SIZE - Long.numberOfLeadingZeros(area)
              || length - p < bitmapBytes) {
            throw corrupt("cell " + cell + " has a bad width or bitmap");
          }
          // up to 64 slots (the default is 21) the bitmap is one word, read with the JDK's bit
          // intrinsics: reading records was 23% of a 1% constant-ROI filter's query (JFR); the
          // set, cleared a cell at a time, only for more
          long word = 0;
          if (oneWord) {
            for (int b = 0; b < bitmapBytes; b++) {
              word |= (bytes[p + b] & 0xFFL) << (b << 3);
            }
          } else {
            long[] words = set.getBits();
            set.clear();
            for (int b = 0; b < bitmapBytes; b++) {
              words[b >>> 3] |= (bytes[p + b] & 0xFFL) << ((b & 7) << 3);
            }
          }
          int nonEmpty = oneWord ? Long.bitCount(word) : set.cardinality();
          boolean pastSlots =
              oneWord
                  ? slots < Long.SIZE && word >>> slots != 0
                  : nextSet(slots) != DocIdSetIterator.NO_MORE_DOCS;
          if (nonEmpty < 2 || pastSlots) {
            throw corrupt("cell " + cell + " has a bad bitmap");
          }
          p += bitmapBytes;
          int sums = p;
          long sumBytes = ((long) (nonEmpty - 1) * width + 7) >>> 3;
          if (sumBytes > length - p) {
            throw corrupt("cell " + cell + " runs past the record");
          }
          p += (int) sumBytes;
          int lowest = oneWord ? Long.numberOfTrailingZeros(word) : set.nextSetBit(0);
          for (int k = 0; k < levelCount; k++) {
            int level = levels[k];
            int bin =
                level <= lowest
                    ? lowest
                    : oneWord
                        ? (level >= Long.SIZE
                            ? Long.SIZE
                            : Long.numberOfTrailingZeros(word & (-1L << level)))
                        : nextSet(level);
            if (bin == lowest) {
              out[o + k] = (int) area;
            } else if (bin >= slots) {
              out[o + k] = 0;
            } else {
              // the set bins between the lowest and this one: this one's place among the sums
              int below =
                  oneWord ? Long.bitCount(word & ((1L << bin) - 1)) : set.cardinality(0, bin);
              long sum = bitsAt(bytes, sums, (below - 1) * width, width);
              if (sum > area) {
                throw corrupt("cell " + cell + " counts more pixels than it has");
              }
              out[o + k] = (int) sum;
            }
          }
        }
      }
      if (p != length) {
        throw corrupt("has " + (length - p) + " bytes after its cells");
      }
    }

    /** The first set bin at or after {@code from}, or NO_MORE_DOCS when there is none. */
    private int nextSet(int from) {
      return from < set.length() ? set.nextSetBit(from) : DocIdSetIterator.NO_MORE_DOCS;
    }

    private CorruptIndexException corrupt(String what) {
      return new CorruptIndexException("cell record " + what, resource);
    }
  }

  private static int bitmapBytes(int slots) {
    return (slots + 7) >>> 3;
  }

  /**
   * The {@code width} bits at bit {@code bit} of the bytes from {@code start}: at most 32 bits from
   * its first byte (a width of at most 25), so one 4-byte load where the array holds four bytes
   * there (the bits past the width, masked off, may lie past the record).
   */
  private static long bitsAt(byte[] bytes, int start, int bit, int width) {
    int from = start + (bit >>> 3);
    int shift = bit & 7;
    assert shift + width <= Integer.SIZE : "a sum of " + width + " bits"; // cells of at most 2^24
    if (from <= bytes.length - Integer.BYTES) {
      return ((int) BitUtil.VH_LE_INT.get(bytes, from) & 0xFFFFFFFFL) >>> shift
          & ((1L << width) - 1);
    }
    int count = (shift + width + 7) >>> 3;
    long word = 0;
    for (int b = 0; b < count; b++) {
      word |= (bytes[from + b] & 0xFFL) << (b << 3);
    }
    return (word >>> shift) & ((1L << width) - 1);
  }
}
