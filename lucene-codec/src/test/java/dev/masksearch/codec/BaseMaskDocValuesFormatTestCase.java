package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.codecs.DocValuesConsumer;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.DocValuesProducer;
import org.apache.lucene.codecs.perfield.PerFieldDocValuesFormat;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.EmptyDocValuesProducer;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.FlushInfo;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.tests.analysis.MockAnalyzer;
import org.apache.lucene.tests.index.BaseIndexFileFormatTestCase;
import org.apache.lucene.tests.store.BaseDirectoryWrapper;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.apache.lucene.tests.util.TestUtil;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.StringHelper;
import org.apache.lucene.util.Version;

/**
 * The generic index-format tests of Lucene run over a mask doc-values format through {@link
 * MaskCodec} (merge stability, random I/O exceptions, integrity checks reading every byte, ...),
 * plus the format's own contract: SPI loading, reading with the SPI codec only, idempotent close
 * and detection of corrupt files.
 */
public abstract class BaseMaskDocValuesFormatTestCase extends BaseIndexFileFormatTestCase {
  /** The format under test. */
  abstract DocValuesFormat newFormat();

  /** Its version: codec names and mask storage. */
  abstract FormatVersion version();

  private static final String MASK = "mask";
  private static final String MASK2 = "mask2";

  /**
   * CHI parameters of "mask" and "mask2", fixed for the duration of one test: field attributes must
   * agree.
   */
  private ChiParams params1;

  private ChiParams params2;

  @Override
  public void setUp() throws Exception {
    params1 = CodecTestMasks.randomParams(random());
    params2 = CodecTestMasks.randomParams(random());
    super.setUp();
  }

  @Override
  protected Codec getCodec() {
    return TestMaskCodecs.writing(
        newFormat(), TestUtil.getDefaultCodec(), field -> field.startsWith(MASK));
  }

  @Override
  protected void addRandomFields(Document doc) {
    if (random().nextInt(5) != 0) {
      doc.add(new MaskField(MASK, CodecTestMasks.randomMask(random(), params1), params1));
    }
    if (random().nextInt(3) == 0) {
      doc.add(new MaskField(MASK2, CodecTestMasks.randomMask(random(), params2), params2));
    }
  }

