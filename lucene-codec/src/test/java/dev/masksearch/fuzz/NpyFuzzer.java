package dev.masksearch.fuzz;

import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.NpyMasks;
import org.apache.lucene.util.BytesRef;

/**
 * Fuzz target: {@link NpyMasks#decode} either rejects a {@code .npy} file with a {@link
 * MaskFormatException} or decodes a mask that survives the canonical encoding unchanged.
 */
public final class NpyFuzzer {
  private NpyFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    FuzzChecks.readOrReject(
        input,
        MaskFormatException.class,
        () -> NpyMasks.decode(input),
        mask ->
            FuzzChecks.requireSamePixels(
                mask, MaskBytes.decode(new BytesRef(MaskBytes.encode(mask)))));
  }
}
