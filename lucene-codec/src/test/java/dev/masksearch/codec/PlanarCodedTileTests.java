package dev.masksearch.codec;

import java.util.Arrays;
import java.util.Random;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * {@link PlanarCodedTile} alone, in both layouts (prefix-coded and packed groups): every tile shape
 * up to the side decodes back to its codes for every part of its rows and, packed, up to any column
 * (rows above a part skipped, escapes among the last symbols, groups of every width), counts as a
 * brute force over the part does, and any other bytes decode to some tile or are a {@link
 * CorruptIndexException}, never another failure.
 */
public class PlanarCodedTileTests extends LuceneTestCase {
  private static final int SIDE = 32;

  public void testEveryPartOfEveryShapeDecodesAndCounts() throws CorruptIndexException {
    PlanarCodedTile coder = new PlanarCodedTile(SIDE * SIDE, SIDE);
    for (int h = 1; h <= SIDE; h += 1 + random().nextInt(3)) {
      for (int w = 1; w <= SIDE; w += 1 + random().nextInt(3)) {
        boolean packed = random().nextBoolean();
        byte[] codes = randomTile(random(), w, h);
        byte[] data = encode(coder, codes, w, h, packed);
        for (int rowEnd = 0; rowEnd <= h; rowEnd++) {
          int y1 = random().nextInt(rowEnd + 1);
          int columns = packed ? 1 + random().nextInt(w) : w;
          int x1 = random().nextInt(columns + 1);
          int x2 = x1 + random().nextInt(columns - x1 + 1);
          int lo = random().nextInt(256);
          int span = random().nextInt(257);
          byte[] tile = new byte[w * h];
          System.arraycopy(data, 0, coder.buffer(data.length), 0, data.length);
          long count =
              packed
                  ? coder.decodePackedAndCount(
                      data.length, w, h, tile, columns, rowEnd, x1, y1, x2, lo, span)
                  : coder.decodeAndCount(data.length, w, h, tile, rowEnd, x1, y1, x2, lo, span);
          long expected = 0;
          for (int y = y1; y < rowEnd; y++) {
            for (int x = 0; x < columns; x++) {
              assertEquals(
                  w + "x" + h + " (" + x + ", " + y + ")", codes[y * w + x], tile[y * w + x]);
              if (x >= x1
                  && x < x2
                  && Integer.compareUnsigned((codes[y * w + x] & 0xFF) - lo, span) < 0) {
                expected++;
              }
            }
          }
          assertEquals(w + "x" + h + " rows " + y1 + ".." + rowEnd, expected, count);
        }
      }
    }
  }

  /** The code's length is what the writer measured, and short codes take the bits they say. */
  public void testLengthsAndSymbols() {
    PlanarCodedTile coder = new PlanarCodedTile(SIDE * SIDE, SIDE);
    byte[] flat = new byte[16]; // sixteen zero residuals: two bytes
    assertArrayEquals(new byte[] {0, 0}, encode(coder, flat, 4, 4, false));
    byte[] ramp = {0, (byte) 255, (byte) 254, (byte) 255}; // r = 0, -1, -1, +1: 0 10 10 110
    assertArrayEquals(new byte[] {(byte) 0b0101_0110}, encode(coder, ramp, 4, 1, false));
    byte[] jump = {0, 100}; // r = 0, then 100 escaped: 0 111 01100100
    assertArrayEquals(
        new byte[] {(byte) 0b0111_0110, (byte) 0b0100_0000}, encode(coder, jump, 2, 1, false));
  }

  /**
   * Packed: a nibble of width a group, then each group's zigzagged residuals at that width, the
   * first in the highest bits (Lucene's PACKED format); a group of zeros is its width alone.
   */
  public void testPackedGroups() {
    PlanarCodedTile coder = new PlanarCodedTile(SIDE * SIDE, SIDE);
    // 4 x 4 zeros: four groups of width 0 in two bytes, no group data
    assertArrayEquals(new byte[] {0, 0}, encode(coder, new byte[16], 4, 4, true));
    // r = 0, -1, -1, +1 zigzag to 0, 1, 1, 2: width 2, 00 01 01 10 and four zeros
    byte[] ramp = {0, (byte) 255, (byte) 254, (byte) 255};
    assertArrayEquals(new byte[] {2, (byte) 0b0001_0110, 0}, encode(coder, ramp, 4, 1, true));
    // ten pixels a row: two groups, the second of two residuals padded with six zeros
    byte[] two = new byte[10];
    two[9] = 1; // r(9) = +1, r(... ) 0; zigzag 2 at width 2 in the second group
    assertArrayEquals(
        new byte[] {(byte) 0x20, (byte) 0b0010_0000, 0}, encode(coder, two, 10, 1, true));
  }

