package dev.masksearch.opensearch.index.mapper;

import dev.masksearch.document.BoxBinCountsField;
import dev.masksearch.document.BoxField;
import dev.masksearch.document.MaskField;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.IndexableField;
import org.opensearch.index.mapper.ParseContext;

/**
 * Indexes a mask's pixels per bin in its document's box ({@link BoxBinCountsField}) for the box
 * fields its mapping lists in {@code index_box_counts}, once the document has both values: the
 * second of the two to be parsed adds them, whichever comes first in the source.
 */
final class IndexedBoxCounts {
  private IndexedBoxCounts() {}

  /** After a mask value is parsed: its counts in every listed box the document already has. */
  static void afterMask(ParseContext context, MaskFieldMapper mapper, MaskField mask) {
    for (String boxField : mapper.indexBoxCounts()) {
      if (context.doc().getField(boxField) instanceof BoxField box) {
        add(context, mask, box);
      }
    }
  }

  /** After a box value is parsed: the counts of every parsed mask whose mapping lists its field. */
  static void afterBox(ParseContext context, BoxField box) {
    List<MaskField> masks = new ArrayList<>(); // collected first: adding fields while iterating
    for (IndexableField field : context.doc().getFields()) {
      if (field instanceof MaskField mask) {
        masks.add(mask);
      }
    }
    for (MaskField mask : masks) {
      if (context.docMapper().mappers().getMapper(mask.name()) instanceof MaskFieldMapper mapper
          && mapper.indexBoxCounts().contains(box.name())) {
        add(context, mask, box);
      }
    }
  }

  private static void add(ParseContext context, MaskField mask, BoxField box) {
    context.doc().add(new BoxBinCountsField(mask, box));
  }
}
