package dev.masksearch.fuzz;

import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The engine's fuzz targets on their seeds and the inputs of past findings
 * (src/test/resources/fuzz), in this JVM: every regression input is checked on every build, even
 * with fuzzing skipped.
 */
public class FuzzCorpusTests extends LuceneTestCase {
  public void testCorpora() throws Throwable {
    for (Class<?> target :
        new Class<?>[] {
          MaskBytesFuzzer.class,
          NpyFuzzer.class,
          PngFuzzer.class,
          ExpressionFuzzer.class,
          MaskSegmentFuzzer.class
        }) {
      assertTrue(target.getSimpleName(), FuzzRunner.replay(target) > 0);
    }
  }
}
