package dev.masksearch.search;

import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import java.io.IOException;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;

/** The region of each document of a segment: a constant, or the document's box. */
abstract class LeafRois {
  /** The region of a document, in increasing document order; null when the document has no box. */
  abstract Region roi(int doc) throws IOException;

  static LeafRois create(LeafReader reader, CpSpec spec) throws IOException {
    if (spec.roi() != null) {
      Region constant = spec.roi();
      return new LeafRois() {
        @Override
        Region roi(int doc) {
          return constant;
        }
      };
    }
    NumericDocValues boxes = DocValues.getNumeric(reader, spec.boxField());
    return new LeafRois() {
      @Override
      Region roi(int doc) throws IOException {
        return boxes.advanceExact(doc) ? Roi.unpack(boxes.longValue()) : null;
      }
    };
  }
}
