package dev.masksearch.codec;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskDType;
import dev.masksearch.mask.MaskFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.BitUtil;

/**
 * A mask of at most two codes stored whole as runs, from version 1 of {@link
 * MaskSearch20DocValuesFormat}: instance and segmentation masks (COCO's RLE, 1-bit PNGs) in a few
 * hundred bytes where tiles take a few bytes per tile and a bitmap or residuals per edge tile. The
 * writer ({@link TiledMaskStorage}) keeps it when it is shorter than the tiles. Counting pixels of
 * a rectangle reads the runs, never the pixels.
 *
 * <pre>
 * RunMask  := Marker(byte 7), Code0, Code1, RunCount(vlong), Run[RunCount]
 * Code     := the code, bytes-per-pixel bytes, little-endian
 * Run[i]   := VLong(zigzag(length[i] - length[i - 2]))   -- length[-2] = length[-1] = 0
 * </pre>
 *
 * The runs cover the pixels in row-major order, alternately of Code0 and Code1, starting with Code0
 * (the first pixel's code), each at least one pixel long, and add up to the pixel count. (COCO's
 * RLE is column-major; row-major lets a rectangle's rows be found by a binary search.) The delta
 * against the run two before, the run of the same code one row up for a simple shape, is the trick
 * of COCO's string code; it saves about 10% on the real sample's instance masks. The marker cannot
 * start a {@code TiledMask}: its low three bits are a tile kind, and 7 is none.
 */
final class RunMask {
  /** The first byte of a run mask. */
  static final byte MARKER = 7;

  private final MaskDType dtype;
  private final int width;
  private final int height;
  private final int code0;
  private final int code1;
  private final int[] starts; // of each Code1 run, row-major, increasing
  private final int[] ends;

  private RunMask(
      MaskDType dtype, int height, int width, int code0, int code1, int[] starts, int[] ends) {
    this.dtype = dtype;
    this.height = height;
    this.width = width;
    this.code0 = code0;
    this.code1 = code1;
    this.starts = starts;
    this.ends = ends;
  }

  /** The stored bytes of a mask of at most two codes, or null for a mask of more. */
  static byte[] encode(Mask mask) {
    int pixels = mask.pixelCount();
    int code0 = mask.code(0);
    int code1 = code0;
    for (int i = 0; i < pixels; i++) {
      int c = mask.code(i);
      if (c != code0) {
        if (code1 != code0 && c != code1) {
          return null;
        }
        code1 = c;
      }
    }
    ByteBuffersDataOutput runs = new ByteBuffersDataOutput();
    int count = 0;
    try {
      int current = code0;
      int length = 0;
      long[] previous = new long[2]; // the last run of each parity
      for (int i = 0; i <= pixels; i++) {
        if (i == pixels || mask.code(i) != current) {
          runs.writeVLong(BitUtil.zigZagEncode(length - previous[count & 1]));
          previous[count & 1] = length;
          count++;
          current = current == code0 ? code1 : code0;
          length = 0;
        }
        length++;
      }
      int bpp = mask.dtype().bytesPerPixel();
      ByteBuffersDataOutput out = new ByteBuffersDataOutput();
      out.writeByte(MARKER);
      TileEncoding.writeCode(out, code0, bpp);
      TileEncoding.writeCode(out, code1, bpp);
      out.writeVLong(count); // the same bytes as a VInt
      runs.copyTo(out);
      return out.toArrayCopy();
    } catch (IOException e) { // writing to memory
      throw new UncheckedIOException(e);
    }
  }

  /** The fewest bytes a run mask of this dtype takes: marker, codes, count and one run. */
  static int minLength(MaskDType dtype) {
    return 1 + 2 * dtype.bytesPerPixel() + 2;
  }

  /**
   * Reads a stored run mask, {@code length} bytes from the input's position, checked: the runs add
   * up to the pixel count and end where the mask's bytes do. Holds two ints a run of Code1, at most
   * {@code length} runs.
   */
  static RunMask read(IndexInput in, StoredMask stored, long length) throws IOException {
    try {
      return parse(in, stored, length);
    } catch (EOFException e) {
      throw new CorruptIndexException("run mask: runs past the mask's bytes", in, e);
    }
  }

