package dev.masksearch.codec;

import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.PixelCounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteArrayDataOutput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.compress.LZ4;

/**
 * MaskSearch20's mask storage: the mask cut into square tiles of {@code S = tileSide} pixels (the
 * last column and row of tiles end at the mask's edge), each encoded on its own, so that a
 * verification decodes only the tiles under the cells the CHI leaves undecided. The tile side is a
 * multiple of the field's grid step ({@link #tileSideFor}), so a cell never spans two tiles.
 *
 * <pre>
 * TiledMask := TileEntry[T], TileData[T]       -- T = ceil(W / S) * ceil(H / S), tiles row-major
 * TileEntry := VInt(Length &lt;&lt; 2 | Kind)       -- Length: the bytes of the tile's TileData
 * TileData  := Code                            -- Kind 0, constant: every pixel has this code
 *            | Code0, Code1, Bits[ceil(n / 8)] -- Kind 1, two codes: pixel i has Code1 where bit (i &amp; 7)
 *                                               of byte i &gt;&gt; 3 is set, else Code0
 *            | LZ4Block                        -- Kind 2: Lucene's LZ4 of the tile's planes (byte k of every
 *                                               pixel, as differences from the previous pixel, as in
 *                                               RawMaskCompression), shorter than the pixels
 *            | Pixel[n]                        -- Kind 3, raw: the codes, little-endian
 * Code      := the B bytes of one pixel's code, little-endian
 * </pre>
 *
 * {@code n} is the tile's pixel count, row-major within the tile, and {@code B} the bytes per
 * pixel. The writer picks the first kind that applies, and LZ4 (high compression: decoding costs
 * the same, and the tiles are small) over raw only when it is shorter. docs/design.md has the
 * measurements behind the choice: per-tile DEFLATE is smaller (22% against 30% of the raw 8-bit
 * saliency maps) but four times slower to decode.
 */
record TiledMaskStorage(int tileSide) implements MaskStorage {
  /** The smallest tile side; a tile of a finer grid holds several cells. */
  static final int MIN_TILE_SIDE = 16;

  static final int CONSTANT = 0;
  static final int TWO_CODES = 1;
  static final int LZ4_PLANES = 2;
  static final int RAW = 3;

  /** The tile side for a grid step: the step, or its smallest multiple of at least 16 pixels. */
  static int tileSideFor(int gridStep) {
    return gridStep >= MIN_TILE_SIDE ? gridStep : gridStep * Math.ceilDiv(MIN_TILE_SIDE, gridStep);
  }

  private int tiles(int height, int width) {
    return Math.ceilDiv(width, tileSide) * Math.ceilDiv(height, tileSide);
  }

  @Override
  public byte[] encode(Mask mask) {
    int bpp = mask.dtype().bytesPerPixel();
    int width = mask.width();
    int height = mask.height();
    byte[] raw = mask.rawBytes();
    int capacity = Math.min(tileSide * tileSide, mask.pixelCount()) * bpp;
    byte[] tile = new byte[capacity];
    byte[] planes = new byte[capacity];
    LZ4.HighCompressionHashTable table = new LZ4.HighCompressionHashTable();
    ByteBuffersDataOutput entries = new ByteBuffersDataOutput();
    ByteBuffersDataOutput data = new ByteBuffersDataOutput();
    ByteBuffersDataOutput lz4 = new ByteBuffersDataOutput();
    try {
      for (int oy = 0; oy < height; oy += tileSide) {
        for (int ox = 0; ox < width; ox += tileSide) {
          int tw = Math.min(tileSide, width - ox);
          int th = Math.min(tileSide, height - oy);
          for (int y = 0; y < th; y++) {
            System.arraycopy(raw, ((oy + y) * width + ox) * bpp, tile, y * tw * bpp, tw * bpp);
          }
          long start = data.size();
          int kind = encodeTile(tile, tw * th, bpp, planes, table, lz4, data);
          entries.writeVInt(Math.toIntExact(((data.size() - start) << 2) | kind));
        }
      }
      byte[] stored = new byte[Math.toIntExact(entries.size() + data.size())];
      entries.copyTo(new ByteArrayDataOutput(stored));
      data.copyTo(new ByteArrayDataOutput(stored, (int) entries.size(), (int) data.size()));
      return stored;
    } catch (IOException e) { // writing to memory
      throw new UncheckedIOException(e);
    }
  }

