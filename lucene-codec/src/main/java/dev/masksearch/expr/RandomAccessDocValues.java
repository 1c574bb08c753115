package dev.masksearch.expr;

import dev.masksearch.codec.MaskDocValues;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.search.Reservation;
import java.io.IOException;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.util.BytesRef;

/**
 * Masks and boxes of a segment in any document order: exact evaluation runs best-first (top-k) or
 * in collector order, while doc-values iterators only go forward, so an iterator is reopened when
 * asked for an earlier document.
 */
final class RandomAccessDocValues {
  private RandomAccessDocValues() {}

  /** A mask field's masks. */
  static final class Masks {
    private final LeafReader reader;
    private final String field;
    private BinaryDocValues values;

    Masks(LeafReader reader, String field) throws IOException {
      this.reader = reader;
      this.field = field;
      this.values = DocValues.getBinary(reader, field);
    }

    /** The document's mask, or null when it has none; its memory is reserved first. */
    Mask get(int doc, Reservation reservation) throws IOException {
      if (values instanceof MaskDocValues masks) { // the mask format reads any document directly
        reservation.reserveMask(masks, field, doc);
        return masks.mask(doc);
      }
      if (doc < values.docID()) {
        values = DocValues.getBinary(reader, field);
      }
      if (!values.advanceExact(doc)) {
        return null;
      }
      BytesRef bytes = values.binaryValue(); // another format: its size is known once read
      reservation.reserveMaskBytes(field, bytes.length, doc);
      return MaskBytes.decode(bytes);
    }
  }

  /** A region per document: constant, or from a box field. */
  static final class Rois {
    private final LeafReader reader;
    private final RoiRef ref;
    private NumericDocValues boxes;

    Rois(LeafReader reader, RoiRef ref) throws IOException {
      this.reader = reader;
      this.ref = ref;
      this.boxes = ref.field() == null ? null : DocValues.getNumeric(reader, ref.field());
    }

    /** The document's region, or null when its box is missing. */
    Region get(int doc) throws IOException {
      if (boxes == null) {
        return ref.region();
      }
      if (doc < boxes.docID()) {
        boxes = DocValues.getNumeric(reader, ref.field());
      }
      return boxes.advanceExact(doc) ? Roi.unpack(boxes.longValue()) : null;
    }
  }
}
