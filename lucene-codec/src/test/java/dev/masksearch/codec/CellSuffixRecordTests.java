package dev.masksearch.codec;

import dev.masksearch.chi.BinEdges;
import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteArrayDataOutput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The second tier's record, in both layouts: each cell's counts at the levels asked for (every
 * level in half the cases) read back as a brute force over the mask counts them (masks of every
 * dtype, sizes that are not a multiple of the step, one-pixel masks, up to 256 bins, cells of a
 * 4096-pixel step), and as the histograms they were written from (runs of one-bin cells, cells with
 * every bin); a cell of one bin takes its header alone and a run of them one header; a changed
 * record reads as some counts or a {@link CorruptIndexException}, never another failure.
 */
public class CellSuffixRecordTests extends LuceneTestCase {

  public void testLevelsOfEveryCellAsABruteForceCounts() throws IOException {
    for (int i = 0; i < atLeast(100); i++) {
      ChiParams params = CodecTestMasks.randomParams(random());
      Mask mask =
          switch (random().nextInt(6)) {
            case 0 ->
                CodecTestMasks.randomMask(random(), CodecTestMasks.randomDType(random()), 1, 1);
            default -> CodecTestMasks.randomMask(random(), params);
          };
      params.checkFits(mask.height(), mask.width());
      ChiGrid grid = new ChiGrid(params.gridStep(), mask.width(), mask.height());
      int slots = params.bins() + 1;
      CellSuffixRecord.Layout layout = CodecTestMasks.randomLayout(random());
      byte[] record = write(mask, params, layout);
      int[] levels = new int[slots + 1];
      Arrays.setAll(levels, l -> l);
      shuffle(levels);
      int levelCount = random().nextBoolean() ? levels.length : 1 + random().nextInt(levels.length);
      int[] read = new int[grid.gx() * grid.gy() * levelCount];
      new CellSuffixRecord.Reader(grid, slots, layout, "test")
          .read(record, record.length, levels, levelCount, read);
      long[][] expected = bruteForce(mask, params, grid);
      for (int c = 0; c < grid.gx() * grid.gy(); c++) {
        for (int k = 0; k < levelCount; k++) {
          assertEquals(
              mask + " " + params + " cell " + c + " level " + levels[k],
              expected[c][levels[k]],
              read[c * levelCount + k]);
        }
      }
    }
  }

  /**
   * Cells of random histograms (runs of cells in one bin, cells with every bin, with some bins and
   * with two) read back at every level as the suffix sums of the histograms, in both layouts.
   */
  public void testRunsAndCellsWithEveryBinReadAsTheirHistograms() throws IOException {
    for (int i = 0; i < atLeast(100); i++) {
      int slots = 2 + random().nextInt(random().nextBoolean() ? 20 : ChiParams.MAX_BINS);
      int step = 1 + random().nextInt(40);
      ChiGrid grid =
          new ChiGrid(step, 1 + random().nextInt(8 * step), 1 + random().nextInt(8 * step));
      int cells = grid.gx() * grid.gy();
      int[] histograms = new int[cells * slots];
      int runBin = -1;
      for (int c = 0; c < cells; c++) {
        int area = (int) grid.cellArea(c % grid.gx(), c / grid.gx());
        int kind = random().nextInt(4);
        if (kind == 0 || (kind == 1 && runBin >= 0)) { // one bin, often the one before
          runBin = kind == 1 ? runBin : random().nextInt(slots);
          histograms[c * slots + runBin] = area;
          continue;
        }
        runBin = -1;
        boolean everyBin = kind == 2 && area >= slots;
        int left = area;
        for (int s = 0; s < slots && left > 0; s++) {
          if (everyBin || random().nextInt(3) == 0) {
            histograms[c * slots + s] = 1;
            left--;
          }
        }
        int base = c * slots;
        int[] set =
            java.util.stream.IntStream.range(0, slots)
                .filter(s -> histograms[base + s] > 0)
                .toArray();
        if (set.length == 0) {
          histograms[c * slots + random().nextInt(slots)] = area;
          continue;
        }
        while (left > 0) {
          int more = 1 + random().nextInt(left);
          histograms[c * slots + set[random().nextInt(set.length)]] += more;
          left -= more;
        }
      }
      for (CellSuffixRecord.Layout layout : CellSuffixRecord.Layout.values()) {
        ByteBuffersDataOutput out = new ByteBuffersDataOutput();
        CellSuffixRecord.write(histograms, slots, layout, out);
        byte[] record = out.toArrayCopy();
        int[] levels = new int[slots + 1];
        Arrays.setAll(levels, l -> l);
        int[] read = new int[cells * levels.length];
        new CellSuffixRecord.Reader(grid, slots, layout, "test")
            .read(record, record.length, levels, levels.length, read);
        for (int c = 0; c < cells; c++) {
          int atLeast = (int) grid.cellArea(c % grid.gx(), c / grid.gx());
          for (int l = 0; l <= slots; l++) {
            assertEquals(
                layout + " cell " + c + " level " + l, atLeast, read[c * levels.length + l]);
            atLeast -= l < slots ? histograms[c * slots + l] : 0;
          }
        }
      }
    }
  }

