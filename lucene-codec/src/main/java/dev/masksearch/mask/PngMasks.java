package dev.masksearch.mask;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Masks as single-channel grayscale PNG, decoded and encoded with ImageIO. A 16-bit PNG becomes a
 * {@link MaskDType#UINT16} mask (value p / 65535); an 8-bit PNG a {@link MaskDType#UINT8} mask (p /
 * 255); a 1-, 2- or 4-bit PNG (a binary mask is often saved as 1-bit) a {@link MaskDType#UINT8}
 * mask scaled as PNG defines, so that the largest sample is 1.0: a 1-bit sample 1 is stored as 255,
 * a 4-bit sample p as 17 p.
 *
 * <p>Decoding reads the IHDR header first ({@link PngHeader}): palettes, colour, alpha and shapes
 * over the caller's limits are refused before any image data is inflated. The pixels are then
 * decoded straight into the mask's byte array, so a PNG costs the mask's size and a few rows, not
 * an intermediate image besides.
 */
public final class PngMasks {
  private static final ColorSpace GRAY = ColorSpace.getInstance(ColorSpace.CS_GRAY);

  private PngMasks() {}

  /**
   * Decodes a grayscale PNG of at most {@link Mask#MAX_SIDE} a side; see {@link #decode(byte[],
   * MaskLimits)}.
   */
  public static Mask decode(byte[] png) {
    return decode(png, MaskLimits.FORMAT);
  }

  /**
   * Decodes a grayscale PNG; its header's colour type, bit depth and shape (checked against {@code
   * limits}) are checked before any pixel is decoded or allocated. Throws a {@link
   * MaskFormatException} naming the problem.
   */
  public static Mask decode(byte[] png, MaskLimits limits) {
    PngHeader header = PngHeader.read(png, limits);
    MaskDType dtype = header.dtype();
    int height = (int) header.height();
    int width = (int) header.width();
    byte[] data = new byte[height * width * dtype.bytesPerPixel()];
    readInto(png, destination(dtype, height, width, data));
    return Mask.of(dtype, height, width, data);
  }

  /**
   * An image whose raster writes through to {@code data}: 8-bit gray over the bytes themselves,
   * 16-bit gray over them as little-endian shorts. ImageIO's PNG reader scales 1-, 2- and 4-bit
   * samples to the raster's 8 bits.
   */
  private static BufferedImage destination(MaskDType dtype, int height, int width, byte[] data) {
    boolean sixteen = dtype == MaskDType.UINT16;
    DataBuffer buffer =
        sixteen ? new LittleEndianShortBuffer(data) : new DataBufferByte(data, data.length);
    SampleModel samples =
        new PixelInterleavedSampleModel(
            buffer.getDataType(), width, height, 1, width, new int[] {0});
    WritableRaster raster = Raster.createWritableRaster(samples, buffer, null);
    ColorModel gray =
        new ComponentColorModel(
            GRAY,
            new int[] {sixteen ? 16 : 8},
            false,
            false,
            Transparency.OPAQUE,
            buffer.getDataType());
    return new BufferedImage(gray, raster, false, null);
  }

  private static void readInto(byte[] png, BufferedImage destination) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
    if (!readers.hasNext()) {
      throw new IllegalStateException("this JVM has no ImageIO PNG reader");
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = new ByteArrayImageInputStream(png)) {
      // Ignoring metadata, the reader reads no chunk before the image data but tRNS, which a 1-band
      // destination
      // ignores too: no text or ICC profile is inflated.
      reader.setInput(in, true, true);
      ImageReadParam param = reader.getDefaultReadParam();
      param.setDestination(destination);
      reader.read(0, param);
    } catch (IOException | RuntimeException e) {
      throw new MaskFormatException("corrupt PNG: " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
  }

  /** Encodes a uint8 or uint16 mask as a grayscale PNG of the same bit depth. */
  public static byte[] encode(Mask mask) {
    int type =
        switch (mask.dtype()) {
          case UINT8 -> BufferedImage.TYPE_BYTE_GRAY;
          case UINT16 -> BufferedImage.TYPE_USHORT_GRAY;
          default ->
              throw new IllegalArgumentException(
                  "only uint8 and uint16 masks have a PNG form, not " + mask.dtype().apiName());
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