  public void testOtherBytesDecodeOrAreReportedCorrupt() {
    PlanarCodedTile coder = new PlanarCodedTile(SIDE * SIDE, SIDE);
    int corrupt = 0;
    for (int i = 0; i < atLeast(500); i++) {
      int w = 1 + random().nextInt(SIDE);
      int h = 1 + random().nextInt(SIDE);
      boolean packed = random().nextBoolean();
      byte[] data;
      if (random().nextBoolean()) { // a valid tile, changed or cut
        data = encode(coder, randomTile(random(), w, h), w, h, packed);
        if (random().nextBoolean() || data.length == 1) {
          data[random().nextInt(data.length)] ^= (byte) (1 << random().nextInt(8));
        } else {
          data = Arrays.copyOf(data, random().nextInt(data.length));
        }
      } else {
        data = new byte[random().nextInt(w * h + 1)];
        random().nextBytes(data);
      }
      System.arraycopy(data, 0, coder.buffer(data.length), 0, data.length);
      try {
        int rowEnd = random().nextInt(h + 1);
        int y1 = random().nextInt(rowEnd + 1);
        if (packed) {
          int columns = 1 + random().nextInt(w);
          coder.decodePackedAndCount(
              data.length, w, h, new byte[w * h], columns, rowEnd, 0, y1, columns, 0, 256);
        } else {
          coder.decodeAndCount(data.length, w, h, new byte[w * h], rowEnd, 0, y1, w, 0, 256);
        }
      } catch (CorruptIndexException expected) {
        corrupt++;
      }
    }
    assertTrue("some were reported", corrupt > 0);
  }

  /**
   * A group's width above 8 is corrupt even where the widths add up to the tile's length, at every
   * group (the widths are checked sixteen at a time, then one byte at a time); 8 decodes.
   */
  public void testGroupWiderThanEightIsCorrupt() throws CorruptIndexException {
    PlanarCodedTile coder = new PlanarCodedTile(SIDE * SIDE, SIDE);
    for (int[] shape : new int[][] {{16, 16}, {16, 9}, {32, 32}, {8, 3}}) {
      int w = shape[0];
      int h = shape[1];
      int groups = h * Math.ceilDiv(w, PlanarCodedTile.GROUP);
      int widthBytes = Math.ceilDiv(groups, 2);
      for (int g = 0; g < groups; g++) {
        for (int width = 8; width <= 15; width++) {
          byte[] data = new byte[widthBytes + width]; // one group of `width` bytes, all zeros
          data[g >>> 1] = (byte) (width << ((g & 1) << 2));
          System.arraycopy(data, 0, coder.buffer(data.length), 0, data.length);
          byte[] tile = new byte[w * h];
          if (width == 8) { // every residual 0: every code 0
            assertEquals(
                (long) w * h,
                coder.decodePackedAndCount(data.length, w, h, tile, w, h, 0, 0, w, 0, 1));
            continue;
          }
          CorruptIndexException e =
              expectThrows(
                  CorruptIndexException.class,
                  () -> coder.decodePackedAndCount(data.length, w, h, tile, w, h, 0, 0, w, 0, 256));
          assertTrue(e.getMessage(), e.getMessage().contains("packed planar groups"));
        }
      }
    }
  }

  /** The tile in one layout; its length is what the writer measured before writing it. */
  private static byte[] encode(PlanarCodedTile coder, byte[] codes, int w, int h, boolean packed) {
    coder.residualsOf(codes, w, h);
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    if (packed) {
      coder.encodePacked(codes, w, h, out);
    } else {
      coder.encodeCoded(w * h, out);
    }
    assertEquals(packed ? coder.packedLength() : coder.codedLength(), out.size());
    return out.toArrayCopy();
  }

  /** Smooth planes with steps of one, noise, jumps (escapes), and a jump in the last pixel. */
  private static byte[] randomTile(Random r, int w, int h) {
    byte[] codes = new byte[w * h];
    int base = r.nextInt(256);
    int dx = r.nextInt(3) - 1;
    int dy = r.nextInt(3) - 1;
    int noise = r.nextInt(4);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v = base + dx * x + dy * y;
        if (noise > 0 && r.nextInt(8) == 0) {
          v += r.nextInt(2 * noise + 1) - noise;
        }
        if (r.nextInt(40) == 0) {
          v = r.nextInt(256);
        }
        codes[y * w + x] = (byte) v;
      }
    }
    if (r.nextBoolean()) {
      codes[codes.length - 1] += (byte) (50 + r.nextInt(100));
    }
    return codes;
  }
}