  /**
   * The runs layout, byte by byte as its grammar spells it: 3 x 3 cells of 16 pixels over 4 slots
   * (a cell in one bin, a cell with a bitmap, a cell with every bin, a cell whose sum straddles a
   * byte, then a run of four across a row to the last cell), written and read back.
   */
  public void testRunsLayoutAsItsGrammarSpellsIt() throws IOException {
    int[] histograms = {
      0, 16, 0, 0, // one bin (1): header 1 << 2
      9, 0, 7, 0, // bins 0 and 2: width 3 << 2 | 1, bitmap 0101, sum 7
      1, 5, 6, 4, // every bin: width 4 << 2 | 3, sums 15, 10, 4
      0, 10, 0, 6, // bins 1 and 3: width 3 << 2 | 1, bitmap 1010, sum 6
      0, 0, 16, 0, // one bin (2)
      0, 0, 0, 16, // a run of four in bin 3: 3 << 2 | 2, VInt(4 - 2)
      0, 0, 0, 16,
      0, 0, 0, 16,
      0, 0, 0, 16
    };
    // sums, least significant bit first: 7 (3 bits), 15, 10, 4 (4 bits each), 6 (3 bits)
    int sums = 7 | 15 << 3 | 10 << 7 | 4 << 11 | 6 << 15;
    byte[] expected = {
      9, // the headers' length
      1 << 2,
      3 << 2 | 1,
      0b0101,
      4 << 2 | 3,
      3 << 2 | 1,
      0b1010,
      2 << 2,
      3 << 2 | 2,
      2,
      (byte) sums,
      (byte) (sums >>> 8),
      (byte) (sums >>> 16)
    };
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    CellSuffixRecord.write(histograms, 4, CellSuffixRecord.Layout.RUNS, out);
    assertArrayEquals(expected, out.toArrayCopy());
    ChiGrid grid = new ChiGrid(4, 12, 12);
    int[] levels = {0, 1, 2, 3, 4};
    int[] read = new int[9 * levels.length];
    new CellSuffixRecord.Reader(grid, 4, CellSuffixRecord.Layout.RUNS, "test")
        .read(expected, expected.length, levels, levels.length, read);
    for (int c = 0; c < 9; c++) {
      int atLeast = 16;
      for (int l = 0; l < levels.length; l++) {
        assertEquals("cell " + c + " level " + l, atLeast, read[c * levels.length + l]);
        atLeast -= l < 4 ? histograms[c * 4 + l] : 0;
      }
    }
  }