  /** Writes one tile's data; returns its kind. */
  private static int encodeTile(
      byte[] tile,
      int n,
      int bpp,
      byte[] planes,
      LZ4.HighCompressionHashTable table,
      ByteBuffersDataOutput lz4,
      ByteBuffersDataOutput data)
      throws IOException {
    int code0 = code(tile, 0, bpp);
    int code1 = code0;
    boolean atMostTwo = true;
    for (int i = 1; i < n && atMostTwo; i++) {
      int c = code(tile, i, bpp);
      if (c != code0 && c != code1) {
        atMostTwo = code1 == code0;
        code1 = c;
      }
    }
    if (atMostTwo && code1 == code0) {
      writeCode(data, code0, bpp);
      return CONSTANT;
    }
    if (atMostTwo) {
      writeCode(data, code0, bpp);
      writeCode(data, code1, bpp);
      byte[] bits = new byte[(n + 7) >>> 3];
      for (int i = 0; i < n; i++) {
        if (code(tile, i, bpp) == code1) {
          bits[i >>> 3] |= (byte) (1 << (i & 7));
        }
      }
      data.writeBytes(bits, bits.length);
      return TWO_CODES;
    }
    for (int k = 0; k < bpp; k++) {
      byte previous = 0;
      for (int i = 0; i < n; i++) {
        byte b = tile[i * bpp + k];
        planes[k * n + i] = (byte) (b - previous);
        previous = b;
      }
    }
    lz4.reset();
    LZ4.compress(planes, 0, n * bpp, lz4, table);
    if (lz4.size() < (long) n * bpp) {
      lz4.copyTo(data);
      return LZ4_PLANES;
    }
    data.writeBytes(tile, n * bpp);
    return RAW;
  }

  private static int code(byte[] pixels, int i, int bpp) {
    int c = 0;
    for (int k = 0; k < bpp; k++) {
      c |= (pixels[i * bpp + k] & 0xFF) << (8 * k);
    }
    return c;
  }

  private static void writeCode(ByteBuffersDataOutput out, int code, int bpp) {
    for (int k = 0; k < bpp; k++) {
      out.writeByte((byte) (code >>> (8 * k)));
    }
  }

  /**
   * At least two bytes a tile (an entry and a constant's code), at most the raw pixels plus, per
   * tile, a five-byte entry and two codes.
   */
  @Override
  public void checkLength(long length, MaskDType dtype, int height, int width, String resource)
      throws CorruptIndexException {
    long tiles = tiles(height, width);
    int bpp = dtype.bytesPerPixel();
    long max = (long) height * width * bpp + tiles * (5 + 2L * bpp);
    if (length < 2 * tiles || length > max) {
      throw new CorruptIndexException(
          "a "
              + height
              + "x"
              + width
              + " mask in "
              + tiles
              + " tiles cannot be stored in "
              + length
              + " bytes",
          resource);
    }
  }

  /** The mask, two tiles and the tile directory. */
  @Override
  public long readBytes(StoredMask stored) {
    long tile =
        Math.min((long) tileSide * tileSide * stored.dtype().bytesPerPixel(), stored.rawBytes());
    return stored.rawBytes() + 2 * tile + 5L * tiles(stored.height(), stored.width());
  }

