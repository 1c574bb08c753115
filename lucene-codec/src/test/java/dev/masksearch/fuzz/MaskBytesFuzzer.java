package dev.masksearch.fuzz;

import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskFormatException;
import org.apache.lucene.util.BytesRef;

/**
 * Fuzz target: {@link MaskBytes#decode} (the canonical form every doc value holds; raw {@code
 * shape}/{@code dtype}/ {@code data} documents end up here too) either rejects the bytes with a
 * {@link MaskFormatException} or decodes a mask whose encoding has the input's length and decodes
 * to the same pixels.
 */
public final class MaskBytesFuzzer {
  private MaskBytesFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    FuzzChecks.readOrReject(
        input,
        MaskFormatException.class,
        () -> MaskBytes.decode(new BytesRef(input)),
        mask -> {
          byte[] encoded = MaskBytes.encode(mask);
          FuzzChecks.require(encoded.length == input.length, "re-encoding changed the length");
          FuzzChecks.requireSamePixels(mask, MaskBytes.decode(new BytesRef(encoded)));
        });
  }
}
