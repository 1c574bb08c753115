package dev.masksearch.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.carrotsearch.randomizedtesting.generators.RandomNumbers;
import com.carrotsearch.randomizedtesting.generators.RandomPicks;
import dev.masksearch.chi.Chi;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.chi.ChiParams;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskDType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * Random masks for the codec tests, and the read-back checks that compare an index with the masks
 * it was given. Expected values always come from the {@link Mask} objects the test built (so a
 * float {@code -0.0} is already canonicalized) and from {@link Chi#build}, never from the format
 * under test.
 */
final class CodecTestMasks {
  private CodecTestMasks() {}

  /**
   * The largest number of CHI entries of one mask compared exhaustively; bigger ones are sampled.
   */
  private static final int FULL_CHI_CHECK = 20_000;

  /** Random CHI parameters, small enough that a 200x200 mask has at most ~40k CHI entries. */
  static ChiParams randomParams(Random r) {
    int step =
        switch (r.nextInt(5)) {
          case 0 -> RandomPicks.randomFrom(r, new Integer[] {4, 5, 7, 8});
          case 1 -> RandomPicks.randomFrom(r, new Integer[] {16, 32, 64});
          case 2 -> RandomNumbers.randomIntBetween(r, 9, 63);
          case 3 -> RandomNumbers.randomIntBetween(r, 100, 300); // one or two cells a side
          default -> ChiParams.DEFAULT_GRID_STEP;
        };
    int cells = ChiGrid.cells(200, step) * ChiGrid.cells(200, step);
    int maxBins = Math.max(1, Math.min(ChiParams.MAX_BINS, 40_000 / cells));
    int bins =
        switch (r.nextInt(4)) {
          case 0 -> 1;
          case 1 -> Math.min(maxBins, ChiParams.DEFAULT_BINS);
          case 2 -> maxBins;
          default -> RandomNumbers.randomIntBetween(r, 1, maxBins);
        };
    return new ChiParams(step, bins);
  }

  /**
   * The cursor that reads the CHI columns: the first tier's when the CHI is stored in two tiers,
   * else the only one.
   */
  static MaskDocValues.ChiCursor columnCursor(MaskDocValues values) throws IOException {
    MaskDocValues.ChiCursor first = values.firstTierCursor();
    return first != null ? first : values.chiCursor();
  }

  /** A random dtype. */
  /** Either layout of a cell record. */
  static CellSuffixRecord.Layout randomLayout(Random r) {
    return RandomPicks.randomFrom(r, CellSuffixRecord.Layout.values());
  }

  static MaskDType randomDType(Random r) {
    return RandomPicks.randomFrom(r, MaskDType.values());
  }

  /**
   * A random side length, 1 to about 200, often not a multiple of {@code step} and sometimes
   * exactly one.
   */
  static int randomSide(Random r, int step) {
    return switch (r.nextInt(8)) {
      case 0 -> RandomNumbers.randomIntBetween(r, 1, 3);
      case 1 ->
          Math.min(
              Mask.MAX_SIDE, step * RandomNumbers.randomIntBetween(r, 1, Math.max(1, 200 / step)));
      case 2 ->
          Math.min(
              Mask.MAX_SIDE,
              step * RandomNumbers.randomIntBetween(r, 1, Math.max(1, 200 / step)) + 1);
      default -> RandomNumbers.randomIntBetween(r, 1, 200);
    };
  }

  /**
   * A random mask for a field with these params: random dtype and shape (up to ~200x200, and once
   * in a while a much larger one whose CHI stays below ~100k entries).
   */
  static Mask randomMask(Random r, ChiParams params) {
    MaskDType dtype = randomDType(r);
    if (r.nextInt(150) == 0) {
      // a large mask, bounded so that its CHI (cells x bins) stays reasonable
      int maxCells = Math.max(1, 100_000 / params.bins());
      int maxSide = (int) Math.min(900, Math.sqrt(maxCells) * params.gridStep());
      int h = RandomNumbers.randomIntBetween(r, Math.min(201, maxSide), Math.max(201, maxSide));
      int w = RandomNumbers.randomIntBetween(r, Math.min(201, maxSide), Math.max(201, maxSide));
      return randomMask(r, dtype, h, w);
    }
    return randomMask(r, dtype, randomSide(r, params.gridStep()), randomSide(r, params.gridStep()));
  }

  /**
   * A random mask of a dtype and shape: smooth, noisy, constant, binary or full of bin-edge values.
   */
  static Mask randomMask(Random r, MaskDType dtype, int height, int width) {
    int pixels = height * width;
    int[] codes = new int[pixels];
    int flavour = r.nextInt(6);
    int max = dtype.maxCode();
    int constant =
        switch (r.nextInt(3)) {
          case 0 -> 0;
          case 1 -> max;
          default -> RandomNumbers.randomIntBetween(r, 0, max);
        };
    // smooth content: a blob plus waves, like saliency maps
    double cx = r.nextDouble() * width;
    double cy = r.nextDouble() * height;
    double radius = 1 + r.nextDouble() * Math.max(height, width);
    double fx = r.nextDouble() * 0.3;
    double fy = r.nextDouble() * 0.3;
    int[] denominators = {2, 3, 7, 10, 16, 32};
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        codes[i] =
            switch (flavour) {
              case 0 -> RandomNumbers.randomIntBetween(r, 0, max); // noise
              case 1 -> constant;
              case 2 -> { // smooth
                double d = Math.hypot(x - cx, y - cy) / radius;
                double v = 0.7 * Math.exp(-d * d) + 0.3 * (0.5 + 0.5 * Math.sin(fx * x + fy * y));
                yield codeOf(dtype, v);
              }
              case 3 -> Math.hypot(x - cx, y - cy) < radius / 2 ? max : 0; // binary
              case 4 -> { // exact bin edges k / n and their neighbours
                int n = denominators[r.nextInt(denominators.length)];
                int code = codeOf(dtype, (double) r.nextInt(n + 1) / n);
                yield Math.max(0, Math.min(max, code + r.nextInt(3) - 1));
              }
              default -> { // smooth with noise
                double v =
                    0.5 + 0.4 * Math.sin(fx * x) * Math.cos(fy * y) + 0.1 * (r.nextDouble() - 0.5);
                yield codeOf(dtype, v);
              }
            };
      }
    }
    byte[] data = new byte[pixels * dtype.bytesPerPixel()];
    boolean negativeZeros = r.nextInt(4) == 0;
    for (int i = 0; i < pixels; i++) {
      int code = codes[i];
      if (negativeZeros && code == 0 && r.nextBoolean()) {
        // -0.0: a valid value that Mask.of canonicalizes to 0.0
        if (dtype == MaskDType.FLOAT16) {
          code = 0x8000;
        } else if (dtype == MaskDType.FLOAT32) {
          code = 0x80000000;
        }
      }
      int at = i * dtype.bytesPerPixel();
      for (int b = 0; b < dtype.bytesPerPixel(); b++) {
        data[at + b] = (byte) (code >>> (8 * b));
      }
    }
    return Mask.of(dtype, height, width, data);
  }

  /** The code of a value in [0, 1] (clamped). */
  static int codeOf(MaskDType dtype, double value) {
    double v = Math.max(0, Math.min(1, value));
    return switch (dtype) {
      case UINT8 -> (int) Math.round(v * 255);
      case UINT16 -> (int) Math.round(v * 65535);
      case FLOAT16 -> Math.min(dtype.maxCode(), Float.floatToFloat16((float) v) & 0xFFFF);
      case FLOAT32 -> Math.min(dtype.maxCode(), Float.floatToRawIntBits((float) v));
    };
  }

  static void assertSameMask(String message, Mask expected, Mask actual) {
    assertNotNull(message + ": no mask", actual);
    assertEquals(message + ": dtype", expected.dtype(), actual.dtype());
    assertEquals(message + ": height", expected.height(), actual.height());
    assertEquals(message + ": width", expected.width(), actual.width());
    assertArrayEquals(message + ": raw bytes", expected.rawBytes(), actual.rawBytes());
  }

  /** Compares a cursor positioned on a document with the CHI built from the original mask. */
  static void assertSameChi(
      String message, Mask expected, ChiParams params, MaskDocValues.ChiCursor cursor, Random r) {
    Chi chi = Chi.build(expected, params);
    ChiGrid grid = cursor.grid();
    assertEquals(
        message + ": grid",
        new ChiGrid(params.gridStep(), expected.width(), expected.height()),
        grid);
    assertEquals(message + ": grid", chi.grid(), grid);
    assertEquals(message + ": dtype", expected.dtype(), cursor.dtype());
    assertEquals(message + ": bins", params.bins(), cursor.bins());
    int gx = grid.gx();
    int gy = grid.gy();
    int bins = params.bins();
    if ((long) gx * gy * bins <= FULL_CHI_CHECK) {
      for (int j = 1; j <= gy; j++) {
        for (int i = 1; i <= gx; i++) {
          for (int l = 1; l <= bins; l++) {
            assertCount(message, chi, cursor, i, j, l);
          }
        }
      }
    } else {
      for (int l = 1; l <= bins; l++) { // the corners and edges of the grid at every level
        assertCount(message, chi, cursor, gx, gy, l);
        assertCount(message, chi, cursor, 1, 1, l);
        assertCount(message, chi, cursor, gx, 1, l);
        assertCount(message, chi, cursor, 1, gy, l);
      }
      for (int k = 0; k < FULL_CHI_CHECK / 4; k++) {
        assertCount(
            message, chi, cursor, 1 + r.nextInt(gx), 1 + r.nextInt(gy), 1 + r.nextInt(bins));
      }
    }
    // a bulk read (a document's corners or a plan's entries in one call: random entries, some
    // repeated) answers as the single reads do, also where it makes a column's read decode it
    int n = 1 + r.nextInt(64);
    int[] indices = new int[n];
    long[] counts = new long[n];
    for (int k = 0; k < n; k++) {
      int i = 1 + r.nextInt(gx);
      int j = 1 + r.nextInt(gy);
      int l = 1 + r.nextInt(bins);
      indices[k] = k > 0 && r.nextInt(8) == 0 ? indices[k - 1] : Chi.index(gx, bins, i, j, l);
      counts[k] = k > 0 && indices[k] == indices[k - 1] ? counts[k - 1] : chi.count(i, j, l);
    }
    long[] read = new long[n];
    cursor.entries(indices, n, read);
    assertArrayEquals(message + ": entries read in bulk", counts, read);
  }

  private static void assertCount(
      String message, Chi chi, MaskDocValues.ChiCursor cursor, int i, int j, int l) {
    long expected = chi.count(i, j, l);
    long actual = cursor.count(i, j, l);
    if (expected != actual) {
      fail(
          message
              + ": count("
              + i
              + ", "
              + j
              + ", "
              + l
              + ") = "
              + actual
              + ", expected "
              + expected);
    }
  }

  /**
   * Checks every segment of a reader against the masks the test indexed. Documents carry a unique
   * numeric doc value {@code idField}; {@code expected} maps it to one mask (or null) per field,
   * {@code live} holds the ids that must be live. Live documents must read back exactly as indexed.
   * Deleted documents keep whatever the segment still stores (Lucene may or may not have applied
   * later updates to them), so for them only the consistency of the format's access paths is
   * checked. A null entry in {@code params} means the field's parameters are not known to the test
   * (they are then taken from the segment's field attributes).
   */
  static void checkIndex(
      DirectoryReader reader,
      String idField,
      List<String> fields,
      List<ChiParams> params,
      Map<Long, Mask[]> expected,
      Set<Long> live,
      Random r)
      throws IOException {
    checkIndex(reader, idField, fields, params, false, expected, live, r);
  }

  /**
   * As above; with {@code defaultParamsAllowed}, a segment may also report {@link
   * ChiParams#DEFAULT}: a doc-values update that brings a field into a segment which did not have
   * it gets a field info without attributes (Lucene builds it from the global field numbers, which
   * keep no attributes).
   */
  static void checkIndex(
      DirectoryReader reader,
      String idField,
      List<String> fields,
      List<ChiParams> params,
      boolean defaultParamsAllowed,
      Map<Long, Mask[]> expected,
      Set<Long> live,
      Random r)
      throws IOException {
    int liveSeen = 0;
    for (LeafReaderContext context : reader.leaves()) {
      LeafReader leaf = context.reader();
      int maxDoc = leaf.maxDoc();
      long[] ids = new long[maxDoc];
      NumericDocValues idValues = leaf.getNumericDocValues(idField);
      for (int doc = 0; doc < maxDoc; doc++) {
        assertTrue("doc " + doc + " has no id", idValues.advanceExact(doc));
        ids[doc] = idValues.longValue();
        assertTrue("unknown id " + ids[doc], expected.containsKey(ids[doc]));
      }
      Bits liveDocs = leaf.getLiveDocs();
      boolean[] isLive = new boolean[maxDoc];
      for (int doc = 0; doc < maxDoc; doc++) {
        isLive[doc] = liveDocs == null || liveDocs.get(doc);
        assertEquals("liveness of id " + ids[doc], live.contains(ids[doc]), isLive[doc]);
        if (isLive[doc]) {
          liveSeen++;
        }
      }
      for (int f = 0; f < fields.size(); f++) {
        String field = fields.get(f);
        Mask[] masks = new Mask[maxDoc];
        boolean any = false;
        for (int doc = 0; doc < maxDoc; doc++) {
          if (isLive[doc]) {
            masks[doc] = expected.get(ids[doc])[f];
            any |= masks[doc] != null;
          }
        }
        checkField(leaf, field, params.get(f), defaultParamsAllowed, masks, isLive, any, r);
      }
    }
    assertEquals("live documents", live.size(), liveSeen);
    assertEquals(live.size(), reader.numDocs());
  }

  /** The CHI parameters a segment's field attributes ask for. */
  static ChiParams paramsOf(LeafReader leaf, String field) {
    FieldInfo info = leaf.getFieldInfos().fieldInfo(field);
    assertNotNull(field + " has no field info", info);
    return MaskSearch10DocValuesFormat.paramsOf(info);
  }

  private static void checkField(
      LeafReader leaf,
      String field,
      ChiParams expectedParams,
      boolean defaultParamsAllowed,
      Mask[] expected,
      boolean[] live,
      boolean anyLive,
      Random r)
      throws IOException {
    int maxDoc = leaf.maxDoc();
    BinaryDocValues iterator = leaf.getBinaryDocValues(field);
    if (iterator == null) {
      assertFalse(leaf + " has masks in [" + field + "] but no doc values", anyLive);
      return;
    }
    assertTrue(iterator.getClass() + " is not MaskDocValues", iterator instanceof MaskDocValues);
    ChiParams params = ((MaskDocValues) iterator).params();
    assertEquals(
        field + ": params of the segment vs its field attributes", paramsOf(leaf, field), params);
    if (expectedParams != null && !(defaultParamsAllowed && params.equals(ChiParams.DEFAULT))) {
      assertEquals(field + ": params", expectedParams, params);
    }

    // (a) iteration: the live documents with a mask, whose bytes decode to exactly the original
    // mask; what a
    // deleted document still stores becomes the truth for the other access paths
    Mask[] masks = expected.clone();
    int visited = 0;
    int previous = -1;
    for (int doc = iterator.nextDoc();
        doc != DocIdSetIterator.NO_MORE_DOCS;
        doc = iterator.nextDoc()) {
      assertTrue(
          field + ": iteration goes backwards, " + doc + " after " + previous, doc > previous);
      assertTrue(doc < maxDoc);
      assertEquals(doc, iterator.docID());
      Mask decoded = MaskBytes.decode(iterator.binaryValue());
      if (live[doc]) {
        assertNotNull(
            field + ": live doc " + doc + " has a value but was indexed without a mask",
            expected[doc]);
        assertSameMask(field + " doc " + doc + " (decoded)", expected[doc], decoded);
        visited++;
      } else {
        masks[doc] = decoded;
      }
      previous = doc;
    }
    int withMask = 0;
    for (int doc = 0; doc < maxDoc; doc++) {
      withMask += live[doc] && expected[doc] != null ? 1 : 0;
    }
    assertEquals(field + ": live documents with a mask visited by iteration", withMask, visited);

    // advance / advanceExact over increasing random targets
    BinaryDocValues skipping = leaf.getBinaryDocValues(field);
    int target = 0;
    while (target < maxDoc) {
      if (r.nextBoolean()) {
        boolean has = skipping.advanceExact(target);
        assertEquals(field + " advanceExact(" + target + ")", masks[target] != null, has);
        assertEquals(target, skipping.docID());
        if (has && r.nextBoolean()) {
          assertSameMask(
              field + " doc " + target + " (advanceExact)",
              masks[target],
              MaskBytes.decode(skipping.binaryValue()));
        }
      } else {
        int doc = skipping.advance(target);
        assertEquals(field + " advance(" + target + ")", nextWithMask(masks, target), doc);
        if (doc == DocIdSetIterator.NO_MORE_DOCS) {
          break;
        }
        if (r.nextBoolean()) {
          assertSameMask(
              field + " doc " + doc + " (advance)",
              masks[doc],
              MaskBytes.decode(skipping.binaryValue()));
        }
        target = doc;
      }
      target += 1 + r.nextInt(5);
    }

    // (b) random access to the decoded masks, in reverse and in random order
    MaskDocValues random = (MaskDocValues) leaf.getBinaryDocValues(field);
    for (int doc = maxDoc - 1; doc >= 0; doc--) {
      if (masks[doc] != null) {
        assertSameMask(field + " doc " + doc + " (mask, reverse)", masks[doc], random.mask(doc));
      } else {
        try {
          random.mask(doc);
          fail(field + " doc " + doc + " has no mask, mask() should throw");
        } catch (IllegalArgumentException expectedException) {
          // no mask
        }
      }
    }
    List<Integer> order = shuffledDocs(maxDoc, r);
    for (int doc : order.subList(0, Math.min(order.size(), 50))) {
      if (masks[doc] != null) {
        assertSameMask(field + " doc " + doc + " (mask, random)", masks[doc], random.mask(doc));
      }
    }

    // (c) the CHI through a cursor, in random order (jumping between groups and blocks)
    MaskDocValues.ChiCursor cursor = random.chiCursor();
    for (int doc : order) {
      boolean has = cursor.seek(doc);
      assertEquals(field + " seek(" + doc + ")", masks[doc] != null, has);
      if (has) {
        assertSameChi(field + " doc " + doc, masks[doc], params, cursor, r);
      }
    }
    // a CHI in two tiers: its first tier is the CHI at the first tier's parameters
    MaskDocValues.ChiCursor first = random.firstTierCursor();
    if (first != null) {
      for (int doc : order) {
        if (r.nextBoolean()) { // the shape alone first, as a box bounded by its counts asks
          assertLocated(field + " first tier", masks[doc], doc, first);
        }
        assertEquals(field + " first tier seek(" + doc + ")", masks[doc] != null, first.seek(doc));
        if (masks[doc] != null) {
          assertSameChi(
              field + " doc " + doc + " (first tier)", masks[doc], params.firstTier(), first, r);
        }
      }
    }
    // and in doc order with a second cursor
    long maskCount = 0;
    double cells = 0;
    long pixels = 0;
    MaskDocValues.ChiCursor inOrder = ((MaskDocValues) leaf.getBinaryDocValues(field)).chiCursor();
    for (int doc = 0; doc < maxDoc; doc++) {
      assertEquals(field + " seek(" + doc + ")", masks[doc] != null, inOrder.seek(doc));
      if (masks[doc] != null) {
        ChiGrid grid = new ChiGrid(params.gridStep(), masks[doc].width(), masks[doc].height());
        maskCount++;
        cells += (double) grid.gx() * grid.gy();
        pixels += (long) grid.width() * grid.height();
        if (r.nextInt(4) == 0) {
          assertSameChi(field + " doc " + doc + " (in order)", masks[doc], params, inOrder, r);
        }
      }
    }
    // two tiers: the pixels counted when written; else estimated from the cells
    float expectedAverage =
        maskCount == 0
            ? 0
            : random.firstTierCursor() != null
                ? (float) ((double) pixels / maskCount)
                : (float) (cells / maskCount * params.gridStep() * params.gridStep());
    assertEquals(
        field + " averageMaskPixels",
        expectedAverage,
        random.averageMaskPixels(),
        Math.max(1e-3f, expectedAverage * 1e-5f));
  }

  /** {@code locate} finds the document's mask, and its shape, as a seek would. */
  private static void assertLocated(String what, Mask mask, int doc, MaskDocValues.ChiCursor cursor)
      throws IOException {
    assertEquals(what + " locate(" + doc + ")", mask != null, cursor.locate(doc));
    if (mask != null) {
      assertEquals(what + " doc " + doc + " width", mask.width(), cursor.grid().width());
      assertEquals(what + " doc " + doc + " height", mask.height(), cursor.grid().height());
      assertEquals(what + " doc " + doc + " dtype", mask.dtype(), cursor.dtype());
    }
  }

  private static int nextWithMask(Mask[] masks, int from) {
    for (int doc = from; doc < masks.length; doc++) {
      if (masks[doc] != null) {
        return doc;
      }
    }
    return DocIdSetIterator.NO_MORE_DOCS;
  }

  private static List<Integer> shuffledDocs(int maxDoc, Random r) {
    List<Integer> docs = new ArrayList<>(maxDoc);
    for (int doc = 0; doc < maxDoc; doc++) {
      docs.add(doc);
    }
    Collections.shuffle(docs, r);
    return docs;
  }
}
