package dev.masksearch.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.packed.PackedInts;

/**
 * Tiles of one byte per pixel stored as each pixel's difference from the plane through its left,
 * upper and upper-left neighbours, in one of two layouts: {@link TileEncoding#PLANAR_CODED} (from
 * version 2 of MaskSearch20's files), a prefix code of one bit for no difference and two or three
 * for a difference of one; and {@link TileEncoding#PLANAR_PACKED} (from version 4), the differences
 * zigzagged and packed in groups of eight at a bit width per group.
 *
 * <pre>
 * PlanarPacked := Width[G] (4 bits each, low nibble first, padded to a byte), Group[G]
 *                 -- G = h * ceil(w / 8) groups, row by row, eight residuals each (the last of a row
 *                    padded with zeros)
 * Group       := the group's 8 residuals zigzagged ((r &lt;&lt; 1) ^ (r &gt;&gt; 7) of the signed byte),
 *                Width bits each, packed by Lucene's PackedInts (PACKED format: Width bytes, the
 *                first value in the highest bits); absent when Width = 0; the residuals are r(x, y)
 *                below, except in a key row (y a multiple of KEY_ROWS = 8) after its first pixel:
 *                p(x, y) - p(x - 1, y)
 * PlanarCoded := Symbol[n], padded with 0 bits to a whole byte  -- bits most significant first
 * Symbol      := '0'                     -- r = 0
 *              | '10'                    -- r = -1
 *              | '110'                   -- r = +1
 *              | '111', R                -- any r: R its 8 bits, two's complement
 * r(x, y)     := p(x, y) - pred(x, y) mod 256, for the pixels row-major, where
 * pred(x, y)  := p(x - 1, y) + p(x, y - 1) - p(x - 1, y - 1)   for x &gt; 0 and y &gt; 0
 *              | p(x - 1, y)                                 for y = 0 &lt; x
 *              | p(0, y - 1)                                 for x = 0 &lt; y
 *              | 0                                           at (0, 0), all mod 256
 * </pre>
 *
 * <p>Why: smooth maps (saliency, attention, depth) are nearly planar at the scale of a few pixels,
 * so about three residuals in four are 0 and nearly all the others are one away; measured on the
 * synthetic uint8 maps, this takes 18.6% of the raw pixels against 28.3% for the other tile kinds
 * (packed or LZ4 row residuals, whichever is shorter) ({@code docs/design.md}, section 4). Decoding
 * reads 12 bits at a time through a table (up to 8 symbols a look-up, written as two 4-byte
 * stores), then rebuilds rows from a running column of horizontal differences ({@code D(x, y) =
 * D(x, y - 1) + r(x, y)}, a loop the JIT vectorizes) and a running sum along each row. A row needs
 * the rows above it, so a part of a tile decodes its residuals from the first row, and rebuilds the
 * rows above the part only as far as their column of differences.
 *
 * <p>The prefix code is the shortest but decodes a symbol after another; the packed groups take a
 * little more room (a width every eight pixels, and a zero group costs its width alone) but decode
 * eight residuals from one 8-byte load with no branch, and only as far right as a count needs: the
 * column of differences of column x needs no column to its right. At the defaults the packed groups
 * keep a verification within about a tenth of packed row residuals' time while storing about a
 * fifth less ({@code docs/design.md}, section 4). Not thread-safe: it keeps scratch for tiles of up
 * to {@code capacity} pixels.
 */
final class PlanarCodedTile {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /** Residuals of a group of {@link TileEncoding#PLANAR_PACKED}, packed at one width. */
  static final int GROUP = 8;

  /**
   * Rows from one key row of a {@link TileEncoding#PLANAR_PACKED} tile to the next: a key row's
   * residuals after the first are from the left neighbour alone, so decoding can start there.
   */
  static final int KEY_ROWS = 8;

  /** Bits of an escaped symbol: '111' and the residual's byte. */
  private static final int ESCAPE_BITS = 11;

  /** The residual of a symbol of 0, 1 or 2 ones and a zero. */
  private static final byte[] RESIDUAL_OF_ONES = {0, -1, 1};

  /** Bits of the windows decoded by one table look-up. */
  private static final int WINDOW_BITS = 12;

  /** Symbols one look-up decodes at most: two 4-byte stores. */
  private static final int WINDOW_SYMBOLS = 8;

