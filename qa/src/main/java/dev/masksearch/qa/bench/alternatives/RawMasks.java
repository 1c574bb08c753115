package dev.masksearch.qa.bench.alternatives;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The images of a benchmark as a user without any index keeps them (the paper's baseline reads
 * NumPy arrays from disk): the raw masks in one flat file, per image its saliency and human masks
 * in a slot of {@code maxSide x maxSide} uint8 pixels each (the mask at the slot's start), back to
 * back, read through memory maps of at most 1 GB each; each image's size and box in memory. What
 * the raw scan, the reference and PostGIS's load read.
 */
final class RawMasks implements Closeable {
  private static final long MAX_MAP = 1L << 30;
  private static final int PLANES = 2; // saliency, human

  private final Path file;
  private final int maxSide;
  private final int maskBytes;
  private final FileChannel channel;
  private final List<MappedByteBuffer> maps = new ArrayList<>();
  private final int[][] boxes;
  private final int[] widths;
  private final int[] heights;
  private long rawBytes;
  private int perMap;
  private int images;

  /**
   * Room for {@code count} images of at most {@code maxSide} pixels a side, in a new {@code file}.
   */
  RawMasks(Path file, int maxSide, int count) throws IOException {
    this.file = file;
    this.maxSide = maxSide;
    this.maskBytes = maxSide * maxSide;
    this.boxes = new int[count][];
    this.widths = new int[count];
    this.heights = new int[count];
    Files.createDirectories(file.toAbsolutePath().getParent());
    this.channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
  }

  /** Appends the next image: its masks to the file, its size and box to memory. */
  void append(BenchImage image) throws IOException {
    if (image.width() > maxSide || image.height() > maxSide) {
      throw new IllegalArgumentException(
          "image " + images + " is larger than " + maxSide + " pixels a side");
    }
    widths[images] = image.width();
    heights[images] = image.height();
    rawBytes += 2L * image.width() * image.height();
    for (byte[] mask : new byte[][] {image.saliency(), image.human()}) {
      ByteBuffer buffer = ByteBuffer.wrap(Arrays.copyOf(mask, maskBytes));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
    boxes[images] = image.box();
    images++;
  }

  /** Maps the file for reading; call after the last {@link #append}. */
  void map() throws IOException {
    long imageBytes = (long) maskBytes * PLANES;
    perMap = (int) Math.max(1, MAX_MAP / imageBytes);
    for (int first = 0; first < images; first += perMap) {
      long length = Math.min(perMap, images - first) * imageBytes;
      maps.add(channel.map(FileChannel.MapMode.READ_ONLY, first * imageBytes, length));
    }
  }

  /**
   * Copies plane {@code plane} (0 saliency, 1 human) of image {@code image} into {@code into}, a
   * whole slot.
   */
  void read(int image, int plane, byte[] into) {
    MappedByteBuffer map = maps.get(image / perMap);
    map.get((int) (((long) (image % perMap) * PLANES + plane) * maskBytes), into, 0, maskBytes);
  }

  /** The images appended. */
  int count() {
    return images;
  }

  /** The largest side of any image: a slot is its square. */
  int maxSide() {
    return maxSide;
  }

  int width(int image) {
    return widths[image];
  }

  int height(int image) {
    return heights[image];
  }

  /** The image's box: x1, y1, x2, y2. */
  int[] box(int image) {
    return boxes[image];
  }

  /** The bytes of every image's two masks at their own size (without the slots' padding). */
  long rawBytes() {
    return rawBytes;
  }

  @Override
  public void close() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }
}
