package dev.masksearch.codec;

import dev.masksearch.chi.ChiGrid;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.Roi;
import dev.masksearch.mask.ValueRange;
import dev.masksearch.search.Comparison;
import dev.masksearch.search.CpOrder;
import dev.masksearch.search.CpSpec;
import dev.masksearch.search.CpStats;
import dev.masksearch.search.MaskValueFilterQuery;
import dev.masksearch.search.MaskValueTopKQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;

/**
 * Reads everything of an index's mask fields, through every access path, into a transcript: open,
 * iteration and {@code advanceExact}, each document's mask and {@link MaskDocValues.MaskSize}, the
 * CHI through cursors in document order and in reverse (a sample of every grid's entries, single
 * and bulk, enough members per block for whole-column decoding), block access, and CP filter and
 * top-k queries. Each step that reports corruption ({@link #isCorruption}) adds an entry saying so
 * and the reading goes on where it can; any other exception is an {@link AssertionError}, and so is
 * a step that allocates more than a limit.
 *
 * <p>Two transcripts of the same index are equal, so a corrupted copy's transcript can be compared
 * with the original's.
 */
public final class MaskIndexTranscript {
  /** The entry of a step that reported corruption. */
  public static final String CORRUPT = "corrupt";

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** CHI entries sampled per document. */
  private static final int SAMPLE = 64;

  private final long stepAllocationLimit;
  private final List<String> entries = new ArrayList<>();

  private MaskIndexTranscript(long stepAllocationLimit) {
    this.stepAllocationLimit = stepAllocationLimit;
  }

  /** A step of reading. */
  @FunctionalInterface
  private interface Step {
    String run() throws IOException;
  }

  /**
   * The transcript of an index; each step may allocate at most {@code stepAllocationLimit} bytes.
   */
  public static List<String> of(Directory dir, long stepAllocationLimit) throws IOException {
    MaskIndexTranscript transcript = new MaskIndexTranscript(stepAllocationLimit);
    DirectoryReader[] opened = new DirectoryReader[1];
    if (!transcript.step(
        "open",
        () -> {
          opened[0] = DirectoryReader.open(dir);
          return "ok";
        })) {
      return transcript.entries;
    }
    try (DirectoryReader reader = opened[0]) {
      for (LeafReaderContext leaf : reader.leaves()) {
        for (FieldInfo field : leaf.reader().getFieldInfos()) {
          if (field.getDocValuesType() == DocValuesType.BINARY) {
            transcript.readField(leaf.reader(), field.name);
          }
        }
      }
      transcript.query(reader);
    }
    return transcript.entries;
  }

