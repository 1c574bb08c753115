package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/**
 * The index frozen when {@link MaskSearch20DocValuesFormat} was current at version 3 of its files
 * ({@code index.masksearch20-v3.zip}), written at the defaults: the CHI in two tiers, tiles of one
 * byte a pixel as packed or LZ4 row residuals, before both modes wrote packed planar tiles (version
 * 4).
 */
public class MaskSearch20V3BackwardsCompatibilityTests
    extends BaseMaskFormatBackwardsCompatibilityTestCase {
  @Override
  protected String resource() {
    return "index.masksearch20-v3.zip";
  }

  @Override
  protected int frozenVersion() {
    return 3;
  }

  @Override
  protected DocValuesFormat frozenFormat() {
    return new MaskSearch20DocValuesFormat();
  }
}
