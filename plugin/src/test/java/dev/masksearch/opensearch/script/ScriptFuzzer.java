package dev.masksearch.opensearch.script;

import dev.masksearch.fuzz.FuzzChecks;
import dev.masksearch.opensearch.fuzz.JsonInputs;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target: a {@code masksearch} script's source ({@link MaskScript#parse}: an expression,
 * optionally compared with a threshold) is either rejected with a validation error or parsed into
 * an expression and, with a comparison, a finite threshold.
 */
public final class ScriptFuzzer {
  private ScriptFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    String source = new String(input, StandardCharsets.UTF_8);
    FuzzChecks.boundedAllocation(
        input.length,
        () -> {
          MaskScript script;
          try {
            script = MaskScript.parse(source);
          } catch (Exception e) {
            JsonInputs.requireValidationError(e);
            return;
          }
          FuzzChecks.require(script.expression() != null, "no expression");
          FuzzChecks.require(
              script.comparison() == null || Double.isFinite(script.threshold()),
              "a comparison without a finite threshold");
        });
  }
}
