package dev.masksearch.codec;

import java.io.IOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.util.compress.LZ4;
import org.apache.lucene.util.packed.PackedInts;

/**
 * Encodes and decodes one tile of {@link TiledMaskStorage}: its codes as little-endian bytes, row
 * by row. Not thread-safe: it keeps scratch buffers for tiles of up to {@code capacity} bytes.
 *
 * <pre>
 * TileData    := Code                               -- CONSTANT: every pixel has this code
 *              | Code0, Code1, Bits[ceil(n / 8)]    -- TWO_CODES: pixel i has Code1 where bit (i &amp; 7) of
 *                                                      byte i &gt;&gt; 3 is set, else Code0
 *              | LZ4Block                           -- LZ4_RESIDUALS: Lucene's LZ4 (fast table) of Residuals
 *              | Width[B * h] (4 bits, low nibble first, padded to a byte), PackedRow[B * h]
 *                                                   -- PACKED_RESIDUALS
 *              | Pixel[n]                           -- RAW: the codes, little-endian
 *              | PlanarCoded                        -- PLANAR_CODED (B = 1, version 2 on): see
 *                                                      PlanarCodedTile
 *              | PlanarPacked                       -- PLANAR_PACKED (B = 1, version 4 on): see
 *                                                      PlanarCodedTile
 * Residuals   := Plane[B]; Plane[k] := for each row y, each column x: r(x, y) of byte k of the codes, where
 *                r(x, y) = p(x, y) - p(x - 1, y) for x &gt; 0, p(0, y) - p(0, y - 1) for x = 0 (p(0, -1) = 0),
 *                mod 256
 * PackedRow   := the row's w residuals, zigzag-encoded ((r &lt;&lt; 1) ^ (r &gt;&gt; 7) of the signed byte) and padded
 *                with zeros to a multiple of 8, packed Width bits each by Lucene's PackedInts (PACKED
 *                format); absent when Width = 0
 * </pre>
 *
 * {@code n = w * h} is the tile's pixel count and {@code B} the bytes per pixel. The writer takes
 * CONSTANT when it applies, else prefix-coded planar residuals (in best compression) if strictly
 * shorter than every other kind tried, else packed planar residuals (from version 4 on) if strictly
 * shorter than the kinds after them, else LZ4 residuals if strictly shorter than the packed ones
 * and than the fallback, else packed residuals if strictly shorter than the fallback, else the
 * fallback: TWO_CODES for a tile of two codes (unless its raw pixels are shorter), RAW otherwise.
 * Where it writes planar residuals, LZ4 is tried only on tiles whose row residuals are at least
 * half zeros. Residuals are therefore always shorter than the pixels. Packed rows run plane by
 * plane ({@code row = k * h + y}), as do the Width nibbles. Smooth maps pack well (small
 * residuals), near-binary ones with soft edges LZ4 well (runs); both encode without the large hash
 * tables of LZ4's high-compression mode and decode at memory speed.
 */
final class TileEncoding {
  static final int CONSTANT = 0;
  static final int TWO_CODES = 1;
  static final int LZ4_RESIDUALS = 2;
  static final int PACKED_RESIDUALS = 3;
  static final int RAW = 4;
  static final int PLANAR_CODED = 5;
  static final int PLANAR_PACKED = 6;

  /** Kinds fit in 3 bits of a tile entry. */
  static final int KIND_BITS = 3;

  private static final PackedInts.Encoder[] ENCODERS = new PackedInts.Encoder[9];

  static {
    for (int bits = 1; bits <= 8; bits++) {
      ENCODERS[bits] =
          PackedInts.getEncoder(PackedInts.Format.PACKED, PackedInts.VERSION_CURRENT, bits);
    }
  }

  /** Lucene's PACKED encoder of {@code bits} bits a value, 1 to 8. */
  static PackedInts.Encoder encoder(int bits) {
    return ENCODERS[bits];
  }

  private static final PackedInts.Decoder DECODER_1 = decoder(1);
  private static final PackedInts.Decoder DECODER_2 = decoder(2);
  private static final PackedInts.Decoder DECODER_3 = decoder(3);
  private static final PackedInts.Decoder DECODER_4 = decoder(4);
  private static final PackedInts.Decoder DECODER_5 = decoder(5);
  private static final PackedInts.Decoder DECODER_6 = decoder(6);
  private static final PackedInts.Decoder DECODER_7 = decoder(7);
  private static final PackedInts.Decoder DECODER_8 = decoder(8);

