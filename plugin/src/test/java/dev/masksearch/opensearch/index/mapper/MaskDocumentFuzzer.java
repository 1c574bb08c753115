package dev.masksearch.opensearch.index.mapper;

import dev.masksearch.fuzz.FuzzChecks;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.Roi;
import dev.masksearch.opensearch.fuzz.JsonInputs;
import java.util.Base64;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;

/**
 * Fuzz target: a document field's JSON value, as the {@code mask} mapper ({@link MaskValueParser}:
 * raw shape/dtype/base64 data, base64 PNG, COCO RLE, nested arrays) and the {@code mask_roi} mapper
 * ({@link MaskRoiFieldMapper#parseBox}) read it. Each either rejects it with a validation error or
 * reads the whole value into a mask (whose canonical form, as {@code _source} derives it, parses to
 * the same pixels) or a box (whose printed form parses to the same box).
 */
public final class MaskDocumentFuzzer {
  private MaskDocumentFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    if (!JsonInputs.isJson(input)) {
      return;
    }
    FuzzChecks.boundedAllocation(
        input.length,
        () -> {
          mask(input);
          box(input);
        });
  }

  private static void mask(byte[] input) throws Exception {
    Mask mask;
    try (XContentParser parser = JsonInputs.parser(input)) {
      parser.nextToken();
      try {
        mask = MaskValueParser.parse(parser, MaskLimits.FORMAT);
      } catch (Exception e) {
        JsonInputs.requireValidationError(e);
        return;
      }
      FuzzChecks.require(parser.nextToken() == null, "the mask parser stopped inside the value");
    }
    XContentBuilder canonical =
        JsonXContent.contentBuilder()
            .startObject()
            .array("shape", mask.height(), mask.width())
            .field("dtype", mask.dtype().apiName())
            .field("data", Base64.getEncoder().encodeToString(mask.rawBytes()))
            .endObject();
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(null, null, canonical.toString())) {
      parser.nextToken();
      FuzzChecks.requireSamePixels(mask, MaskValueParser.parse(parser, MaskLimits.FORMAT));
    }
  }

  private static void box(byte[] input) throws Exception {
    Roi box;
    try (XContentParser parser = JsonInputs.parser(input)) {
      parser.nextToken();
      try {
        box = MaskRoiFieldMapper.parseBox(parser);
      } catch (Exception e) {
        JsonInputs.requireValidationError(e);
        return;
      }
      FuzzChecks.require(parser.nextToken() == null, "the box parser stopped inside the value");
    }
    String printed = "[" + box.x1() + ", " + box.y1() + ", " + box.x2() + ", " + box.y2() + "]";
    try (XContentParser parser = JsonXContent.jsonXContent.createParser(null, null, printed)) {
      parser.nextToken();
      FuzzChecks.require(
          MaskRoiFieldMapper.parseBox(parser).equals(box),
          "the box " + box + " printed as " + printed + " parses differently");
    }
  }
}
