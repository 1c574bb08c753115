package dev.masksearch.opensearch.fuzz;

import dev.masksearch.fuzz.FuzzRunner;
import dev.masksearch.opensearch.index.mapper.MaskDocumentFuzzer;
import dev.masksearch.opensearch.index.query.QueryDslFuzzer;
import dev.masksearch.opensearch.script.ScriptFuzzer;
import org.junit.Test;

/**
 * Coverage-guided fuzzing of the plugin's parsers with Jazzer (see {@link FuzzRunner} and
 * docs/testing.md): each test forks one fuzz target; the run counts make each about 10 seconds of
 * fuzzing in CI.
 */
public class PluginFuzzTests {
  @Test
  public void maskDocument() throws Exception {
    FuzzRunner.fuzz(MaskDocumentFuzzer.class, 100_000, 4096);
  }

  @Test
  public void queryDsl() throws Exception {
    FuzzRunner.fuzz(QueryDslFuzzer.class, 60_000, 4096);
  }

  @Test
  public void script() throws Exception {
    FuzzRunner.fuzz(ScriptFuzzer.class, 80_000, 4096);
  }
}
