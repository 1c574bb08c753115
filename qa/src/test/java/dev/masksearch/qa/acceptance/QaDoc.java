package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One test document: its JSON for the index and, beside it, the masks and box it stands for, for
 * the brute force. Fields: {@code doc_id} (keyword, also the tiebreaker of sorts), {@code label}
 * (keyword), {@code caption} (text), {@code rank} (integer), {@code bbox} (mask_roi), and the mask
 * fields in {@link #masks}.
 */
record QaDoc(
    String id,
    String label,
    String caption,
    int rank,
    Roi box,
    Map<String, Mask> masks,
    Map<String, Object> json) {

  static QaDoc of(
      String id,
      String label,
      String caption,
      int rank,
      Roi box,
      Map<String, Encoding.Encoded> masks) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("doc_id", id);
    json.put("label", label);
    json.put("caption", caption);
    json.put("rank", rank);
    if (box != null) {
      json.put("bbox", java.util.List.of(box.x1(), box.y1(), box.x2(), box.y2()));
    }
    Map<String, Mask> reference = new LinkedHashMap<>();
    masks.forEach(
        (field, encoded) -> {
          json.put(field, encoded.json());
          reference.put(field, encoded.mask());
        });
    return new QaDoc(id, label, caption, rank, box, reference, json);
  }
}