  private static RunMask parse(IndexInput in, StoredMask stored, long length) throws IOException {
    long start = in.getFilePointer();
    if (in.readByte() != MARKER) {
      throw new CorruptIndexException("not a run mask", in);
    }
    int bpp = stored.dtype().bytesPerPixel();
    int code0 = TileEncoding.readCode(in, bpp);
    int code1 = TileEncoding.readCode(in, bpp);
    long runs = readVLong(in);
    long pixels = (long) stored.height() * stored.width();
    if (runs < 1 || runs > length || runs > pixels + 1) {
      throw new CorruptIndexException("run mask: " + runs + " runs", in);
    }
    int count = (int) runs;
    int[] starts = new int[count / 2];
    int[] ends = new int[count / 2];
    long position = 0;
    long[] previous = new long[2];
    for (int i = 0; i < count; i++) {
      long run = previous[i & 1] + BitUtil.zigZagDecode(readVLong(in));
      if (run < 1 || run > pixels - position) { // the writer never writes an empty run
        throw new CorruptIndexException("run mask: run " + i + " of " + run + " pixels", in);
      }
      previous[i & 1] = run;
      if ((i & 1) == 1) {
        starts[i / 2] = (int) position;
        ends[i / 2] = (int) (position + run);
      }
      position += run;
    }
    if (position != pixels || in.getFilePointer() - start != length) {
      throw new CorruptIndexException(
          "run mask: runs cover " + position + " of " + pixels + " pixels", in);
    }
    return new RunMask(stored.dtype(), stored.height(), stored.width(), code0, code1, starts, ends);
  }

  /** A VLong; Lucene reports one of more than 64 bits as a plain IOException. */
  private static long readVLong(IndexInput in) throws IOException {
    try {
      return in.readVLong();
    } catch (EOFException | CorruptIndexException e) {
      throw e;
    } catch (IOException e) {
      throw new CorruptIndexException("run mask: " + e.getMessage(), in, e);
    }
  }

  /** The mask's pixels. */
  Mask toMask(IndexInput in) throws CorruptIndexException {
    int bpp = dtype.bytesPerPixel();
    byte[] raw = new byte[height * width * bpp];
    fill(raw, 0, height * width, code0, bpp);
    for (int r = 0; r < starts.length; r++) {
      fill(raw, starts[r], ends[r], code1, bpp);
    }
    try {
      return Mask.of(dtype, height, width, raw);
    } catch (MaskFormatException e) { // codes that no mask has, such as a float above 1
      throw new CorruptIndexException("stored mask: " + e.getMessage(), in, e);
    }
  }

  private static void fill(byte[] raw, int from, int to, int code, int bpp) {
    if (bpp == 1) {
      Arrays.fill(raw, from, to, (byte) code);
      return;
    }
    for (int i = from; i < to; i++) {
      for (int k = 0; k < bpp; k++) {
        raw[i * bpp + k] = (byte) (code >>> (8 * k));
      }
    }
  }

  /** The pixels of {@code [x1, x2) x [y1, y2)} whose code lies in {@code [lo, lo + span)}. */
  long count(int x1, int y1, int x2, int y2, int lo, int span) {
    boolean in0 = Integer.compareUnsigned(code0 - lo, span) < 0;
    boolean in1 = Integer.compareUnsigned(code1 - lo, span) < 0;
    if (in0 == in1) {
      return in0 ? (long) (x2 - x1) * (y2 - y1) : 0;
    }
    long ones = code1Pixels(x1, y1, x2, y2);
    return in1 ? ones : (long) (x2 - x1) * (y2 - y1) - ones;
  }

  /** The Code1 pixels of a rectangle: the runs that can meet its rows, each clipped to it. */
  private long code1Pixels(int x1, int y1, int x2, int y2) {
    if (x1 >= x2 || y1 >= y2) {
      return 0;
    }
    long first = (long) y1 * width + x1;
    long last = (long) (y2 - 1) * width + x2; // past the rectangle's last pixel
    // the first run that ends after the rectangle's first pixel
    int r = Arrays.binarySearch(ends, (int) first);
    r = r >= 0 ? r + 1 : -r - 1;
    long count = 0;
    for (; r < starts.length && starts[r] < last; r++) {
      count += overlap(starts[r], ends[r], x1, y1, x2, y2);
    }
    return count;
  }

  /** The pixels of the row-major range [a, b) inside the rectangle. */
  private long overlap(int a, int b, int x1, int y1, int x2, int y2) {
    int rowA = a / width;
    int rowB = (b - 1) / width;
    if (rowA == rowB) {
      return rowA >= y1 && rowA < y2 ? span(a % width, (b - 1) % width + 1, x1, x2) : 0;
    }
    long count = 0;
    if (rowA >= y1 && rowA < y2) {
      count += span(a % width, width, x1, x2);
    }
    if (rowB >= y1 && rowB < y2) {
      count += span(0, (b - 1) % width + 1, x1, x2);
    }
    int fullRows = Math.min(rowB, y2) - Math.max(rowA + 1, y1); // rows between, inside
    if (fullRows > 0) {
      count += (long) fullRows * (x2 - x1);
    }
    return count;
  }

  private static int span(int from, int to, int x1, int x2) {
    return Math.max(0, Math.min(to, x2) - Math.max(from, x1));
  }

  /**
   * Memory {@link #read} takes for a mask stored in {@code length} bytes: two ints a run of Code1,
   * half of at most {@code length} runs (each takes a byte at least).
   */
  static long readBytes(long length) {
    return Integer.BYTES * length + 64;
  }
}
