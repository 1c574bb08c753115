package dev.masksearch.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersIndexInput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.packed.DirectMonotonicReader;
import org.apache.lucene.util.packed.DirectMonotonicWriter;
import org.apache.lucene.util.packed.DirectWriter;

/**
 * The meta of a field's mask addresses: a block shift, then Lucene's DirectMonotonic meta. Read
 * through a copy of its bytes, so that it can be checked before Lucene's reader takes it: that
 * reader accepts any block shift, and any width and data offset per block, and would read outside
 * the data.
 */
final class AddressMeta {
  /** Bits per value that Lucene's DirectWriter writes. */
  private static final Set<Integer> DIRECT_BITS =
      Set.of(1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64);

  /** Bytes of one block's meta: Min(int64), Average(float32), Offset(int64), BitsPerValue(byte). */
  private static final int BLOCK_META_BYTES = 21;

  private final long values;
  private final int blockShift;
  private final byte[] blocks;

  private AddressMeta(long values, int blockShift, byte[] blocks) {
    this.values = values;
    this.blockShift = blockShift;
    this.blocks = blocks;
  }

  /**
   * Reads the meta of {@code values} addresses; its size is checked against what is left of the
   * meta file.
   */
  static AddressMeta read(IndexInput meta, long values) throws IOException {
    int blockShift = meta.readVInt();
    if (blockShift < DirectMonotonicWriter.MIN_BLOCK_SHIFT
        || blockShift > DirectMonotonicWriter.MAX_BLOCK_SHIFT) {
      throw new CorruptIndexException("address block shift " + blockShift, meta);
    }
    long blockCount = (values + (1L << blockShift) - 1) >>> blockShift;
    long bytes = blockCount * BLOCK_META_BYTES;
    if (bytes > meta.length() - meta.getFilePointer() - CodecUtil.footerLength()) {
      throw new CorruptIndexException(
          "address meta of " + blockCount + " blocks runs past the end", meta);
    }
    byte[] blocks = new byte[(int) bytes];
    meta.readBytes(blocks, 0, blocks.length);
    return new AddressMeta(values, blockShift, blocks);
  }

  /**
   * Checks that each block has a width Lucene writes and that its data lies inside the {@code
   * length} bytes of address data, then loads the meta for Lucene's reader.
   */
  DirectMonotonicReader.Meta load(long length, IndexInput meta) throws IOException {
    ByteArrayDataInput in = new ByteArrayDataInput(blocks);
    for (long b = 0; !in.eof(); b++) {
      in.readLong(); // min
      in.readInt(); // average
      long offset = in.readLong();
      int bits = in.readByte();
      if (bits == 0) {
        continue; // no data
      }
      long count = Math.min(1L << blockShift, values - (b << blockShift));
      if (!DIRECT_BITS.contains(bits)
          || offset < 0
          || offset > length - DirectWriter.bytesRequired(count, bits)) {
        throw new CorruptIndexException(
            "address block "
                + b
                + ": "
                + count
                + " values of "
                + bits
                + " bits at "
                + offset
                + " do not fit the "
                + length
                + " bytes of addresses",
            meta);
      }
    }
    IndexInput copy =
        new ByteBuffersIndexInput(
            new ByteBuffersDataInput(List.of(ByteBuffer.wrap(blocks))), "address meta of " + meta);
    return DirectMonotonicReader.loadMeta(copy, values, blockShift);
  }
}
