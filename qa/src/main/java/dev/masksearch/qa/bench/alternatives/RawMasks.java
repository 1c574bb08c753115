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
import java.util.List;

/**
 * The raw masks of a benchmark in one flat file, as a user without any index keeps them (the paper's baseline reads
 * NumPy arrays from disk): per image its {@code planes} masks of {@code side x side} uint8 pixels, back to back, read
 * through memory maps of at most 1 GB each.
 */
final class RawMasks implements Closeable {
  private static final long MAX_MAP = 1L << 30;

  private final Path file;
  private final int maskBytes;
  private final int planes;
  private final FileChannel channel;
  private final List<MappedByteBuffer> maps = new ArrayList<>();
  private int perMap;
  private int images;

  RawMasks(Path file, int maskBytes, int planes) throws IOException {
    this.file = file;
    this.maskBytes = maskBytes;
    this.planes = planes;
    Files.createDirectories(file.toAbsolutePath().getParent());
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  /** Appends the next image's masks (each {@code maskBytes} long). */
  void append(byte[]... masks) throws IOException {
    for (byte[] mask : masks) {
      ByteBuffer buffer = ByteBuffer.wrap(mask);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
    images++;
  }

  /** Maps the file for reading; call after the last {@link #append}. */
  void map() throws IOException {
    long imageBytes = (long) maskBytes * planes;
    perMap = (int) Math.max(1, MAX_MAP / imageBytes);
    for (int first = 0; first < images; first += perMap) {
      long length = Math.min(perMap, images - first) * imageBytes;
      maps.add(channel.map(FileChannel.MapMode.READ_ONLY, first * imageBytes, length));
    }
  }

  /** Copies plane {@code plane} of image {@code image} into {@code into}. */
  void read(int image, int plane, byte[] into) {
    MappedByteBuffer map = maps.get(image / perMap);
    map.get((int) (((long) (image % perMap) * planes + plane) * maskBytes), into, 0, maskBytes);
  }

  @Override
  public void close() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }
}
