package dev.masksearch.codec;

import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import org.apache.lucene.store.DataInput;

/** The read side of one shape group: its meta; {@link ChiBlockCursor} reads its column-major CHI blocks. */
final class ChiGroup {
  final MaskDType dtype;
  final int gx;
  final int gy;
  final int size;
  final int bins;
  final int blockShift;
  private final long[] blockStarts;

  private ChiGroup(MaskDType dtype, int gx, int gy, int size, int bins, int blockShift, long[] blockStarts) {
    this.dtype = dtype;
    this.gx = gx;
    this.gy = gy;
    this.size = size;
    this.bins = bins;
    this.blockShift = blockShift;
    this.blockStarts = blockStarts;
  }

  static ChiGroup readMeta(DataInput meta, int bins) throws IOException {
    MaskDType dtype = MaskBytes.dtypeOf(meta.readByte());
    int gx = meta.readVInt();
    int gy = meta.readVInt();
    int size = meta.readVInt();
    int blockShift = meta.readByte();
    long[] blockStarts = new long[meta.readVInt()];
    for (int b = 0; b < blockStarts.length; b++) {
      blockStarts[b] = meta.readLong();
    }
    return new ChiGroup(dtype, gx, gy, size, bins, blockShift, blockStarts);
  }

  /** Where block b of this group's CHI starts in the {@code .mskc} file. */
  long blockStart(int b) {
    return blockStarts[b];
  }
}