  /**
   * For each window: the whole symbols it starts with, up to an escape or the eighth (low 4 bits),
   * the bits they take (next 4 bits) and their ones (0, 1 or 2; 2 bits each from bit 8); no symbols
   * only when the window starts with an escape.
   */
  private static final int[] WINDOW = new int[1 << WINDOW_BITS];

  /**
   * For 8 bits of symbols' ones, the residuals of those four symbols, one byte each, little-endian.
   */
  private static final int[] FOUR_RESIDUALS = new int[256];

  static {
    for (int window = 0; window < WINDOW.length; window++) {
      int used = 0;
      int count = 0;
      int ones = 0;
      while (count < WINDOW_SYMBOLS) {
        int symbolOnes = 0;
        while (symbolOnes < 3
            && used + symbolOnes < WINDOW_BITS
            && (window >>> (WINDOW_BITS - 1 - used - symbolOnes) & 1) == 1) {
          symbolOnes++;
        }
        if (symbolOnes == 3 || used + symbolOnes == WINDOW_BITS) { // an escape, or past the window
          break;
        }
        ones |= symbolOnes << (2 * count);
        count++;
        used += symbolOnes + 1;
      }
      WINDOW[window] = count | used << 4 | ones << 8;
    }
    for (int ones = 0; ones < 256; ones++) {
      int residuals = 0;
      for (int k = 0; k < 4; k++) {
        int symbolOnes = ones >>> (2 * k) & 3;
        byte r = symbolOnes < 3 ? RESIDUAL_OF_ONES[symbolOnes] : 0;
        residuals |= (r & 0xFF) << (8 * k);
      }
      FOUR_RESIDUALS[ones] = residuals;
    }
  }

  /** The bits of each residual's symbol, by its byte. */
  private static final byte[] SYMBOL_BITS = new byte[256];

  static {
    Arrays.fill(SYMBOL_BITS, (byte) ESCAPE_BITS);
    SYMBOL_BITS[0] = 1;
    SYMBOL_BITS[0xFF] = 2; // -1
    SYMBOL_BITS[1] = 3;
  }

  private final byte[] data; // the tile's bytes, then 8 zero bytes that whole-word reads may touch
  private final byte[] residuals; // 8 spare bytes: a window's residuals are stored 8 at a time
  private final byte[] columnSteps; // of the row being rebuilt
  private final byte[] groupWidths; // of the residuals last computed, packed in groups
  private final int[] groupValues = new int[GROUP]; // scratch for Lucene's encoder
  private final byte[] groupBytes = new byte[GROUP];
  private long codedLength;
  private long packedLength;

  PlanarCodedTile(int capacityPixels, int side) {
    this.data = new byte[capacityPixels + 8];
    this.residuals = new byte[capacityPixels + 8];
    // p(0, y), then D(x, y) for x > 0; whole groups of them
    this.columnSteps = new byte[Math.ceilDiv(side, GROUP) * GROUP];
    this.groupWidths = new byte[side * Math.ceilDiv(side, GROUP)];
  }

  /**
   * Computes the residuals of a tile of {@code w x h} one-byte codes into {@link #residuals}, and
   * the bytes the tile takes in each layout ({@link #codedLength}, {@link #packedLength}).
   */
  void residualsOf(byte[] tile, int w, int h) {
    byte[] r = residuals;
    long bits = 0;
    byte previous = 0;
    for (int x = 0; x < w; x++) {
      r[x] = (byte) (tile[x] - previous);
      previous = tile[x];
      bits += SYMBOL_BITS[r[x] & 0xFF];
    }
    for (int y = 1; y < h; y++) {
      int row = y * w;
      r[row] = (byte) (tile[row] - tile[row - w]);
      bits += SYMBOL_BITS[r[row] & 0xFF];
      for (int at = row + 1; at < row + w; at++) {
        r[at] = (byte) (tile[at] - tile[at - 1] - tile[at - w] + tile[at - w - 1]);
        bits += SYMBOL_BITS[r[at] & 0xFF];
      }
    }
    codedLength = Math.ceilDiv(bits, 8);
    int perRow = Math.ceilDiv(w, GROUP);
    long packed = Math.ceilDiv(h * perRow, 2);
    for (int y = 0; y < h; y++) {
      for (int k = 0; k < perRow; k++) {
        int or = 0;
        for (int x = k * GROUP; x < Math.min(w, (k + 1) * GROUP); x++) {
          or |= TileEncoding.zigzag(packedResidual(tile, w, x, y));
        }
        int width = 32 - Integer.numberOfLeadingZeros(or);
        groupWidths[y * perRow + k] = (byte) width;
        packed += width;
      }
    }
    packedLength = packed;
  }

