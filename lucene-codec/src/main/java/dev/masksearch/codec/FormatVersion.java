package dev.masksearch.codec;

/**
 * What distinguishes the mask doc-values formats, which share their reader and writer: the codec
 * names in their files' headers and how a mask's pixels are stored (with, in MaskSearch20, the tile
 * side in each field's meta). Otherwise the meta, the per-document columns and the CHI blocks are
 * the same in both (see {@link MaskSearch10DocValuesFormat}).
 *
 * @param name the format's SPI name
 * @param tiled whether masks are stored in tiles ({@link TiledMaskStorage}, with the tile side in
 *     each field's meta) or whole ({@link DeflatedMaskStorage})
 * @param versionCurrent the version of the files' headers that writers write; readers read every
 *     version from 0 to it
 * @param compactFrom the first version that stores masks of at most two codes as runs ({@link
 *     RunMask}) and CHI columns that repeat the level below as a header alone; above {@code
 *     versionCurrent} for a format that never does
 * @param twoTierFrom the first version that stores the CHI in two tiers (first-tier columns and a
 *     {@link CellSuffixRecord} a document); above {@code versionCurrent} for a format that never
 *     does
 * @param compactChiFrom the first version that writes the CHI's columns at their narrowest width
 *     ({@link FixedWidth#exactBitsRequired}) and its cell records in {@link
 *     CellSuffixRecord.Layout#RUNS}; above {@code versionCurrent} for a format that never does
 */
record FormatVersion(
    String name,
    String metaCodec,
    String chiCodec,
    String rawCodec,
    boolean tiled,
    int versionCurrent,
    int compactFrom,
    int twoTierFrom,
    int compactChiFrom) {
  /** The first version of every format's files. */
  static final int VERSION_START = 0;

  /** Masks whole, in one DEFLATE stream each. */
  static final FormatVersion V10 =
      new FormatVersion(
          MaskSearch10DocValuesFormat.NAME,
          "MaskSearchMeta",
          "MaskSearchChi",
          "MaskSearchRaw",
          false,
          VERSION_START,
          Integer.MAX_VALUE,
          Integer.MAX_VALUE,
          Integer.MAX_VALUE);

  /** Masks in tiles on the CHI grid. */
  static final FormatVersion V20 =
      new FormatVersion(
          MaskSearch20DocValuesFormat.NAME,
          "MaskSearch20Meta",
          "MaskSearch20Chi",
          "MaskSearch20Raw",
          true,
          MaskSearch20DocValuesFormat.VERSION_COMPACT_CHI,
          MaskSearch20DocValuesFormat.VERSION_RUN_MASKS,
          MaskSearch20DocValuesFormat.VERSION_TWO_TIER_CHI,
          MaskSearch20DocValuesFormat.VERSION_COMPACT_CHI);

  /**
   * Whether CHI columns that repeat the level below are written without data in files of this
   * version ({@link ChiGroupWriter#REPEATS_LEVEL_BELOW}).
   */
  boolean repeatsLevels(int version) {
    return version >= compactFrom;
  }

  /**
   * Whether fields of this version store their CHI in two tiers: columns at {@link
   * dev.masksearch.chi.ChiParams#firstTier} and each document's {@link CellSuffixRecord} after its
   * mask.
   */
  boolean twoTiers(int version) {
    return version >= twoTierFrom;
  }

  /**
   * Whether files of this version write the CHI's columns at their narrowest width and its cell
   * records in runs ({@link CellSuffixRecord.Layout#RUNS}).
   */
  boolean compactChi(int version) {
    return version >= compactChiFrom;
  }

  /** The layout of the cell records in files of this version (of a format in two tiers). */
  CellSuffixRecord.Layout recordLayout(int version) {
    return compactChi(version) ? CellSuffixRecord.Layout.RUNS : CellSuffixRecord.Layout.PER_CELL;
  }

  /**
   * How a field's masks are stored in files of this version, given the field's tile side; {@code
   * bestCompression}: whether the field's tiles are written in best compression (a writer's mode,
   * or the mode a reader's meta records).
   */
  MaskStorage storage(int version, int tileSide, boolean bestCompression) {
    return tiled
        ? new TiledMaskStorage(tileSide, version, bestCompression)
        : DeflatedMaskStorage.INSTANCE;
  }
}