  /**
   * An all-equal mask's cells each take one byte, two from the 64th bin on (a VInt header); in
   * runs, the whole mask takes its length, a header and the run's count.
   */
  public void testCellsOfOneBinTakeTheirHeaderAlone() throws IOException {
    for (int i = 0; i < atLeast(20); i++) {
      ChiParams params =
          new ChiParams(1 + random().nextInt(40), 1 + random().nextInt(ChiParams.MAX_BINS));
      int height = 1 + random().nextInt(150);
      int width = 1 + random().nextInt(150);
      int value = random().nextInt(256);
      byte[] pixels = new byte[height * width];
      Arrays.fill(pixels, (byte) value);
      Mask mask = Mask.of(MaskDType.UINT8, height, width, pixels);
      ChiGrid grid = new ChiGrid(params.gridStep(), width, height);
      int slot = BinEdges.of(MaskDType.UINT8, params.bins()).binOf(value);
      int cells = grid.gx() * grid.gy();
      assertEquals(
          params + " value " + value,
          cells * (slot < 64 ? 1 : 2),
          write(mask, params, CellSuffixRecord.Layout.PER_CELL).length);
      int header = slot < 32 ? 1 : 2; // slot << 2
      int run = cells == 1 ? 0 : cells - 2 < 128 ? 1 : cells - 2 < 1 << 14 ? 2 : 3;
      assertEquals(
          params + " value " + value + " in runs",
          1 + header + run,
          write(mask, params, CellSuffixRecord.Layout.RUNS).length);
    }
  }

  /**
   * Cells as wide as the grid allows (a 4096-pixel step: 2^24 pixels, sums of 24 bits), straight
   * from histograms, read at every level.
   */
  public void testWidestCells() throws IOException {
    for (int i = 0; i < atLeast(20); i++) {
      readsSuffixSumsOfAWidestCell(2 + random().nextInt(ChiParams.MAX_BINS));
    }
  }

  /**
   * Every slot count around the one-word bitmap's limit (64 slots, read with long bit operations,
   * then a FixedBitSet): the suffix sums of cells whose set bins fall anywhere, the highest slot
   * included.
   */
  public void testEverySlotCountAroundOneWord() throws IOException {
    for (int slots = 2; slots <= 2 * Long.SIZE + 2; slots++) {
      for (int i = 0; i < 10; i++) {
        readsSuffixSumsOfAWidestCell(slots);
      }
    }
  }

  /** A cell of 2^24 pixels spread over random bins, read back at every level. */
  private void readsSuffixSumsOfAWidestCell(int slots) throws IOException {
    int[] histogram = new int[slots];
    int chance = 1 + random().nextInt(4); // of a bin holding pixels: 1 in chance
    for (int s = 0; s < slots; s++) {
      histogram[s] = random().nextInt(chance) == 0 ? 1 : 0;
    }
    histogram[random().nextInt(slots)] = 1;
    int left = (1 << 24) - Arrays.stream(histogram).sum();
    while (left > 0) { // the rest of the pixels go to bins that already hold some
      int s = random().nextInt(slots);
      if (histogram[s] > 0) {
        int more = s == slots - 1 || random().nextBoolean() ? left : random().nextInt(left + 1);
        histogram[s] += more;
        left -= more;
      }
    }
    byte[] record = new byte[3 + slots + 4 * slots];
    ByteArrayDataOutput out = new ByteArrayDataOutput(record);
    CellSuffixRecord.Layout layout = CodecTestMasks.randomLayout(random());
    CellSuffixRecord.write(histogram, slots, layout, out);
    int[] levels = new int[slots + 1];
    Arrays.setAll(levels, l -> l);
    int[] read = new int[levels.length];
    new CellSuffixRecord.Reader(new ChiGrid(4096, 4096, 4096), slots, layout, "test")
        .read(record, out.getPosition(), levels, levels.length, read);
    long atLeast = 1 << 24;
    for (int l = 0; l <= slots; l++) {
      assertEquals("level " + l + " of " + Arrays.toString(histogram), atLeast, read[l]);
      atLeast -= l < slots ? histogram[l] : 0;
    }
  }

