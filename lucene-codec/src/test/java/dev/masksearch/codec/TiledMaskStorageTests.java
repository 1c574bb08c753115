package dev.masksearch.codec;

import dev.masksearch.chi.CpBounds;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PixelCounts;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.Shape;
import dev.masksearch.mask.ValueRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.ByteBuffersIndexInput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.util.BitUtil;

/**
 * MaskSearch20's tiles: every mask decodes to its pixels, every rectangle counts as a brute force
 * over the mask does (rectangles cutting tiles at every offset, one pixel, empty, the whole mask),
 * every tile kind is written, and a stored mask changed in any way decodes to some mask or is a
 * {@link CorruptIndexException}, never another failure.
 */
public class TiledMaskStorageTests extends LuceneTestCase {

  /** Tile kinds seen across the round trips of one run. */
  private final Set<Kind> kindsSeen = EnumSet.noneOf(Kind.class);

  private enum Kind {
    CONSTANT,
    TWO_CODES,
    LZ4_RESIDUALS,
    PACKED_RESIDUALS,
    RAW,
    PLANAR_CODED,
    PLANAR_PACKED,
    /** A whole mask as runs (version 1 on), not a tile kind. */
    RUN_MASK
  }

  /** The version of the files that writers write. */
  private static final int CURRENT = FormatVersion.V20.versionCurrent();

  private static final EnumSet<Kind> TILE_KINDS_V0 = EnumSet.range(Kind.CONSTANT, Kind.RAW);
  private static final EnumSet<Kind> TILE_KINDS = EnumSet.range(Kind.CONSTANT, Kind.PLANAR_PACKED);