  private static PackedInts.Decoder decoder(int bits) {
    PackedInts.Decoder decoder =
        PackedInts.getDecoder(PackedInts.Format.PACKED, PackedInts.VERSION_CURRENT, bits);
    // eight values take `bits` bytes, in whole iterations
    assert 8 % decoder.byteValueCount() == 0
        && decoder.byteBlockCount() * 8 / decoder.byteValueCount() == bits;
    return decoder;
  }

  private final int bpp;
  private final byte[] residuals;
  private final int[] values;
  private final byte[] scratch;
  private final int capacityPixels;
  private final int side;
  private final boolean writesPlanarCoded;
  private final boolean writesPlanarPacked;
  private PlanarCodedTile planar; // scratch, made on the first planar-coded tile
  private LZ4.FastCompressionHashTable table;
  private ByteBuffersDataOutput lz4;

  /**
   * For tiles of pixels of {@code bpp} bytes, at most {@code side} pixels a side; whether {@link
   * #encode} may write tiles of one byte a pixel as {@link #PLANAR_CODED} (best compression,
   * version 2 on) and as {@link #PLANAR_PACKED} (version 4 on); any instance decodes every kind.
   */
  TileEncoding(
      int bpp,
      int capacityPixels,
      int side,
      boolean writesPlanarCoded,
      boolean writesPlanarPacked) {
    this.bpp = bpp;
    this.capacityPixels = capacityPixels;
    this.side = side;
    this.writesPlanarCoded = writesPlanarCoded && bpp == 1;
    this.writesPlanarPacked = writesPlanarPacked && bpp == 1;
    this.residuals = new byte[capacityPixels * bpp];
    this.values = new int[Math.ceilDiv(side, 8) * 8];
    this.scratch = new byte[Math.max(capacityPixels * bpp, values.length)];
  }

  /**
   * The bytes of one tile's data of a kind, for a tile of {@code n} pixels, in files whose tiles
   * are of kinds up to {@code lastKind}.
   */
  static boolean validLength(int kind, long length, long n, int bpp, int lastKind) {
    if (kind > lastKind) {
      return false;
    }
    return switch (kind) {
      case PLANAR_CODED -> bpp == 1 && length >= (n + 7) / 8 && length < n;
      case PLANAR_PACKED -> bpp == 1 && length >= 1 && length < n;
      case CONSTANT -> length == bpp;
      case TWO_CODES -> length == 2L * bpp + ((n + 7) >>> 3);
      case LZ4_RESIDUALS, PACKED_RESIDUALS -> length >= 1 && length < n * bpp;
      case RAW -> length == n * bpp;
      default -> false;
    };
  }

  /** Writes a tile of {@code w x h} pixels, its codes in {@code tile}; returns its kind. */
  int encode(byte[] tile, int w, int h, ByteBuffersDataOutput data) throws IOException {
    int n = w * h;
    int code0 = code(tile, 0);
    int code1 = code0;
    boolean atMostTwo = true;
    for (int i = 1; i < n && atMostTwo; i++) {
      int c = code(tile, i);
      if (c != code0 && c != code1) {
        atMostTwo = code1 == code0;
        code1 = c;
      }
    }
    if (atMostTwo && code1 == code0) {
      writeCode(data, code0);
      return CONSTANT;
    }
    toResiduals(tile, w, h);
    long packed = packedLength(w, h);
    boolean planarTried = writesPlanarCoded || writesPlanarPacked;
    if (planarTried) {
      planar().residualsOf(tile, w, h);
    }
    long coded = writesPlanarCoded ? planar.codedLength() : Long.MAX_VALUE;
    long planarPacked = writesPlanarPacked ? planar.packedLength() : Long.MAX_VALUE;
    // LZ4 wins on runs of equal residuals (flat areas, soft edges); where planar codes are
    // written, it is tried only on tiles whose residuals are at least half zeros: on the others
    // it changed the stored bytes of the synthetic and real masks measured by under 0.1%, and it
    // is the costliest step of encoding
    long lz4Length = Long.MAX_VALUE;
    if (!planarTried || zeroResiduals(n) * 2 >= n) {
      if (table == null) {
        table = new LZ4.FastCompressionHashTable();
        lz4 = new ByteBuffersDataOutput();
      }
      lz4.reset();
      LZ4.compress(residuals, 0, n * bpp, lz4, table);
      lz4Length = lz4.size();
    }
    // two codes: a bitmap, unless the residuals of a binary edge are shorter still (or the raw
    // pixels, for a tile of a few pixels); residuals are kept only when shorter than the pixels
    long raw = (long) n * bpp;
    long bitmap = 2L * bpp + ((n + 7) >>> 3);
    long best = atMostTwo ? Math.min(bitmap, raw) : raw;
    if (coded < planarPacked && coded < lz4Length && coded < packed && coded < best) {
      planar.encodeCoded(n, data);
      return PLANAR_CODED;
    }
    if (planarPacked < lz4Length && planarPacked < packed && planarPacked < best) {
      planar.encodePacked(tile, w, h, data);
      return PLANAR_PACKED;
    }
    if (lz4Length < packed && lz4Length < best) {
      lz4.copyTo(data);
      return LZ4_RESIDUALS;
    }
    if (packed < best) {
      writePacked(w, h, data);
      return PACKED_RESIDUALS;
    }
    if (atMostTwo && bitmap <= raw) {
      writeCode(data, code0);
      writeCode(data, code1);
      byte[] bits = new byte[(n + 7) >>> 3];
      for (int i = 0; i < n; i++) {
        if (code(tile, i) == code1) {
          bits[i >>> 3] |= (byte) (1 << (i & 7));
        }
      }
      data.writeBytes(bits, bits.length);
      return TWO_CODES;
    }
    data.writeBytes(tile, n * bpp);
    return RAW;
  }