  /**
   * testMergeStability compares the bytes per extension of a force-merged index with a copy made by
   * addIndexesSlowly. Masks are large, so the writer flushes by RAM into many segments; the
   * delegate's stored-fields format then bulk-copies their (empty) stored-fields chunks when
   * force-merging but recompresses them through the slow reader, so .fdt/.fdx/.fdm sizes may differ
   * (seen with -Dtests.multiplier=3). That is the delegate's format, not the one under test: its
   * extensions are left out, and the mask files (.mskm, .mskc, .mskr) are still compared byte count
   * for byte count.
   */
  @Override
  protected Collection<String> excludedExtensionsFromByteCounts() {
    Set<String> excluded = new HashSet<>(super.excludedExtensionsFromByteCounts());
    excluded.addAll(List.of("fdt", "fdx", "fdm"));
    return excluded;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // SPI

  public void testSpiLoadsCodecAndFormat() {
    Codec codec = Codec.forName(MaskCodec.NAME);
    assertTrue(codec.getClass().toString(), codec instanceof MaskCodec);
    assertEquals(MaskCodec.NAME, codec.getName());
    assertTrue(Codec.availableCodecs().contains(MaskCodec.NAME));

    DocValuesFormat format = DocValuesFormat.forName(version().name());
    assertEquals(newFormat().getClass(), format.getClass());
    assertEquals(version().name(), format.getName());
    assertTrue(DocValuesFormat.availableDocValuesFormats().contains(version().name()));

    // the SPI instance writes no field as a mask: every field goes to the delegate's format
    DocValuesFormat perField = codec.docValuesFormat();
    assertTrue(perField instanceof PerFieldDocValuesFormat);
    DocValuesFormat forMask = ((PerFieldDocValuesFormat) perField).getDocValuesFormatForField(MASK);
    assertFalse(forMask.getName().startsWith("MaskSearch"));

    // the predicate codec writes accepted fields as masks and unwraps the delegate's per-field
    // choice otherwise
    PerFieldDocValuesFormat writing = (PerFieldDocValuesFormat) getCodec().docValuesFormat();
    assertEquals(version().name(), writing.getDocValuesFormatForField(MASK).getName());
    assertEquals(version().name(), writing.getDocValuesFormatForField(MASK2).getName());
    DocValuesFormat other = writing.getDocValuesFormatForField("other");
    assertFalse(other.getName().startsWith("MaskSearch"));
    assertFalse(other instanceof PerFieldDocValuesFormat);
    assertEquals(TestUtil.getDefaultDocValuesFormat().getName(), other.getName());
  }

  /**
   * An index written with the predicate codec is read by the SPI codec, which knows nothing of the
   * predicate.
   */
  public void testReadWithSpiCodecOnly() throws IOException {
    Directory dir = newDirectory();
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(getCodec())
            .setMaxBufferedDocs(TestUtil.nextInt(random(), 5, 40))
            .setMergePolicy(NoMergePolicy.INSTANCE);
    Map<Long, Mask[]> expected = new HashMap<>();
    Set<Long> live = new HashSet<>();
    int numDocs = atLeast(60);
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (long id = 0; id < numDocs; id++) {
        Document doc = new Document();
        doc.add(new NumericDocValuesField("id", id));
        Mask[] masks = new Mask[2];
        if (random().nextInt(4) != 0) {
          masks[0] = CodecTestMasks.randomMask(random(), params1);
          doc.add(new MaskField(MASK, masks[0], params1));
        }
        if (random().nextBoolean()) {
          masks[1] = CodecTestMasks.randomMask(random(), params2);
          doc.add(new MaskField(MASK2, masks[1], params2));
        }
        byte[] other = new byte[random().nextInt(20)];
        random().nextBytes(other);
        doc.add(new BinaryDocValuesField("other", new BytesRef(other)));
        w.addDocument(doc);
        expected.put(id, masks);
        live.add(id);
      }
    }
    // the writer is closed: DirectoryReader.open resolves the codec by name
    SegmentInfos infos = SegmentInfos.readLatestCommit(dir);
    assertTrue(infos.size() > 0);
    for (SegmentCommitInfo info : infos) {
      assertEquals(MaskCodec.NAME, info.info.getCodec().getName());
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      for (var context : reader.leaves()) {
        LeafReader leaf = context.reader();
        assertTrue(leaf instanceof SegmentReader);
        assertTrue(((SegmentReader) leaf).getSegmentInfo().info.getCodec() instanceof MaskCodec);
        FieldInfo mask = leaf.getFieldInfos().fieldInfo(MASK);
        if (mask != null) {
          assertEquals(
              version().name(), mask.getAttribute(PerFieldDocValuesFormat.PER_FIELD_FORMAT_KEY));
          assertEquals(
              Integer.toString(params1.gridStep()),
              mask.getAttribute(MaskSearch10DocValuesFormat.GRID_STEP_ATTRIBUTE));
          assertEquals(
              Integer.toString(params1.bins()),
              mask.getAttribute(MaskSearch10DocValuesFormat.BINS_ATTRIBUTE));
        }
        FieldInfo other = leaf.getFieldInfos().fieldInfo("other");
        assertEquals(
            TestUtil.getDefaultDocValuesFormat().getName(),
            other.getAttribute(PerFieldDocValuesFormat.PER_FIELD_FORMAT_KEY));
        BinaryDocValues otherValues = leaf.getBinaryDocValues("other");
        assertFalse(otherValues instanceof MaskDocValues);
      }
      CodecTestMasks.checkIndex(
          reader, "id", List.of(MASK, MASK2), List.of(params1, params2), expected, live, random());
    }
    TestUtil.checkIndex(dir);
    dir.close();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // close

  /**
   * Like the inherited {@link #testMultiClose}, which only exercises the delegate's formats (its
   * field is numeric and is not a mask): the mask format's consumer and producer must tolerate a
   * second close.
   */
  public void testMultiCloseMaskFormat() throws IOException {
    Mask mask = CodecTestMasks.randomMask(random(), params1);
    Directory oneDocIndex = newDirectory();
    FieldInfo proto;
    try (IndexWriter iw =
        new IndexWriter(oneDocIndex, new IndexWriterConfig(new MockAnalyzer(random())))) {
      Document doc = new Document();
      doc.add(new MaskField(MASK, mask, params1));
      iw.addDocument(doc);
      iw.commit();
      try (DirectoryReader reader = DirectoryReader.open(oneDocIndex)) {
        proto = getOnlyLeafReader(reader).getFieldInfos().fieldInfo(MASK);
      }
    }
    FieldInfo field =
        new FieldInfo(
            proto.name,
            proto.number,
            proto.hasTermVectors(),
            proto.omitsNorms(),
            proto.hasPayloads(),
            proto.getIndexOptions(),
            proto.getDocValuesType(),
            proto.docValuesSkipIndexType(),
            proto.getDocValuesGen(),
            new HashMap<>(proto.attributes()),
            proto.getPointDimensionCount(),
            proto.getPointIndexDimensionCount(),
            proto.getPointNumBytes(),
            proto.getVectorDimension(),
            proto.getVectorEncoding(),
            proto.getVectorSimilarityFunction(),
            proto.isSoftDeletesField(),
            proto.isParentField());
    FieldInfos fieldInfos = new FieldInfos(new FieldInfo[] {field});

    Directory dir = newFSDirectory(createTempDir("maskMultiClose"));
    Codec codec = getCodec();
    SegmentInfo segmentInfo =
        new SegmentInfo(
            dir,
            Version.LATEST,
            Version.LATEST,
            "_0",
            1,
            false,
            false,
            codec,
            Map.of(),
            StringHelper.randomId(),
            Map.of(),
            null);
    SegmentWriteState writeState =
        new SegmentWriteState(
            null, dir, segmentInfo, fieldInfos, null, IOContext.flush(new FlushInfo(1, 20)));
    SegmentReadState readState =
        new SegmentReadState(dir, segmentInfo, fieldInfos, IOContext.DEFAULT);
    byte[] bytes = MaskBytes.encode(mask);

    for (DocValuesFormat format : List.of(newFormat(), codec.docValuesFormat())) {
      try (DocValuesConsumer consumer = format.fieldsConsumer(writeState)) {
        consumer.addBinaryField(
            field,
            new EmptyDocValuesProducer() {
              @Override
              public BinaryDocValues getBinary(FieldInfo f) {
                return new OneDocBinary(new BytesRef(bytes));
              }
            });
        IOUtils.close(consumer);
        IOUtils.close(consumer);
      }
      try (DocValuesProducer producer = format.fieldsProducer(readState)) {
        BinaryDocValues values = producer.getBinary(field);
        assertTrue(values instanceof MaskDocValues);
        assertEquals(0, values.nextDoc());
        CodecTestMasks.assertSameMask("read back", mask, MaskBytes.decode(values.binaryValue()));
        producer.checkIntegrity();
        IOUtils.close(producer);
        IOUtils.close(producer);
      }
      for (String file : dir.listAll()) {
        if (file.startsWith("_0")) {
          dir.deleteFile(file);
        }
      }
    }
    IOUtils.close(oneDocIndex, dir);
  }

  /**
   * An I/O error while a file's header is written, for each of the three files in turn: the
   * consumer must fail without leaking an open output (MockDirectoryWrapper refuses to close while
   * a file is open).
   */
  public void testExceptionWritingHeaderLeaksNoOutput() throws IOException {
    for (int failAt = 0; failAt < 3; failAt++) {
      int target = failAt;
      MockDirectoryWrapper dir = newMockDirectory();
      Directory failing =
          new FilterDirectory(dir) {
            private int created;

            @Override
            public IndexOutput createOutput(String name, IOContext context) throws IOException {
              IndexOutput out = super.createOutput(name, context);
              return created++ == target ? new FailingOutput(out) : out;
            }
          };
      SegmentInfo segmentInfo =
          new SegmentInfo(
              failing,
              Version.LATEST,
              Version.LATEST,
              "_0",
              1,
              false,
              false,
              getCodec(),
              Map.of(),
              StringHelper.randomId(),
              Map.of(),
              null);
      SegmentWriteState state =
          new SegmentWriteState(
              null,
              failing,
              segmentInfo,
              new FieldInfos(new FieldInfo[0]),
              null,
              IOContext.flush(new FlushInfo(1, 20)));
      IOException e = expectThrows(IOException.class, () -> newFormat().fieldsConsumer(state));
      assertEquals("fake I/O error", e.getMessage());
      dir.close(); // fails if an output was left open
    }
  }

  /** An output whose every write fails. */
  private static final class FailingOutput extends IndexOutput {
    private final IndexOutput in;

    FailingOutput(IndexOutput in) {
      super("failing(" + in + ")", in.getName());
      this.in = in;
    }

    @Override
    public void writeByte(byte b) throws IOException {
      throw new IOException("fake I/O error");
    }

    @Override
    public void writeBytes(byte[] b, int offset, int length) throws IOException {
      throw new IOException("fake I/O error");
    }

    @Override
    public long getFilePointer() {
      return in.getFilePointer();
    }

    @Override
    public long getChecksum() throws IOException {
      return in.getChecksum();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** Binary doc values with one value, for document 0. */
  private static final class OneDocBinary extends BinaryDocValues {
    private final BytesRef value;
    private int doc = -1;

    OneDocBinary(BytesRef value) {
      this.value = value;
    }

    @Override
    public BytesRef binaryValue() {
      return value;
    }

    @Override
    public boolean advanceExact(int target) {
      doc = target;
      return target == 0;
    }

    @Override
    public int docID() {
      return doc;
    }

    @Override
    public int nextDoc() {
      return advance(doc + 1);
    }

    @Override
    public int advance(int target) {
      return doc = target == 0 ? 0 : NO_MORE_DOCS;
    }

    @Override
    public long cost() {
      return 1;
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // corruption

  public void testCorruptChiFileIsDetected() throws IOException {
    doTestCorruption(MaskSearch10DocValuesFormat.CHI_EXTENSION);
  }

  public void testCorruptRawFileIsDetected() throws IOException {
    doTestCorruption(MaskSearch10DocValuesFormat.RAW_EXTENSION);
  }

  public void testCorruptMetaFileIsDetected() throws IOException {
    doTestCorruption(MaskSearch10DocValuesFormat.META_EXTENSION);
  }

  /**
   * Writes one segment (no compound file), flips one byte between the header and the footer of the
   * format's file with {@code extension}, and checks that the corruption is reported: at open for
   * the meta file (it is read and checksummed entirely then), and by {@code checkIntegrity} and
   * CheckIndex for the data files.
   */
  private void doTestCorruption(String extension) throws IOException {
    BaseDirectoryWrapper dir = newDirectory();
    dir.setCheckIndexOnClose(false);
    IndexWriterConfig config =
        new IndexWriterConfig(new MockAnalyzer(random()))
            .setCodec(getCodec())
            .setUseCompoundFile(false)
            .setMergePolicy(NoMergePolicy.INSTANCE);
    try (IndexWriter w = new IndexWriter(dir, config)) {
      int numDocs = TestUtil.nextInt(random(), 5, 30);
      for (int i = 0; i < numDocs; i++) {
        Document doc = new Document();
        doc.add(new MaskField(MASK, CodecTestMasks.randomMask(random(), params1), params1));
        w.addDocument(doc);
      }
    }
    String target = null;
    for (String file : dir.listAll()) {
      if (file.endsWith("." + extension)) {
        assertNull("one segment, one file: " + file + " and " + target, target);
        target = file;
      }
    }
    assertNotNull("no ." + extension + " file in " + List.of(dir.listAll()), target);
    flipByte(
        dir,
        target,
        switch (extension) {
          case MaskSearch10DocValuesFormat.META_EXTENSION -> version().metaCodec();
          case MaskSearch10DocValuesFormat.CHI_EXTENSION -> version().chiCodec();
          default -> version().rawCodec();
        });

    if (extension.equals(MaskSearch10DocValuesFormat.META_EXTENSION)) {
      expectThrows(CorruptIndexException.class, () -> DirectoryReader.open(dir).close());
    } else {
      try (DirectoryReader reader = DirectoryReader.open(dir)) {
        LeafReader leaf = getOnlyLeafReader(reader);
        CorruptIndexException e = expectThrows(CorruptIndexException.class, leaf::checkIntegrity);
        assertTrue(e.getMessage(), e.getMessage().contains("checksum"));
      }
    }
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CheckIndex checker = new CheckIndex(dir)) {
      checker.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8));
      CheckIndex.Status status = checker.checkIndex();
      assertFalse(
          "CheckIndex missed a corrupt ."
              + extension
              + ":\n"
              + log.toString(StandardCharsets.UTF_8),
          status.clean);
    }
    dir.close();
  }

  /** Rewrites a file with one byte, chosen between its header and its footer, flipped. */
  private void flipByte(Directory dir, String name, String codec) throws IOException {
    byte[] bytes;
    try (IndexInput in = dir.openInput(name, IOContext.READONCE)) {
      bytes = new byte[Math.toIntExact(in.length())];
      in.readBytes(bytes, 0, bytes.length);
    }
    String segment = IndexFileNames.parseSegmentName(name);
    String suffix =
        name.substring(
            segment.length() + 1, name.lastIndexOf('.')); // the per-field format's suffix
    assertTrue(suffix, suffix.startsWith(version().name() + "_"));
    int header = CodecUtil.indexHeaderLength(codec, suffix);
    int footer = CodecUtil.footerLength();
    assertTrue(name + " has no body: " + bytes.length, bytes.length > header + footer);
    int at = TestUtil.nextInt(random(), header, bytes.length - footer - 1);
    bytes[at] ^= (byte) (1 << random().nextInt(8));
    dir.deleteFile(name);
    try (IndexOutput out = dir.createOutput(name, IOContext.DEFAULT)) {
      out.writeBytes(bytes, bytes.length);
    }
  }
}
