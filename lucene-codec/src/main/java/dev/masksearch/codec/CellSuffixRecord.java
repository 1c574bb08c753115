package dev.masksearch.codec;

import dev.masksearch.chi.ChiGrid;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.util.FixedBitSet;

/**
 * One document's cell histograms as the second tier of a CHI in two tiers (docs/design.md, "The CHI
 * in two tiers"; MaskSearch20 stores it after each mask from version 3 of its files): read whole,
 * in one sequential read, by the documents the first tier leaves open. Each cell keeps, for its
 * non-empty bins after the lowest, the pixels in that bin or above (suffix sums) at one bit width,
 * so a cell's count at any level is one load and walking the cells parses no variable-length
 * integers but their headers. Two layouts ({@link Layout}); cells go row by row, as ChiGrid numbers
 * them, and slots = bins + 1.
 *
 * <p>{@link Layout#PER_CELL} (versions 3 and 4):
 *
 * <pre>
 * Record  --&gt; Cell^cells
 * Cell    --&gt; Header, [Bitmap, Sums]
 * Header  --&gt; VInt: slot &lt;&lt; 1 when every pixel of the cell lies in bin slot (nothing follows),
 *              else width &lt;&lt; 1 | 1, width from 1 to the bits of the cell's area
 * Bitmap  --&gt; Byte^ceil(slots / 8), bit s (least significant first) set when bin s holds pixels;
 *              at least two bits set, none at or past slots
 * Sums    --&gt; for each set bin after the lowest, in bin order, the pixels of the cell in that bin
 *              or above, width bits each, least significant bit first, padded to a byte
 * </pre>
 *
 * <p>{@link Layout#RUNS} (version 5 on): the headers first, then the sums of every cell in one bit
 * stream, and a header for a run of cells that lie in one bin:
 *
 * <pre>
 * Record     --&gt; HeadersLength(VInt), Header^n, Sums
 * Header     --&gt; VInt h of at most two bytes, by its two lowest bits:
 *                 00: one cell, every pixel in bin h &gt;&gt;&gt; 2
 *                 10: followed by VInt(r - 2): r &gt;= 2 cells in a row (up to the last cell),
 *                     each with every pixel in bin h &gt;&gt;&gt; 2
 *                 01: followed by Bitmap (as above): a cell with the bins Bitmap sets, whose sums
 *                     take width h &gt;&gt;&gt; 2 bits each
 *                 11: a cell with every bin, whose sums take width h &gt;&gt;&gt; 2 bits each
 * Sums       --&gt; for each cell of header 01 or 11 in order, for each of its set bins after the
 *                 lowest, in bin order, the pixels of the cell in that bin or above, at the cell's
 *                 width; one stream, least significant bit first, padded to a byte at its end
 * </pre>
 *
 * The lowest set bin's suffix sum is the cell's area, which the grid gives. On the real sample the
 * second layout is 9% smaller: a mask's background and foreground lie in runs of one-bin cells,
 * soft maps' cells often hold every bin, and a cell's sums end mid-byte (docs/benchmarks.md, "A
 * compact CHI at version 5").
 */
final class CellSuffixRecord {
  private CellSuffixRecord() {}

  /** How a record lays out its cells. */
  enum Layout {
    /** Each cell's header, bitmap and sums together, padded to a byte (versions 3 and 4). */
    PER_CELL(1),
    /** Runs of one-bin cells, no bitmap when every bin is set, sums in one stream (version 5). */
    RUNS(2);

    /** The header's bits below its slot or width. */
    final int headerShift;

    Layout(int headerShift) {
      this.headerShift = headerShift;
    }
  }

  /** The most cells one run header covers: its count, less two, fits a 4-byte VInt. */
  static final int MAX_RUN = (1 << 28) + 1;

