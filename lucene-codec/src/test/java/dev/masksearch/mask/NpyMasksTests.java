package dev.masksearch.mask;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Tests of {@link NpyMasks}; the test files are written here by a small writer that follows the
 * .npy spec.
 */
public class NpyMasksTests extends LuceneTestCase {

  /**
   * A .npy file: magic, version, header length, the header padded to a multiple of 64 with a final
   * newline, data.
   */
  static byte[] npy(int major, String header, byte[] data) {
    byte[] text =
        header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int prefix = 6 + 2 + (major == 1 ? 2 : 4);
    int padded = (prefix + text.length + 1 + 63) / 64 * 64 - prefix;
    ByteBuffer out =
        ByteBuffer.allocate(prefix + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      out.putShort((short) padded);
    } else {
      out.putInt(padded);
    }
    out.put(text);
    for (int i = text.length; i < padded - 1; i++) {
      out.put((byte) ' ');
    }
    out.put((byte) '\n');
    out.put(data);
    return out.array();
  }

  static String header(String descr, boolean fortran, String shape) {
    return "{'descr': '"
        + descr
        + "', 'fortran_order': "
        + (fortran ? "True" : "False")
        + ", 'shape': "
        + shape
        + ", }";
  }

  /** The element bytes of row-major codes, written in the file's order and layout. */
  private static byte[] elements(String descr, int h, int w, boolean fortran, long[] bits) {
    int size = descr.charAt(2) - '0';
    ByteBuffer out =
        ByteBuffer.allocate(h * w * size)
            .order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < h * w; i++) {
      int y = fortran ? i % h : i / w;
      int x = fortran ? i / h : i % w;
      long v = bits[y * w + x];
      switch (size) {
        case 1 -> out.put((byte) v);
        case 2 -> out.putShort((short) v);
        case 4 -> out.putInt((int) v);
        default -> out.putLong(v);
      }
    }
    return out.array();
  }

  /**
   * Random files of every dtype, byte order, version, layout and shape form decode to the written
   * values.
   */
  public void testDecodeRandomFiles() {
    Random r = random();
    int iters = atLeast(50);
    for (int it = 0; it < iters; it++) {
      String type = RandomPicks.randomFrom(r, List.of("u1", "b1", "u2", "f2", "f4", "f8"));
      char order =
          type.endsWith("1")
              ? RandomPicks.randomFrom(r, List.of('|', '<', '>'))
              : RandomPicks.randomFrom(r, List.of('<', '>'));
      String descr = order + type;
      int h = RandomNumbers.randomIntBetween(r, 1, 30);
      int w = RandomNumbers.randomIntBetween(r, 1, 30);
      boolean fortran = r.nextBoolean();
      int major = RandomNumbers.randomIntBetween(r, 1, 3);
      String shape = r.nextBoolean() ? "(" + h + ", " + w + ")" : "(" + h + ", " + w + ", 1)";
      long[] bits = new long[h * w];
      double[] expected = new double[h * w];
      for (int i = 0; i < bits.length; i++) {
        boolean extreme = r.nextInt(5) == 0;
        double v = extreme ? (r.nextBoolean() ? 0.0 : 1.0) : r.nextDouble();
        switch (type) {
          case "u1" -> bits[i] = Math.round(v * 255);
          case "b1" -> bits[i] = r.nextBoolean() ? 1 : 0;
          case "u2" -> bits[i] = Math.round(v * 65535);
          case "f2" -> bits[i] = Float.floatToFloat16((float) v) & 0xFFFF;
          case "f4" -> bits[i] = Float.floatToRawIntBits((float) v) & 0xFFFFFFFFL;
          default -> bits[i] = Double.doubleToRawLongBits(v);
        }
        expected[i] =
            switch (type) {
              case "u1" -> bits[i] / 255.0;
              case "b1" -> bits[i];
              case "u2" -> bits[i] / 65535.0;
              case "f2" -> Float.float16ToFloat((short) bits[i]);
              case "f4" -> Float.intBitsToFloat((int) bits[i]);
              default -> (float) v;
            };
      }
      String what = descr + " " + shape + " fortran=" + fortran + " v" + major;
      Mask mask =
          NpyMasks.decode(
              npy(major, header(descr, fortran, shape), elements(descr, h, w, fortran, bits)));
      assertEquals(what, h, mask.height());
      assertEquals(what, w, mask.width());
      MaskDType dtype =
          switch (type) {
            case "u1", "b1" -> MaskDType.UINT8;
            case "u2" -> MaskDType.UINT16;
            case "f2" -> MaskDType.FLOAT16;
            default -> MaskDType.FLOAT32;
          };
      assertEquals(what, dtype, mask.dtype());
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          assertEquals(what + " at " + y + "," + x, expected[y * w + x], mask.value(y, x), 0.0);
        }
      }
    }
  }

  /**
   * A header as numpy 1.x writes it (no trailing comma, version 1.0, 16-byte alignment) also
   * decodes.
   */
  public void testNumpyStyleHeaders() {
    byte[] data = {0, (byte) 255, 7, 9};
    for (String header :
        List.of(
            "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2)}",
            "{\"shape\": (2, 2), \"fortran_order\": False, \"descr\": \"|u1\"}",
            "{ 'descr' : '|u1' , 'fortran_order' : False , 'shape' : ( 2 , 2 , ) , }")) {
      Mask mask = NpyMasks.decode(npy(1, header, data));
      assertEquals(header, 255, mask.code(1));
      assertEquals(header, 9, mask.code(3));
    }
    // The largest sides are accepted.
    Mask wide =
        NpyMasks.decode(
            npy(2, header("|u1", false, "(1, " + Mask.MAX_SIDE + ")"), new byte[Mask.MAX_SIDE]));
    assertEquals(Mask.MAX_SIDE, wide.width());
  }

  private static void assertRejected(byte[] file, String message) {
    MaskFormatException e = expectThrows(MaskFormatException.class, () -> NpyMasks.decode(file));
    assertTrue(
        "expected [" + message + "] in [" + e.getMessage() + "]", e.getMessage().contains(message));
  }

  private static void assertHeaderRejected(String header, String message) {
    assertRejected(npy(1, header, new byte[4]), message);
  }

  public void testBadMagicVersionAndLengths() {
    assertRejected(new byte[0], "not a .npy file: the magic string \\x93NUMPY is missing");
    assertRejected("\u0089PNG\r\n".getBytes(StandardCharsets.ISO_8859_1), "not a .npy file");
    assertRejected(
        new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1},
        "truncated .npy file: no format version");
    byte[] good = npy(1, header("|u1", false, "(2, 2)"), new byte[4]);
    byte[] v4 = good.clone();
    v4[6] = 4;
    assertRejected(v4, "unsupported .npy format version 4.0; expected 1.0, 2.0 or 3.0");
    byte[] v11 = good.clone();
    v11[7] = 1;
    assertRejected(v11, "unsupported .npy format version 1.1");
    assertRejected(Arrays.copyOf(good, 9), "truncated .npy file: no header length");
    assertRejected(Arrays.copyOf(good, 40), "truncated .npy header: it declares");
    assertRejected(
        Arrays.copyOf(good, good.length - 1),
        "truncated .npy data: 3 bytes after the header, but shape (2, 2) of u1 needs 4");
    assertRejected(
        Arrays.copyOf(good, good.length + 2),
        ".npy data has trailing bytes: 6 bytes after the header");
    assertRejected(
        npy(2, header("<f4", false, "(3, 3)"), new byte[35]),
        "truncated .npy data: 35 bytes after the header, but shape (3, 3) of f4 needs 36");
    // A version 3.0 header must be UTF-8.
    byte[] v3 = npy(3, header("|u1", false, "(2, 2)"), new byte[4]);
    v3[12 + 3] = (byte) 0xFF;
    assertRejected(v3, "bad .npy header: not valid UTF-8");
  }

  public void testBadHeaders() {
    assertHeaderRejected("['descr', '|u1']", "bad .npy header: expected '{' at character 0");
    assertHeaderRejected("{'descr': '|u1', 'fortran_order': False}", "the key 'shape' is missing");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}",
        "unexpected key 'extra'");
    assertHeaderRejected(
        "{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (2, 2)}",
        "duplicate key 'descr'");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': 0, 'shape': (2, 2)}", "unexpected value");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': 'no', 'shape': (2, 2)}",
        "fortran_order must be True or False");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': False, 'shape': '2x2'}", "shape must be a tuple");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, -2)}",
        "expected a non-negative integer in the shape");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': False, 'shape': (4)}",
        "a one-element shape must be written (n,)");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2)} x",
        "unexpected text after the dict");
    assertHeaderRejected(
        "{'descr': '|u1' 'fortran_order': False, 'shape': (2, 2)}", "expected ',' or '}'");
    assertHeaderRejected(
        "{'descr: '|u1', 'fortran_order': False, 'shape': (2, 2)}", "unexpected key 'descr: '");
    assertHeaderRejected(
        "{'descr' '|u1', 'fortran_order': False, 'shape': (2, 2)}", "expected ':'");
    assertHeaderRejected(
        "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2)", "unexpected end");
    assertHeaderRejected(
        "{'descr': 'a\\'b', 'fortran_order': False, 'shape': (2, 2)}", "bad .npy header");
  }

  public void testUnsupportedDtypesAndShapes() {
    for (String descr :
        List.of("<i4", "<u4", "|i1", "<c8", "|u2", "=f4", "f4", "<U8", "<f16", "")) {
      assertHeaderRejected(
          header(descr, false, "(2, 2)"),
          "unsupported dtype '"
              + descr
              + "'; expected one of |u1, |b1, <u2, >u2, <f2, >f2, <f4, >f4, <f8, >f8");
    }
    assertHeaderRejected(
        header("|O", false, "(2, 2)"), "unsupported dtype '|O' (object arrays are not masks)");
    assertHeaderRejected(
        "{'descr': [('r', '|u1'), ('g', '|u1')], 'fortran_order': False, 'shape': (2,)}",
        "a list descr is a structured array, not a mask");
    assertHeaderRejected(
        header("|u1", false, "(4,)"),
        "shape (4,) has 1 dimensions; a mask must be (height, width) or (height, width, 1)");
    assertHeaderRejected(header("|u1", false, "()"), "shape () has 0 dimensions");
    assertHeaderRejected(
        header("|u1", false, "(1, 2, 2, 1)"), "shape (1, 2, 2, 1) has 4 dimensions");
    assertHeaderRejected(
        header("|u1", false, "(2, 2, 3)"),
        "shape (2, 2, 3) has 3 channels; a mask must be (height, width) or (height, width, 1)");
    assertHeaderRejected(header("|u1", false, "(0, 4)"), "shape [0, 4] is out of bounds");
    assertHeaderRejected(
        header("|u1", false, "(2, " + (Mask.MAX_SIDE + 1) + ")"),
        "shape [2, "
            + (Mask.MAX_SIDE + 1)
            + "] is out of bounds: height and width must be between 1 and 4096");
    // Huge shapes are rejected before anything is allocated, without overflowing.
    assertHeaderRejected(header("<f8", false, "(99999999999999999999999, 3)"), "is out of bounds");
  }

  public void testInvalidValues() {
    ByteBuffer f4 =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(1.5f);
    assertRejected(
        npy(1, header("<f4", false, "(1, 2)"), f4.array()),
        "value at row 0, column 1 is 1.5, outside [0, 1]");
    ByteBuffer f4be =
        ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(Float.NaN).putFloat(0f);
    assertRejected(
        npy(1, header(">f4", false, "(2, 1)"), f4be.array()), "value at row 0, column 0 is NaN");
    ByteBuffer f2 =
        ByteBuffer.allocate(4)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putShort((short) 0)
            .putShort(Float.floatToFloat16(-0.25f));
    assertRejected(
        npy(2, header("<f2", false, "(1, 2)"), f2.array()),
        "value at row 0, column 1 is -0.25, outside [0, 1]");
    // float64 is checked before rounding: 1 + 2^-40 would round to 1.0f.
    ByteBuffer f8 =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putDouble(1.0)
            .putDouble(1 + 0x1p-40);
    assertRejected(
        npy(3, header("<f8", false, "(2, 1)"), f8.array()),
        "value at row 1, column 0 is " + (1 + 0x1p-40) + ", outside [0, 1]");
    ByteBuffer f8neg =
        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.0).putDouble(-1e-300);
    assertRejected(
        npy(1, header("<f8", true, "(1, 2)"), f8neg.array()),
        "value at row 0, column 1 is -1.0E-300");
    ByteBuffer f8nan = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(Double.NaN);
    assertRejected(
        npy(1, header(">f8", false, "(1, 1)"), f8nan.array()), "is NaN; values must lie in [0, 1]");
    assertRejected(
        npy(1, header("|b1", false, "(1, 3)"), new byte[] {0, 1, 2}),
        "value at row 0, column 2 is the byte 2, not a bool (0 or 1)");
    // Fortran order reports the pixel's row and column, not its position in the file.
    ByteBuffer fortran =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(0f)
            .putFloat(0f)
            .putFloat(2f)
            .putFloat(0f); // (2, 2) column-major: [0][1] is the third element
    assertRejected(
        npy(1, header("<f4", true, "(2, 2)"), fortran.array()),
        "value at row 0, column 1 is 2.0, outside [0, 1]");
  }

  /**
   * Sanity check of the writer against a file numpy itself wrote (np.save of np.arange(6,
   * dtype=np.uint8).reshape(2, 3)).
   */
  public void testFileWrittenByNumpy() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
    byte[] prefix = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0};
    out.writeBytes(prefix);
    out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(" ".repeat(118 - header.length() - 1).getBytes(StandardCharsets.ISO_8859_1));
    out.write('\n');
    out.writeBytes(new byte[] {0, 1, 2, 3, 4, 5});
    byte[] file = out.toByteArray();
    assertEquals(128 + 6, file.length);
    assertArrayEquals(file, npy(1, header, new byte[] {0, 1, 2, 3, 4, 5}));
    Mask mask = NpyMasks.decode(file);
    assertEquals(String.format(Locale.ROOT, "%s", "Mask[2x3 uint8]"), mask.toString());
    assertEquals(5, mask.code(5));
  }
}