  /** Bytes of the residuals last computed as {@link TileEncoding#PLANAR_CODED}. */
  long codedLength() {
    return codedLength;
  }

  /** Bytes of the residuals last computed as {@link TileEncoding#PLANAR_PACKED}. */
  long packedLength() {
    return packedLength;
  }

  /**
   * The residual {@link TileEncoding#PLANAR_PACKED} stores at (x, y) of a tile whose planar
   * residuals are in {@link #residuals}: that one, but from the left neighbour alone after the
   * first column of a key row.
   */
  private byte packedResidual(byte[] tile, int w, int x, int y) {
    int at = y * w + x;
    return y % KEY_ROWS == 0 && x > 0 ? (byte) (tile[at] - tile[at - 1]) : residuals[at];
  }

  /**
   * Writes a {@code w x h} tile, whose residuals {@link #residualsOf} computed last, as packed
   * groups.
   */
  void encodePacked(byte[] tile, int w, int h, ByteBuffersDataOutput out) {
    int groups = h * Math.ceilDiv(w, GROUP);
    TileEncoding.writeNibbles(groupWidths, groups, out);
    int perRow = Math.ceilDiv(w, GROUP);
    for (int g = 0; g < groups; g++) {
      int width = groupWidths[g];
      if (width == 0) {
        continue;
      }
      int y = g / perRow;
      int x0 = (g % perRow) * GROUP;
      for (int i = 0; i < GROUP; i++) {
        groupValues[i] = x0 + i < w ? TileEncoding.zigzag(packedResidual(tile, w, x0 + i, y)) : 0;
      }
      PackedInts.Encoder encoder = TileEncoding.encoder(width);
      encoder.encode(groupValues, 0, groupBytes, 0, GROUP / encoder.byteValueCount());
      out.writeBytes(groupBytes, width);
    }
  }

  /** Writes the {@code n} residuals last computed by {@link #residualsOf} as prefix codes. */
  void encodeCoded(int n, ByteBuffersDataOutput out) {
    long buffer = 0; // the pending bits, the first written highest
    int pending = 0;
    for (int i = 0; i < n; i++) {
      int r = residuals[i];
      int bits = SYMBOL_BITS[r & 0xFF];
      long symbol =
          switch (r) {
            case 0 -> 0b0;
            case -1 -> 0b10;
            case 1 -> 0b110;
            default -> 0b111_0000_0000L | (r & 0xFF);
          };
      buffer = buffer << bits | symbol;
      pending += bits;
      if (pending >= 8) {
        pending -= 8;
        out.writeByte((byte) (buffer >>> pending));
        if (pending >= 8) { // an escape leaves up to 18 bits
          pending -= 8;
          out.writeByte((byte) (buffer >>> pending));
        }
      }
    }
    if (pending > 0) {
      out.writeByte((byte) (buffer << (8 - pending)));
    }
  }

  /**
   * The scratch array to read {@code length} bytes of tile data into, zero-padded after them (the
   * decoder loads whole ints).
   */
  byte[] buffer(int length) {
    Arrays.fill(data, length, length + 8, (byte) 0);
    return data;
  }

  /**
   * Decodes rows {@code [y1, rowEnd)} of a tile of {@code w x h} pixels from the {@code length}
   * bytes in {@link #buffer} into {@code tile} (the rows above are decoded only as far as these
   * need), and returns how many of their columns {@code [x1, x2)} have a code in {@code [lo, lo +
   * span)}.
   */
  long decodeAndCount(
      int length, int w, int h, byte[] tile, int rowEnd, int x1, int y1, int x2, int lo, int span)
      throws CorruptIndexException {
    int symbols = rowEnd * w;
    long consumed = decodeResiduals(length, symbols);
    boolean whole = rowEnd == h;
    if (consumed > 8L * length || (whole && Math.ceilDiv(consumed, 8) != length)) {
      throw new CorruptIndexException(
          "planar-coded tile of "
              + w
              + "x"
              + h
              + " in "
              + length
              + " bytes used "
              + consumed
              + " bits",
          "tile");
    }
    return rebuild(w, w, tile, rowEnd, x1, y1, x2, lo, span);
  }

