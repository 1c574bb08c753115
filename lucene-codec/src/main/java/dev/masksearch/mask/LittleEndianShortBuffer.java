package dev.masksearch.mask;

import java.awt.image.DataBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * An unsigned 16-bit {@link DataBuffer} over a byte array of little-endian shorts, the layout of a
 * uint16 {@link Mask}: an image decoder writes its samples straight into the mask's bytes, with no
 * {@code short[]} copy.
 */
final class LittleEndianShortBuffer extends DataBuffer {
  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] bytes;

  /** A buffer of {@code bytes.length / 2} elements over {@code bytes}, which it writes through. */
  LittleEndianShortBuffer(byte[] bytes) {
    super(TYPE_USHORT, bytes.length / 2);
    this.bytes = bytes;
  }

  @Override
  public int getElem(int bank, int i) {
    return (short) SHORT_LE.get(bytes, i * 2) & 0xFFFF;
  }

  @Override
  public void setElem(int bank, int i, int val) {
    SHORT_LE.set(bytes, i * 2, (short) val);
  }
}