  @Override
  public Mask decode(IndexInput in, StoredMask stored) throws IOException {
    TileReader reader = new TileReader(in, stored);
    int bpp = stored.dtype().bytesPerPixel();
    int width = stored.width();
    byte[] raw = new byte[Math.toIntExact(stored.rawBytes())];
    for (int t = 0; t < reader.tileCount; t++) {
      reader.decode(t);
      int ox = (t % reader.tilesX) * tileSide;
      int oy = (t / reader.tilesX) * tileSide;
      int tw = reader.tileWidth(t);
      for (int y = 0; y < reader.tileHeight(t); y++) {
        System.arraycopy(reader.tile, y * tw * bpp, raw, ((oy + y) * width + ox) * bpp, tw * bpp);
      }
    }
    try {
      return Mask.of(stored.dtype(), stored.height(), width, raw);
    } catch (MaskFormatException e) { // pixels that no mask has, such as a float above 1
      throw new CorruptIndexException("stored mask: " + e.getMessage(), in, e);
    }
  }

  @Override
  public CpBounds.Pixels pixels(IndexInput in, StoredMask stored, int lo, int span)
      throws IOException {
    TileReader reader = new TileReader(in, stored);
    return (x1, y1, x2, y2) -> reader.count(x1, y1, x2, y2, lo, span);
  }

  /** One stored mask's tiles: its directory, read first, and one decoded tile at a time. */
  private final class TileReader {
    private final IndexInput in;
    private final StoredMask stored;
    private final int bpp;
    final int tilesX;
    final int tileCount;
    private final byte[] kinds;
    private final long[] starts; // of each tile's data in `in`, and the end
    final byte[] tile;
    private byte[] planes; // for LZ4 tiles of several bytes per pixel
    private int decoded = -1;

    TileReader(IndexInput in, StoredMask stored) throws IOException {
      this.in = in;
      this.stored = stored;
      this.bpp = stored.dtype().bytesPerPixel();
      this.tilesX = Math.ceilDiv(stored.width(), tileSide);
      this.tileCount = tiles(stored.height(), stored.width());
      this.kinds = new byte[tileCount];
      this.starts = new long[tileCount + 1];
      this.tile = new byte[(int) Math.min((long) tileSide * tileSide * bpp, stored.rawBytes())];
      readDirectory();
    }

    private void readDirectory() throws IOException {
      in.seek(0);
      long[] lengths = new long[tileCount];
      for (int t = 0; t < tileCount; t++) {
        int entry = readEntry();
        kinds[t] = (byte) (entry & 3);
        lengths[t] = entry >>> 2;
        long n = (long) tileWidth(t) * tileHeight(t);
        boolean valid =
            switch (kinds[t]) {
              case CONSTANT -> lengths[t] == bpp;
              case TWO_CODES -> lengths[t] == 2L * bpp + ((n + 7) >>> 3);
              case LZ4_PLANES -> lengths[t] >= 1 && lengths[t] < n * bpp;
              default -> lengths[t] == n * bpp;
            };
        if (!valid) {
          throw corrupt("tile " + t + " of kind " + kinds[t] + " has " + lengths[t] + " bytes");
        }
      }
      starts[0] = in.getFilePointer();
      for (int t = 0; t < tileCount; t++) {
        starts[t + 1] = starts[t] + lengths[t];
      }
      if (starts[tileCount] != in.length()) {
        throw corrupt("tiles end at " + starts[tileCount] + " of " + in.length() + " bytes");
      }
    }

