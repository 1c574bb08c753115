package dev.masksearch.fuzz;

import org.junit.Test;

/**
 * Coverage-guided fuzzing of the engine's parsers with Jazzer (see {@link FuzzRunner} and
 * docs/testing.md): each test forks one fuzz target. The run counts make each about 10 seconds of
 * fuzzing in CI.
 */
public class MaskFuzzTests {
  @Test
  public void maskBytes() throws Exception {
    FuzzRunner.fuzz(MaskBytesFuzzer.class, 1_000_000, 4096);
  }

  @Test
  public void npy() throws Exception {
    FuzzRunner.fuzz(NpyFuzzer.class, 500_000, 4096);
  }

  @Test
  public void png() throws Exception {
    FuzzRunner.fuzz(PngFuzzer.class, 100_000, 4096);
  }

  @Test
  public void expression() throws Exception {
    FuzzRunner.fuzz(ExpressionFuzzer.class, 150_000, 4096);
  }

  @Test
  public void maskSegment() throws Exception {
    FuzzRunner.fuzz(MaskSegmentFuzzer.class, 4_000, 4096);
  }
}
