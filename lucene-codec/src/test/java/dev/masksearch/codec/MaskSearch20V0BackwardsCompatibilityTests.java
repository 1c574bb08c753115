package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/**
 * The index frozen when {@link MaskSearch20DocValuesFormat} was current at version 0 of its files
 * ({@code index.masksearch20-v0.zip}): every mask in tiles, before binary masks could be stored
 * whole as runs.
 */
public class MaskSearch20V0BackwardsCompatibilityTests
    extends BaseMaskFormatBackwardsCompatibilityTestCase {
  @Override
  protected String resource() {
    return "index.masksearch20-v0.zip";
  }

  @Override
  protected int frozenVersion() {
    return 0;
  }

  @Override
  protected DocValuesFormat frozenFormat() {
    return new MaskSearch20DocValuesFormat();
  }
}
