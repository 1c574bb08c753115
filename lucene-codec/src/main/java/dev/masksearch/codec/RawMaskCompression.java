package dev.masksearch.codec;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.apache.lucene.index.CorruptIndexException;

/**
 * Compresses a mask's raw pixels for storage. The bytes are split into planes (byte k of every pixel together),
 * each plane is replaced by its differences from the left neighbour, and the result is deflated (raw DEFLATE,
 * fastest level). Saliency and segmentation maps are smooth, so the differences of the high planes are mostly 0.
 *
 * <pre>
 * Compressed := DEFLATE( Plane[bytesPerPixel] )
 * Plane[k]   := for each pixel i in row-major order: byte k of code(i) - byte k of code(i - 1)   (code(-1) = 0)
 * </pre>
 */
final class RawMaskCompression {
  private RawMaskCompression() {}

  static byte[] compress(Mask mask) {
    byte[] raw = mask.rawBytes();
    int bpp = mask.dtype().bytesPerPixel();
    int pixels = mask.pixelCount();
    byte[] planes = new byte[raw.length];
    for (int k = 0; k < bpp; k++) {
      byte previous = 0;
      int planeStart = k * pixels;
      for (int i = 0; i < pixels; i++) {
        byte b = raw[i * bpp + k];
        planes[planeStart + i] = (byte) (b - previous);
        previous = b;
      }
    }
    Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
    try {
      deflater.setInput(planes);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 4));
      byte[] buffer = new byte[16 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /** The raw little-endian pixel bytes of a {@code height x width} mask of {@code dtype}. */
  static byte[] decompress(byte[] compressed, int offset, int length, MaskDType dtype, int height, int width)
      throws CorruptIndexException {
    int bpp = dtype.bytesPerPixel();
    int pixels = height * width;
    byte[] planes = new byte[pixels * bpp];
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(compressed, offset, length);
      int n = 0;
      while (n < planes.length) {
        int read = inflater.inflate(planes, n, planes.length - n);
        if (read == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += read;
      }
      if (n != planes.length) {
        throw new CorruptIndexException("mask inflated to " + n + " bytes, expected " + planes.length, "raw mask");
      }
    } catch (DataFormatException e) {
      throw new CorruptIndexException("corrupt compressed mask: " + e.getMessage(), "raw mask", e);
    } finally {
      inflater.end();
    }
    byte[] raw = new byte[planes.length];
    for (int k = 0; k < bpp; k++) {
      byte previous = 0;
      int planeStart = k * pixels;
      for (int i = 0; i < pixels; i++) {
        previous = (byte) (previous + planes[planeStart + i]);
        raw[i * bpp + k] = previous;
      }
    }
    return raw;
  }
}
