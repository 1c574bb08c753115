package dev.masksearch.opensearch.index.mapper;

import dev.masksearch.chi.ChiParams;
import dev.masksearch.document.MaskField;
import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskLimits;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReader;
import org.opensearch.index.mapper.MappingLookup;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;

/**
 * The {@code mask} field type: one 2-D mask per document (see {@link MaskValueParser} for the
 * accepted forms), stored as binary doc values that the MaskSearch codec indexes with a CHI.
 * Parameters: {@code grid_step} and {@code bins}, the CHI's, fixed when the field is created;
 * {@code index_box_counts}, the {@code mask_roi} fields in whose box each document's pixels are
 * also counted per bin when it is indexed ({@link IndexedBoxCounts}), so that {@code cp} over those
 * boxes reads no mask for ranges of whole bins.
 */
public final class MaskFieldMapper extends SingleValueFieldMapper {
  public static final String CONTENT_TYPE = "mask";

  public static final TypeParser PARSER = new TypeParser((name, context) -> new Builder(name));

  private final ChiParams params;

  private final List<String> indexBoxCounts;

  private MaskFieldMapper(
      String simpleName,
      MaskFieldType type,
      List<String> indexBoxCounts,
      MultiFields multiFields,
      CopyTo copyTo) {
    super(simpleName, type, multiFields, copyTo, "mask");
    this.params = type.params();
    this.indexBoxCounts = indexBoxCounts;
  }

  /** The {@code mask_roi} fields in whose box each document's pixels are counted per bin. */
  List<String> indexBoxCounts() {
    return indexBoxCounts;
  }

  private static MaskFieldMapper toType(org.opensearch.index.mapper.FieldMapper in) {
    return (MaskFieldMapper) in;
  }

  /** Builds mask field mappers from their mapping parameters. */
  public static final class Builder extends ParametrizedFieldMapper.Builder {
    private final Parameter<Integer> gridStep =
        Parameter.intParam(
                "grid_step", false, m -> toType(m).params.gridStep(), ChiParams.DEFAULT_GRID_STEP)
            .setValidator(v -> new ChiParams(v, ChiParams.DEFAULT_BINS));
    private final Parameter<Integer> bins =
        Parameter.intParam("bins", false, m -> toType(m).params.bins(), ChiParams.DEFAULT_BINS)
            .setValidator(v -> new ChiParams(ChiParams.DEFAULT_GRID_STEP, v));
    // Updatable: documents indexed before a box field is added are bounded from the CHI as before.
    private final Parameter<List<String>> indexBoxCounts =
        Parameter.stringArrayParam(
            "index_box_counts", true, m -> toType(m).indexBoxCounts, List.of());
    private final Parameter<Map<String, String>> meta = Parameter.metaParam();

    public Builder(String name) {
      super(name);
    }

    @Override
    protected List<Parameter<?>> getParameters() {
      return List.of(gridStep, bins, indexBoxCounts, meta);
    }

    @Override
    public MaskFieldMapper build(BuilderContext context) {
      MaskFieldType type =
          new MaskFieldType(
              buildFullName(context),
              new ChiParams(gridStep.getValue(), bins.getValue()),
              meta.getValue());
      return new MaskFieldMapper(
          name,
          type,
          List.copyOf(indexBoxCounts.getValue()),
          multiFieldsBuilder.build(this, context),
          copyTo.build());
    }
  }

  /** The field type: doc values only; masks are searched with the {@code cp} query. */
  public static final class MaskFieldType extends CpOnlyFieldType {
    private final ChiParams params;

    public MaskFieldType(String name, ChiParams params, Map<String, String> meta) {
      super(name, meta, "a [cp] query");
      this.params = params;
    }

    public ChiParams params() {
      return params;
    }

    @Override
    public String typeName() {
      return CONTENT_TYPE;
    }
  }

  @Override
  protected IndexableField parseValue(ParseContext context) throws IOException {
    // The index's current limits (dynamic settings), checked before the mask's pixels are decoded.
    MaskLimits limits = MaskSizeSettings.limits(context.indexSettings().getSettings());
    MaskField mask =
        new MaskField(fieldType().name(), MaskValueParser.parse(context.parser(), limits), params);
    IndexedBoxCounts.afterMask(context, this, mask);
    return mask;
  }

  /** Each field {@code index_box_counts} names must be a {@code mask_roi} field, listed once. */
  @Override
  protected void doValidate(MappingLookup mappers) {
    if (new java.util.HashSet<>(indexBoxCounts).size() != indexBoxCounts.size()) {
      throw new IllegalArgumentException(
          "[index_box_counts] of [" + name() + "] lists a field twice: " + indexBoxCounts);
    }
    for (String box : indexBoxCounts) {
      if (!(mappers.getMapper(box) instanceof MaskRoiFieldMapper)) {
        throw new IllegalArgumentException(
            "[index_box_counts] of ["
                + name()
                + "] names ["
                + box
                + "], which is not a ["
                + MaskRoiFieldMapper.CONTENT_TYPE
                + "] field of this index");
      }
    }
  }

  /**
   * With {@code index.derived_source.enabled}, {@code _source} holds no copy of the mask: it is
   * rebuilt from the doc value as {@code {"shape", "dtype", "data"}}, the same pixels in canonical
   * form (a PNG, COCO RLE or nested arrays come back in that form). One form for every mask, so
   * that a partial update's {@code doc} in the raw form always replaces the stored value (a second
   * form would merge key by key into an object of two forms).
   */
  @Override
  protected Object derivedValue(LeafReader reader, int doc) throws IOException {
    BinaryDocValues values = reader.getBinaryDocValues(fieldType().name());
    if (values == null || !values.advanceExact(doc)) {
      return null;
    }
    Mask mask = MaskBytes.decode(values.binaryValue());
    Map<String, Object> raw = new LinkedHashMap<>();
    raw.put("shape", List.of(mask.height(), mask.width()));
    raw.put("dtype", mask.dtype().apiName());
    raw.put("data", Base64.getEncoder().encodeToString(mask.rawBytes()));
    return raw;
  }

  @Override
  public MaskFieldType fieldType() {
    return (MaskFieldType) super.fieldType();
  }

  @Override
  public ParametrizedFieldMapper.Builder getMergeBuilder() {
    return new Builder(simpleName()).init(this);
  }

  @Override
  protected String contentType() {
    return CONTENT_TYPE;
  }
}
