package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/**
 * The index frozen when {@link MaskSearch20DocValuesFormat} was current at version 2 of its files
 * ({@code index.masksearch20-v2.zip}), written in best compression: one-byte tiles as prefix-coded
 * planar residuals where shorter, the CHI in one tier of columns at the field's own grid and bins.
 */
public class MaskSearch20V2BackwardsCompatibilityTests
    extends BaseMaskFormatBackwardsCompatibilityTestCase {
  @Override
  protected String resource() {
    return "index.masksearch20-v2.zip";
  }

  @Override
  protected int frozenVersion() {
    return 2;
  }

  @Override
  protected DocValuesFormat frozenFormat() {
    return new MaskSearch20DocValuesFormat(MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION);
  }
}
