package dev.masksearch.codec;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.apache.lucene.index.CorruptIndexException;

/**
 * MaskSearch10's compression of a mask's raw pixels (MaskSearch20 stores tiles: {@link
 * TileEncoding}). The bytes are split into planes (byte k of every pixel together), each plane is
 * replaced by its differences from the left neighbour, and the result is deflated (raw DEFLATE,
 * fastest level). Saliency and segmentation maps are smooth, so the differences of the high planes
 * are mostly 0.
 *
 * <pre>
 * Compressed := DEFLATE( Plane[bytesPerPixel] )
 * Plane[k]   := for each pixel i in row-major order: byte k of code(i) - byte k of code(i - 1)   (code(-1) = 0)
 * </pre>
 */
final class RawMaskCompression {
  private RawMaskCompression() {}

  /**
   * DEFLATE's largest compression ratio: a 258-byte match takes at least 2 bits (a 1-bit length
   * code and a 1-bit distance code), so no stream of n bytes inflates to more than 1032 n.
   */
  static final int MAX_RATIO = 1032;

  /**
   * Throws unless {@code compressedLength} bytes can be the DEFLATE stream of a mask of {@code
   * rawLength} bytes: no longer than zlib's conservative bound for raw data that does not compress
   * ({@code deflateBound}, plus slack), no shorter than {@link #MAX_RATIO} allows. So a corrupt
   * length or shape cannot make a reader allocate more than the mask it claims, nor claim a mask
   * far larger than its stored bytes.
   */
  static void checkLength(long compressedLength, long rawLength, String resource)
      throws CorruptIndexException {
    long max = rawLength + ((rawLength + 7) >> 3) + ((rawLength + 63) >> 6) + 64;
    if (compressedLength < 0
        || compressedLength > max
        || rawLength > compressedLength * MAX_RATIO) {
      throw new CorruptIndexException(
          "a mask of "
              + rawLength
              + " bytes cannot be stored in "
              + compressedLength
              + " compressed bytes",
          resource);
    }
  }

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

  /**
   * The raw little-endian pixel bytes of a {@code height x width} mask of {@code dtype}; {@code
   * resource} names the stored bytes in errors. Allocates the mask's size twice (planes, pixels)
   * and only after checking the shape and the compressed length against it; a stream that inflates
   * to any other size is corrupt.
   */
  static byte[] decompress(
      byte[] compressed,
      int offset,
      int length,
      MaskDType dtype,
      int height,
      int width,
      String resource)
      throws CorruptIndexException {
    if (height < 1 || width < 1 || height > Mask.MAX_SIDE || width > Mask.MAX_SIDE) {
      throw new CorruptIndexException(
          "mask shape " + height + " x " + width + " out of bounds", resource);
    }
    int bpp = dtype.bytesPerPixel();
    int pixels = height * width;
    checkLength(length, (long) pixels * bpp, resource);
    byte[] planes = new byte[pixels * bpp];
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(compressed, offset, length);
      int n = 0;
      while (n < planes.length) {
        int read = inflater.inflate(planes, n, planes.length - n);
        if (read == 0
            && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += read;
      }
      if (n != planes.length) {
        throw new CorruptIndexException(
            "mask inflated to " + n + " bytes, expected " + planes.length, resource);
      }
      if (!inflater.finished() && inflater.inflate(new byte[1]) > 0) {
        throw new CorruptIndexException(
            "mask inflates to more than the " + planes.length + " bytes expected", resource);
      }
    } catch (DataFormatException e) {
      throw new CorruptIndexException("corrupt compressed mask: " + e.getMessage(), resource, e);
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
