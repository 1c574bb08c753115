package dev.masksearch.codec;

import java.io.IOException;
import org.apache.lucene.codecs.DocValuesConsumer;
import org.apache.lucene.codecs.DocValuesFormat;
import org.apache.lucene.codecs.DocValuesProducer;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * Doc values for mask fields, version 2: as {@link MaskSearch10DocValuesFormat} (the same files,
 * meta, per-document columns and CHI blocks), except that each mask is stored in tiles that decode
 * one at a time, so that a verification reads only the tiles under the grid cells its CHI does not
 * decide.
 *
 * <h2>Differences from MaskSearch10</h2>
 *
 * <ul>
 *   <li>The files' headers name the codecs {@code MaskSearch20Meta}, {@code MaskSearch20Chi} and
 *       {@code MaskSearch20Raw} (version 0).
 *   <li>A field's meta has the tile side after the CHI parameters, and from version 2 on the mode
 *       that wrote its tiles:
 *       <pre>
 * Field := FieldNumber(int32), GridStep(vint), Bins(vint), TileSide(vint), [Mode(byte)],
 *          ... as in MaskSearch10
 *       </pre>
 *       TileSide is a multiple of GridStep (see {@link TiledMaskStorage#tileSideFor}); Mode is 0
 *       for {@link Mode#BEST_SPEED}, 1 for {@link Mode#BEST_COMPRESSION} (tiles may be
 *       planar-coded). Readers read either; a merge copies the stored masks of segments written in
 *       its own mode and stores the others again.
 *   <li>A document's stored mask in {@code .mskr} is a {@code TiledMask} (grammar in {@link
 *       TiledMaskStorage}) instead of a DEFLATE stream; from version 1 of the files on, a mask of
 *       at most two codes may instead be a {@code RunMask} ({@link RunMask}).
 * </ul>
 *
 * <h2>Versions</h2>
 *
 * <ul>
 *   <li>0: every mask in tiles (frozen in the tests' {@code index.masksearch20-v0.zip}).
 *   <li>1 ({@link #VERSION_RUN_MASKS}): masks of at most two codes stored as runs where shorter;
 *       and in {@code .mskc}, a CHI column equal to the column of the level below (the same cell)
 *       for every member of its block has the header {@code Min = 0, BitsPerValue = 255, Offset =
 *       0} and no data ({@link ChiGroupWriter#REPEATS_LEVEL_BELOW}): binary masks store one column
 *       a cell instead of one a level (frozen in {@code index.masksearch20-v1.zip}).
 *   <li>2 ({@link #VERSION_PLANAR_CODED}): a tile of one byte a pixel may be {@code PlanarCoded}
 *       (tile kind 5, grammar in {@link PlanarCodedTile}): each pixel's difference from the plane
 *       through its left, upper and upper-left neighbours, in a prefix code (frozen in {@code
 *       index.masksearch20-v2.zip}).
 *   <li>3 ({@link #VERSION_TWO_TIER_CHI}): the CHI in two tiers. The columns and groups in {@code
 *       .mskc} hold the first tier, a CHI at {@link dev.masksearch.chi.ChiParams#firstTier} (twice
 *       the grid step, every other level), which first stages read; each document's mask in {@code
 *       .mskr} is followed by its {@link CellSuffixRecord} (its cells' histograms at the field's
 *       own parameters), which refines and verifications read. A field's meta gains:
 *       <pre>
 * Field := FieldNumber, GridStep, Bins, TileSide, Mode, FirstStep(vint), FirstBins(vint),
 *          MaskPixels(vlong), Columns, RawStart, AddressStart, Addresses, AddressLength,
 *          RecordStartsStart(int64), RecordStarts, RecordStartsLength(int64), Groups
 *       </pre>
 *       Groups and columns are on the FirstStep grid with FirstBins levels; MaskPixels sums the
 *       masks' pixels (the mean cost of reading one); RecordStarts, in the form of Addresses (a
 *       block shift and Lucene's DirectMonotonic meta, data in {@code .mskr}), gives for each of
 *       the maxDoc documents where its record starts: the mask of document d lies in {@code
 *       [address(d), recordStart(d))} and its record in {@code [recordStart(d), address(d + 1))}
 *       (frozen, written at the defaults, in {@code index.masksearch20-v3.zip}).
 *   <li>4 ({@link #VERSION_PLANAR_PACKED}): a tile of one byte a pixel may also be {@code
 *       PlanarPacked} (tile kind 6, grammar in {@link PlanarCodedTile}): the planar residuals of
 *       kind 5 but for a key row every eight rows (predicted from the left alone), zigzagged and
 *       packed in groups of eight at a width a group, which writers in both modes store where
 *       shorter (frozen, written at the defaults, in {@code index.masksearch20-v4.zip}).
 *   <li>5 ({@link #VERSION_COMPACT_CHI}): a compact CHI. A first-tier column may take any width
 *       from 1 to 25 bits or 32 ({@link FixedWidth}), and writers give each the narrowest that
 *       holds it; a document's cell record is in {@link CellSuffixRecord.Layout#RUNS}: runs of
 *       cells whose pixels share a bin in one header, no bitmap for a cell with every bin, and the
 *       suffix sums of all cells in one bit stream after the headers (grammar in {@link
 *       CellSuffixRecord}).
 * </ul>
 *
 * Merging segments of MaskSearch10 into this format copies their CHI entries and stores their masks
 * again in tiles.
 */
public final class MaskSearch20DocValuesFormat extends DocValuesFormat {
  /** The SPI name; it must stay loadable for as long as indices written with it exist. */
  public static final String NAME = "MaskSearch20";

  /**
   * The version of the files' headers from which a mask of at most two codes may be stored whole as
   * runs ({@link RunMask}) and CHI columns that repeat the level below take no data; version 0
   * stores every mask in tiles and every column in full.
   */
  static final int VERSION_RUN_MASKS = 1;

  /**
   * The version of the files' headers from which a tile of one byte a pixel may be stored as
   * prefix-coded planar residuals ({@link PlanarCodedTile}).
   */
  static final int VERSION_PLANAR_CODED = 2;

  /**
   * The version of the files' headers from which a field's CHI is stored in two tiers: the columns
   * at {@link dev.masksearch.chi.ChiParams#firstTier} and, after each mask, its {@link
   * CellSuffixRecord}.
   */
  static final int VERSION_TWO_TIER_CHI = 3;

  /**
   * The version of the files' headers from which a tile of one byte a pixel may be stored as planar
   * residuals packed in groups ({@link PlanarCodedTile}), which writers in both modes store where
   * shorter.
   */
  static final int VERSION_PLANAR_PACKED = 4;

  /**
   * The version of the files' headers from which a field's CHI columns take their narrowest width
   * and its cell records are in {@link CellSuffixRecord.Layout#RUNS}.
   */
  static final int VERSION_COMPACT_CHI = 5;

  /**
   * How new segments trade verification speed for size, as Lucene's stored-fields modes do; a
   * writer's choice only: readers read every segment whatever the mode that wrote it.
   */
  public enum Mode {
    /**
     * Tiles as packed row residuals, LZ4 residuals, bitmaps, raw or (from version 4 on) packed
     * planar residuals, whichever is shortest: the kinds that decode fastest.
     */
    BEST_SPEED,
    /**
     * One-byte tiles also as prefix-coded planar residuals ({@link PlanarCodedTile}) where shorter:
     * smooth maps take about a fifth less space than at the defaults (a third less before version
     * 4), and a verification that decodes them about a sixth more time (docs/design.md, section 4).
     */
    BEST_COMPRESSION
  }

  private final long maxBufferedBytes;
  private final Mode mode;

  public MaskSearch20DocValuesFormat() {
    this(Mode.BEST_SPEED);
  }

  /** A format whose writers store masks in {@code mode}. */
  public MaskSearch20DocValuesFormat(Mode mode) {
    this(mode, MaskSearch10DocValuesFormat.MAX_BUFFERED_BYTES);
  }

  /**
   * A format whose writers buffer at most {@code maxBufferedBytes} of CHI rows per field (tests
   * spill early).
   */
  MaskSearch20DocValuesFormat(Mode mode, long maxBufferedBytes) {
    super(NAME);
    this.mode = java.util.Objects.requireNonNull(mode);
    this.maxBufferedBytes = maxBufferedBytes;
  }

  @Override
  public DocValuesConsumer fieldsConsumer(SegmentWriteState state) throws IOException {
    return new MaskSearchDocValuesConsumer(
        state, FormatVersion.V20, mode == Mode.BEST_COMPRESSION, maxBufferedBytes);
  }

  @Override
  public DocValuesProducer fieldsProducer(SegmentReadState state) throws IOException {
    return new MaskSearchDocValuesProducer(state, FormatVersion.V20);
  }
}
