package dev.masksearch.codec;

import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.ByteBuffersIndexInput;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * A cursor over documents' records: the histograms a merge copies, read in one pass over a record,
 * equal the mask's own and those its entry look-ups give (masks of several sizes and dtypes,
 * visited in random order, one record read twice); a record whose suffix sums grow with the level
 * is a {@link CorruptIndexException}.
 */
public class RecordChiCursorTests extends LuceneTestCase {

  public void testHistogramsInOnePassEqualTheMasksAndTheLookUps() throws IOException {
    ChiParams params = CodecTestMasks.randomParams(random());
    List<Mask> masks = new ArrayList<>();
    List<RecordChiCursor.Location> locations = new ArrayList<>();
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    CellSuffixRecord.Layout layout = CodecTestMasks.randomLayout(random());
    for (int doc = 0, docs = atLeast(30); doc < docs; doc++) {
      Mask mask = CodecTestMasks.randomMask(random(), params);
      long offset = out.size();
      CellSuffixRecord.write(Chi.cellHistograms(mask, params), params.bins() + 1, layout, out);
      masks.add(mask);
      locations.add(
          new RecordChiCursor.Location(
              new ChiGrid(params.gridStep(), mask.width(), mask.height()),
              mask.dtype(),
              offset,
              Math.toIntExact(out.size() - offset)));
    }
    RecordChiCursor cursor = cursor(params.bins(), layout, locations, out);
    for (int i = 0; i < 2 * masks.size(); i++) {
      int doc = random().nextInt(masks.size());
      assertTrue(cursor.seek(doc));
      int[] expected = Chi.cellHistograms(masks.get(doc), params);
      String what = masks.get(doc) + " " + params;
      assertArrayEquals(what, expected, cursor.cellHistograms());
      assertArrayEquals(what, expected, Chi.cellHistograms(cursor.grid(), cursor));
    }
  }

  /**
   * One cell of bins 0, 1 and 2, whose pixels in bin 2 or above (written second) outnumber those in
   * bin 1 or above: each sum fits the cell, so only the histograms' differences show the record
   * wrong.
   */
  public void testGrowingSuffixSumsAreCorrupt() throws IOException {
    int step = 4; // one cell of 16 pixels, 3 bins: 4 slots
    ByteBuffersDataOutput out = new ByteBuffersDataOutput();
    int width = 5; // bits of 16
    CellSuffixRecord.Layout layout = CodecTestMasks.randomLayout(random());
    if (layout == CellSuffixRecord.Layout.RUNS) {
      out.writeVInt(2); // the header and the bitmap
      out.writeVInt(width << 2 | 1);
    } else {
      out.writeVInt(width << 1 | 1);
    }
    out.writeByte((byte) 0b0111); // bins 0, 1 and 2 hold pixels
    out.writeShort((short) (6 | 9 << width)); // >= bin 1: 6, >= bin 2: 9 (more)
    ChiGrid grid = new ChiGrid(step, step, step);
    RecordChiCursor cursor =
        cursor(
            3,
            layout,
            List.of(new RecordChiCursor.Location(grid, MaskDType.UINT8, 0, (int) out.size())),
            out);
    assertTrue(cursor.seek(0));
    CorruptIndexException e = expectThrows(CorruptIndexException.class, cursor::cellHistograms);
    assertTrue(e.getMessage(), e.getMessage().contains("counts more pixels at level 2"));
  }

  private static RecordChiCursor cursor(
      int bins,
      CellSuffixRecord.Layout layout,
      List<RecordChiCursor.Location> locations,
      ByteBuffersDataOutput out) {
    return new RecordChiCursor(
        bins,
        layout,
        doc -> doc < locations.size() ? locations.get(doc) : null,
        new ByteBuffersIndexInput(out.toDataInput(), "records"));
  }
}
