package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/** Lucene's format tests and the mask formats' own over {@link MaskSearch20DocValuesFormat}. */
public class MaskSearch20DocValuesFormatTests extends BaseMaskDocValuesFormatTestCase {
  @Override
  DocValuesFormat newFormat() {
    return new MaskSearch20DocValuesFormat();
  }

  @Override
  FormatVersion version() {
    return FormatVersion.V20;
  }
}