  /**
   * Decodes columns {@code [0, columns)} of rows {@code [y1, rowEnd)} of a tile of {@code w x h}
   * pixels in packed groups from the {@code length} bytes in {@link #buffer} into {@code tile}
   * (from the key row at or above {@code y1}: the rows above it only for their first residual, the
   * rows from it to {@code y1} only as far as their column of differences), and returns how many of
   * their columns {@code [x1, x2)} have a code in {@code [lo, lo + span)}, {@code x2 <= columns}.
   */
  long decodePackedAndCount(
      int length,
      int w,
      int h,
      byte[] tile,
      int columns,
      int rowEnd,
      int x1,
      int y1,
      int x2,
      int lo,
      int span)
      throws CorruptIndexException {
    int perRow = Math.ceilDiv(w, GROUP);
    int pos = Math.ceilDiv(h * perRow, 2);
    long total = pos;
    boolean wide = false;
    int b = 0;
    for (; b + Long.BYTES <= pos; b += Long.BYTES) { // sixteen widths at a time
      long widths = (long) LONG_BE.get(data, b);
      long pairs = (widths & LOW_NIBBLES) + (widths >>> 4 & LOW_NIBBLES); // at most 30 a byte
      total += (pairs * ONES) >>> 56; // the bytes' sum, at most 240
      wide |= (widths & (widths << 1 | widths << 2 | widths << 3) & HIGH_NIBBLE_BITS) != 0; // > 8
    }
    for (; b < pos; b++) { // two widths a byte (a last odd one padded with 0)
      int low = data[b] & 0x0F;
      int high = data[b] >>> 4 & 0x0F;
      total += low + high;
      wide |= low > 8 | high > 8;
    }
    if (wide || total != length) {
      throw new CorruptIndexException(
          "packed planar groups of " + total + " bytes in " + length, "tile");
    }
    // from the key row at or above y1: the rows above it only for their first residual, which
    // carries the first column down
    int first = y1 / KEY_ROWS * KEY_ROWS;
    int firstCode = 0;
    int g = 0;
    for (int y = 0; y < first; y++) {
      int width = width(g);
      int z = (int) ((long) LONG_BE.get(data, pos) >>> (64 - width)) & ((1 << width) - 1);
      firstCode += TileEncoding.unzigzag(z);
      for (int k = 0; k < perRow; k++, g++) {
        pos += width(g);
      }
    }
    // steps[0] is p(0, y) and steps[x] is D(x, y): a key row's residuals after the first are its
    // steps, the others' are added to the row above's; each group's residuals are added where they
    // are unpacked, with no second pass
    byte[] steps = columnSteps;
    int needed = Math.ceilDiv(columns, GROUP); // groups a row decodes
    steps[0] = (byte) firstCode;
    long count = 0;
    for (int y = first; y < rowEnd; y++) {
      if (y % KEY_ROWS == 0) {
        Arrays.fill(steps, 1, needed * GROUP, (byte) 0);
      }
      for (int k = 0; k < perRow; k++, g++) {
        int width = width(g);
        if (k < needed) { // eight values from one load, no branch on the width: one a byte
          long packed = (long) LONG_BE.get(data, pos) >>> (64 - GROUP * width); // 64 is 0
          long zigzagged = Long.expand(packed, LOW_BITS_OF_EACH_BYTE[width]); // first value highest
          int at = k * GROUP;
          LONG_BE.set(steps, at, addBytes((long) LONG_BE.get(steps, at), unzigzagBytes(zigzagged)));
        }
        pos += width;
      }
      if (y >= y1) {
        count += sumRow(tile, y * w, columns, x1, x2, lo, span);
      }
    }
    return count;
  }

  /** Group g's width, from the nibbles at the start of {@link #data}. */
  private int width(int g) {
    return TileEncoding.nibble(data, g);
  }

