package dev.masksearch.fuzz;

import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.PngMasks;

/**
 * Fuzz target: {@link PngMasks#decode} either rejects the bytes with a {@link MaskFormatException}
 * or decodes a grayscale mask that {@link PngMasks#encode} writes back to a PNG of the same pixels.
 */
public final class PngFuzzer {
  private PngFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    FuzzChecks.readOrReject(
        input,
        MaskFormatException.class,
        () -> PngMasks.decode(input),
        mask -> FuzzChecks.requireSamePixels(mask, PngMasks.decode(PngMasks.encode(mask))));
  }
}