  /**
   * Writes {@code histograms}, {@code slots} counts a cell (as {@code Chi.cellHistograms} lays
   * them), every cell holding at least one pixel, in {@code layout}.
   */
  static void write(int[] histograms, int slots, Layout layout, DataOutput out) throws IOException {
    int cells = histograms.length / slots;
    byte[] bitmap = new byte[bitmapBytes(slots)];
    boolean runs = layout == Layout.RUNS;
    ByteBuffersDataOutput headers = runs ? new ByteBuffersDataOutput() : null;
    ByteBuffersDataOutput sumStream = runs ? new ByteBuffersDataOutput() : null;
    DataOutput head = runs ? headers : out;
    DataOutput sums = runs ? sumStream : out;
    LittleEndianBits.Writer sumBits = new LittleEndianBits.Writer();
    for (int c = 0; c < cells; ) {
      int base = c * slots;
      int only = onlyBin(histograms, base, slots);
      if (only >= 0) {
        int run = 1;
        while (runs
            && run < MAX_RUN
            && c + run < cells
            && onlyBin(histograms, base + run * slots, slots) == only) {
          run++;
        }
        head.writeVInt(only << layout.headerShift | (run > 1 ? 2 : 0));
        if (run > 1) {
          head.writeVInt(run - 2);
        }
        c += run;
        continue;
      }
      int lowest = 0;
      while (histograms[base + lowest] == 0) {
        lowest++;
      }
      // the largest sum written is the second set bin's: all pixels but the lowest bin's
      int largest = 0;
      int nonEmpty = 1;
      Arrays.fill(bitmap, (byte) 0);
      bitmap[lowest >>> 3] |= (byte) (1 << (lowest & 7));
      for (int s = lowest + 1; s < slots; s++) {
        if (histograms[base + s] != 0) {
          largest += histograms[base + s];
          nonEmpty++;
          bitmap[s >>> 3] |= (byte) (1 << (s & 7));
        }
      }
      int width = 32 - Integer.numberOfLeadingZeros(largest);
      if (runs && nonEmpty == slots) {
        head.writeVInt(width << 2 | 3);
      } else {
        head.writeVInt(width << layout.headerShift | 1);
        head.writeBytes(bitmap, bitmap.length);
      }
      int suffix = largest;
      for (int s = lowest + 1; s < slots; s++) {
        if (histograms[base + s] == 0) {
          continue;
        }
        sumBits.add(suffix, width, sums);
        suffix -= histograms[base + s];
      }
      if (!runs) { // each cell padded to a byte
        sumBits.flush(sums);
      }
      c++;
    }
    if (runs) {
      sumBits.flush(sums);
      out.writeVInt(Math.toIntExact(headers.size()));
      headers.copyTo(out);
      sumStream.copyTo(out);
    }
  }

  /**
   * The bin of the cell at {@code base} when every one of its pixels lies in it, else -1.
   *
   * @throws IllegalArgumentException when the cell holds no pixel
   */
  private static int onlyBin(int[] histograms, int base, int slots) {
    int only = -1;
    for (int s = 0; s < slots; s++) {
      if (histograms[base + s] != 0) {
        if (only >= 0) {
          return -1;
        }
        only = s;
      }
    }
    if (only < 0) {
      throw new IllegalArgumentException("cell " + base / slots + " holds no pixel");
    }
    return only;
  }

  /**
   * Reads the records of one grid's masks, reusing its scratch: one per thread, like the cursors
   * that hand it records.
   */
  static final class Reader {
    private final ChiGrid grid;
    private final int slots;
    private final Layout layout;
    private final String resource;
    // the current cell's bitmap, every bit its bytes can hold (so that bits past the slots, which
    // a corrupt bitmap may set, are still bits of the set)
    private final FixedBitSet set;
    private int next; // where the last VInt read ends

    /**
     * A reader of records in {@code layout} of {@code grid}'s cells over {@code slots} bins, read
     * from {@code resource}.
     */
    Reader(ChiGrid grid, int slots, Layout layout, String resource) {
      this.grid = grid;
      this.slots = slots;
      this.layout = layout;
      this.resource = resource;
      this.set = new FixedBitSet(bitmapBytes(slots) * Byte.SIZE);
    }