  /**
   * Whether an exception reports corruption: Lucene's, or one a CHI look-up wraps (it cannot throw
   * IOException).
   */
  public static boolean isCorruption(Throwable t) {
    if (t instanceof UncheckedIOException && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof CorruptIndexException
        || t instanceof IndexFormatTooOldException
        || t instanceof IndexFormatTooNewException;
  }

  /** Runs a step; returns whether it completed. */
  private boolean step(String name, Step step) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    String result;
    try {
      result = step.run();
    } catch (Throwable t) {
      if (!isCorruption(t)) {
        throw new AssertionError(name + ": " + t, t);
      }
      result = CORRUPT;
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    if (allocated > stepAllocationLimit) {
      throw new AssertionError(name + " allocated " + (allocated >> 20) + " MiB");
    }
    entries.add(name + ": " + result);
    return result != CORRUPT;
  }

  private void readField(LeafReader leaf, String field) {
    int maxDoc = leaf.maxDoc();
    boolean[] hasMask = new boolean[maxDoc];
    step(
        field + " iteration",
        () -> {
          BinaryDocValues values = leaf.getBinaryDocValues(field);
          StringBuilder s = new StringBuilder();
          for (int doc = values.nextDoc();
              doc != DocIdSetIterator.NO_MORE_DOCS;
              doc = values.nextDoc()) {
            BytesRef bytes = values.binaryValue();
            s.append(doc)
                .append('=')
                .append(
                    Arrays.hashCode(
                        Arrays.copyOfRange(bytes.bytes, bytes.offset, bytes.offset + bytes.length)))
                .append(' ');
          }
          return s.toString();
        });
    BinaryDocValues[] exists = new BinaryDocValues[1];
    if (step(
        field + " advanceExact",
        () -> {
          exists[0] = leaf.getBinaryDocValues(field);
          return "ok";
        })) {
      for (int doc = 0; doc < maxDoc; doc++) {
        int d = doc;
        step(
            field + " doc " + doc + " exists",
            () -> Boolean.toString(hasMask[d] = exists[0].advanceExact(d)));
      }
    }
    MaskDocValues[] masks = new MaskDocValues[1];
    if (!step(
        field + " doc values",
        () -> {
          masks[0] = (MaskDocValues) leaf.getBinaryDocValues(field);
          return masks[0].params() + " " + masks[0].averageMaskPixels();
        })) {
      return;
    }
    for (int doc = 0; doc < maxDoc; doc++) {
      if (hasMask[doc]) {
        int d = doc;
        step(
            field + " doc " + doc + " size",
            () -> masks[0].maskSize(d) + " " + masks[0].maskSize(d).compressedBytes());
        step(
            field + " doc " + doc + " mask",
            () -> {
              Mask mask = masks[0].mask(d);
              return mask.dtype()
                  + " "
                  + mask.height()
                  + "x"
                  + mask.width()
                  + " "
                  + Arrays.hashCode(mask.rawBytes());
            });
      }
    }
    readChi(leaf, field, false, false);
    readChi(leaf, field, true, false);
    readChi(leaf, field, false, true);
    readChi(leaf, field, true, true);
    readBlocks(leaf, field);
  }

  /**
   * Every document's CHI through one cursor, in document order or in reverse: the CHI at the
   * field's parameters, or its first tier when it is stored in two tiers (none before).
   */
  private void readChi(LeafReader leaf, String field, boolean reverse, boolean firstTier) {
    MaskDocValues.ChiCursor[] cursor = new MaskDocValues.ChiCursor[1];
    String pass = field + (firstTier ? " first tier" : " chi") + (reverse ? " reverse" : "");
    if (firstTier) { // a pass only where there is one (none before two tiers): no step to open it
      try {
        cursor[0] = ((MaskDocValues) leaf.getBinaryDocValues(field)).firstTierCursor();
      } catch (IOException | RuntimeException e) {
        if (!isCorruption(e)) {
          throw new AssertionError(pass + ": " + e, e);
        }
        return; // corruption: the pass over the CHI records it
      }
      if (cursor[0] == null) {
        return;
      }
    } else if (!step(
        pass,
        () -> {
          cursor[0] = ((MaskDocValues) leaf.getBinaryDocValues(field)).chiCursor();
          return "ok";
        })) {
      return;
    }
    int maxDoc = leaf.maxDoc();
    for (int k = 0; k < maxDoc; k++) {
      int doc = reverse ? maxDoc - 1 - k : k;
      step(
          pass + " doc " + doc,
          () -> {
            MaskDocValues.ChiCursor c = cursor[0];
            if (!c.seek(doc)) {
              return "none";
            }
            ChiGrid grid = c.grid();
            int bins = c.bins();
            int columns = grid.gx() * grid.gy() * bins;
            int stride = Math.max(1, columns / SAMPLE);
            int[] indices = new int[(columns + stride - 1) / stride];
            int n = 0;
            for (int e = doc % stride; e < columns; e += stride) {
              indices[n++] = e;
            }
            long[] single = new long[n];
            for (int k2 = 0; k2 < n; k2++) {
              single[k2] = c.entry(indices[k2]);
            }
            long[] bulk = new long[n];
            c.entries(indices, n, bulk);
            StringBuilder s = new StringBuilder(grid + " " + c.dtype() + " " + bins + " ");
            s.append(Arrays.toString(single)).append(" bulk ").append(Arrays.toString(bulk));
            s.append(" corner ")
                .append(c.count(grid.gx(), grid.gy(), bins))
                .append(' ')
                .append(c.count(1, 1, 1));
            return s.toString();
          });
    }
  }

  /**
   * Block access, where the field's segment has it: a sample of each block's columns, decoded
   * whole.
   */
  private void readBlocks(LeafReader leaf, String field) {
    MaskDocValues.BlockAccess[] blocks = new MaskDocValues.BlockAccess[1];
    ChiGrid[] grid = new ChiGrid[1];
    int[] bins = new int[1];
    if (!step(
            field + " blocks",
            () -> {
              MaskDocValues.ChiCursor cursor =
                  CodecTestMasks.columnCursor((MaskDocValues) leaf.getBinaryDocValues(field));
              blocks[0] = cursor.blocks();
              if (blocks[0] != null && cursor.seek(0)) {
                grid[0] = cursor.grid();
                bins[0] = cursor.bins();
              }
              return blocks[0] == null ? "none" : blocks[0].blockShift() + " " + grid[0];
            })
        || blocks[0] == null
        || grid[0] == null) {
      return;
    }
    int columns = grid[0].gx() * grid[0].gy() * bins[0];
    int shift = blocks[0].blockShift();
    for (int b = 0; (long) b << shift < leaf.maxDoc(); b++) {
      int block = b;
      step(
          field + " block " + b,
          () -> {
            int rows = blocks[0].seekBlock(block);
            StringBuilder s = new StringBuilder(rows + " ");
            for (int e = block % 7; e < columns; e += Math.max(1, columns / SAMPLE)) {
              s.append(Arrays.hashCode(Arrays.copyOf(blocks[0].column(e), rows))).append(' ');
            }
            return s.toString();
          });
    }
  }

  /** CP filters and top-k over each mask field, over the whole mask and over a box. */
  private void query(DirectoryReader reader) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    searcher.setQueryCache(null);
    for (String field : new String[] {MaskSegmentFixture.MIXED, MaskSegmentFixture.UNIFORM}) {
      CpSpec full = CpSpec.of(field, Roi.FULL, new ValueRange(0.5, 1.0));
      CpSpec box = CpSpec.of(field, new Roi(1, 2, 9, 7), new ValueRange(0.0, 0.3)).normalized();
      search(
          searcher,
          field + " filter full",
          new MaskValueFilterQuery(full, Comparison.GTE, 10, new CpStats()));
      search(
          searcher,
          field + " filter box",
          new MaskValueFilterQuery(box, Comparison.LT, 0.4, new CpStats()));
      search(
          searcher,
          field + " top full",
          new MaskValueTopKQuery(full, 5, CpOrder.DESC, null, new CpStats()));
      search(
          searcher,
          field + " top box",
          new MaskValueTopKQuery(box, 7, CpOrder.ASC, null, new CpStats()));
    }
  }

  private void search(IndexSearcher searcher, String name, Query query) {
    step(
        name,
        () -> {
          TopDocs top = searcher.search(query, 1000);
          StringBuilder s = new StringBuilder();
          for (ScoreDoc hit : top.scoreDocs) {
            s.append(hit.doc).append(':').append(hit.score).append(' ');
          }
          return s.toString();
        });
  }
}
