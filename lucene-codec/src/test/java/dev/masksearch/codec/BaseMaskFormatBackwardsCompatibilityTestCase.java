package dev.masksearch.codec;

import dev.masksearch.chi.ChiParams;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.perfield.PerFieldDocValuesFormat;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.Directory;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * An index written by a mask doc-values format (at one version of its files) when it was current,
 * frozen as a test resource (see {@link FrozenIndex}): it must keep reading back exactly, through
 * SPI, and merge into the current format with the same answers (the merge copies the CHI entries
 * and stores the masks again; a fallback that rebuilt everything from the masks would pass too, and
 * {@code MaskDocValuesReadbackTests} covers the copying path). One subclass per frozen index, as
 * Lucene's backward-codecs tests keep one per old version.
 *
 * <p>To freeze an index (once, for a format name or version about to change), run the subclass with
 * {@code -Dtests.masksearch.freeze=/path/to/index.zip} before changing the code.
 */
public abstract class BaseMaskFormatBackwardsCompatibilityTestCase extends LuceneTestCase {
  private static final List<String> FIELDS =
      List.of(MaskSegmentFixture.MIXED, MaskSegmentFixture.UNIFORM);
  private static final List<ChiParams> PARAMS =
      List.of(FrozenIndex.MIXED_PARAMS, FrozenIndex.UNIFORM_PARAMS);

  /** The frozen index's resource name, beside this class. */
  protected abstract String resource();

  /** The format the frozen index was written with. */
  protected abstract DocValuesFormat frozenFormat();

  /** The version of that format's files in the frozen index. */
  protected abstract int frozenVersion();

  /** Every mask file of the index has this version in its header. */
  private static void assertHeaderVersion(Directory directory, int version) throws IOException {
    int files = 0;
    for (String name : directory.listAll()) {
      String extension = org.apache.lucene.index.IndexFileNames.getExtension(name);
      if (extension != null
          && List.of(
                  MaskSearch10DocValuesFormat.META_EXTENSION,
                  MaskSearch10DocValuesFormat.CHI_EXTENSION,
                  MaskSearch10DocValuesFormat.RAW_EXTENSION)
              .contains(extension)) {
        byte[] file = MaskSegmentFixture.read(directory, name);
        String codec = MaskSegmentFixture.codecOf(MaskSegmentFixture.versionOf(name), extension);
        int at = Integer.BYTES + 1 + codec.length(); // magic, then the codec's name
        assertEquals(
            name,
            version,
            java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.BIG_ENDIAN).getInt(at));
        files++;
      }
    }
    assertTrue("mask files found", files > 0);
  }

  public void testFreeze() throws IOException {
    String target = System.getProperty("tests.masksearch.freeze");
    assumeTrue("freezes the index only when asked to", target != null);
    FrozenIndex.write(
        TestMaskCodecs.writing(frozenFormat(), new Lucene104Codec(), FIELDS::contains),
        createTempDir(),
        Path.of(target));
  }

  public void testFrozenIndexReadsBack() throws IOException {
    Path dir = createTempDir();
    FrozenIndex.Contents frozen = unzip(dir);
    try (Directory directory = newFSDirectory(dir);
        DirectoryReader reader = DirectoryReader.open(directory)) {
      assertEquals("segments", 2, reader.leaves().size());
      assertFormat(reader, frozenFormat().getName());
      assertHeaderVersion(directory, frozenVersion());
      CodecTestMasks.checkIndex(
          reader, MaskSegmentFixture.ID, FIELDS, PARAMS, frozen.masks(), frozen.live(), random());
      assertEquals(frozen.transcript(), MaskIndexTranscript.of(directory, Long.MAX_VALUE));
    }
  }

  public void testFrozenIndexMergesIntoTheCurrentFormat() throws IOException {
    Path dir = createTempDir();
    FrozenIndex.Contents frozen = unzip(dir);
    try (Directory old = newFSDirectory(dir);
        Directory merged = newDirectory()) {
      IndexWriterConfig config =
          new IndexWriterConfig().setCodec(new MaskCodec(new Lucene104Codec(), FIELDS::contains));
      try (IndexWriter writer = new IndexWriter(merged, config)) {
        writer.addIndexes(old);
        writer.forceMerge(1);
      }
      try (DirectoryReader reader = DirectoryReader.open(merged)) {
        assertFormat(reader, MaskCodec.CURRENT_MASK_FORMAT);
        CodecTestMasks.checkIndex(
            reader, MaskSegmentFixture.ID, FIELDS, PARAMS, frozen.masks(), frozen.live(), random());
      }
    }
  }

  /** Unzips the frozen index into {@code dir}. */
  protected FrozenIndex.Contents unzip(Path dir) throws IOException {
    try (InputStream zip =
        BaseMaskFormatBackwardsCompatibilityTestCase.class.getResourceAsStream(resource())) {
      assertNotNull(resource() + " is missing", zip);
      return FrozenIndex.unzip(zip, dir);
    }
  }

  /** Every segment's mask fields are in the doc-values format of this name. */
  private static void assertFormat(DirectoryReader reader, String format) {
    for (LeafReaderContext leaf : reader.leaves()) {
      for (String field : FIELDS) {
        FieldInfo info = leaf.reader().getFieldInfos().fieldInfo(field);
        assertEquals(
            field, format, info.getAttribute(PerFieldDocValuesFormat.PER_FIELD_FORMAT_KEY));
      }
    }
  }
}
