package dev.masksearch.mask;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.lucene.util.BytesRef;

/**
 * The canonical binary form of a mask: what a mask field's binary doc value holds, and what
 * verification decodes.
 *
 * <pre>
 * MaskBytes := Version(byte = 1), DType(byte), Height(int32 LE), Width(int32 LE), Data
 * DType     := 0 uint8 | 1 uint16 | 2 float16 | 3 float32     (stable ids, never renumbered)
 * Data      := Height * Width codes of DType, row-major, little-endian
 * </pre>
 */
public final class MaskBytes {
  /** The format version written by {@link #encode(Mask)}. */
  public static final byte VERSION = 1;

  /** Bytes before the pixel data. */
  public static final int HEADER_BYTES = 10;

  private static final MaskDType[] BY_ID = {
    MaskDType.UINT8, MaskDType.UINT16, MaskDType.FLOAT16, MaskDType.FLOAT32
  };

  private MaskBytes() {}

  /** The canonical bytes of a mask. */
  public static byte[] encode(Mask mask) {
    byte[] raw = mask.rawBytes();
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + raw.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(VERSION)
        .put((byte) id(mask.dtype()))
        .putInt(mask.height())
        .putInt(mask.width())
        .put(raw);
    return out.array();
  }

  /**
   * Decodes and validates canonical bytes; throws {@link MaskFormatException} when they are not a
   * valid mask.
   */
  public static Mask decode(BytesRef bytes) {
    if (bytes.length < HEADER_BYTES) {
      throw new MaskFormatException(
          "mask bytes are truncated: " + bytes.length + " bytes, header needs " + HEADER_BYTES);
    }
    ByteBuffer in =
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN);
    byte version = in.get();
    if (version != VERSION) {
      throw new MaskFormatException("unsupported mask bytes version " + version);
    }
    MaskDType dtype = dtypeOf(in.get());
    int height = in.getInt();
    int width = in.getInt();
    Mask.checkShape(height, width);
    int from = bytes.offset + HEADER_BYTES;
    return Mask.of(
        dtype, height, width, Arrays.copyOfRange(bytes.bytes, from, bytes.offset + bytes.length));
  }

  /** The stable id of a dtype in this format. */
  public static int id(MaskDType dtype) {
    return switch (dtype) {
      case UINT8 -> 0;
      case UINT16 -> 1;
      case FLOAT16 -> 2;
      case FLOAT32 -> 3;
    };
  }

  /** The dtype of a stable id. */
  public static MaskDType dtypeOf(int id) {
    if (id < 0 || id >= BY_ID.length) {
      throw new MaskFormatException("unknown dtype id " + id);
    }
    return BY_ID[id];
  }
}
