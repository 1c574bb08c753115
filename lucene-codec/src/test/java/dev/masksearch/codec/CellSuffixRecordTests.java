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
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The second tier's record: every cell's count at every level reads back as a brute force over the
 * mask counts it (masks of every dtype, sizes that are not a multiple of the step, one-pixel and
 * all-equal masks, up to 256 bins), a cell of one bin takes one byte, and a changed record reads as
 * some counts or a {@link CorruptIndexException}, never another failure.
 */
public class CellSuffixRecordTests extends LuceneTestCase {

  public void testEveryLevelOfEveryCellAsABruteForceCounts() throws IOException {
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
      byte[] record = write(mask, params);
      int[] levels = new int[slots + 1];
      Arrays.setAll(levels, l -> l);
      shuffle(levels);
      int levelCount = 1 + random().nextInt(levels.length);
      long[] read = new long[grid.gx() * grid.gy() * levelCount];
      new CellSuffixRecord.Reader(grid, slots, "test")
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

  /** An all-equal mask's cells each take one byte (bins below 64: a one-byte header). */
  public void testCellsOfOneBinTakeOneByte() throws IOException {
    ChiParams params = new ChiParams(1 + random().nextInt(40), 1 + random().nextInt(63));
    int height = 1 + random().nextInt(150);
    int width = 1 + random().nextInt(150);
    byte[] pixels = new byte[height * width];
    Arrays.fill(pixels, (byte) random().nextInt(256));
    Mask mask = Mask.of(MaskDType.UINT8, height, width, pixels);
    ChiGrid grid = new ChiGrid(params.gridStep(), width, height);
    assertEquals(grid.gx() * grid.gy(), write(mask, params).length);
  }

  public void testChangedRecordsReadAsCountsOrCorruption() throws IOException {
    for (int i = 0; i < atLeast(200); i++) {
      ChiParams params = CodecTestMasks.randomParams(random());
      Mask mask = CodecTestMasks.randomMask(random(), params);
      params.checkFits(mask.height(), mask.width());
      ChiGrid grid = new ChiGrid(params.gridStep(), mask.width(), mask.height());
      byte[] record = write(mask, params);
      int change = random().nextInt(3);
      byte[] changed =
          switch (change) {
            case 0 -> record.clone();
            case 1 -> Arrays.copyOf(record, random().nextInt(record.length)); // cut short
            default -> Arrays.copyOf(record, record.length + 1 + random().nextInt(4)); // longer
          };
      if (change == 0) {
        changed[random().nextInt(changed.length)] ^= (byte) (1 + random().nextInt(255));
      }
      int[] levels = {0, 1 + random().nextInt(params.bins()), params.bins() + 1};
      long[] read = new long[grid.gx() * grid.gy() * levels.length];
      boolean reported = false;
      try {
        new CellSuffixRecord.Reader(grid, params.bins() + 1, "test")
            .read(changed, changed.length, levels, levels.length, read);
      } catch (CorruptIndexException e) {
        reported = true;
      }
      // a changed byte may still spell some record; a shorter or longer one never does
      assertTrue("a record of another length is reported", reported || change == 0);
    }
  }

  private static byte[] write(Mask mask, ChiParams params) throws IOException {
    int[] histograms = Chi.cellHistograms(mask, params);
    // a cell takes at most a 2-byte header, its bitmap and a sum of 31 bits a bin
    int slots = params.bins() + 1;
    int cellBytes = 2 + (slots + 7) / 8 + (31 * slots + 7) / 8;
    byte[] buffer = new byte[histograms.length / slots * cellBytes];
    ByteArrayDataOutput out = new ByteArrayDataOutput(buffer);
    CellSuffixRecord.write(histograms, params.bins() + 1, out);
    return Arrays.copyOf(buffer, out.getPosition());
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