  /**
   * Decodes a tile of {@code w x h} pixels of a kind from {@code in}, {@code length} bytes, into
   * {@code tile}.
   */
  void decode(int kind, DataInput in, int length, int w, int h, byte[] tile) throws IOException {
    decode(kind, in, length, w, h, tile, 0, h);
  }

  /**
   * Decodes at least rows {@code [rowStart, rowEnd)} of a tile (what counting a rectangle of it
   * needs) and reads its {@code length} bytes; returns whether the whole tile was decoded. With one
   * byte per pixel, packed residuals decode only those rows and the first residual of the rows
   * above (the first column runs down the tile), LZ4 and planar residuals up to the last row; every
   * other case decodes the whole tile.
   */
  boolean decode(
      int kind, DataInput in, int length, int w, int h, byte[] tile, int rowStart, int rowEnd)
      throws IOException {
    int n = w * h;
    boolean part = bpp == 1 && (rowStart > 0 || rowEnd < h);
    switch (kind) {
      case CONSTANT -> {
        int code = readCode(in);
        for (int i = 0; i < n; i++) {
          putCode(tile, i, code);
        }
      }
      case TWO_CODES -> {
        int code0 = readCode(in);
        int code1 = readCode(in);
        for (int i = 0; i < n; i += 8) {
          byte bits = in.readByte();
          for (int j = i; j < Math.min(n, i + 8); j++) {
            putCode(tile, j, (bits >>> (j - i) & 1) == 0 ? code0 : code1);
          }
        }
      }
      case LZ4_RESIDUALS -> {
        in.readBytes(scratch, 0, length); // LZ4 reads byte by byte: from an array, not the file
        ByteArrayDataInput block = new ByteArrayDataInput(scratch, 0, length);
        int needed = part ? rowEnd * w : n * bpp; // LZ4 stops once it has decoded that much
        int end;
        try {
          end = LZ4.decompress(block, needed, residuals, 0);
        } catch (IndexOutOfBoundsException | IOException e) {
          // LZ4 reports a malformed block as an IOException (a match before the start) or runs
          // past the arrays; the block is in memory, so no I/O can fail here
          throw new CorruptIndexException("not an LZ4 block of " + n * bpp + " bytes", in, e);
        }
        // the array holds more than the block: reading past its length is corruption too
        boolean whole = end == n * bpp && block.getPosition() == length;
        if (block.getPosition() > length || (part ? end < needed || end > n : !whole)) {
          throw new CorruptIndexException("not an LZ4 block of " + n * bpp + " bytes", in);
        }
        fromResiduals(w, part ? rowEnd : h, tile);
        return !part;
      }
      case PACKED_RESIDUALS -> {
        in.readBytes(scratch, 0, length);
        unpack(length, w, h, tile, part ? rowStart : 0, part ? rowEnd : h);
        return !part;
      }
      case PLANAR_CODED, PLANAR_PACKED -> {
        decodeAndCount(
            kind, in, length, w, h, tile, w, 0, part ? rowStart : 0, 0, part ? rowEnd : h, 0, 0);
        return !part;
      }
      default -> in.readBytes(tile, 0, n * bpp);
    }
    return true;
  }

