package dev.masksearch.fuzz;

import dev.masksearch.codec.MaskIndexTranscript;
import dev.masksearch.codec.MaskSegmentFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Random;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

/**
 * Fuzz target: the mask doc-values reader ({@code MaskSearch10DocValuesProducer}) on a small valid
 * segment ({@link MaskSegmentFixture#smallPlan}) one of whose files the input replaces. The input's
 * first byte chooses the file ({@code .mskm}, {@code .mskc} or {@code .mskr}, modulo 3), the rest
 * becomes its body, between the original header and a footer whose checksum matches: so every
 * mutation gets past the checksum and reaches the reader's validation. Opening the index and
 * reading everything ({@link MaskIndexTranscript}: iteration, every mask and its size, the CHI
 * through every cursor path, CP queries) either succeeds or reports corruption ({@code
 * CorruptIndexException}, {@code IndexFormatTooOld/NewException}); anything else, including a CHI
 * look-up's {@code UncheckedIOException} around another cause, is a finding.
 *
 * <p>The seeds are the segment's three bodies; {@link #main} writes them again after a format
 * change.
 */
public final class MaskSegmentFuzzer {
  /** The files the first byte chooses from. */
  static final String[] EXTENSIONS = {"mskm", "mskc", "mskr"};

  /** The seed of the segment's mask content, so that the seeds' bodies match the segment. */
  private static final long SEGMENT_SEED = 20260101;

  private static final Directory BASE = new ByteBuffersDirectory();
  private static final String[] NAMES = new String[EXTENSIONS.length];
  private static final byte[][] FILES = new byte[EXTENSIONS.length][];

  static {
    try {
      MaskSegmentFixture.write(BASE, MaskSegmentFixture.smallPlan(), new Random(SEGMENT_SEED));
      for (int f = 0; f < EXTENSIONS.length; f++) {
        NAMES[f] = MaskSegmentFixture.fileName(BASE, EXTENSIONS[f]);
        FILES[f] = MaskSegmentFixture.read(BASE, NAMES[f]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MaskSegmentFuzzer() {}

  public static void fuzzerTestOneInput(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    int f = (input[0] & 0xFF) % EXTENSIONS.length;
    int header = MaskSegmentFixture.headerLength(NAMES[f]);
    byte[] headerAndBody = Arrays.copyOf(FILES[f], header + input.length - 1);
    System.arraycopy(input, 1, headerAndBody, header, input.length - 1);
    byte[] file = MaskSegmentFixture.withFooter(headerAndBody);
    FuzzChecks.boundedAllocation(
        input.length,
        () -> {
          try (Directory dir = new ByteBuffersDirectory()) {
            MaskSegmentFixture.copy(BASE, dir);
            MaskSegmentFixture.write(dir, NAMES[f], file);
            MaskIndexTranscript.of(
                dir, Long.MAX_VALUE); // throws AssertionError on anything but corruption
          }
        });
  }

  /**
   * Writes the seeds, one per file: its index in {@link #EXTENSIONS}, then its body. Argument: the
   * directory.
   */
  public static void main(String[] args) throws IOException {
    Path dir =
        Paths.get(
            args.length > 0
                ? args[0]
                : "src/test/resources/fuzz/" + MaskSegmentFuzzer.class.getSimpleName());
    Files.createDirectories(dir);
    for (int f = 0; f < EXTENSIONS.length; f++) {
      int header = MaskSegmentFixture.headerLength(NAMES[f]);
      byte[] body =
          Arrays.copyOfRange(FILES[f], header, FILES[f].length - CodecUtil.footerLength());
      byte[] seed = new byte[body.length + 1];
      seed[0] = (byte) f;
      System.arraycopy(body, 0, seed, 1, body.length);
      Files.write(dir.resolve(EXTENSIONS[f]), seed);
    }
  }
}