  public void testRoundTripAndCounts() throws IOException {
    // binary noise in tiles (no run masks): a bitmap is its shortest tile, whatever the random
    // masks below happen to write
    byte[] noise = new byte[40 * 40];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = random().nextBoolean() ? 0 : (byte) 255;
    }
    roundTripAndCount(
        new TiledMaskStorage(TiledMaskStorage.tileSideFor(32), 0),
        Mask.of(MaskDType.UINT8, 40, 40, noise));
    assertTrue("noise is stored as bitmaps: " + kindsSeen, kindsSeen.contains(Kind.TWO_CODES));
    // and a bowl, nearly planar, as planar-coded residuals
    roundTripAndCount(
        new TiledMaskStorage(TiledMaskStorage.tileSideFor(16), CURRENT, true), fixedBowl());
    assertTrue("bowls are planar-coded: " + kindsSeen, kindsSeen.contains(Kind.PLANAR_CODED));
    // and at the defaults, as packed planar residuals (best compression writes some too: the
    // kinds of this round trip alone)
    Set<Kind> before = EnumSet.noneOf(Kind.class);
    before.addAll(kindsSeen);
    kindsSeen.clear();
    roundTripAndCount(
        new TiledMaskStorage(TiledMaskStorage.tileSideFor(32), CURRENT, false), fixedBowl());
    assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PLANAR_PACKED));
    kindsSeen.addAll(before);
    for (int i = 0; i < atLeast(60); i++) {
      int step = new int[] {1, 3, 4, 8, 16, 32, 56}[random().nextInt(7)];
      TiledMaskStorage storage = randomStorage(TiledMaskStorage.tileSideFor(step));
      assertEquals(0, storage.tileSide() % step);
      roundTripAndCount(storage, randomMask(random(), storage.tileSide()));
    }
    assertTrue("every tile kind is written: " + kindsSeen, kindsSeen.containsAll(TILE_KINDS));
  }

  private void roundTripAndCount(TiledMaskStorage storage, Mask mask) throws IOException {
    byte[] stored = storage.encode(mask);
    recordKinds(stored, mask, storage.tileSide());
    assertTrue(storage.runMasks() || stored[0] != RunMask.MARKER);
    StoredMask where = where(mask, stored);
    storage.checkLength(stored.length, mask.dtype(), mask.height(), mask.width(), "test");
    assertTrue(storage.readBytes(input(stored), where) >= where.rawBytes());
    CodecTestMasks.assertSameMask("round trip", mask, storage.decode(input(stored), where));

    for (int q = 0; q < 20; q++) {
      ValueRange range = randomRange(random());
      long codes = PixelCounts.codes(mask.dtype(), range);
      CpBounds.Pixels pixels =
          storage.pixels(input(stored), where, (int) (codes >>> 32), (int) codes);
      for (int k = 0; k < 10; k++) {
        Roi r = randomRect(random(), mask.width(), mask.height(), storage.tileSide());
        assertEquals(
            r + " " + range,
            mask.countPixels(r, range),
            pixels.count(r.x1(), r.y1(), r.x2(), r.y2()));
      }
    }
  }

  /**
   * One reader counts rectangles and shapes in any order, each as a brute force over the mask does:
   * a tile decoded only up to one rectangle's right edge is decoded further for a later count that
   * needs more of its columns, and a shape's rows (decoded whole) serve the rectangles after them.
   */
  public void testShapesAndRectanglesInAnyOrderOnOneReader() throws IOException {
    for (int i = 0; i < atLeast(30); i++) {
      int step = new int[] {4, 8, 16, 32}[random().nextInt(4)];
      TiledMaskStorage storage = randomStorage(TiledMaskStorage.tileSideFor(step));
      // smooth maps store packed tiles, which a rectangle decodes only up to its right edge
      Mask mask =
          random().nextBoolean()
              ? randomMask(random(), storage.tileSide())
              : smoothMask(
                  random(),
                  1 + random().nextInt(3 * storage.tileSide()),
                  1 + random().nextInt(3 * storage.tileSide()));
      byte[] stored = storage.encode(mask);
      recordKinds(stored, mask, storage.tileSide());
      ValueRange range = randomRange(random());
      long codes = PixelCounts.codes(mask.dtype(), range);
      CpBounds.Pixels pixels =
          storage.pixels(input(stored), where(mask, stored), (int) (codes >>> 32), (int) codes);
      Mask regionMask =
          CodecTestMasks.randomMask(random(), MaskDType.UINT8, mask.height(), mask.width());
      Shape shape = Shape.ofMask(regionMask, random().nextDouble());
      for (int k = 0; k < 20; k++) {
        Roi r = randomRect(random(), mask.width(), mask.height(), storage.tileSide());
        if (random().nextBoolean()) {
          assertEquals(
              "shape in " + r + " " + range,
              shape.intersect(r).countPixels(mask, range),
              pixels.count(shape, r.x1(), r.y1(), r.x2(), r.y2()));
        } else {
          assertEquals(
              r + " " + range,
              mask.countPixels(r, range),
              pixels.count(r.x1(), r.y1(), r.x2(), r.y2()));
        }
      }
    }
    assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PACKED_RESIDUALS));
  }

  /**
   * From version 1 on, masks of at most two codes (binary instance masks, constant masks, two codes
   * at random, in every dtype) are stored as runs when that is shorter than their tiles, never
   * longer, and decode and count like any mask: empty, one-pixel and whole-mask rectangles, every
   * range.
   */
  public void testMasksOfTwoCodesAreStoredAsRunsWhereShorter() throws IOException {
    int runMasks = 0;
    for (int i = 0; i < atLeast(100); i++) {
      TiledMaskStorage storage =
          new TiledMaskStorage(
              TiledMaskStorage.tileSideFor(1 + random().nextInt(40)),
              MaskSearch20DocValuesFormat.VERSION_RUN_MASKS);
      Mask mask = twoCodeMask(random(), 1 + random().nextInt(120), 1 + random().nextInt(120));
      byte[] stored = storage.encode(mask);
      byte[] tiled = new TiledMaskStorage(storage.tileSide(), 0).encode(mask);
      assertTrue(stored.length <= tiled.length);
      if (stored[0] == RunMask.MARKER) {
        runMasks++;
      } else {
        assertArrayEquals("tiles as in version 0", tiled, stored);
      }
      StoredMask where = where(mask, stored);
      storage.checkLength(stored.length, mask.dtype(), mask.height(), mask.width(), "test");
      CodecTestMasks.assertSameMask("round trip", mask, storage.decode(input(stored), where));
      for (int q = 0; q < 10; q++) {
        ValueRange range = randomRange(random());
        long codes = PixelCounts.codes(mask.dtype(), range);
        CpBounds.Pixels pixels =
            storage.pixels(input(stored), where, (int) (codes >>> 32), (int) codes);
        for (int k = 0; k < 10; k++) {
          Roi r =
              switch (random().nextInt(4)) {
                case 0 -> new Roi(0, 0, mask.width(), mask.height());
                case 1 -> {
                  int x = random().nextInt(mask.width());
                  int y = random().nextInt(mask.height());
                  yield new Roi(x, y, x + 1, y + 1);
                }
                default -> randomRect(random(), mask.width(), mask.height(), storage.tileSide());
              };
          assertEquals(
              r + " " + range,
              mask.countPixels(r, range),
              pixels.count(r.x1(), r.y1(), r.x2(), r.y2()));
        }
      }
    }
    assertTrue("some masks were stored as runs", runMasks > 0);
  }

  /** Run masks that no writer makes are each a {@link CorruptIndexException}, never a count. */
  public void testCorruptRunMasksAreReported() throws IOException {
    TiledMaskStorage storage = new TiledMaskStorage(16, CURRENT);
    Mask mask = Mask.of(MaskDType.UINT8, 2, 4, new byte[8]);
    long[][] runs = {
      {4, 0, 4}, // an empty run
      {4, 5}, // past the pixels
      {4}, // short of them
      {0, 8}, // an empty first run
    };
    List<byte[]> cases = new ArrayList<>();
    for (long[] r : runs) {
      cases.add(runMask(r.length, r, 0));
    }
    cases.add(runMask(1, new long[] {8}, 1)); // a byte after the runs
    cases.add(runMask(100, new long[] {8}, 0)); // more runs than bytes
    for (byte[] stored : cases) {
      StoredMask where = where(mask, stored);
      expectThrows(CorruptIndexException.class, () -> storage.decode(input(stored), where));
      CpBounds.Pixels pixels = storage.pixels(input(stored), where, 0, 256);
      expectThrows(CorruptIndexException.class, () -> pixels.count(0, 0, 4, 2));
    }
    byte[] valid = runMask(1, new long[] {8}, 0);
    CodecTestMasks.assertSameMask("valid", mask, storage.decode(input(valid), where(mask, valid)));
  }

  /** A uint8 run mask of codes 0 and 255: the marker, the codes, the count and the runs' deltas. */
  private static byte[] runMask(int count, long[] runs, int trailing) throws IOException {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    out.writeByte(RunMask.MARKER);
    out.writeByte((byte) 0);
    out.writeByte((byte) 255);
    out.writeVLong(count);
    long[] previous = new long[2];
    for (int i = 0; i < runs.length; i++) {
      out.writeVLong(BitUtil.zigZagEncode(runs[i] - previous[i & 1]));
      previous[i & 1] = runs[i];
    }
    for (int t = 0; t < trailing; t++) {
      out.writeByte((byte) 0);
    }
    return out.toArrayCopy();
  }

  /** A binary instance mask of COCO's usual size takes a few hundred bytes, not 300 KB. */
  public void testBinaryInstanceMaskTakesAFewHundredBytes() throws IOException {
    int height = 480;
    int width = 640;
    byte[] raw = new byte[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double dx = (x - 300) / 180.0;
        double dy = (y - 250) / 140.0;
        raw[y * width + x] = (byte) (dx * dx + dy * dy <= 1 ? 255 : 0);
      }
    }
    Mask mask = Mask.of(MaskDType.UINT8, height, width, raw);
    TiledMaskStorage storage = new TiledMaskStorage(32, CURRENT);
    byte[] stored = storage.encode(mask);
    assertEquals(RunMask.MARKER, stored[0]);
    assertTrue(stored.length + " bytes", stored.length < 1000);
    CodecTestMasks.assertSameMask(
        "round trip", mask, storage.decode(input(stored), where(mask, stored)));
  }

  /** A mask of at most two codes of a random dtype: blobs, a rectangle, noise or constant. */
  private static Mask twoCodeMask(Random r, int height, int width) {
    MaskDType dtype = CodecTestMasks.randomDType(r);
    boolean binary = r.nextBoolean();
    int code0 = binary ? 0 : CodecTestMasks.codeOf(dtype, r.nextDouble());
    int code1 = binary ? dtype.maxCode() : CodecTestMasks.codeOf(dtype, r.nextDouble());
    int flavour = r.nextInt(4);
    double p = r.nextDouble();
    int cx = r.nextInt(width);
    int cy = r.nextInt(height);
    int radius = 1 + r.nextInt(Math.max(height, width));
    int bpp = dtype.bytesPerPixel();
    byte[] data = new byte[height * width * bpp];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean one =
            switch (flavour) {
              case 0 -> (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
              case 1 -> x >= cx && y >= cy && x < cx + radius && y < cy + radius;
              case 2 -> r.nextDouble() < p;
              default -> binary;
            };
        int code = one ? code1 : code0;
        for (int k = 0; k < bpp; k++) {
          data[(y * width + x) * bpp + k] = (byte) (code >>> (8 * k));
        }
      }
    }
    return Mask.of(dtype, height, width, data);
  }

  /**
   * Every column offset of a rectangle across tile boundaries counts right, on a random mask, on a
   * mask smooth along rows stored as packed residuals and on one smooth in both directions stored
   * as planar residuals, prefix-coded (best compression) and packed in groups (the defaults, tiles
   * of 16, 32 or 48 pixels), all counted as they are decoded, with the reader's decoded tile reused
   * between rectangles or not.
   */
  public void testRectanglesAtEveryOffset() throws IOException {
    byte[] plane = new byte[37 * 50];
    // a bowl with noise of at most 1: planar residuals of mostly 0 and 1, some escaped
    int cx = random().nextInt(50);
    int cy = random().nextInt(37);
    for (int y = 0; y < 37; y++) {
      for (int x = 0; x < 50; x++) {
        int d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        plane[y * 50 + x] = (byte) (40 + d2 / 16 + (random().nextInt(8) == 0 ? 1 : 0));
      }
    }
    Mask bowl = Mask.of(MaskDType.UINT8, 37, 50, plane);
    Mask[] masks = {
      CodecTestMasks.randomMask(random(), MaskDType.UINT8, 37, 50),
      smoothMask(random(), 37, 50),
      bowl,
      bowl
    };
    int[] versions = { // the smooth mask in a version whose defaults write only packed rows
      random().nextInt(CURRENT + 1),
      random().nextInt(MaskSearch20DocValuesFormat.VERSION_PLANAR_PACKED),
      CURRENT,
      CURRENT
    };
    int[] sides = {16, 16, 16, new int[] {16, 32, 48}[random().nextInt(3)]};
    for (int m = 0; m < masks.length; m++) {
      Mask mask = masks[m];
      TiledMaskStorage storage = new TiledMaskStorage(sides[m], versions[m], m == 2);
      byte[] stored = storage.encode(mask);
      if (m == 3) { // the defaults write packed planar tiles of the bowl themselves
        Set<Kind> before = EnumSet.noneOf(Kind.class);
        before.addAll(kindsSeen);
        kindsSeen.clear();
        recordKinds(stored, mask, storage.tileSide());
        assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PLANAR_PACKED));
        kindsSeen.addAll(before);
      } else {
        recordKinds(stored, mask, storage.tileSide());
      }
      ValueRange range = new ValueRange(0.3, 0.7);
      long codes = PixelCounts.codes(mask.dtype(), range);
      CpBounds.Pixels pixels = null;
      for (int x1 = 0; x1 < mask.width(); x1++) {
        for (int x2 = x1; x2 <= mask.width(); x2 += 1 + random().nextInt(5)) {
          int y1 = random().nextInt(mask.height());
          int y2 = y1 + random().nextInt(mask.height() - y1 + 1);
          if (pixels == null || random().nextInt(4) == 0) {
            pixels =
                storage.pixels(
                    input(stored), where(mask, stored), (int) (codes >>> 32), (int) codes);
          }
          assertEquals(
              mask.countPixels(new Roi(x1, y1, x2, y2), range), pixels.count(x1, y1, x2, y2));
        }
      }
    }
    assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PACKED_RESIDUALS));
    assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PLANAR_CODED));
  }

  /**
   * A tile kind newer than a file's version is corruption: version 3 has no packed planar tiles, so
   * its reader reports version 4's bowl (which has some) instead of decoding it.
   */
  public void testTileKindsNewerThanTheVersionAreCorrupt() throws IOException {
    Mask bowl = fixedBowl();
    byte[] stored = new TiledMaskStorage(16, CURRENT).encode(bowl);
    kindsSeen.clear();
    recordKinds(stored, bowl, 16);
    assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PLANAR_PACKED));
    CodecTestMasks.assertSameMask(
        "version 4",
        bowl,
        new TiledMaskStorage(16, CURRENT).decode(input(stored), where(bowl, stored)));
    TiledMaskStorage v3 =
        new TiledMaskStorage(16, MaskSearch20DocValuesFormat.VERSION_TWO_TIER_CHI);
    expectThrows(CorruptIndexException.class, () -> v3.decode(input(stored), where(bowl, stored)));
    expectThrows(
        CorruptIndexException.class,
        () -> v3.pixels(input(stored), where(bowl, stored), 0, 256).count(0, 0, 50, 40));
  }

  public void testCorruptStoredMasksAreReported() throws IOException {
    for (int i = 0; i < atLeast(200); i++) {
      TiledMaskStorage storage = randomStorage(new int[] {16, 32, 48}[random().nextInt(3)]);
      Mask mask = randomMask(random(), storage.tileSide());
      byte[] stored = storage.encode(mask);
      byte[] corrupt = stored.clone();
      switch (random().nextInt(3)) {
        case 0 -> corrupt[random().nextInt(corrupt.length)] ^= (byte) (1 << random().nextInt(8));
        case 1 -> corrupt[random().nextInt(corrupt.length)] = (byte) random().nextInt(256);
        default -> {
          int at = random().nextInt(corrupt.length);
          corrupt = java.util.Arrays.copyOf(corrupt, Math.max(1, at));
        }
      }
      StoredMask where = where(mask, corrupt);
      try {
        storage.checkLength(corrupt.length, mask.dtype(), mask.height(), mask.width(), "test");
        if (random()
            .nextBoolean()) { // else the counts meet the corruption first, with their checks
          Mask decoded = storage.decode(input(corrupt), where);
          assertEquals(mask.width(), decoded.width()); // some mask: a changed value goes unseen
        }
        CpBounds.Pixels pixels = storage.pixels(input(corrupt), where, 0, 1 << 16);
        for (int k = 0; k < 5; k++) { // parts of tiles decode only some rows
          Roi r = randomRect(random(), mask.width(), mask.height(), storage.tileSide());
          pixels.count(r.x1(), r.y1(), r.x2(), r.y2());
        }
        pixels.count(0, 0, mask.width(), mask.height());
      } catch (CorruptIndexException expected) {
        // reported
      }
    }
  }

  /**
   * The bytes MaskSearch20 writes for fixed masks, pinned: they must never change (old segments
   * hold them), whatever Lucene's PackedInts or LZ4 or this code become. The masks take every tile
   * kind.
   */
  public void testStoredBytesAreStable() {
    for (MaskDType dtype : new MaskDType[] {MaskDType.UINT8, MaskDType.UINT16}) {
      kindsSeen.clear();
      recordKinds(new TiledMaskStorage(16, 0).encode(fixedMask(dtype)), fixedMask(dtype), 16);
      assertEquals(dtype + " takes every kind", TILE_KINDS_V0, kindsSeen);
    }
    assertEquals(1587797771L, crcOf(fixedMask(MaskDType.UINT8), 0));
    assertEquals(3243655082L, crcOf(fixedMask(MaskDType.UINT16), 0));
    // version 1 writes those two as before (they have many codes), and a binary mask as runs
    assertEquals(1587797771L, crcOf(fixedMask(MaskDType.UINT8), 1));
    Mask binary = fixedBinaryMask();
    assertEquals(RunMask.MARKER, new TiledMaskStorage(16, 1).encode(binary)[0]);
    assertEquals(1104976904L, crcOf(binary, 1));
    // version 2 in best compression: a bowl, its tiles mostly planar-coded; the other masks as
    // before (and every mask as before in best speed)
    assertEquals(1587797771L, crcOf(fixedMask(MaskDType.UINT8), 2));
    kindsSeen.clear();
    recordKinds(new TiledMaskStorage(16, 2, true).encode(fixedBowl()), fixedBowl(), 16);
    assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PLANAR_CODED));
    assertEquals(312380658L, crcOf(fixedBowl(), 2, true));
    assertEquals(3243655082L, crcOf(fixedMask(MaskDType.UINT16), 2, true));
    assertEquals(1104976904L, crcOf(binary, 2, true));
    // version 4 at the defaults: the bowl in packed planar tiles
    kindsSeen.clear();
    int v4 = MaskSearch20DocValuesFormat.VERSION_PLANAR_PACKED;
    recordKinds(new TiledMaskStorage(16, v4).encode(fixedBowl()), fixedBowl(), 16);
    assertTrue(kindsSeen.toString(), kindsSeen.contains(Kind.PLANAR_PACKED));
    assertEquals(3191911340L, crcOf(fixedBowl(), v4));
    // the smooth tile of the fixed mask too; the others, and masks of two bytes a pixel, as before
    assertEquals(915002389L, crcOf(fixedMask(MaskDType.UINT8), v4));
    assertEquals(3243655082L, crcOf(fixedMask(MaskDType.UINT16), v4));
    assertEquals(1104976904L, crcOf(binary, v4));
    // in best compression, the bowl's tiles where packed groups are shorter than prefix codes
    assertEquals(2409467034L, crcOf(fixedBowl(), v4, true));
  }

  /**
   * A merge copies stored masks between storages that store them alike (versions 1 to 3 at the
   * defaults, 2 and 3 in best compression, versions 4 and 5 in each mode), and encodes them again
   * otherwise.
   */
  public void testStoredMasksAreCopiedOnlyBetweenStoragesThatStoreThemAlike() {
    int v2 = MaskSearch20DocValuesFormat.VERSION_PLANAR_CODED;
    int v3 = MaskSearch20DocValuesFormat.VERSION_TWO_TIER_CHI;
    for (boolean planar : new boolean[] {false, true}) {
      assertTrue(
          new TiledMaskStorage(32, v2, planar).storesAs(new TiledMaskStorage(32, v3, planar)));
      assertTrue(
          new TiledMaskStorage(32, v3, planar).storesAs(new TiledMaskStorage(32, v3, planar)));
      assertFalse(
          new TiledMaskStorage(32, v3, planar).storesAs(new TiledMaskStorage(32, v3, !planar)));
      assertFalse(
          new TiledMaskStorage(32, v3, planar).storesAs(new TiledMaskStorage(64, v3, planar)));
    }
    // version 1 wrote what best speed writes; version 0 no runs
    assertTrue(new TiledMaskStorage(32, 1).storesAs(new TiledMaskStorage(32, v3)));
    assertFalse(new TiledMaskStorage(32, 1).storesAs(new TiledMaskStorage(32, v3, true)));
    assertFalse(new TiledMaskStorage(32, 0).storesAs(new TiledMaskStorage(32, v3)));
    assertFalse(new TiledMaskStorage(32, v3).storesAs(new TiledMaskStorage(32, 0)));
    assertFalse(new TiledMaskStorage(32, v3).storesAs(DeflatedMaskStorage.INSTANCE));
    assertFalse(DeflatedMaskStorage.INSTANCE.storesAs(new TiledMaskStorage(32, v3)));
    assertTrue(DeflatedMaskStorage.INSTANCE.storesAs(DeflatedMaskStorage.INSTANCE));
    // version 4 adds packed planar tiles in both modes
    int v4 = MaskSearch20DocValuesFormat.VERSION_PLANAR_PACKED;
    assertTrue(new TiledMaskStorage(32, v4).storesAs(new TiledMaskStorage(32, v4)));
    assertFalse(new TiledMaskStorage(32, v3).storesAs(new TiledMaskStorage(32, v4)));
    assertFalse(new TiledMaskStorage(32, v4).storesAs(new TiledMaskStorage(32, v3)));
    assertFalse(new TiledMaskStorage(32, v3, true).storesAs(new TiledMaskStorage(32, v4, true)));
    assertTrue(new TiledMaskStorage(32, v4, true).storesAs(new TiledMaskStorage(32, v4, true)));
    assertFalse(new TiledMaskStorage(32, v4, true).storesAs(new TiledMaskStorage(32, v4)));
    // version 5 changed the CHI alone: its masks are stored as version 4's
    int v5 = MaskSearch20DocValuesFormat.VERSION_COMPACT_CHI;
    for (boolean planar : new boolean[] {false, true}) {
      assertTrue(
          new TiledMaskStorage(32, v4, planar).storesAs(new TiledMaskStorage(32, v5, planar)));
      assertFalse(
          new TiledMaskStorage(32, v3, planar).storesAs(new TiledMaskStorage(32, v5, planar)));
    }
  }

  /** 40 x 50 uint8, a bowl with noise of at most 1 in a pixel of eight. */
  private static Mask fixedBowl() {
    byte[] raw = new byte[40 * 50];
    long noise = 12345;
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 50; x++) {
        noise = noise * 6364136223846793005L + 1442695040888963407L;
        int d2 = (x - 22) * (x - 22) + (y - 17) * (y - 17);
        raw[y * 50 + x] = (byte) (30 + d2 / 12 + ((noise >>> 61) == 0 ? 1 : 0));
      }
    }
    return Mask.of(MaskDType.UINT8, 40, 50, raw);
  }

  /** 40 x 50, two overlapping discs: a binary instance mask. */
  private static Mask fixedBinaryMask() {
    byte[] raw = new byte[40 * 50];
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 50; x++) {
        boolean in =
            (x - 15) * (x - 15) + (y - 20) * (y - 20) < 144
                || (x - 30) * (x - 30) + (y - 15) * (y - 15) < 100;
        raw[y * 50 + x] = (byte) (in ? 255 : 0);
      }
    }
    return Mask.of(MaskDType.UINT8, 40, 50, raw);
  }

  private static long crcOf(Mask mask, int version) {
    return crcOf(mask, version, false);
  }

  private static long crcOf(Mask mask, int version, boolean planarCoded) {
    TiledMaskStorage storage = new TiledMaskStorage(16, version, planarCoded);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(storage.encode(mask));
    return crc.getValue();
  }

  /** 40 x 50: constant, two-code, smooth (packed), runs (LZ4) and noisy (raw) tiles. */
  private static Mask fixedMask(MaskDType dtype) {
    int height = 40;
    int width = 50;
    int bpp = dtype.bytesPerPixel();
    byte[] data = new byte[height * width * bpp];
    long noise = 12345;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        noise = noise * 6364136223846793005L + 1442695040888963407L;
        int tile = (y / 16) * 4 + x / 16;
        int code =
            switch (tile) {
              case 0 -> 0; // constant
              case 1 -> (noise >>> 63) == 0 ? 10 : 200; // two codes, at random
              case 2 -> 60 + x + y + (int) (noise >>> 62); // smooth with a little noise
              case 4 -> x < 8 ? 0 : (y < 20 ? 100 : 101); // runs
              case 5 -> (int) (noise >>> 56); // noise
              default -> (x * y) % 256;
            };
        int high = tile == 5 ? (int) (noise >>> 40) : code >>> 3; // noise is noise in both bytes
        for (int k = 0; k < bpp; k++) {
          data[(y * width + x) * bpp + k] = (byte) (k == 0 ? code : high);
        }
      }
    }
    return Mask.of(dtype, height, width, data);
  }

  /** A storage of any version, writing planar-coded tiles or not where the version has them. */
  private static TiledMaskStorage randomStorage(int tileSide) {
    int version = random().nextInt(CURRENT + 1);
    return new TiledMaskStorage(
        tileSide,
        version,
        version >= MaskSearch20DocValuesFormat.VERSION_PLANAR_CODED && random().nextBoolean());
  }

  /** Masks whose tiles take every kind: constant, two codes, smooth, noisy. */
  private static Mask randomMask(Random r, int tileSide) {
    MaskDType dtype = CodecTestMasks.randomDType(r);
    int height = 1 + r.nextInt(3 * tileSide + 7);
    int width = 1 + r.nextInt(3 * tileSide + 7);
    return CodecTestMasks.randomMask(r, dtype, height, width);
  }

  /**
   * Gradients with noise, their slopes per row: rows of 1 to 8 bits, stored as packed residuals (a
   * falling slope of 1 with no noise under a row that starts alike zigzags to residuals of 0 and
   * 1).
   */
  private static Mask smoothMask(Random r, int height, int width) {
    byte[] smooth = new byte[height * width];
    int rowStep = r.nextInt(3);
    for (int y = 0; y < height; y++) {
      int slope = r.nextInt(1 << r.nextInt(8)) * (r.nextBoolean() ? 1 : -1);
      int noise = 1 + r.nextInt(4); // noise: residuals that LZ4 does not shorten
      for (int x = 0; x < width; x++) {
        smooth[y * width + x] = (byte) (slope * x + rowStep * y + r.nextInt(noise));
      }
    }
    return Mask.of(MaskDType.UINT8, height, width, smooth);
  }

  private static ValueRange randomRange(Random r) {
    double lv = r.nextInt(4) == 0 ? 0 : r.nextDouble();
    double uv = r.nextInt(4) == 0 ? Double.POSITIVE_INFINITY : lv + r.nextDouble();
    return new ValueRange(lv, uv);
  }

  /** A rectangle within the mask, often on or next to a tile line; maybe empty. */
  private static Roi randomRect(Random r, int width, int height, int tileSide) {
    int x1 = coordinate(r, width, tileSide);
    int y1 = coordinate(r, height, tileSide);
    int x2 = x1 + coordinate(r, width - x1, tileSide);
    int y2 = y1 + coordinate(r, height - y1, tileSide);
    return new Roi(x1, y1, x2, y2);
  }

  private static int coordinate(Random r, int limit, int tileSide) {
    int c =
        r.nextBoolean()
            ? r.nextInt(limit + 1)
            : tileSide * r.nextInt(limit / tileSide + 1) + r.nextInt(3) - 1;
    return Math.max(0, Math.min(limit, c));
  }

  private static StoredMask where(Mask mask, byte[] stored) {
    return new StoredMask(mask.dtype(), mask.height(), mask.width(), 0, stored.length);
  }

  private static IndexInput input(byte[] stored) {
    return new ByteBuffersIndexInput(
        new ByteBuffersDataInput(java.util.List.of(java.nio.ByteBuffer.wrap(stored))), "test");
  }

  /** Reads the tile directory to see which kinds were written. */
  private void recordKinds(byte[] stored, Mask mask, int tileSide) {
    if (stored[0] == RunMask.MARKER) {
      kindsSeen.add(Kind.RUN_MASK);
      return;
    }
    ByteArrayDataInput in = new ByteArrayDataInput(stored);
    int tiles = Math.ceilDiv(mask.width(), tileSide) * Math.ceilDiv(mask.height(), tileSide);
    for (int t = 0; t < tiles; t++) {
      kindsSeen.add(Kind.values()[in.readVInt() & ((1 << TileEncoding.KIND_BITS) - 1)]);
    }
  }
}
