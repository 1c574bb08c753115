package dev.masksearch.codec;

import org.apache.lucene.codecs.DocValuesFormat;

/**
 * The index frozen when {@link MaskSearch10DocValuesFormat} was current ({@code
 * index.masksearch10.zip}): masks whole in DEFLATE streams.
 */
public class MaskSearch10BackwardsCompatibilityTests
    extends BaseMaskFormatBackwardsCompatibilityTestCase {
  @Override
  protected String resource() {
    return "index.masksearch10.zip";
  }

  @Override
  protected int frozenVersion() {
    return 0;
  }

  @Override
  protected DocValuesFormat frozenFormat() {
    return new MaskSearch10DocValuesFormat();
  }
}
