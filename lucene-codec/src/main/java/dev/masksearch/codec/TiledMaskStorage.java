package dev.masksearch.codec;

import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.PixelCounts;
import dev.masksearch.mask.Shape;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteArrayDataOutput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.IndexInput;

/**
 * MaskSearch20's mask storage: the mask cut into square tiles of {@code S = tileSide} pixels (the
 * last column and row of tiles end at the mask's edge), each encoded on its own ({@link
 * TileEncoding}), so that a verification decodes only the tiles under the cells the CHI leaves
 * undecided. The tile side is a multiple of the field's grid step ({@link #tileSideFor}), so a cell
 * never spans two tiles.
 *
 * <pre>
 * StoredMask := TiledMask | RunMask              -- RunMask from version 1 on (see RunMask)
 * TiledMask  := TileEntry[T], TileData[T]       -- T = ceil(W / S) * ceil(H / S), tiles row-major
 * TileEntry  := VInt(Length &lt;&lt; 3 | Kind)       -- Length: the bytes of the tile's TileData (see TileEncoding)
 * </pre>
 *
 * From version 1 on ({@link #runMasks}), a mask of at most two codes is stored as a {@link RunMask}
 * when that is shorter than its tiles; a reader tells the two apart by the first byte. From version
 * 2 on ({@link #planarCoded}), tiles of one byte a pixel may be {@link TileEncoding#PLANAR_CODED},
 * which writers in {@link MaskSearch20DocValuesFormat.Mode#BEST_COMPRESSION} store where shorter;
 * from version 4 on also {@link TileEncoding#PLANAR_PACKED}, which writers in either mode store
 * where shorter.
 *
 * @param tileSide the side of a tile, in pixels
 * @param version the version of MaskSearch20's files (see {@link MaskSearch20DocValuesFormat})
 * @param bestCompression whether {@link #encode} writes in best compression (version 2 and later)
 *     rather than at the defaults; a reader passes the mode its field's meta records (it reads
 *     every tile kind of its version whatever the mode; a merge copies stored masks between
 *     storages that write alike: {@link #storesAs})
 */
record TiledMaskStorage(int tileSide, int version, boolean bestCompression) implements MaskStorage {
  TiledMaskStorage {
    if (bestCompression && version < MaskSearch20DocValuesFormat.VERSION_PLANAR_CODED) {
      throw new IllegalArgumentException("version " + version + " has no planar-coded tiles");
    }
  }

  /** A storage that writes at the defaults (best speed). */
  TiledMaskStorage(int tileSide, int version) {
    this(tileSide, version, false);
  }

  /** The smallest tile side; a tile of a finer grid holds several cells. */
  static final int MIN_TILE_SIDE = 16;

  /** The tile side for a grid step: the step, or its smallest multiple of at least 16 pixels. */
  static int tileSideFor(int gridStep) {
    return gridStep >= MIN_TILE_SIDE ? gridStep : gridStep * Math.ceilDiv(MIN_TILE_SIDE, gridStep);
  }

  /** Whether masks may be stored as runs (version 1 and later). */
  boolean runMasks() {
    return version >= MaskSearch20DocValuesFormat.VERSION_RUN_MASKS;
  }

  /** Whether tiles may be planar-coded, and fields record their mode (version 2 and later). */
  boolean planarCoded() {
    return version >= MaskSearch20DocValuesFormat.VERSION_PLANAR_CODED;
  }

  /**
   * Whether tiles may be packed planar residuals, and are written so where shorter (version 4 on).
   */
  boolean planarPacked() {
    return version >= MaskSearch20DocValuesFormat.VERSION_PLANAR_PACKED;
  }

  /** The last tile kind files of this version may hold. */
  int lastKind() {
    if (planarPacked()) {
      return TileEncoding.PLANAR_PACKED;
    }
    return planarCoded() ? TileEncoding.PLANAR_CODED : TileEncoding.RAW;
  }

  /**
   * Storages store masks alike when they write the same tile kinds (version 2 added prefix-coded
   * planar tiles, which only best compression writes; version 3 the CHI's records after the masks;
   * version 4 packed planar tiles, which both modes write; version 5 changed the CHI alone), with
   * runs or without (version 0 stored masks of two codes as tiles where later versions may store
   * runs).
   */
  @Override
  public boolean storesAs(MaskStorage target) {
    return target instanceof TiledMaskStorage tiled
        && tiled.tileSide == tileSide
        && tiled.bestCompression == bestCompression
        && tiled.planarPacked() == planarPacked()
        && tiled.runMasks() == runMasks();
  }