    /** A tile entry: a vint of at most 31 bits. */
    private int readEntry() throws IOException {
      int value = 0;
      for (int shift = 0; shift < 32; shift += 7) {
        if (in.getFilePointer() >= in.length()) {
          throw corrupt("the tile directory runs past the mask's bytes");
        }
        byte b = in.readByte();
        if (shift == 28 && (b & 0xF8) != 0) {
          break;
        }
        value |= (b & 0x7F) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw corrupt("invalid tile entry");
    }

    int tileWidth(int t) {
      return Math.min(tileSide, stored.width() - (t % tilesX) * tileSide);
    }

    int tileHeight(int t) {
      return Math.min(tileSide, stored.height() - (t / tilesX) * tileSide);
    }

    /** Decodes tile t into {@link #tile}, its codes row-major and little-endian. */
    void decode(int t) throws IOException {
      if (decoded == t) {
        return;
      }
      decoded = -1;
      int n = tileWidth(t) * tileHeight(t);
      in.seek(starts[t]);
      switch (kinds[t]) {
        case CONSTANT -> fill(readCode(), n);
        case TWO_CODES -> {
          int code0 = readCode();
          int code1 = readCode();
          for (int i = 0; i < n; i += 8) {
            byte bits = in.readByte();
            for (int j = i; j < Math.min(n, i + 8); j++) {
              putCode(j, (bits >>> (j - i) & 1) == 0 ? code0 : code1);
            }
          }
        }
        case LZ4_PLANES -> decodeLz4(t, n);
        default -> in.readBytes(tile, 0, n * bpp);
      }
      decoded = t;
    }

    private void decodeLz4(int t, int n) throws IOException {
      byte[] target = tile;
      if (bpp > 1) {
        if (planes == null) {
          planes = new byte[tile.length];
        }
        target = planes;
      }
      int end;
      try {
        end = LZ4.decompress(in, n * bpp, target, 0);
      } catch (IndexOutOfBoundsException | IOException e) {
        // LZ4 reports a malformed block as an IOException (a match before the start), or runs past
        // the tile or the mask; the tile's bytes are in memory-mapped files, not read from a device
        throw new CorruptIndexException(
            "tile " + t + " is not an LZ4 block of " + n * bpp + " bytes", in, e);
      }
      if (end != n * bpp || in.getFilePointer() != starts[t + 1]) {
        throw corrupt("tile " + t + " is not an LZ4 block of " + n * bpp + " bytes");
      }
      for (int k = 0; k < bpp; k++) { // undo the differences, planes back to pixels
        byte previous = 0;
        for (int i = 0; i < n; i++) {
          previous = (byte) (previous + target[k * n + i]);
          tile[i * bpp + k] = previous;
        }
      }
    }

    private int readCode() throws IOException {
      int c = 0;
      for (int k = 0; k < bpp; k++) {
        c |= (in.readByte() & 0xFF) << (8 * k);
      }
      return c;
    }

    private void putCode(int i, int code) {
      for (int k = 0; k < bpp; k++) {
        tile[i * bpp + k] = (byte) (code >>> (8 * k));
      }
    }

    private void fill(int code, int n) {
      for (int i = 0; i < n; i++) {
        putCode(i, code);
      }
    }

    /** The pixels of a rectangle whose code lies in [lo, lo + span), tile by tile. */
    long count(int x1, int y1, int x2, int y2, int lo, int span) throws IOException {
      long count = 0;
      for (int ty = y1 / tileSide; ty * tileSide < y2; ty++) {
        for (int tx = x1 / tileSide; tx * tileSide < x2; tx++) {
          int t = ty * tilesX + tx;
          int ox = tx * tileSide;
          int oy = ty * tileSide;
          int ax = Math.max(x1, ox) - ox;
          int ay = Math.max(y1, oy) - oy;
          int bx = Math.min(x2, ox + tileSide) - ox;
          int by = Math.min(y2, oy + tileSide) - oy;
          if (kinds[t] == CONSTANT) { // no need to expand it
            in.seek(starts[t]);
            boolean inRange = Integer.compareUnsigned(readCode() - lo, span) < 0;
            count += inRange ? (long) (bx - ax) * (by - ay) : 0;
            continue;
          }
          decode(t);
          count += PixelCounts.count(tile, stored.dtype(), tileWidth(t), ax, ay, bx, by, lo, span);
        }
      }
      return count;
    }

    private CorruptIndexException corrupt(String message) {
      return new CorruptIndexException(message, in);
    }
  }
}