  /** Decodes the first {@code symbols} residuals; returns the bits they took. */
  private long decodeResiduals(int length, int symbols) throws CorruptIndexException {
    long bits = 0; // the next unread bits, highest first
    int available = 0;
    int next = 0; // the next byte of `data` to load
    int i = 0;
    while (i < symbols) {
      if (available < 32) {
        if (next >= length + 4) { // past any valid stream; stops before reading past the padding
          throw new CorruptIndexException(
              "planar-coded tile runs past its " + length + " bytes", "tile");
        }
        bits |= ((int) INT_BE.get(data, next) & 0xFFFFFFFFL) << (32 - available);
        available += 32;
        next += 4;
      }
      int entry = WINDOW[(int) (bits >>> (64 - WINDOW_BITS))];
      int count = entry & 0x0F;
      if (count == 0) { // '111' and a byte
        residuals[i++] = (byte) (bits >>> (64 - ESCAPE_BITS));
        bits <<= ESCAPE_BITS;
        available -= ESCAPE_BITS;
      } else if (i + count <= symbols) {
        INT_LE.set(residuals, i, FOUR_RESIDUALS[entry >>> 8 & 0xFF]);
        INT_LE.set(residuals, i + 4, FOUR_RESIDUALS[entry >>> 16 & 0xFF]);
        i += count;
        int used = entry >>> 4 & 0x0F;
        bits <<= used;
        available -= used;
      } else { // the last symbols: one at a time, so as not to consume past them
        int ones = Long.numberOfLeadingZeros(~bits);
        residuals[i++] = RESIDUAL_OF_ONES[ones];
        bits <<= ones + 1;
        available -= ones + 1;
      }
    }
    return 8L * next - available;
  }

  /**
   * Rebuilds columns {@code [0, columns)} of rows {@code [y1, rows)} from {@link #residuals} (the
   * rows above only as far as their column steps and first code, which the rows below need) and
   * counts their columns {@code [x1, x2)} in {@code [lo, lo + span)}.
   */
  private long rebuild(
      int w, int columns, byte[] tile, int rows, int x1, int y1, int x2, int lo, int span) {
    // steps[0] is p(0, y) and steps[x] is D(x, y): the same recurrence, one loop over the row
    byte[] steps = columnSteps;
    System.arraycopy(residuals, 0, steps, 0, columns);
    long count = 0;
    for (int y = 0; y < rows; y++) {
      int row = y * w;
      if (y > 0) {
        for (int x = 0; x < columns; x++) {
          steps[x] += residuals[row + x];
        }
      }
      if (y >= y1) {
        count += sumRow(tile, row, columns, x1, x2, lo, span);
      }
    }
    return count;
  }

  /**
   * Writes a row's first {@code columns} codes, the running sum of {@link #columnSteps}, at {@code
   * tile[at]}; returns how many of its columns {@code [x1, x2)} lie in {@code [lo, lo + span)}.
   * Three loops, so that the count costs nothing outside its columns (as {@code
   * TileEncoding.sumRow} does for packed rows, whose steps are unpacked residuals).
   */
  private int sumRow(byte[] tile, int at, int columns, int x1, int x2, int lo, int span) {
    byte[] steps = columnSteps;
    int from = Math.max(1, x1);
    int to = Math.max(from, x2);
    // v's low byte is the code; masking it only where compared keeps the sum's chain to one add
    int v = steps[0];
    tile[at] = (byte) v;
    int n = x1 == 0 && x2 > 0 && Integer.compareUnsigned((v & 0xFF) - lo, span) < 0 ? 1 : 0;
    for (int x = 1; x < from; x++) {
      v += steps[x];
      tile[at + x] = (byte) v;
    }
    for (int x = from; x < to; x++) {
      v += steps[x];
      tile[at + x] = (byte) v;
      n += Integer.compareUnsigned((v & 0xFF) - lo, span) < 0 ? 1 : 0;
    }
    for (int x = to; x < columns; x++) {
      v += steps[x];
      tile[at + x] = (byte) v;
    }
    return n;
  }

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_NIBBLES = 0x0F0F0F0F0F0F0F0FL;
  private static final long HIGH_NIBBLE_BITS = 0x8888888888888888L; // the top bit of each nibble

  /** For each width w in [0, 8], the low w bits of every byte of a long set. */
  private static final long[] LOW_BITS_OF_EACH_BYTE = new long[GROUP + 1];

  static {
    for (int w = 0; w <= GROUP; w++) {
      LOW_BITS_OF_EACH_BYTE[w] = ((1L << w) - 1) * ONES;
    }
  }

  /** {@link TileEncoding#unzigzag} of each byte of {@code z}, modulo 256. */
  private static long unzigzagBytes(long z) {
    return (z >>> 1 & ~HIGH_BITS) ^ (z & ONES) * 0xFF;
  }

  /** The bytes of {@code a} and {@code b} added lane by lane, modulo 256 (no carry between). */
  private static long addBytes(long a, long b) {
    return ((a & ~HIGH_BITS) + (b & ~HIGH_BITS)) ^ ((a ^ b) & HIGH_BITS);
  }
}
