package dev.masksearch.codec;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.tests.index.BaseDocValuesFormatTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * Lucene's whole doc-values test suite run through {@link MaskCodec} with a predicate that accepts
 * only a field the suite never uses: every field goes through the codec's per-field wrapper to the
 * delegate's format, which proves that wrapping the default codec changes nothing for fields that
 * are not masks (all doc-values types, skippers, merges, updates, sparse and dense fields, huge
 * values, ...).
 */
public class MaskCodecDelegationTests extends BaseDocValuesFormatTestCase {
  private static final String ONLY_MASK_FIELD = "__mask_only";

  @Override
  protected Codec getCodec() {
    return new MaskCodec(TestUtil.getDefaultCodec(), ONLY_MASK_FIELD::equals);
  }

  public void testNonMaskFieldsUseTheDelegateFormat() {
    var perField =
        (org.apache.lucene.codecs.perfield.PerFieldDocValuesFormat) getCodec().docValuesFormat();
    for (String field : new String[] {"field", "dv", "docId", "mask", "id"}) {
      assertEquals(
          field,
          TestUtil.getDefaultDocValuesFormat().getName(),
          perField.getDocValuesFormatForField(field).getName());
    }
    assertEquals(
        MaskCodec.CURRENT_MASK_FORMAT,
        perField.getDocValuesFormatForField(ONLY_MASK_FIELD).getName());
  }
}