  public void testChangedRecordsReadAsCountsOrCorruption() throws IOException {
    for (int i = 0; i < atLeast(200); i++) {
      ChiParams params = CodecTestMasks.randomParams(random());
      Mask mask = CodecTestMasks.randomMask(random(), params);
      params.checkFits(mask.height(), mask.width());
      ChiGrid grid = new ChiGrid(params.gridStep(), mask.width(), mask.height());
      CellSuffixRecord.Layout layout = CodecTestMasks.randomLayout(random());
      byte[] record = write(mask, params, layout);
      int change = random().nextInt(4);
      byte[] changed =
          switch (change) {
            case 0 -> record.clone();
            case 1 -> Arrays.copyOf(record, random().nextInt(record.length)); // cut short
            case 2 -> Arrays.copyOf(record, record.length + 1 + random().nextInt(4)); // longer
            default -> randomBytes(random().nextInt(2 * record.length + 2));
          };
      if (change == 0) {
        for (int k = 0; k < 1 + random().nextInt(3); k++) {
          changed[random().nextInt(changed.length)] ^= (byte) (1 + random().nextInt(255));
        }
      }
      int[] levels = {0, 1 + random().nextInt(params.bins()), params.bins() + 1};
      int[] read = new int[grid.gx() * grid.gy() * levels.length];
      boolean reported = false;
      try {
        new CellSuffixRecord.Reader(grid, params.bins() + 1, layout, "test")
            .read(changed, changed.length, levels, levels.length, read);
      } catch (CorruptIndexException e) {
        reported = true;
      }
      // a changed byte may still spell some record; a shorter or longer one never does
      assertTrue("a record of another length is reported", reported || change == 0 || change == 3);
    }
  }

  /** A record followed by other bytes reads as the record alone when given its length. */
  public void testBytesAfterTheRecordAreNotRead() throws IOException {
    ChiParams params = CodecTestMasks.randomParams(random());
    Mask mask = CodecTestMasks.randomMask(random(), params);
    ChiGrid grid = new ChiGrid(params.gridStep(), mask.width(), mask.height());
    CellSuffixRecord.Layout layout = CodecTestMasks.randomLayout(random());
    byte[] record = write(mask, params, layout);
    byte[] padded = Arrays.copyOf(record, record.length + 1 + random().nextInt(16));
    System.arraycopy(
        randomBytes(padded.length - record.length),
        0,
        padded,
        record.length,
        padded.length - record.length);
    int[] levels = new int[params.bins() + 2];
    Arrays.setAll(levels, l -> l);
    int[] expected = new int[grid.gx() * grid.gy() * levels.length];
    int[] read = new int[expected.length];
    CellSuffixRecord.Reader reader =
        new CellSuffixRecord.Reader(grid, params.bins() + 1, layout, "test");
    reader.read(record, record.length, levels, levels.length, expected);
    reader.read(padded, record.length, levels, levels.length, read);
    assertArrayEquals(expected, read);
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    random().nextBytes(bytes);
    return bytes;
  }

  private static byte[] write(Mask mask, ChiParams params, CellSuffixRecord.Layout layout)
      throws IOException {
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    CellSuffixRecord.write(Chi.cellHistograms(mask, params), params.bins() + 1, layout, out);
    return out.toArrayCopy();
  }

  /** Per cell, the pixels whose bin is at least each level 0 .. bins + 1, pixel by pixel. */
  private static long[][] bruteForce(Mask mask, ChiParams params, ChiGrid grid) {
    BinEdges edges = BinEdges.of(mask.dtype(), params.bins());
    long[][] atLeast = new long[grid.gx() * grid.gy()][params.bins() + 2];
    for (int y = 0; y < mask.height(); y++) {
      for (int x = 0; x < mask.width(); x++) {
        int cell = (y / params.gridStep()) * grid.gx() + x / params.gridStep();
        int bin = edges.binOf(mask.code(y * mask.width() + x));
        for (int l = 0; l <= bin; l++) {
          atLeast[cell][l]++;
        }
      }
    }
    return atLeast;
  }

  private static void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random().nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}
