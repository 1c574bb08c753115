package dev.masksearch.qa.acceptance;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.PngMasks;
import dev.masksearch.qa.load.DocumentBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Every way a document may give a mask over the REST API (docs/opensearch.md), with the mask that
 * the value stands for: the reference the brute force counts over is built here from the pixel
 * values, never decoded back from what was sent.
 */
enum Encoding {
  FLOAT32,
  FLOAT16,
  UINT8,
  UINT16,
  PNG8,
  PNG16,
  NESTED_ARRAYS;

  /** A mask value in this encoding and the mask it denotes, from levels in [0, 1] (row-major). */
  Encoded encode(int height, int width, double[] levels) {
    return switch (this) {
      case FLOAT32, NESTED_ARRAYS -> withFloats(height, width, levels);
      case FLOAT16 -> raw(MaskDType.FLOAT16, height, width, levels);
      case UINT8 -> raw(MaskDType.UINT8, height, width, levels);
      case UINT16 -> raw(MaskDType.UINT16, height, width, levels);
      case PNG8 -> png(raw(MaskDType.UINT8, height, width, levels).mask());
      case PNG16 -> png(raw(MaskDType.UINT16, height, width, levels).mask());
    };
  }

  /** A value to put in a document's JSON and the mask it means. */
  record Encoded(Object json, Mask mask) {}

  private Encoded withFloats(int height, int width, double[] levels) {
    float[] values = new float[levels.length];
    for (int i = 0; i < levels.length; i++) {
      values[i] = (float) levels[i];
    }
    Mask mask = Mask.ofFloats(height, width, values);
    if (this == FLOAT32) {
      return new Encoded(DocumentBuilder.rawMask(mask), mask);
    }
    List<List<Float>> rows = new ArrayList<>();
    for (int y = 0; y < height; y++) {
      List<Float> row = new ArrayList<>();
      for (int x = 0; x < width; x++) {
        row.add(values[y * width + x]);
      }
      rows.add(row);
    }
    return new Encoded(rows, mask);
  }

  private static Encoded raw(MaskDType dtype, int height, int width, double[] levels) {
    ByteBuffer data =
        ByteBuffer.allocate(levels.length * dtype.bytesPerPixel()).order(ByteOrder.LITTLE_ENDIAN);
    for (double level : levels) {
      switch (dtype) {
        case FLOAT16 -> data.putShort(Float.floatToFloat16((float) level));
        case UINT8 -> data.put((byte) Math.round(level * 255));
        case UINT16 -> data.putShort((short) Math.round(level * 65535));
        default -> throw new AssertionError(dtype);
      }
    }
    Mask mask = Mask.of(dtype, height, width, data.array());
    return new Encoded(DocumentBuilder.rawMask(mask), mask);
  }

  private static Encoded png(Mask mask) {
    return new Encoded(
        Map.of("png", Base64.getEncoder().encodeToString(PngMasks.encode(mask))), mask);
  }
}