  private int tiles(int height, int width) {
    return Math.ceilDiv(width, tileSide) * Math.ceilDiv(height, tileSide);
  }

  /** Bytes of the largest tile of a mask. */
  private long tileBytes(StoredMask stored) {
    return Math.min((long) tileSide * tileSide * stored.dtype().bytesPerPixel(), stored.rawBytes());
  }

  @Override
  public byte[] encode(Mask mask) {
    int bpp = mask.dtype().bytesPerPixel();
    int width = mask.width();
    int height = mask.height();
    byte[] raw = mask.rawBytes();
    int capacity = Math.min(tileSide * tileSide, mask.pixelCount());
    byte[] tile = new byte[capacity * bpp];
    TileEncoding encoding =
        new TileEncoding(bpp, capacity, tileSide, bestCompression, planarPacked());
    ByteBuffersDataOutput entries = new ByteBuffersDataOutput();
    ByteBuffersDataOutput data = new ByteBuffersDataOutput();
    try {
      for (int oy = 0; oy < height; oy += tileSide) {
        for (int ox = 0; ox < width; ox += tileSide) {
          int tw = Math.min(tileSide, width - ox);
          int th = Math.min(tileSide, height - oy);
          for (int y = 0; y < th; y++) {
            System.arraycopy(raw, ((oy + y) * width + ox) * bpp, tile, y * tw * bpp, tw * bpp);
          }
          long start = data.size();
          int kind = encoding.encode(tile, tw, th, data);
          entries.writeVInt(
              Math.toIntExact(((data.size() - start) << TileEncoding.KIND_BITS) | kind));
        }
      }
      byte[] stored = new byte[Math.toIntExact(entries.size() + data.size())];
      entries.copyTo(new ByteArrayDataOutput(stored));
      data.copyTo(new ByteArrayDataOutput(stored, (int) entries.size(), (int) data.size()));
      byte[] runs = runMasks() ? RunMask.encode(mask) : null;
      return runs != null && runs.length < stored.length ? runs : stored;
    } catch (IOException e) { // writing to memory
      throw new UncheckedIOException(e);
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
    long min = runMasks() ? Math.min(2 * tiles, RunMask.minLength(dtype)) : 2 * tiles;
    if (length < min || length > max) {
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

  /**
   * The mask, a tile and the scratch to decode one (about three tiles, and a row of ints; two more
   * tiles, a row and a width a group for planar tiles), and the directory (kind, start and entry:
   * 14 bytes a tile).
   */
  @Override
  public long readBytes(IndexInput in, StoredMask stored) throws IOException {
    if (isRunMask(in)) {
      return stored.rawBytes() + RunMask.readBytes(stored.length());
    }
    return stored.rawBytes()
        + 6 * tileBytes(stored)
        + 5L * (tileSide + 8)
        + (long) tileSide * Math.ceilDiv(tileSide, PlanarCodedTile.GROUP)
        + 64
        + 16
        + 14L * (tiles(stored.height(), stored.width()) + 1);
  }

  /** Whether the mask in {@code in} is a {@link RunMask}; leaves the input at its start. */
  private boolean isRunMask(IndexInput in) throws IOException {
    if (!runMasks() || in.length() == 0) {
      return false;
    }
    in.seek(0);
    boolean runs = in.readByte() == RunMask.MARKER;
    in.seek(0);
    return runs;
  }

  @Override
  public Mask decode(IndexInput in, StoredMask stored) throws IOException {
    if (isRunMask(in)) {
      return RunMask.read(in, stored, in.length()).toMask(in);
    }
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
  public CpBounds.Pixels pixels(IndexInput in, StoredMask stored, int lo, int span) {
    // read when the first rectangle needs it
    TileReader[] tiles = new TileReader[1];
    RunMask[] runs = new RunMask[1];
    return new CpBounds.Pixels() {
      @Override
      public long count(int x1, int y1, int x2, int y2) throws IOException {
        if (open()) {
          return runs[0].count(x1, y1, x2, y2, lo, span);
        }
        return tiles[0].count(x1, y1, x2, y2, lo, span);
      }

      @Override
      public long count(Shape shape, int x1, int y1, int x2, int y2) throws IOException {
        if (open()) {
          return CpBounds.Pixels.super.count(shape, x1, y1, x2, y2);
        }
        return tiles[0].count(shape, x1, y1, x2, y2, lo, span);
      }

      /** Reads the mask's runs or tile directory the first time; whether it is a run mask. */
      private boolean open() throws IOException {
        if (runs[0] == null && tiles[0] == null) {
          if (isRunMask(in)) {
            runs[0] = RunMask.read(in, stored, in.length());
          } else {
            tiles[0] = new TileReader(in, stored);
          }
        }
        return runs[0] != null;
      }
    };
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
    private final TileEncoding encoding;
    final byte[] tile;
    private int decoded = -1; // the tile in `tile`, and its rows and columns decoded
    private int decodedFrom;
    private int decodedTo;
    private int decodedColumns;

    TileReader(IndexInput in, StoredMask stored) throws IOException {
      this.in = in;
      this.stored = stored;
      this.bpp = stored.dtype().bytesPerPixel();
      this.tilesX = Math.ceilDiv(stored.width(), tileSide);
      this.tileCount = tiles(stored.height(), stored.width());
      this.kinds = new byte[tileCount];
      this.starts = new long[tileCount + 1];
      this.tile = new byte[(int) tileBytes(stored)];
      this.encoding = new TileEncoding(bpp, tile.length / bpp, tileSide, false, false);
      readDirectory();
    }

    /** Reads the tile entries (at most five bytes each) in one go, then checks them. */
    private void readDirectory() throws IOException {
      byte[] directory = new byte[(int) Math.min(5L * tileCount, in.length())];
      in.seek(0);
      in.readBytes(directory, 0, directory.length);
      int pos = 0;
      long end = 0;
      for (int t = 0; t < tileCount; t++) {
        int entry = 0;
        for (int shift = 0; ; shift += 7) {
          if (pos == directory.length || shift == 35) {
            throw corrupt("invalid tile entry " + t);
          }
          byte b = directory[pos++];
          entry |= (b & 0x7F) << shift;
          if (b >= 0) {
            break;
          }
        }
        if (entry < 0) {
          throw corrupt("invalid tile entry " + t);
        }
        kinds[t] = (byte) (entry & ((1 << TileEncoding.KIND_BITS) - 1));
        long length = entry >>> TileEncoding.KIND_BITS;
        long n = (long) tileWidth(t) * tileHeight(t);
        if (!TileEncoding.validLength(kinds[t], length, n, bpp, lastKind())) {
          throw corrupt("tile " + t + " of kind " + kinds[t] + " has " + length + " bytes");
        }
        starts[t + 1] = end += length; // relative to the first tile until the loop ends
      }
      for (int t = 0; t <= tileCount; t++) {
        starts[t] += pos;
      }
      if (starts[tileCount] != in.length()) {
        throw corrupt("tiles end at " + starts[tileCount] + " of " + in.length() + " bytes");
      }
    }

    int tileWidth(int t) {
      return Math.min(tileSide, stored.width() - (t % tilesX) * tileSide);
    }

    int tileHeight(int t) {
      return Math.min(tileSide, stored.height() - (t / tilesX) * tileSide);
    }

    /** Decodes tile t into {@link #tile}, its codes row-major and little-endian. */
    void decode(int t) throws IOException {
      decode(t, 0, tileHeight(t));
    }

    /**
     * Decodes at least rows [rowStart, rowEnd) of tile t, unless they are decoded already (a tile
     * of a finer grid serves several cells).
     */
    private void decode(int t, int rowStart, int rowEnd) throws IOException {
      if (holds(t, rowStart, rowEnd, tileWidth(t))) {
        return;
      }
      decoded = -1;
      in.seek(starts[t]);
      boolean whole;
      try {
        whole =
            encoding.decode(
                kinds[t], in, length(t), tileWidth(t), tileHeight(t), tile, rowStart, rowEnd);
      } catch (EOFException e) {
        throw pastEnd(t, e);
      }
      decoded(t, whole ? 0 : rowStart, whole ? tileHeight(t) : rowEnd, tileWidth(t));
    }

    /**
     * The pixels of rows [ay, by) and columns [ax, bx) of tile t (in the tile's coordinates) whose
     * code lies in [lo, lo + span), counted from {@link #tile} when it holds them. Otherwise packed
     * and planar-coded one-byte residuals are counted as they are decoded: up to column bx the
     * first time the tile is counted (one cell a tile at grid steps of 16 and more), the whole
     * width when the tile was counted before (the next cell of a finer grid, counted left to right,
     * and the cells after it); other tiles are decoded, then counted.
     */
    private long count(int t, int ax, int ay, int bx, int by, int lo, int span) throws IOException {
      if (!holds(t, ay, by, bx)) {
        if (!encoding.countsWhileDecoding(kinds[t])) {
          decode(t, ay, by);
        } else {
          int columns = decoded == t ? tileWidth(t) : bx;
          decoded = -1;
          in.seek(starts[t]);
          // reads exactly the tile's length, which the directory checked lies within the mask
          long count =
              encoding.decodeAndCount(
                  kinds[t],
                  in,
                  length(t),
                  tileWidth(t),
                  tileHeight(t),
                  tile,
                  columns,
                  ax,
                  ay,
                  bx,
                  by,
                  lo,
                  span);
          boolean whole = kinds[t] == TileEncoding.PLANAR_CODED; // decodes every column
          decoded(t, ay, by, whole ? tileWidth(t) : columns);
          return count;
        }
      }
      return PixelCounts.count(tile, stored.dtype(), tileWidth(t), ax, ay, bx, by, lo, span);
    }

    /** Whether {@link #tile} holds columns [0, columns) of rows [rowStart, rowEnd) of tile t. */
    private boolean holds(int t, int rowStart, int rowEnd, int columns) {
      return decoded == t
          && decodedFrom <= rowStart
          && rowEnd <= decodedTo
          && columns <= decodedColumns;
    }

    /**
     * Records that {@link #tile} holds columns [0, columns) of rows [from, to) of tile t, read to
     * its end.
     */
    private void decoded(int t, int from, int to, int columns) throws CorruptIndexException {
      if (in.getFilePointer() != starts[t + 1]) {
        throw corrupt("tile " + t + " does not end where the next starts");
      }
      decoded = t;
      decodedFrom = from;
      decodedTo = to;
      decodedColumns = columns;
    }

    private int length(int t) {
      return (int) (starts[t + 1] - starts[t]);
    }

    private CorruptIndexException pastEnd(int t, EOFException e) {
      return new CorruptIndexException("tile " + t + " runs past the mask's bytes", in, e);
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
          if (kinds[t] == TileEncoding.CONSTANT) { // no need to expand it
            in.seek(starts[t]);
            boolean inRange = Integer.compareUnsigned(encoding.readCode(in) - lo, span) < 0;
            count += inRange ? (long) (bx - ax) * (by - ay) : 0;
            continue;
          }
          count += count(t, ax, ay, bx, by, lo, span);
        }
      }
      return count;
    }

    /**
     * The pixels of {@code shape} in a rectangle whose code lies in [lo, lo + span): each tile's
     * rows under the rectangle decoded once, then the shape's spans counted on them.
     */
    long count(Shape shape, int x1, int y1, int x2, int y2, int lo, int span) throws IOException {
      long count = 0;
      for (int ty = y1 / tileSide; ty * tileSide < y2; ty++) {
        for (int tx = x1 / tileSide; tx * tileSide < x2; tx++) {
          int t = ty * tilesX + tx;
          int ox = tx * tileSide;
          int oy = ty * tileSide;
          int ax = Math.max(x1, ox);
          int ay = Math.max(y1, oy);
          int bx = Math.min(x2, ox + tileSide);
          int by = Math.min(y2, oy + tileSide);
          boolean constant = kinds[t] == TileEncoding.CONSTANT;
          boolean constantInRange = false;
          if (constant) { // no need to expand it
            in.seek(starts[t]);
            constantInRange = Integer.compareUnsigned(encoding.readCode(in) - lo, span) < 0;
            if (!constantInRange) {
              continue;
            }
          } else {
            decode(t, ay - oy, by - oy);
          }
          int s = shape.firstSpanFrom(ay, ax);
          for (int y = ay; y < by; y++) {
            for (s = shape.firstSpanFrom(s, y, ax);
                s < shape.spanCount() && shape.y(s) == y && shape.x1(s) < bx;
                s++) {
              int from = Math.max(shape.x1(s), ax);
              int to = Math.min(shape.x2(s), bx);
              count +=
                  constant
                      ? to - from
                      : PixelCounts.count(
                          tile,
                          stored.dtype(),
                          tileWidth(t),
                          from - ox,
                          y - oy,
                          to - ox,
                          y - oy + 1,
                          lo,
                          span);
            }
          }
        }
      }
      return count;
    }

    private CorruptIndexException corrupt(String message) {
      return new CorruptIndexException(message, in);
    }
  }
}
