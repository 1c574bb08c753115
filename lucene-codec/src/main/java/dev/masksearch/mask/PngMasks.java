package dev.masksearch.mask;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Masks as 8- or 16-bit single-channel grayscale PNG, decoded and encoded with ImageIO. An 8-bit PNG becomes a
 * {@link MaskDType#UINT8} mask (value p / 255), a 16-bit PNG a {@link MaskDType#UINT16} mask (p / 65535).
 */
public final class PngMasks {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private PngMasks() {}

  /** Decodes a grayscale PNG of at most {@link Mask#MAX_SIDE} a side; see {@link #decode(byte[], MaskLimits)}. */
  public static Mask decode(byte[] png) {
    return decode(png, MaskLimits.FORMAT);
  }

  /**
   * Decodes a grayscale PNG; the shape its header claims is checked against {@code limits} before any pixel is
   * decoded or allocated.
   */
  public static Mask decode(byte[] png, MaskLimits limits) {
    if (png.length < PNG_SIGNATURE.length
        || !Arrays.equals(png, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
      throw new MaskFormatException("not a PNG: the PNG signature is missing");
    }
    // An in-memory stream: ImageIO's default cache would write a temporary file per decode.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(png))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new MaskFormatException("not a readable PNG");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        limits.check(reader.getHeight(0), reader.getWidth(0));
        return toMask(reader.read(0));
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof MaskFormatException mfe) {
        throw mfe;
      }
      throw new MaskFormatException("corrupt PNG: " + e.getMessage(), e);
    }
  }

  private static Mask toMask(BufferedImage image) {
    if (image.getColorModel() instanceof IndexColorModel) {
      throw new MaskFormatException("PNG uses a palette; a mask must be a single-channel grayscale PNG");
    }
    Raster raster = image.getRaster();
    if (raster.getNumBands() != 1) {
      throw new MaskFormatException(
          "PNG has " + raster.getNumBands() + " channels; a mask must be a single-channel grayscale PNG");
    }
    int bits = raster.getSampleModel().getSampleSize(0);
    int width = raster.getWidth();
    int height = raster.getHeight();
    int[] samples = raster.getSamples(0, 0, width, height, 0, (int[]) null);
    if (bits == 8) {
      byte[] data = new byte[samples.length];
      for (int i = 0; i < samples.length; i++) {
        data[i] = (byte) samples[i];
      }
      return Mask.of(MaskDType.UINT8, height, width, data);
    }
    if (bits == 16) {
      ByteBuffer data = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (int s : samples) {
        data.putShort((short) s);
      }
      return Mask.of(MaskDType.UINT16, height, width, data.array());
    }
    throw new MaskFormatException("PNG has " + bits + "-bit samples; a mask PNG must be 8- or 16-bit grayscale");
  }

  /** Encodes a uint8 or uint16 mask as a grayscale PNG of the same bit depth. */
  public static byte[] encode(Mask mask) {
    int type = switch (mask.dtype()) {
      case UINT8 -> BufferedImage.TYPE_BYTE_GRAY;
      case UINT16 -> BufferedImage.TYPE_USHORT_GRAY;
      default -> throw new IllegalArgumentException("only uint8 and uint16 masks have a PNG form, not " + mask.dtype().apiName());
    };
    BufferedImage image = new BufferedImage(mask.width(), mask.height(), type);
    WritableRaster raster = image.getRaster();
    int[] samples = new int[mask.pixelCount()];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = mask.code(i);
    }
    raster.setSamples(0, 0, mask.width(), mask.height(), 0, samples);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
