package dev.masksearch.mask;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Masks as NumPy {@code .npy} files (what {@code numpy.save} writes), decoded into a {@link Mask}.
 *
 * <p>Accepted files:
 *
 * <ul>
 *   <li>format versions 1.0, 2.0 and 3.0: the magic {@code \x93NUMPY}, the version, the header
 *       length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), and the header, a Python
 *       dict literal in Latin-1 (UTF-8 in 3.0) with exactly the keys {@code descr}, {@code
 *       fortran_order} and {@code shape}, followed by spaces and a newline; then exactly the
 *       array's bytes, nothing more;
 *   <li>shape {@code (height, width)} or {@code (height, width, 1)}, each side 1 to {@value
 *       Mask#MAX_SIDE};
 *   <li>{@code fortran_order} {@code False} (row-major) or {@code True} (column-major, transposed
 *       here);
 *   <li>dtypes, in either byte order where it matters:
 *       <ul>
 *         <li>{@code u1} (uint8) and {@code u2} (uint16): {@link MaskDType#UINT8} value p / 255 and
 *             {@link MaskDType#UINT16} value p / 65535, as in the other encodings;
 *         <li>{@code f2} (float16) and {@code f4} (float32): as stored, values must lie in [0, 1];
 *         <li>{@code f8} (float64): every value is checked to lie in [0, 1] <em>as a double</em>,
 *             then rounded to the nearest float32 (masks have no float64 type; the rounding changes
 *             a value by at most 2^-25);
 *         <li>{@code b1} (bool): {@link MaskDType#UINT8} with False = 0 and True = 255, so True has
 *             the value 1.0.
 *       </ul>
 * </ul>
 *
 * Anything else (other dtypes, object or structured arrays, 1-D or multi-channel shapes, a bad
 * magic or header, truncated or trailing data, NaN or values outside [0, 1]) is a {@link
 * MaskFormatException} naming the problem.
 */
public final class NpyMasks {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final String ACCEPTED_DTYPES = "|u1, |b1, <u2, >u2, <f2, >f2, <f4, >f4, <f8, >f8";

  private NpyMasks() {}

  /**
   * Decodes a {@code .npy} file's bytes; the header and shape are checked before any pixel is read.
   */
  public static Mask decode(byte[] npy) {
    if (npy.length < MAGIC.length || !Arrays.equals(npy, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new MaskFormatException("not a .npy file: the magic string \\x93NUMPY is missing");
    }
    if (npy.length < 8) {
      throw new MaskFormatException("truncated .npy file: no format version");
    }
    int major = npy[6] & 0xFF;
    int minor = npy[7] & 0xFF;
    if ((major != 1 && major != 2 && major != 3) || minor != 0) {
      throw new MaskFormatException(
          "unsupported .npy format version " + major + "." + minor + "; expected 1.0, 2.0 or 3.0");
    }
    ByteBuffer in = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
    in.position(8);
    int lengthBytes = major == 1 ? 2 : 4;
    if (in.remaining() < lengthBytes) {
      throw new MaskFormatException("truncated .npy file: no header length");
    }
    long headerLength = major == 1 ? in.getShort() & 0xFFFF : in.getInt() & 0xFFFFFFFFL;
    if (headerLength > in.remaining()) {
      throw new MaskFormatException(
          "truncated .npy header: it declares "
              + headerLength
              + " bytes but the file has "
              + in.remaining()
              + " left");
    }
    int dataStart = in.position() + (int) headerLength;
    Header header = parseHeader(header(npy, in.position(), (int) headerLength, major));
    return toMask(header, npy, dataStart);
  }

  private static String header(byte[] npy, int from, int length, int major) {
    if (major < 3) {
      return new String(npy, from, length, StandardCharsets.ISO_8859_1);
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(npy, from, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MaskFormatException("bad .npy header: not valid UTF-8");
    }
  }

  /** The element type as read from the file, and how it becomes a mask. */
  private enum Kind {
    U1(1, MaskDType.UINT8),
    B1(1, MaskDType.UINT8),
    U2(2, MaskDType.UINT16),
    F2(2, MaskDType.FLOAT16),
    F4(4, MaskDType.FLOAT32),
    F8(8, MaskDType.FLOAT32);

    final int size;
    final MaskDType target;

    Kind(int size, MaskDType target) {
      this.size = size;
      this.target = target;
    }
  }

  private record Header(Kind kind, ByteOrder order, boolean fortran, int height, int width) {}

  private static Header parseHeader(String text) {
    Map<String, Object> dict = new HeaderParser(text).parse();
    for (String key : List.of("descr", "fortran_order", "shape")) {
      if (!dict.containsKey(key)) {
        throw new MaskFormatException("bad .npy header: the key '" + key + "' is missing");
      }
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new MaskFormatException(
          "unsupported dtype: descr is not a string (structured arrays are not masks); expected one of "
              + ACCEPTED_DTYPES);
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new MaskFormatException("bad .npy header: fortran_order must be True or False");
    }
    if (!(dict.get("shape") instanceof List<?> shape)) {
      throw new MaskFormatException("bad .npy header: shape must be a tuple");
    }
    String shapeText = shapeText(shape);
    if (shape.size() != 2 && shape.size() != 3) {
      throw new MaskFormatException(
          "shape "
              + shapeText
              + " has "
              + shape.size()
              + " dimensions; a mask must be (height, width) or (height, width, 1)");
    }
    if (shape.size() == 3 && (Long) shape.get(2) != 1) {
      throw new MaskFormatException(
          "shape "
              + shapeText
              + " has "
              + shape.get(2)
              + " channels; a mask must be (height, width) or (height, width, 1)");
    }
    long height = (Long) shape.get(0);
    long width = (Long) shape.get(1);
    Mask.checkShape(height, width);
    return new Header(kind(descr), order(descr), fortran, (int) height, (int) width);
  }

  private static String shapeText(List<?> shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.size(); i++) {
      s.append(i > 0 ? ", " : "").append(shape.get(i));
    }
    return s.append(shape.size() == 1 ? ",)" : ")").toString();
  }

  private static Kind kind(String descr) {
    Kind kind =
        descr.length() != 3
            ? null
            : switch (descr.substring(1)) {
              case "u1" -> Kind.U1;
              case "b1" -> Kind.B1;
              case "u2" -> Kind.U2;
              case "f2" -> Kind.F2;
              case "f4" -> Kind.F4;
              case "f8" -> Kind.F8;
              default -> null;
            };
    char order = descr.isEmpty() ? 0 : descr.charAt(0);
    // One-byte types carry '|' (numpy also reads '<' and '>' there); wider ones need an explicit
    // byte order.
    boolean orderOk =
        kind != null && (order == '<' || order == '>' || (order == '|' && kind.size == 1));
    if (!orderOk) {
      String what = descr.endsWith("O") ? " (object arrays are not masks)" : "";
      throw new MaskFormatException(
          "unsupported dtype '" + descr + "'" + what + "; expected one of " + ACCEPTED_DTYPES);
    }
    return kind;
  }

  private static ByteOrder order(String descr) {
    return descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  private static Mask toMask(Header h, byte[] npy, int dataStart) {
    int pixels = h.height * h.width;
    long expected = (long) pixels * h.kind.size;
    long actual = npy.length - dataStart;
    if (actual != expected) {
      throw new MaskFormatException(
          (actual < expected ? "truncated .npy data" : ".npy data has trailing bytes")
              + ": "
              + actual
              + " bytes after the header, but shape ("
              + h.height
              + ", "
              + h.width
              + ") of "
              + h.kind.name().toLowerCase(Locale.ROOT)
              + " needs "
              + expected);
    }
    ByteBuffer src = ByteBuffer.wrap(npy, dataStart, (int) expected).slice().order(h.order);
    byte[] out = new byte[pixels * h.kind.target.bytesPerPixel()];
    ByteBuffer dst = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    for (int y = 0; y < h.height; y++) {
      for (int x = 0; x < h.width; x++) {
        int at =
            h.fortran
                ? x * h.height + y
                : y * h.width + x; // Fortran order stores columns contiguously
        int to = y * h.width + x;
        switch (h.kind) {
          case U1 -> out[to] = src.get(at);
          case B1 -> {
            byte b = src.get(at);
            if (b != 0 && b != 1) {
              throw new MaskFormatException(
                  "value at row "
                      + y
                      + ", column "
                      + x
                      + " is the byte "
                      + (b & 0xFF)
                      + ", not a bool (0 or 1)");
            }
            out[to] = (byte) (b == 0 ? 0 : 255);
          }
          case U2, F2 -> dst.putShort(to * 2, src.getShort(at * 2));
          case F4 -> dst.putInt(to * 4, src.getInt(at * 4));
          case F8 -> {
            double v = src.getDouble(at * 8);
            if (!(v >= 0 && v <= 1)) { // also NaN
              throw new MaskFormatException(
                  "value at row "
                      + y
                      + ", column "
                      + x
                      + " is "
                      + v
                      + (Double.isNaN(v) ? "; values must lie in [0, 1]" : ", outside [0, 1]"));
            }
            dst.putFloat(to * 4, (float) v);
          }
        }
      }
    }
    return Mask.of(h.kind.target, h.height, h.width, out);
  }

  /**
   * The header's dict literal: string keys, and values that are strings, {@code True}/{@code
   * False}, or tuples of non-negative integers; nothing else is needed for a plain array, so
   * nothing else is accepted.
   */
  private static final class HeaderParser {
    private final String s;
    private int pos;

    HeaderParser(String s) {
      this.s = s;
    }

    Map<String, Object> parse() {
      skipSpace();
      expect('{');
      Map<String, Object> dict = new LinkedHashMap<>();
      skipSpace();
      while (peek() != '}') {
        String key = string();
        if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
          throw new MaskFormatException("bad .npy header: unexpected key '" + key + "'");
        }
        skipSpace();
        expect(':');
        skipSpace();
        if (dict.put(key, value()) != null) {
          throw error("duplicate key '" + key + "'");
        }
        skipSpace();
        if (peek() == ',') {
          pos++;
          skipSpace();
        } else if (peek() != '}') {
          throw error("expected ',' or '}'");
        }
      }
      pos++;
      while (pos < s.length()) {
        char c = s.charAt(pos++);
        if (c != ' ' && c != '\n') {
          throw error("unexpected text after the dict");
        }
      }
      return dict;
    }

    private Object value() {
      char c = peek();
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        return tuple();
      }
      if (s.startsWith("True", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      if (c == '[') {
        throw new MaskFormatException(
            "unsupported dtype: a list descr is a structured array, not a mask; expected one of "
                + ACCEPTED_DTYPES);
      }
      throw error("unexpected value");
    }

    private List<Long> tuple() {
      expect('(');
      List<Long> items = new ArrayList<>();
      skipSpace();
      while (peek() != ')') {
        items.add(integer());
        skipSpace();
        if (peek() == ',') {
          pos++;
          skipSpace();
        } else if (peek() != ')') {
          throw error("expected ',' or ')' in the shape");
        } else if (items.size() == 1) {
          // (n) without a comma is not a tuple in Python, so numpy never writes it
          throw error("a one-element shape must be written (n,)");
        }
      }
      pos++;
      return items;
    }

    private long integer() {
      int start = pos;
      while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
        pos++;
      }
      if (pos == start) {
        throw error("expected a non-negative integer in the shape");
      }
      String digits = s.substring(start, pos);
      // Any side over MAX_SIDE is rejected later; clamping keeps huge numbers from overflowing.
      return digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    private String string() {
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw error("expected a quoted key");
      }
      int end = s.indexOf(quote, pos + 1);
      if (end < 0) {
        throw error("unterminated string");
      }
      String value = s.substring(pos + 1, end);
      if (value.indexOf('\\') >= 0) {
        throw error("escapes in strings are not supported");
      }
      pos = end + 1;
      return value;
    }

    private char peek() {
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private void skipSpace() {
      while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\n')) {
        pos++;
      }
    }

    private MaskFormatException error(String problem) {
      return new MaskFormatException(
          "bad .npy header: " + problem + " at character " + pos + " of " + quoted());
    }

    private String quoted() {
      String t = s.strip();
      return '"' + (t.length() > 120 ? t.substring(0, 120) + "..." : t) + '"';
    }
  }
}