    /**
     * Reads the record in {@code bytes[0, length)}: {@code out[c * levelCount + k]} becomes the
     * pixels of cell c whose bin is at least {@code levels[k]} (0 .. slots: level 0 is the cell's
     * area, level slots holds none).
     *
     * @throws CorruptIndexException if the bytes cannot be parsed as a record of the grid's cells
     *     and these slots (headers, bitmaps, runs and lengths; a sum is checked against its cell's
     *     area when a level reads it)
     */
    void read(byte[] bytes, int length, int[] levels, int levelCount, int[] out)
        throws CorruptIndexException {
      int bitmapBytes = bitmapBytes(slots);
      boolean oneWord = bitmapBytes <= Long.BYTES;
      boolean runs = layout == Layout.RUNS;
      int shift = layout.headerShift;
      int p = 0;
      int headersEnd = length; // where the headers end
      int sums = 0; // where the current cell's sums start: their byte ...
      long sumBit = 0; // ... and bit in it
      if (runs) {
        int headersLength = readVInt(bytes, 0, length);
        p = next;
        if (headersLength > length - p) {
          throw corrupt("has " + headersLength + " bytes of headers in " + length);
        }
        headersEnd = p + headersLength;
        sums = headersEnd;
      }
      long sumBits = (long) (length - sums) << 3; // bits of the sums' stream (RUNS)
      int runSlot = 0;
      int runLeft = 0; // cells of the current run after this one
      int cell = 0;
      int gx = grid.gx(); // each a division: not once a cell
      int gy = grid.gy();
      int cells = gx * gy;
      for (int cy = 0; cy < gy; cy++) {
        int rows = grid.lineY(cy + 1) - grid.lineY(cy);
        for (int cx = 0; cx < gx; cx++, cell++) {
          long area = (long) rows * (grid.lineX(cx + 1) - grid.lineX(cx));
          int o = cell * levelCount;
          if (runLeft > 0) {
            runLeft--;
            oneBin(levels, levelCount, runSlot, area, out, o);
            continue;
          }
          // a header is a VInt of at most two bytes (slot < 257, width <= 25): one at 20 bins
          if (p >= headersEnd) {
            throw corrupt("ends before cell " + cell);
          }
          int header = bytes[p++];
          if (header < 0) {
            if (p >= headersEnd || bytes[p] < 0) {
              throw corrupt("cell " + cell + " has a bad header");
            }
            header = (header & 0x7F) | bytes[p++] << 7;
          }
          boolean flag = runs && (header & 2) != 0; // a run, or a cell with every bin
          if ((header & 1) == 0) {
            int slot = header >>> shift;
            if (slot >= slots) {
              throw corrupt("cell " + cell + " is in bin " + slot + " of " + slots);
            }
            if (flag) {
              int run = readVInt(bytes, p, headersEnd);
              p = next;
              if (run > cells - cell - 2) {
                throw corrupt("cell " + cell + " starts a run of " + run + " + 2 past the grid");
              }
              runSlot = slot;
              runLeft = run + 1;
            }
            oneBin(levels, levelCount, slot, area, out, o);
            continue;
          }
          int width = header >>> shift;
          if (width < 1 || width > Long.SIZE - Long.numberOfLeadingZeros(area)) {
            throw corrupt("cell " + cell + " has a bad width");
          }
          // up to 64 slots (the default is 21) the bitmap is one word, read with the JDK's bit
          // intrinsics: reading records was 23% of a 1% constant-ROI filter's query (JFR); the
          // set, cleared a cell at a time, only for more
          long word = 0;
          if (flag) { // every bin
            if (oneWord) {
              word = slots == Long.SIZE ? -1L : (1L << slots) - 1;
            } else {
              set.clear();
              set.set(0, slots);
            }
          } else {
            if (headersEnd - p < bitmapBytes) {
              throw corrupt("cell " + cell + " has a bad bitmap");
            }
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
            p += bitmapBytes;
          }
          int nonEmpty = oneWord ? Long.bitCount(word) : set.cardinality();
          boolean pastSlots =
              oneWord
                  ? slots < Long.SIZE && word >>> slots != 0
                  : nextSet(slots) != DocIdSetIterator.NO_MORE_DOCS;
          if (nonEmpty < 2 || pastSlots) {
            throw corrupt("cell " + cell + " has a bad bitmap");
          }
          long cellBits = (long) (nonEmpty - 1) * width;
          long cellSums; // the first bit of the cell's sums, from byte `sums`
          if (runs) {
            if (cellBits > sumBits - sumBit) {
              throw corrupt("cell " + cell + " has sums past the record");
            }
            cellSums = sumBit;
            sumBit += cellBits;
          } else {
            long sumBytes = (cellBits + 7) >>> 3;
            if (sumBytes > length - p) {
              throw corrupt("cell " + cell + " runs past the record");
            }
            sums = p;
            cellSums = 0;
            p += (int) sumBytes;
          }
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
              long sum =
                  LittleEndianBits.get(bytes, sums, cellSums + (long) (below - 1) * width, width);
              if (sum > area) {
                throw corrupt("cell " + cell + " counts more pixels than it has");
              }
              out[o + k] = (int) sum;
            }
          }
        }
      }
      if (p != headersEnd) {
        throw corrupt("has " + (headersEnd - p) + " bytes after its cells");
      }
      if (runs && (sumBit + 7) >>> 3 != length - headersEnd) {
        throw corrupt("has " + (length - headersEnd) + " bytes of sums for " + sumBit + " bits");
      }
    }

    /** A cell of {@code area} pixels, all in bin {@code slot}, at each level, from {@code o}. */
    private static void oneBin(
        int[] levels, int levelCount, int slot, long area, int[] out, int o) {
      for (int k = 0; k < levelCount; k++) {
        out[o + k] = levels[k] <= slot ? (int) area : 0;
      }
    }

    /**
     * The VInt (a length or a run's count) at {@code bytes[p, end)}; {@link #next} becomes where it
     * ends.
     */
    private int readVInt(byte[] bytes, int p, int end) throws CorruptIndexException {
      int value = 0;
      for (int shift = 0; shift < Integer.SIZE; shift += 7) {
        if (p >= end) {
          throw corrupt("ends inside a header or length");
        }
        byte b = bytes[p++];
        if (shift == 28 && (b & 0xF0) != 0) {
          throw corrupt("has a header or length of more than 32 bits");
        }
        value |= (b & 0x7F) << shift;
        if (b >= 0) {
          if (value < 0) {
            throw corrupt("has a negative header or length");
          }
          next = p;
          return value;
        }
      }
      throw corrupt("has a header or length of more than five bytes");
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
}
