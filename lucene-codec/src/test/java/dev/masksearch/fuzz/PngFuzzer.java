package dev.masksearch.fuzz;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.PngMasks;

/**
 * Fuzz target: {@link PngMasks#decode} either rejects the bytes with a {@link MaskFormatException}
 * or decodes a grayscale mask that {@link PngMasks#encode} writes back to a PNG of the same pixels.
 */
public final class PngFuzzer {
  private PngFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    FuzzChecks.boundedAllocation(
        input.length,
        () -> {
          Mask mask;
          try {
            mask = PngMasks.decode(input);
          } catch (MaskFormatException e) {
            FuzzChecks.requireMessage(e);
            return;
          }
          FuzzChecks.requireSamePixels(mask, PngMasks.decode(PngMasks.encode(mask)));
        });
  }
}
