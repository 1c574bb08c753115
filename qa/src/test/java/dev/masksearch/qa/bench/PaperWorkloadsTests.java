package dev.masksearch.qa.bench;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.qa.data.SyntheticDataset;
import dev.masksearch.search.CpStats;
import java.io.IOException;
import java.util.List;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;
import org.apache.lucene.tests.util.TestUtil;

/**
 * The benchmark's smoke run, so it cannot rot: a few hundred synthetic images, every paper workload
 * through the CHI equals the brute-force scan, and the bounds spare most mask reads on the
 * selective ones.
 */
public class PaperWorkloadsTests extends LuceneTestCase {

  public void testWorkloadsEqualScanAndPrune() throws IOException {
    MaskDType dtype = random().nextBoolean() ? MaskDType.UINT8 : MaskDType.FLOAT32;
    SyntheticDataset data = new SyntheticDataset(random().nextLong(), 224, 224, dtype);
    int count = TestUtil.nextInt(random(), 200, 400);
    try (Directory dir = newFSDirectory(createTempDir())) {
      SyntheticIndex.build(dir, data, count, ChiParams.DEFAULT, TestUtil.nextInt(random(), 1, 3));
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        IndexSearcher searcher = new IndexSearcher(reader);
        searcher.setQueryCache(null);
        List<Workload> workloads = PaperWorkloads.over(reader);
        assertEquals(9, workloads.size());
        for (Workload w : workloads) {
          CpStats stats = new CpStats();
          assertEquals(w.toString(), w.scan(reader), w.run(searcher, stats));
          if (w.name().contains("1%") || !w.isFilter()) {
            assertTrue(
                w + " read " + stats.verified() + " of " + count, stats.verified() < count / 4);
          }
        }
      }
    }
  }
}
