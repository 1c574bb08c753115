package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/**
 * The index frozen when {@link MaskSearch20DocValuesFormat} was current at version 4 of its files
 * ({@code index.masksearch20-v4.zip}), written at the defaults: packed planar tiles, first-tier CHI
 * columns at byte-friendly widths and cell records a cell at a time, before the compact CHI of
 * version 5.
 */
public class MaskSearch20V4BackwardsCompatibilityTests
    extends BaseMaskFormatBackwardsCompatibilityTestCase {
  @Override
  protected String resource() {
    return "index.masksearch20-v4.zip";
  }

  @Override
  protected int frozenVersion() {
    return 4;
  }

  @Override
  protected DocValuesFormat frozenFormat() {
    return new MaskSearch20DocValuesFormat();
  }
}
