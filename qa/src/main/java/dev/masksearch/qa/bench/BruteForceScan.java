package dev.masksearch.qa.bench;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.Region;
import dev.masksearch.mask.Roi;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpHit;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.util.Bits;

/**
 * The baseline every benchmark compares with: read every live document's mask from the same index,
 * compute CP exactly, then filter or sort. No index is used.
 */
public final class BruteForceScan {
  private BruteForceScan() {}

  /** Every live document with a mask and a region, with its exact value, in doc id order. */
  public static List<CpHit> values(IndexReader reader, CpSpec spec) throws IOException {
    List<CpHit> values = new ArrayList<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      BinaryDocValues masks = leaf.reader().getBinaryDocValues(spec.field());
      NumericDocValues boxes =
          spec.boxField() == null ? null : leaf.reader().getNumericDocValues(spec.boxField());
      Bits live = leaf.reader().getLiveDocs();
      if (masks == null) {
        continue;
      }
      for (int doc = masks.nextDoc(); doc != BinaryDocValues.NO_MORE_DOCS; doc = masks.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        Region roi = spec.roi();
        if (roi == null) {
          if (boxes == null || !boxes.advanceExact(doc)) {
            continue;
          }
          roi = Roi.unpack(boxes.longValue());
        }
        Mask mask = MaskBytes.decode(masks.binaryValue());
        long area = roi.area(mask.width(), mask.height());
        values.add(
            new CpHit(leaf.docBase + doc, spec.value(roi.countPixels(mask, spec.range()), area)));
      }
    }
    return values;
  }

  /** The documents whose value compares true. */
  public static List<Integer> filter(
      IndexReader reader, CpSpec spec, Comparison op, double threshold) throws IOException {
    return values(reader, spec).stream()
        .filter(h -> op.test(h.value(), threshold))
        .map(CpHit::doc)
        .toList();
  }

  /** The exact top k, ties by doc id. */
  public static List<CpHit> topK(IndexReader reader, CpSpec spec, int k, CpOrder order)
      throws IOException {
    Comparator<CpHit> byValue = Comparator.comparingDouble(CpHit::value);
    if (order == CpOrder.DESC) {
      byValue = byValue.reversed();
    }
    return values(reader, spec).stream()
        .sorted(byValue.thenComparingInt(CpHit::doc))
        .limit(k)
        .toList();
  }
}