  private PlanarCodedTile planar() {
    if (planar == null) {
      planar = new PlanarCodedTile(capacityPixels, side);
    }
    return planar;
  }

  private int zeroResiduals(int n) {
    int zeros = 0;
    for (int i = 0; i < n; i++) {
      zeros += residuals[i] == 0 ? 1 : 0;
    }
    return zeros;
  }

  private void toResiduals(byte[] tile, int w, int h) {
    int n = w * h;
    for (int k = 0; k < bpp; k++) {
      for (int y = 0; y < h; y++) {
        int row = y * w;
        byte above = y == 0 ? 0 : tile[(row - w) * bpp + k];
        residuals[k * n + row] = (byte) (tile[row * bpp + k] - above);
        for (int x = 1; x < w; x++) {
          residuals[k * n + row + x] =
              (byte) (tile[(row + x) * bpp + k] - tile[(row + x - 1) * bpp + k]);
        }
      }
    }
  }

  /**
   * Undoes {@link #toResiduals} for rows {@code [0, rows)}: a running sum along each row, started
   * from the row above.
   */
  private void fromResiduals(int w, int rows, byte[] tile) {
    int n = bpp == 1 ? 0 : w * rows; // planes are n apart; only whole tiles have several
    for (int k = 0; k < bpp; k++) {
      byte first = 0;
      for (int y = 0; y < rows; y++) {
        int row = y * w;
        first = (byte) (first + residuals[k * n + row]);
        byte v = first;
        tile[row * bpp + k] = v;
        for (int x = 1; x < w; x++) {
          v = (byte) (v + residuals[k * n + row + x]);
          tile[(row + x) * bpp + k] = v;
        }
      }
    }
  }

  /** A residual zigzagged: 0, -1, 1, -2 ... to 0, 1, 2, 3 ... */
  static int zigzag(byte r) {
    return ((r << 1) ^ (r >> 7)) & 0xFF;
  }

  private int rowWidth(int row, int w) {
    int max = 0;
    for (int x = 0; x < w; x++) {
      max |= zigzag(residuals[row * w + x]);
    }
    return 32 - Integer.numberOfLeadingZeros(max);
  }

  private long packedLength(int w, int h) {
    long length = Math.ceilDiv(bpp * h, 2);
    for (int row = 0; row < bpp * h; row++) {
      length += (long) Math.ceilDiv(w, 8) * rowWidth(row, w);
    }
    return length;
  }

  private void writePacked(int w, int h, ByteBuffersDataOutput data) {
    int rows = bpp * h;
    byte[] widths = new byte[rows];
    for (int row = 0; row < rows; row++) {
      widths[row] = (byte) rowWidth(row, w);
    }
    writeNibbles(widths, rows, data);
    int padded = Math.ceilDiv(w, 8) * 8;
    for (int row = 0; row < rows; row++) {
      int bits = widths[row];
      if (bits == 0) {
        continue;
      }
      for (int x = 0; x < padded; x++) {
        values[x] = x < w ? zigzag(residuals[row * w + x]) : 0;
      }
      PackedInts.Encoder encoder = ENCODERS[bits];
      int iterations = padded / encoder.byteValueCount();
      encoder.encode(values, 0, scratch, 0, iterations);
      data.writeBytes(scratch, iterations * encoder.byteBlockCount());
    }
  }

  /** Whether {@link #decodeAndCount} counts tiles of this kind as it decodes them. */
  boolean countsWhileDecoding(int kind) {
    return bpp == 1 && (kind == PACKED_RESIDUALS || kind == PLANAR_CODED || kind == PLANAR_PACKED);
  }

  /**
   * Decodes rows {@code [y1, y2)} of a tile of one byte per pixel, {@link #PACKED_RESIDUALS} or
   * planar, into {@code tile} (as {@link #decode} does for those rows, but only columns {@code [0,
   * columns)}, {@code x2 <= columns}, for packed row and packed planar residuals: a running sum
   * needs nothing to the right of what it counts; prefix-coded planar tiles decode every column)
   * and returns how many of their codes in columns {@code [x1, x2)} lie in {@code [lo, lo + span)}:
   * counted in the running sum that decodes them, with no second pass over the tile.
   */
  long decodeAndCount(
      int kind,
      DataInput in,
      int length,
      int w,
      int h,
      byte[] tile,
      int columns,
      int x1,
      int y1,
      int x2,
      int y2,
      int lo,
      int span)
      throws IOException {
    assert countsWhileDecoding(kind) && x2 <= columns && columns <= w;
    if (kind != PACKED_RESIDUALS) {
      in.readBytes(planar().buffer(length), 0, length);
      return kind == PLANAR_CODED
          ? planar.decodeAndCount(length, w, h, tile, y2, x1, y1, x2, lo, span)
          : planar.decodePackedAndCount(
              length, w, h, tile, Math.max(1, columns), y2, x1, y1, x2, lo, span);
    }
    in.readBytes(scratch, 0, length);
    // at least the first column: the next rows' first codes run down it
    return unpackBytes(length, w, h, tile, y1, y2, Math.max(1, columns), x1, x2, lo, span);
  }

