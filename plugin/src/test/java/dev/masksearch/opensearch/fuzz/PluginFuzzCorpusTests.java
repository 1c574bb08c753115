package dev.masksearch.opensearch.fuzz;

import dev.masksearch.fuzz.FuzzRunner;
import dev.masksearch.opensearch.index.mapper.MaskDocumentFuzzer;
import dev.masksearch.opensearch.index.query.QueryDslFuzzer;
import dev.masksearch.opensearch.script.ScriptFuzzer;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The plugin's fuzz targets on their seeds and the inputs of past findings
 * (src/test/resources/fuzz), in this JVM: every regression input is checked on every build, even
 * with fuzzing skipped.
 */
public class PluginFuzzCorpusTests extends LuceneTestCase {
  public void testCorpora() throws Throwable {
    for (Class<?> target :
        new Class<?>[] {MaskDocumentFuzzer.class, QueryDslFuzzer.class, ScriptFuzzer.class}) {
      assertTrue(target.getSimpleName(), FuzzRunner.replay(target) > 0);
    }
  }
}
