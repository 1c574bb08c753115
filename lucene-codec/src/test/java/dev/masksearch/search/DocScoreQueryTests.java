package dev.masksearch.search;

import java.io.IOException;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * The fixed hits a top-k rewrites to iterate by the DocIdSetIterator contract, in every segment.
 */
public class DocScoreQueryTests extends LuceneTestCase {

  public void testIteratorContractAcrossSegments() throws IOException {
    try (Directory dir = newDirectory()) {
      try (IndexWriter writer =
          new IndexWriter(dir, new IndexWriterConfig().setMaxBufferedDocs(10))) {
        for (int i = 0; i < 35; i++) { // several segments of 10 documents
          Document doc = new Document();
          doc.add(new StringField("id", Integer.toString(i), Field.Store.NO));
          writer.addDocument(doc);
          if (i % 10 == 9) {
            writer.commit();
          }
        }
      }
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        assertTrue(reader.leaves().size() > 1);
        int[] docs = {2, 12, 15, 18, 31};
        float[] scores = {5, 4, 3, 2, 1};
        IndexSearcher searcher = new IndexSearcher(reader);
        Weight weight =
            searcher.createWeight(
                new DocScoreQuery(docs, scores, reader, "test", new CpStats()),
                ScoreMode.COMPLETE,
                1f);
        for (LeafReaderContext leaf : reader.leaves()) {
          Scorer scorer = weight.scorer(leaf);
          if (scorer == null) {
            continue;
          }
          DocIdSetIterator it = scorer.iterator();
          int first = it.nextDoc();
          assertTrue(first >= 0 && first < leaf.reader().maxDoc());
          assertEquals(
              "advance past the end",
              DocIdSetIterator.NO_MORE_DOCS,
              it.advance(DocIdSetIterator.NO_MORE_DOCS));
          assertEquals(DocIdSetIterator.NO_MORE_DOCS, it.docID());
        }
        // Every hit is found, with its score, by advancing to it from a fresh iterator.
        for (int k = 0; k < docs.length; k++) {
          int leafIndex = org.apache.lucene.index.ReaderUtil.subIndex(docs[k], reader.leaves());
          LeafReaderContext leaf = reader.leaves().get(leafIndex);
          Scorer scorer = weight.scorer(leaf);
          assertEquals(docs[k] - leaf.docBase, scorer.iterator().advance(docs[k] - leaf.docBase));
          assertEquals(scores[k], scorer.score(), 0f);
        }
      }
    }
  }
}