  /**
   * Decodes packed residuals from {@link #scratch} into {@code tile}: for one byte per pixel
   * straight into the pixels (unpack, un-zigzag and sum in one pass), else through {@link
   * #residuals}.
   */
  private void unpack(int length, int w, int h, byte[] tile, int rowStart, int rowEnd)
      throws CorruptIndexException {
    if (bpp == 1) {
      unpackBytes(length, w, h, tile, rowStart, rowEnd, w, 0, 0, 0, 0);
      return;
    }
    checkPacked(length, w, h);
    int padded = Math.ceilDiv(w, 8) * 8;
    int pos = Math.ceilDiv(bpp * h, 2);
    for (int row = 0; row < bpp * h; row++) {
      pos = unpackRow(row, pos, w, padded);
      for (int x = 0; x < w; x++) {
        residuals[row * w + x] = (byte) unzigzag(values[x]);
      }
    }
    fromResiduals(w, h, tile);
  }

  /**
   * Decodes columns {@code [0, cols)} of rows {@code [rowStart, rowEnd)} of packed one-byte
   * residuals from {@link #scratch} straight into {@code tile}, unpacking only the first residual
   * of the rows above (the first column runs down the tile); returns the codes of those rows in
   * columns {@code [x1, x2)}, {@code x2 <= cols}, that lie in {@code [lo, lo + span)}.
   */
  private long unpackBytes(
      int length,
      int w,
      int h,
      byte[] tile,
      int rowStart,
      int rowEnd,
      int cols,
      int x1,
      int x2,
      int lo,
      int span)
      throws CorruptIndexException {
    checkPacked(length, w, h);
    int padded = Math.ceilDiv(w, 8) * 8;
    int pos = Math.ceilDiv(h, 2);
    int first = 0; // the code in the first column of the row above
    long count = 0;
    for (int row = 0; row < rowEnd; row++) {
      pos = unpackRow(row, pos, row >= rowStart ? cols : 1, padded);
      first = (first + unzigzag(values[0])) & 0xFF;
      if (row >= rowStart) {
        count += sumRow(tile, row * w, first, cols, x1, x2, lo, span);
      }
    }
    return count;
  }

  /**
   * Writes a row's first {@code cols} codes, {@code first} and then the running sum of {@link
   * #values} (zigzagged residuals), at {@code tile[at]}; returns how many of its columns {@code
   * [x1, x2)} lie in {@code [lo, lo + span)}. Three loops, so that the count costs nothing outside
   * its columns.
   */
  private int sumRow(byte[] tile, int at, int first, int cols, int x1, int x2, int lo, int span) {
    int from = Math.max(1, x1);
    int to = Math.max(from, x2);
    // v's low byte is the code; masking it only where compared keeps the sum's chain to one add
    int v = first;
    tile[at] = (byte) v;
    int n = x1 == 0 && x2 > 0 && Integer.compareUnsigned(v - lo, span) < 0 ? 1 : 0;
    for (int x = 1; x < from; x++) {
      v += unzigzag(values[x]);
      tile[at + x] = (byte) v;
    }
    for (int x = from; x < to; x++) {
      v += unzigzag(values[x]);
      tile[at + x] = (byte) v;
      n += Integer.compareUnsigned((v & 0xFF) - lo, span) < 0 ? 1 : 0;
    }
    for (int x = to; x < cols; x++) {
      v += unzigzag(values[x]);
      tile[at + x] = (byte) v;
    }
    return n;
  }

