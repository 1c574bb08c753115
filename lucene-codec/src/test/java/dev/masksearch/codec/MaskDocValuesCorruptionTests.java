package dev.masksearch.codec;

import static dev.masksearch.codec.MaskSearch10DocValuesFormat.CHI_EXTENSION;
import static dev.masksearch.codec.MaskSearch10DocValuesFormat.META_EXTENSION;
import static dev.masksearch.codec.MaskSearch10DocValuesFormat.RAW_EXTENSION;

import com.carrotsearch.randomizedtesting.annotations.Timeout;
import dev.masksearch.chi.ChiGrid;
import dev.masksearch.mask.Mask;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.store.NIOFSDirectory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Corrupt mask doc-values files never take a reader down: a segment is written, its {@code .mskm},
 * {@code .mskc} or {@code .mskr} is corrupted (random bit flips, truncation, and targeted values:
 * group meta, per-document heights, widths, groups and ordinals, column headers, addresses,
 * compressed masks), and opening the index, reading every mask and CHI entry through every path, CP
 * queries and CheckIndex either report a {@code CorruptIndexException} or answer; never another
 * exception, a hang (the timeout) or a large allocation (a limit per reading step).
 *
 * <p>What must be reported depends on where the bytes changed. The meta file is checksummed when it
 * opens, so any change there is reported on open. The data files' checksums are verified only by
 * CheckIndex and merges (opening checks only the footer's form), so a change in their bodies
 * reaches the reader: structure is validated when it is used, but a value that every byte pattern
 * may encode (a CHI count, a compressed pixel) can only be caught by the checksum; there the answer
 * may be wrong. A change to bytes no read touches (padding, the checksum's low half) must leave
 * every answer as it was. Tests that rewrite the checksum after corrupting reach validation with
 * what a checksum would have caught, as a bug in a writer would.
 */
@Timeout(millis = 600_000)
public class MaskDocValuesCorruptionTests extends LuceneTestCase {
  /** The most one reading step may allocate; the segment's masks are at most 48 x 48. */
  private static final long STEP_ALLOCATION_LIMIT = 64L << 20;

  private static final String[] EXTENSIONS = {META_EXTENSION, CHI_EXTENSION, RAW_EXTENSION};

  private Directory pristine;
  private int maxDoc;
  private final Map<String, String> files = new HashMap<>();
  private final Map<String, byte[]> bytes = new HashMap<>();
  private MetaModel meta;
  private FileRegions chiRegions;
  private FileRegions rawRegions;
  private List<String> expected;
  private int mixedNumber;
  private int uniformNumber;
  private int idNumber;
  private FormatVersion format;

  @Override
  public void setUp() throws Exception {
    super.setUp();
    pristine = new ByteBuffersDirectory();
    MaskSegmentFixture.Plan plan = MaskSegmentFixture.randomPlan(random());
    format = plan.version();
    MaskSegmentFixture.write(pristine, plan, random());
    maxDoc = plan.mixed().size();
    for (String extension : EXTENSIONS) {
      String name = MaskSegmentFixture.fileName(pristine, extension);
      files.put(extension, name);
      bytes.put(extension, MaskSegmentFixture.read(pristine, name));
    }
    byte[] metaBytes = bytes.get(META_EXTENSION);
    meta = MetaModel.parse(metaBytes, header(META_EXTENSION), maxDoc, plan.version());
    assertArrayEquals(
        "the test's meta model writes the file back unchanged", metaBytes, meta.write());
    chiRegions = FileRegions.chi(bytes.get(CHI_EXTENSION), header(CHI_EXTENSION), meta, maxDoc);
    chiRegions.checkCoverage(bytes.get(CHI_EXTENSION).length);
    rawRegions = FileRegions.raw(bytes.get(RAW_EXTENSION), header(RAW_EXTENSION), meta);
    rawRegions.checkCoverage(bytes.get(RAW_EXTENSION).length);
    try (DirectoryReader reader = DirectoryReader.open(pristine)) {
      LeafReader leaf = getOnlyLeafReader(reader);
      mixedNumber = leaf.getFieldInfos().fieldInfo(MaskSegmentFixture.MIXED).number;
      uniformNumber = leaf.getFieldInfos().fieldInfo(MaskSegmentFixture.UNIFORM).number;
      idNumber = leaf.getFieldInfos().fieldInfo(MaskSegmentFixture.ID).number;
    }
    expected = MaskIndexTranscript.of(pristine, STEP_ALLOCATION_LIMIT);
    assertFalse(
        expected.toString(),
        expected.stream().anyMatch(e -> e.endsWith(MaskIndexTranscript.CORRUPT)));
    assertTrue(
        "the uniform field spans several blocks",
        meta.field(uniformNumber).groups.get(0).blockStarts.length > 2);
  }

  @Override
  public void tearDown() throws Exception {
    pristine.close();
    super.tearDown();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // random corruption

  /**
   * Random bit flips in each file: reported, harmless where nothing reads them, never another
   * failure.
   */
  /**
   * A file of a version newer than this code writes is refused as too new (each file's header),
   * never read as if it were the current one; and the files are written at the format's current
   * version.
   */
  public void testNewerVersionIsRefused() throws IOException {
    for (String extension : EXTENSIONS) {
      byte[] file = bytes.get(extension).clone();
      String codec = MaskSegmentFixture.codecOf(format, extension);
      int at = Integer.BYTES + 1 + codec.length(); // magic, then the codec's name (one length byte)
      java.nio.ByteBuffer header =
          java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.BIG_ENDIAN);
      assertEquals(extension, format.versionCurrent(), header.getInt(at));
      header.putInt(at, format.versionCurrent() + 1);
      MaskSegmentFixture.fixChecksum(file);
      try (Directory dir = corruptCopy(extension, file)) {
        expectThrows(
            org.apache.lucene.index.IndexFormatTooNewException.class,
            () -> DirectoryReader.open(dir).close());
      }
    }
  }

  public void testRandomFlips() throws IOException {
    for (int trial = atLeast(6); trial > 0; trial--) {
      String extension = EXTENSIONS[random().nextInt(EXTENSIONS.length)];
      byte[] file = bytes.get(extension).clone();
      FileRegions.Kind kind =
          FileRegions.Kind.CHECKED; // the meta file is checksummed on open: all of it
      StringBuilder what = new StringBuilder(extension);
      int flips = 1 + random().nextInt(3);
      if (extension.equals(META_EXTENSION)) {
        for (int f = 0; f < flips; f++) {
          flip(file, random().nextInt(file.length), what);
        }
      } else {
        FileRegions regions = extension.equals(CHI_EXTENSION) ? chiRegions : rawRegions;
        kind = FileRegions.Kind.values()[random().nextInt(FileRegions.Kind.values().length)];
        for (int f = 0; f < flips; f++) {
          FileRegions.Region region = regions.random(random(), kind);
          long at = region.start() + random().nextLong(region.end() - region.start());
          flip(file, Math.toIntExact(at), what.append(' ').append(region.what()));
        }
      }
      try (Directory dir = corruptCopy(extension, file)) {
        List<String> transcript = MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT);
        switch (kind) {
          case CHECKED ->
              assertEquals(
                  what.toString(), List.of("open: " + MaskIndexTranscript.CORRUPT), transcript);
          case UNUSED -> assertEquals(what.toString(), expected, transcript);
          case VALUE -> {} // reported or answered: the transcript asserted that nothing else
            // happened
        }
        assertCheckIndexReports(dir, what.toString());
      }
    }
  }

  /**
   * The same flips with the checksum rewritten to match, anywhere in any file: what validation
   * alone makes of them. CheckIndex then reads the masks and must report or pass.
   */
  public void testRandomFlipsPastTheChecksum() throws IOException {
    for (int trial = atLeast(6); trial > 0; trial--) {
      String extension = EXTENSIONS[random().nextInt(EXTENSIONS.length)];
      byte[] file = bytes.get(extension).clone();
      StringBuilder what = new StringBuilder(extension);
      int header = header(extension);
      for (int f = 1 + random().nextInt(3); f > 0; f--) {
        flip(
            file,
            header
                + random()
                    .nextInt(
                        file.length - header - org.apache.lucene.codecs.CodecUtil.footerLength()),
            what);
      }
      MaskSegmentFixture.fixChecksum(file);
      try (Directory dir = corruptCopy(extension, file)) {
        MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT);
        assertCheckIndexReportsOrPasses(dir, what.toString());
      }
    }
  }

  /** A file cut short is reported on open, whatever the length. */
  public void testTruncation() throws IOException {
    for (String extension : EXTENSIONS) {
      byte[] full = bytes.get(extension);
      for (int length :
          new int[] {0, random().nextInt(full.length), full.length - 1 - random().nextInt(20)}) {
        byte[] file = Arrays.copyOf(full, length);
        String what = extension + " cut to " + length + " of " + full.length;
        try (Directory dir = corruptCopy(extension, file)) {
          assertEquals(
              what,
              List.of("open: " + MaskIndexTranscript.CORRUPT),
              MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT));
          assertCheckIndexReports(dir, what);
        }
      }
    }
  }

  /**
   * A body cut short behind a valid footer: what validation alone makes of a file that ends early.
   */
  public void testTruncatedBodyBehindValidFooter() throws IOException {
    for (String extension : EXTENSIONS) {
      byte[] full = bytes.get(extension);
      int footer = org.apache.lucene.codecs.CodecUtil.footerLength();
      int header = header(extension);
      int cut = 1 + random().nextInt(full.length - header - footer);
      byte[] file = new byte[full.length - cut];
      System.arraycopy(full, 0, file, 0, full.length - footer - cut);
      System.arraycopy(full, full.length - footer, file, file.length - footer, footer);
      MaskSegmentFixture.fixChecksum(file);
      String what = extension + " without the last " + cut + " bytes of its body";
      try (Directory dir = corruptCopy(extension, file)) {
        List<String> transcript = MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT);
        assertNotEquals(what + " reads as if whole", expected, transcript);
        assertCheckIndexReportsOrPasses(dir, what);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // targeted corruption of the meta file (behind a valid checksum): reported on open

  public void testCorruptMetaIsReportedOnOpen() throws IOException {
    byte[] chiFile = bytes.get(CHI_EXTENSION);
    byte[] rawFile = bytes.get(RAW_EXTENSION);
    Map<String, Consumer<MetaModel>> corruptions = new java.util.LinkedHashMap<>();
    for (int number : new int[] {mixedNumber, uniformNumber}) {
      int other = number == mixedNumber ? uniformNumber : mixedNumber;
      String f = "field " + number + " ";
      corruptions.put(f + "number of no field", m -> m.field(number).number = 12345);
      corruptions.put(
          f + "negative number", m -> m.field(number).number = -5874); // found by MaskSegmentFuzzer
      corruptions.put(f + "number of a numeric field", m -> m.field(number).number = idNumber);
      corruptions.put(f + "number of the other mask field", m -> m.field(number).number = other);
      corruptions.put(f + "grid step 0", m -> m.field(number).gridStep = 0);
      corruptions.put(f + "grid step 4097", m -> m.field(number).gridStep = Mask.MAX_SIDE + 1);
      corruptions.put(f + "bins 0", m -> m.field(number).bins = 0);
      corruptions.put(f + "bins 257", m -> m.field(number).bins = 257);
      if (meta.field(number).firstStep > 0) { // MaskSearch20 from version 3: two tiers
        corruptions.put(f + "first tier grid step 0", m -> m.field(number).firstStep = 0);
        corruptions.put(f + "first tier bins 257", m -> m.field(number).firstBins = 257);
        corruptions.put(
            f + "first tier not the field's",
            m -> m.field(number).firstBins = m.field(number).firstBins % 2 + 1);
        corruptions.put(
            f + "mask pixels past the documents' most",
            m -> m.field(number).maskPixels = (long) maxDoc * Mask.MAX_SIDE * Mask.MAX_SIDE + 1);
        corruptions.put(
            f + "record starts past the end",
            m -> m.field(number).recordStartsLength = Integer.MAX_VALUE);
        corruptions.put(
            f + "record starts before the file", m -> m.field(number).recordStartsStart = -8);
      }
      if (meta.field(number).tileSide > 0) { // MaskSearch20
        corruptions.put(f + "tile side 0", m -> m.field(number).tileSide = 0);
        if (meta.field(number).gridStep > 1) { // with a step of 1 every side is on the grid
          corruptions.put(
              f + "tile side off the grid",
              m -> m.field(number).tileSide = m.field(number).gridStep * 3 + 1);
        }
        corruptions.put(
            f + "tile side past the largest mask",
            m -> m.field(number).tileSide = m.field(number).gridStep * (Mask.MAX_SIDE + 1));
        corruptions.put(f + "tile mode 2", m -> m.field(number).mode = 2); // version 2 on
        corruptions.put(f + "tile mode -1", m -> m.field(number).mode = -1);
      }
      for (int c = 0; c < 4; c++) {
        int column = c;
        String name = f + "column " + c + " ";
        corruptions.put(name + "bits 5", m -> m.field(number).columns[column].bits = 5);
        corruptions.put(name + "bits 64", m -> m.field(number).columns[column].bits = 64);
        corruptions.put(name + "bits -1", m -> m.field(number).columns[column].bits = -1);
        corruptions.put(
            name + "data past the end",
            m -> {
              m.field(number).columns[column].bits = 32;
              m.field(number).columns[column].offset =
                  chiFile.length - org.apache.lucene.codecs.CodecUtil.footerLength() - 100;
            });
        corruptions.put(
            name + "offset -1",
            m -> {
              m.field(number).columns[column].offset = -1;
              m.field(number).columns[column].bits = 8;
            });
        corruptions.put(
            name + "offset past the end",
            m -> {
              m.field(number).columns[column].offset = chiFile.length - 10;
              m.field(number).columns[column].bits = 8;
            });
      }
      corruptions.put(
          f + "group number min beyond the groups",
          m -> m.field(number).columns[MetaModel.GROUP_OF].min = m.field(number).groups.size() + 1);
      corruptions.put(
          f + "ordinal min beyond the groups",
          m -> m.field(number).columns[MetaModel.ORDINAL].min = maxDoc);
      corruptions.put(
          f + "height min beyond the largest mask",
          m -> m.field(number).columns[MetaModel.HEIGHT].min = Mask.MAX_SIDE + 1);
      corruptions.put(
          f + "width min beyond the largest mask",
          m -> m.field(number).columns[MetaModel.WIDTH].min = 1L << 40);
      corruptions.put(f + "raw start -1", m -> m.field(number).rawStart = -1);
      corruptions.put(
          f + "raw start after the addresses",
          m -> m.field(number).rawStart = m.field(number).addressStart + 1);
      corruptions.put(
          f + "address start past the end", m -> m.field(number).addressStart = rawFile.length);
      corruptions.put(
          f + "address length past the end", m -> m.field(number).addressLength = rawFile.length);
      corruptions.put(f + "address length -1", m -> m.field(number).addressLength = -1);
      corruptions.put(f + "address shift 1", m -> m.field(number).addressShift = 1);
      corruptions.put(f + "address shift 23", m -> m.field(number).addressShift = 23);
      corruptions.put(f + "address shift 99", m -> m.field(number).addressShift = 99);
      corruptions.put(
          f + "address bits 3", m -> m.field(number).addressBlocks.get(0).bitsPerValue = 3);
      corruptions.put(
          f + "address bits 65", m -> m.field(number).addressBlocks.get(0).bitsPerValue = 65);
      corruptions.put(
          f + "address bits 64 (data past the end)",
          m -> m.field(number).addressBlocks.get(0).bitsPerValue = 64);
      corruptions.put(
          f + "address data offset past the end",
          m -> {
            MetaModel.AddressBlock block = m.field(number).addressBlocks.get(0);
            block.offset = m.field(number).addressLength;
            block.bitsPerValue = 8;
          });
      corruptions.put(
          f + "address data offset -1",
          m -> {
            MetaModel.AddressBlock block = m.field(number).addressBlocks.get(0);
            block.offset = -1;
            block.bitsPerValue = 8;
          });
      corruptions.put(
          f + "first address not 0", m -> m.field(number).addressBlocks.get(0).min += 3);
      corruptions.put(
          f + "last address not the end",
          m -> {
            List<MetaModel.AddressBlock> blocks = m.field(number).addressBlocks;
            blocks.get(blocks.size() - 1).min -= 1;
          });
      corruptions.put(f + "group count huge", m -> m.field(number).groupCount = Integer.MAX_VALUE);
      corruptions.put(
          f + "group count beyond the documents", m -> m.field(number).groupCount = maxDoc + 1);
      corruptions.put(f + "group count one more", m -> m.field(number).groupCount++);
      int groups = meta.field(number).groups.size();
      for (int g : new int[] {0, groups - 1}) {
        String name = f + "group " + g + " ";
        corruptions.put(name + "dtype 4", m -> m.field(number).groups.get(g).dtype = 4);
        corruptions.put(name + "dtype -1", m -> m.field(number).groups.get(g).dtype = -1);
        corruptions.put(name + "gx 0", m -> m.field(number).groups.get(g).gx = 0);
        corruptions.put(name + "gy 0", m -> m.field(number).groups.get(g).gy = 0);
        corruptions.put(
            name + "gx beyond the largest mask",
            m ->
                m.field(number).groups.get(g).gx =
                    ChiGrid.cells(Mask.MAX_SIDE, m.field(number).gridStep) + 1);
        corruptions.put(
            name + "gy huge", m -> m.field(number).groups.get(g).gy = Integer.MAX_VALUE);
        corruptions.put(name + "size 0", m -> m.field(number).groups.get(g).size = 0);
        corruptions.put(
            name + "size beyond the documents",
            m -> m.field(number).groups.get(g).size = maxDoc + 1);
        corruptions.put(name + "block shift + 1", m -> m.field(number).groups.get(g).blockShift++);
        corruptions.put(name + "block shift - 1", m -> m.field(number).groups.get(g).blockShift--);
        corruptions.put(
            name + "block shift 31", m -> m.field(number).groups.get(g).blockShift = 31);
        corruptions.put(
            name + "block count huge",
            m -> m.field(number).groups.get(g).blockCount = Integer.MAX_VALUE);
        corruptions.put(
            name + "one block more",
            m -> {
              MetaModel.Group group = m.field(number).groups.get(g);
              group.blockStarts = Arrays.copyOf(group.blockStarts, group.blockStarts.length + 1);
              group.blockStarts[group.blockStarts.length - 1] = group.blockStarts[0];
              group.blockCount++;
            });
        corruptions.put(
            name + "block start -1", m -> m.field(number).groups.get(g).blockStarts[0] = -1);
        corruptions.put(
            name + "block start in the header",
            m -> m.field(number).groups.get(g).blockStarts[0] = 3);
        corruptions.put(
            name + "block start past the end",
            m -> m.field(number).groups.get(g).blockStarts[0] = chiFile.length);
        corruptions.put(
            name + "block headers past the end",
            m -> {
              MetaModel.Group group = m.field(number).groups.get(g);
              long headers =
                  (long) group.gx
                      * group.gy
                      * m.field(number).columnBins()
                      * ChiGroupWriter.COLUMN_HEADER_BYTES;
              group.blockStarts[group.blockStarts.length - 1] = chiFile.length - headers + 1;
            });
      }
      if (groups > 1) {
        corruptions.put(
            f + "group sizes beyond the documents",
            m -> m.field(number).groups.get(0).size = maxDoc);
      }
    }
    // the uniform field's heights and widths are constant, so its grid is checked against them on
    // open
    corruptions.put("uniform gx + 1", m -> m.field(uniformNumber).groups.get(0).gx++);
    corruptions.put("uniform gy - 1", m -> m.field(uniformNumber).groups.get(0).gy--);
    corruptions.put("uniform size - 1", m -> m.field(uniformNumber).groups.get(0).size--);
    corruptions.put(
        "uniform height 0", m -> m.field(uniformNumber).columns[MetaModel.HEIGHT].min = 0);
    corruptions.put(
        "uniform width + step",
        m ->
            m.field(uniformNumber).columns[MetaModel.WIDTH].min += m.field(uniformNumber).gridStep);
    corruptions.put("no terminator", m -> m.fields.add(m.fields.get(0)));

    for (Map.Entry<String, Consumer<MetaModel>> corruption : corruptions.entrySet()) {
      MetaModel model =
          MetaModel.parse(
              bytes.get(META_EXTENSION),
              header(META_EXTENSION),
              maxDoc,
              MaskSegmentFixture.versionOf(files.get(META_EXTENSION)));
      corruption.getValue().accept(model);
      try (Directory dir = corruptCopy(new ByteBuffersDirectory(), META_EXTENSION, model.write())) {
        assertEquals(
            corruption.getKey(),
            List.of("open: " + MaskIndexTranscript.CORRUPT),
            MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // targeted corruption of the data files: reported where used

  /**
   * A document's group, ordinal, height or width set to a value its group cannot have: every read
   * of that document reports it, every other document reads as before.
   */
  public void testCorruptDocumentColumnsAreReported() throws IOException {
    String[] names = {"group", "ordinal", "height", "width"};
    int tried = 0;
    for (int number : new int[] {mixedNumber, uniformNumber}) {
      MetaModel.Field field = meta.field(number);
      String fieldName =
          number == mixedNumber ? MaskSegmentFixture.MIXED : MaskSegmentFixture.UNIFORM;
      for (int c = 0; c < 4; c++) {
        MetaModel.Column column = field.columns[c];
        if (column.bits == 0) {
          continue; // no per-document data: the constant is in the meta, checked on open
        }
        int doc = -1;
        long bad = -1;
        for (int attempt = 0;
            attempt < 10 && bad < 0;
            attempt++) { // a document whose value can be made invalid
          doc = random().nextInt(maxDoc);
          int group = (int) value(field, MetaModel.GROUP_OF, doc);
          if (group != 0
              || c == MetaModel.GROUP_OF) { // without a mask, only the group column is read
            bad = invalidValue(field, c, group);
          }
        }
        if (bad < 0) {
          continue;
        }
        byte[] file = bytes.get(CHI_EXTENSION).clone();
        PackedBytes.set(file, column.offset, column.bits, doc, bad - column.min);
        String what = fieldName + " doc " + doc + " " + names[c] + " " + bad;
        tried++;
        try (Directory dir = corruptCopy(CHI_EXTENSION, file)) {
          assertOnlyDocumentReported(
              what, fieldName, doc, c, MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT));
        }
      }
    }
    assertTrue("no column could be corrupted", tried > 0);
  }

  /** Every read of the document reports corruption; every other document reads as before. */
  private void assertOnlyDocumentReported(
      String what, String fieldName, int doc, int column, List<String> transcript) {
    Map<String, String> got = byName(transcript);
    List<String> mustReport = new ArrayList<>();
    // the CHI's columns are its first tier when it has two, whose records do not read the ordinal
    boolean twoTiers = meta.field(numberOf(fieldName)).firstStep > 0;
    if (twoTiers) {
      mustReport.addAll(
          List.of(
              fieldName + " first tier doc " + doc, fieldName + " first tier reverse doc " + doc));
    }
    if (!twoTiers || column != MetaModel.ORDINAL) {
      mustReport.addAll(
          List.of(fieldName + " chi doc " + doc, fieldName + " chi reverse doc " + doc));
    }
    if (column == MetaModel.GROUP_OF) {
      mustReport.addAll(List.of(fieldName + " doc " + doc + " exists", fieldName + " iteration"));
    } else if (column != MetaModel.ORDINAL) {
      mustReport.addAll(
          List.of(
              fieldName + " doc " + doc + " size",
              fieldName + " doc " + doc + " mask",
              fieldName + " iteration"));
    }
    for (String step : mustReport) {
      assertEquals(what + ": " + step, MaskIndexTranscript.CORRUPT, got.get(step));
    }
    for (Map.Entry<String, String> entry : byName(expected).entrySet()) {
      String step = entry.getKey();
      if (step.startsWith(fieldName + " ")
          && step.contains(" doc ")
          && !step.endsWith(" doc " + doc)
          && !step.contains(" doc " + doc + " ")) {
        assertEquals(what + ": " + step, entry.getValue(), got.get(step));
      }
    }
  }

  /**
   * A column header with an unsupported width or data outside the file: reading that column reports
   * it.
   */
  public void testCorruptColumnHeadersAreReported() throws IOException {
    byte[] chiFile = bytes.get(CHI_EXTENSION);
    for (int number : new int[] {mixedNumber, uniformNumber}) {
      MetaModel.Field field = meta.field(number);
      String fieldName =
          number == mixedNumber ? MaskSegmentFixture.MIXED : MaskSegmentFixture.UNIFORM;
      int g = random().nextInt(field.groups.size());
      MetaModel.Group group = field.groups.get(g);
      int b = random().nextInt(group.blockStarts.length);
      int columns = group.gx * group.gy * field.columnBins();
      int c = random().nextInt(columns);
      long header = group.blockStarts[b] + (long) c * ChiGroupWriter.COLUMN_HEADER_BYTES;
      int[] widths = {26, 31, 33, 64, -1}; // none a writer writes
      long[] outside = {
        -group.blockStarts[b] - 1, Integer.MIN_VALUE, Integer.MAX_VALUE
      }; // before or after the file
      long pastTheEnd =
          chiFile.length - group.blockStarts[b] - 1; // the data starts at the last byte
      for (int k = 0; k < widths.length + outside.length + 1; k++) {
        byte[] file = chiFile.clone();
        int column = c;
        long at = header;
        if (k < widths.length && widths[k] == -1 && format.repeatsLevels(format.versionCurrent())) {
          // 0xFF repeats the level below (a valid value) except at a cell's first level
          column = c - c % field.columnBins();
          at = group.blockStarts[b] + (long) column * ChiGroupWriter.COLUMN_HEADER_BYTES;
        }
        String what = fieldName + " group " + g + " block " + b + " column " + column + " ";
        if (k < widths.length) {
          file[Math.toIntExact(at + 4)] = (byte) widths[k];
          what += "width " + widths[k];
        } else {
          file[Math.toIntExact(header + 4)] = 8; // a column with data
          int offset =
              (int) (k - widths.length < outside.length ? outside[k - widths.length] : pastTheEnd);
          for (int i = 0; i < 4; i++) {
            file[Math.toIntExact(header + 5 + i)] = (byte) (offset >>> (8 * i));
          }
          what += "offset " + offset;
        }
        try (Directory dir = corruptCopy(CHI_EXTENSION, file);
            DirectoryReader reader = DirectoryReader.open(dir)) {
          assertColumnReported(what, getOnlyLeafReader(reader), fieldName, field, g, b, column);
        }
      }
    }
  }

  private void assertColumnReported(
      String what,
      LeafReader leaf,
      String fieldName,
      MetaModel.Field field,
      int g,
      int block,
      int column)
      throws IOException {
    MetaModel.Group group = field.groups.get(g);
    List<Integer> docs = new ArrayList<>(); // the block's members, in doc order
    for (int doc = 0; doc < maxDoc; doc++) {
      if (value(field, MetaModel.GROUP_OF, doc) == g + 1
          && value(field, MetaModel.ORDINAL, doc) >>> group.blockShift == block) {
        docs.add(doc);
      }
    }
    assertFalse(what + ": no member", docs.isEmpty());
    MaskDocValues values = (MaskDocValues) leaf.getBinaryDocValues(fieldName);
    MaskDocValues.ChiCursor sparse = CodecTestMasks.columnCursor(values);
    assertTrue(sparse.seek(docs.get(0)));
    // the cursor checks a column's header when it opens it (ChiGroup.columnDataOffset), so even a
    // single entry
    // read from a column whose data would run past the file is reported
    expectCorrupt(what + " (entry)", () -> sparse.entry(column));
    // and so is every later read of it in the block (the column never opens, so it is never
    // decoded whole; a block's decode is checked apart, below)
    MaskDocValues.ChiCursor scan = CodecTestMasks.columnCursor(values);
    for (int doc : docs) {
      assertTrue(scan.seek(doc));
      expectCorrupt(what + " (member " + doc + ")", () -> scan.entry(column));
    }
    MaskDocValues.BlockAccess blocks = CodecTestMasks.columnCursor(values).blocks();
    if (blocks != null) {
      blocks.seekBlock(block);
      expectCorrupt(what + " (block)", () -> blocks.column(column));
    }
  }

  /**
   * Addresses overwritten: reported on open (the first and last address are checked) or where used.
   */
  public void testCorruptAddressesAreReported() throws IOException {
    for (int number : new int[] {mixedNumber, uniformNumber}) {
      MetaModel.Field field = meta.field(number);
      byte[] file = bytes.get(RAW_EXTENSION).clone();
      Arrays.fill(
          file,
          Math.toIntExact(field.addressStart),
          Math.toIntExact(field.addressStart + field.addressLength),
          (byte) 0xFF);
      try (Directory dir = corruptCopy(RAW_EXTENSION, file)) {
        assertEquals(
            "field " + number + " addresses",
            List.of("open: " + MaskIndexTranscript.CORRUPT),
            MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT));
      }
    }
  }

  /**
   * A compressed mask overwritten with zeros (an invalid DEFLATE stream) is reported by every read
   * of it.
   */
  public void testCorruptCompressedMaskIsReported() throws IOException {
    MetaModel.Field field = meta.field(mixedNumber);
    String name = MaskSegmentFixture.MIXED;
    try (DirectoryReader reader = DirectoryReader.open(pristine)) {
      MaskDocValues values = (MaskDocValues) getOnlyLeafReader(reader).getBinaryDocValues(name);
      int doc = values.advance(random().nextInt(maxDoc));
      if (doc == MaskDocValues.NO_MORE_DOCS) {
        doc = values.advance(0);
      }
      long start = 0; // each earlier mask, and with two tiers its record after it
      for (int d = 0; d < doc; d++) {
        start +=
            hasMask(field, d) ? values.maskSize(d).compressedBytes() + recordBytes(values, d) : 0;
      }
      long length = values.maskSize(doc).compressedBytes();
      byte[] file = bytes.get(RAW_EXTENSION).clone();
      Arrays.fill(
          file,
          Math.toIntExact(field.rawStart + start),
          Math.toIntExact(field.rawStart + start + length),
          (byte) 0);
      try (Directory dir = corruptCopy(RAW_EXTENSION, file)) {
        Map<String, String> got = byName(MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT));
        assertEquals(MaskIndexTranscript.CORRUPT, got.get(name + " doc " + doc + " mask"));
        assertEquals(MaskIndexTranscript.CORRUPT, got.get(name + " iteration"));
        assertEquals(
            byName(expected).get(name + " doc " + doc + " size"),
            got.get(name + " doc " + doc + " size"));
      }
    }
  }

  /**
   * A document's second-tier record overwritten (a CHI in two tiers): reading its CHI at the
   * field's parameters reports it; its mask, its first tier and every other document read as
   * before.
   */
  public void testCorruptRecordIsReported() throws IOException {
    MetaModel.Field field = meta.field(mixedNumber);
    String name = MaskSegmentFixture.MIXED;
    assumeTrue("a CHI in two tiers", field.firstStep > 0);
    try (DirectoryReader reader = DirectoryReader.open(pristine)) {
      MaskDocValues values = (MaskDocValues) getOnlyLeafReader(reader).getBinaryDocValues(name);
      int doc = values.advance(random().nextInt(maxDoc));
      if (doc == MaskDocValues.NO_MORE_DOCS) {
        doc = values.advance(0);
      }
      long start = 0; // each earlier mask and record, then this document's mask
      for (int d = 0; d <= doc; d++) {
        if (hasMask(field, d)) {
          start += values.maskSize(d).compressedBytes() + (d < doc ? recordBytes(values, d) : 0);
        }
      }
      byte[] file = bytes.get(RAW_EXTENSION).clone();
      int from = Math.toIntExact(field.rawStart + start);
      Arrays.fill(file, from, from + Math.toIntExact(recordBytes(values, doc)), (byte) 0xFF);
      try (Directory dir = corruptCopy(RAW_EXTENSION, file)) {
        Map<String, String> got = byName(MaskIndexTranscript.of(dir, STEP_ALLOCATION_LIMIT));
        assertEquals(MaskIndexTranscript.CORRUPT, got.get(name + " chi doc " + doc));
        assertEquals(MaskIndexTranscript.CORRUPT, got.get(name + " chi reverse doc " + doc));
        for (Map.Entry<String, String> entry : byName(expected).entrySet()) {
          String step = entry.getKey();
          boolean thisDocsChi =
              step.equals(name + " chi doc " + doc)
                  || step.equals(name + " chi reverse doc " + doc);
          if (step.startsWith(name + " ") && step.contains(" doc ") && !thisDocsChi) {
            assertEquals(step, entry.getValue(), got.get(step));
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  /** The bytes of a document's record when the CHI is in two tiers, else 0. */
  private static long recordBytes(MaskDocValues values, int doc) throws IOException {
    if (values.firstTierCursor() == null) {
      return 0;
    }
    org.apache.lucene.store.ByteBuffersDataOutput out =
        new org.apache.lucene.store.ByteBuffersDataOutput();
    CellSuffixRecord.write(
        dev.masksearch.chi.Chi.cellHistograms(values.mask(doc), values.params()),
        values.params().bins() + 1,
        FormatVersion.V20.recordLayout(FormatVersion.V20.versionCurrent()),
        out);
    return out.size();
  }

  /** The field number of one of the fixture's two mask fields. */
  private int numberOf(String fieldName) {
    return fieldName.equals(MaskSegmentFixture.MIXED) ? mixedNumber : uniformNumber;
  }

  private boolean hasMask(MetaModel.Field field, int doc) {
    return value(field, MetaModel.GROUP_OF, doc) != 0;
  }

  /** A document's value of a per-document column, from the pristine file. */
  private long value(MetaModel.Field field, int column, int doc) {
    MetaModel.Column c = field.columns[column];
    return c.min
        + (c.bits == 0 ? 0 : PackedBytes.get(bytes.get(CHI_EXTENSION), c.offset, c.bits, doc));
  }

  /**
   * A value the column can encode that a document of group {@code group} (0: none) cannot have, or
   * -1.
   */
  private long invalidValue(MetaModel.Field field, int column, int group) {
    MetaModel.Column c = field.columns[column];
    long max = c.min + PackedBytes.maxDelta(c.bits);
    for (int k = 0; k < 2000; k++) {
      long v = k < 1000 ? max - k : c.min + random().nextLong(max - c.min + 1);
      if (v < c.min) {
        continue;
      }
      boolean valid =
          switch (column) {
            case MetaModel.GROUP_OF -> v <= field.groups.size();
            case MetaModel.ORDINAL -> v < field.groups.get(group - 1).size;
            case MetaModel.HEIGHT ->
                v >= 1
                    && v <= Mask.MAX_SIDE
                    && ChiGrid.cells((int) v, field.gridStep) == field.groups.get(group - 1).gy;
            default ->
                v >= 1
                    && v <= Mask.MAX_SIDE
                    && ChiGrid.cells((int) v, field.gridStep) == field.groups.get(group - 1).gx;
          };
      if (!valid) {
        return v;
      }
    }
    return -1;
  }

  private static Map<String, String> byName(List<String> transcript) {
    Map<String, String> map = new HashMap<>();
    for (String entry : transcript) {
      int colon = entry.indexOf(": ");
      assertNull(
          "step names are unique: " + entry,
          map.put(entry.substring(0, colon), entry.substring(colon + 2)));
    }
    return map;
  }

  private int header(String extension) {
    return MaskSegmentFixture.headerLength(files.get(extension));
  }

  private static void flip(byte[] file, int at, StringBuilder what) {
    int mask = 1 + random().nextInt(255);
    file[at] ^= (byte) mask;
    what.append(" @").append(at).append("^").append(mask);
  }

  /**
   * A copy of the pristine index with one file replaced, in a random kind of directory: each throws
   * its own exception for a read outside a file, and all must become corruption.
   */
  private Directory corruptCopy(String extension, byte[] file) throws IOException {
    Directory dir =
        switch (random().nextInt(3)) {
          case 0 -> new ByteBuffersDirectory();
          case 1 -> new MMapDirectory(createTempDir("corrupt"));
          default -> new NIOFSDirectory(createTempDir("corrupt"));
        };
    return corruptCopy(dir, extension, file);
  }

  private Directory corruptCopy(Directory dir, String extension, byte[] file) throws IOException {
    MaskSegmentFixture.copy(pristine, dir);
    MaskSegmentFixture.write(dir, files.get(extension), file);
    return dir;
  }

  /** CheckIndex finds the segment broken, with corruption as the reason. */
  private static void assertCheckIndexReports(Directory dir, String what) throws IOException {
    Throwable error = checkIndex(dir);
    assertNotNull(what + ": CheckIndex passed", error);
  }

  /** CheckIndex passes, or reports corruption. */
  private static void assertCheckIndexReportsOrPasses(Directory dir, String what)
      throws IOException {
    checkIndex(dir);
  }

  /** CheckIndex's first error, which must be corruption, or null if the index is clean. */
  private static Throwable checkIndex(Directory dir) throws IOException {
    try (CheckIndex checker = new CheckIndex(dir)) {
      checker.setInfoStream(null);
      CheckIndex.Status status = checker.checkIndex();
      if (status.clean) {
        return null;
      }
      for (CheckIndex.Status.SegmentInfoStatus segment : status.segmentInfos) {
        for (Throwable error :
            new Throwable[] {
              segment.error, segment.docValuesStatus == null ? null : segment.docValuesStatus.error
            }) {
          if (error != null) {
            if (!MaskIndexTranscript.isCorruption(error)
                && !MaskIndexTranscript.isCorruption(error.getCause())) {
              throw new AssertionError("CheckIndex failed with " + error, error);
            }
            return error;
          }
        }
      }
      throw new AssertionError("CheckIndex is not clean but has no error: " + status);
    }
  }

  /** Something that reads a corrupt value. */
  @FunctionalInterface
  private interface Read {
    void run() throws IOException;
  }

  private static void expectCorrupt(String what, Read read) {
    try {
      read.run();
    } catch (Throwable t) {
      if (MaskIndexTranscript.isCorruption(t)) {
        return;
      }
      throw new AssertionError(what + ": " + t, t);
    }
    fail(what + ": not reported");
  }
}
