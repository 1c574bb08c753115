package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/** Lucene's format tests and the mask formats' own over {@link MaskSearch10DocValuesFormat}. */
public class MaskSearch10DocValuesFormatTests extends BaseMaskDocValuesFormatTestCase {
  @Override
  DocValuesFormat newFormat() {
    return new MaskSearch10DocValuesFormat();
  }

  @Override
  FormatVersion version() {
    return FormatVersion.V10;
  }
}
