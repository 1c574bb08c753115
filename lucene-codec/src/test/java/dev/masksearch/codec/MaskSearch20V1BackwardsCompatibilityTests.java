package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/**
 * The index frozen when {@link MaskSearch20DocValuesFormat} was current at version 1 of its files
 * ({@code index.masksearch20-v1.zip}): masks of at most two codes as runs where shorter, CHI
 * columns that repeat the level below as a header alone, before one-byte tiles could be stored as
 * prefix-coded planar residuals.
 */
public class MaskSearch20V1BackwardsCompatibilityTests
    extends BaseMaskFormatBackwardsCompatibilityTestCase {
  @Override
  protected String resource() {
    return "index.masksearch20-v1.zip";
  }

  @Override
  protected int frozenVersion() {
    return 1;
  }

  @Override
  protected DocValuesFormat frozenFormat() {
    return new MaskSearch20DocValuesFormat();
  }
}
