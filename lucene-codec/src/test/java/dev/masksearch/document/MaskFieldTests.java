package dev.masksearch.document;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.codec.MaskSearch10DocValuesFormat;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.Roi;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.tests.util.LuceneTestCase;

public class MaskFieldTests extends LuceneTestCase {

  public void testCarriesMaskBytesAndChiParameters() {
    Mask mask = Mask.of(MaskDType.UINT8, 2, 3, new byte[] {0, 1, 2, 3, 4, (byte) 255});
    MaskField field = new MaskField("m", mask, new ChiParams(8, 12));
    assertEquals(DocValuesType.BINARY, field.fieldType().docValuesType());
    assertEquals(
        "8",
        field.fieldType().getAttributes().get(MaskSearch10DocValuesFormat.GRID_STEP_ATTRIBUTE));
    assertEquals(
        "12", field.fieldType().getAttributes().get(MaskSearch10DocValuesFormat.BINS_ATTRIBUTE));
    Mask decoded = MaskBytes.decode(field.binaryValue());
    assertArrayEquals(mask.rawBytes(), decoded.rawBytes());
  }

  /** An oversized CHI is refused when the document is built, never at a segment flush. */
  public void testRejectsMaskWhoseChiIsTooLarge() {
    Mask mask = Mask.of(MaskDType.UINT8, 4096, 4096, new byte[4096 * 4096]);
    IllegalArgumentException e =
        expectThrows(
            IllegalArgumentException.class, () -> new MaskField("m", mask, new ChiParams(2, 64)));
    assertTrue(
        e.getMessage(), e.getMessage().contains("grid_step 2") && e.getMessage().contains("limit"));
    assertNotNull(
        new MaskField("m", mask, new ChiParams(32, 20))); // the defaults fit the largest mask
  }

  public void testBoxFieldPacksClampedCoordinates() {
    BoxField box = new BoxField("b", new Roi(-5, 10, 70000, 20));
    assertEquals(
        new Roi(0, 10, Roi.MAX_COORDINATE, 20), Roi.unpack(box.numericValue().longValue()));
  }
}