  /** Checks the row widths of packed residuals in {@link #scratch} against their length. */
  private void checkPacked(int length, int w, int h) throws CorruptIndexException {
    int rows = bpp * h;
    long total = Math.ceilDiv(rows, 2);
    for (int row = 0; row < rows; row++) {
      if (width(row) > 8) {
        throw new CorruptIndexException(
            "row " + row + " packed " + width(row) + " bits a byte", "tile of " + w + "x" + h);
      }
      total += (long) Math.ceilDiv(w, 8) * width(row);
    }
    if (total != length) {
      throw new CorruptIndexException(
          "packed rows of " + total + " bytes in " + length, "tile of " + w + "x" + h);
    }
  }

  /**
   * Unpacks at least the first {@code cols} residuals of packed row {@code row}, which starts at
   * {@code pos} in {@link #scratch}, into {@link #values}; returns where the next row starts.
   */
  private int unpackRow(int row, int pos, int cols, int padded) {
    int bits = width(row);
    if (bits == 0) {
      java.util.Arrays.fill(values, 0, cols, 0);
      return pos;
    }
    // one call site per width: each stays monomorphic, so the JIT inlines Lucene's bulk decoder
    int blocks = (cols + 7) >>> 3; // eight values take `bits` bytes at every width
    switch (bits) {
      case 1 ->
          DECODER_1.decode(scratch, pos, values, 0, blocks * (8 / DECODER_1.byteValueCount()));
      case 2 ->
          DECODER_2.decode(scratch, pos, values, 0, blocks * (8 / DECODER_2.byteValueCount()));
      case 3 ->
          DECODER_3.decode(scratch, pos, values, 0, blocks * (8 / DECODER_3.byteValueCount()));
      case 4 ->
          DECODER_4.decode(scratch, pos, values, 0, blocks * (8 / DECODER_4.byteValueCount()));
      case 5 ->
          DECODER_5.decode(scratch, pos, values, 0, blocks * (8 / DECODER_5.byteValueCount()));
      case 6 ->
          DECODER_6.decode(scratch, pos, values, 0, blocks * (8 / DECODER_6.byteValueCount()));
      case 7 ->
          DECODER_7.decode(scratch, pos, values, 0, blocks * (8 / DECODER_7.byteValueCount()));
      default ->
          DECODER_8.decode(scratch, pos, values, 0, blocks * (8 / DECODER_8.byteValueCount()));
    }
    return pos + padded / 8 * bits;
  }

  /** Row {@code row}'s bit width, from the nibbles at the start of {@link #scratch}. */
  private int width(int row) {
    return nibble(scratch, row);
  }

  /**
   * Writes the first {@code count} of {@code values} (each under 16) two a byte, the first in the
   * low nibble, the last byte padded with 0: the widths of packed rows and of packed planar groups.
   */
  static void writeNibbles(byte[] values, int count, ByteBuffersDataOutput out) {
    for (int i = 0; i < count; i += 2) {
      out.writeByte((byte) (values[i] | (i + 1 < count ? values[i + 1] << 4 : 0)));
    }
  }

  /** Nibble {@code i} of the bytes written by {@link #writeNibbles}. */
  static int nibble(byte[] bytes, int i) {
    return (bytes[i >>> 1] >>> ((i & 1) << 2)) & 0x0F;
  }

  /** Undoes {@link #zigzag}. */
  static int unzigzag(int z) {
    return (z >>> 1) ^ -(z & 1);
  }

  private int code(byte[] pixels, int i) {
    int c = 0;
    for (int k = 0; k < bpp; k++) {
      c |= (pixels[i * bpp + k] & 0xFF) << (8 * k);
    }
    return c;
  }

  private void writeCode(ByteBuffersDataOutput out, int code) {
    writeCode(out, code, bpp);
  }

  /** Writes a code of {@code bpp} bytes, little-endian (tiles and {@link RunMask}). */
  static void writeCode(ByteBuffersDataOutput out, int code, int bpp) {
    for (int k = 0; k < bpp; k++) {
      out.writeByte((byte) (code >>> (8 * k)));
    }
  }

  /** A pixel's code, little-endian. */
  int readCode(DataInput in) throws IOException {
    return readCode(in, bpp);
  }

  /** Reads a code of {@code bpp} bytes, little-endian (tiles and {@link RunMask}). */
  static int readCode(DataInput in, int bpp) throws IOException {
    int c = 0;
    for (int k = 0; k < bpp; k++) {
      c |= (in.readByte() & 0xFF) << (8 * k);
    }
    return c;
  }

  private void putCode(byte[] tile, int i, int code) {
    for (int k = 0; k < bpp; k++) {
      tile[i * bpp + k] = (byte) (code >>> (8 * k));
    }
  }
}
