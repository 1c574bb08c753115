package dev.masksearch.opensearch.index.mapper;

import java.io.IOException;
import java.util.List;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReader;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.DerivedFieldGenerator;
import org.opensearch.index.mapper.FieldValueFetcher;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.mapper.ParametrizedFieldMapper;
import org.opensearch.index.mapper.ParseContext;

/**
 * What the plugin's field mappers share: one structured value per document, parsed from the whole
 * JSON value (arrays included), kept in doc values only, and given back from them when the index
 * derives its {@code _source}.
 */
abstract class SingleValueFieldMapper extends ParametrizedFieldMapper {
  private final String valueName;

  /** {@code valueName} is what one value is called in errors ("mask", "box"). */
  SingleValueFieldMapper(
      String simpleName,
      MappedFieldType type,
      MultiFields multiFields,
      CopyTo copyTo,
      String valueName) {
    super(simpleName, type, multiFields, copyTo);
    this.valueName = valueName;
  }

  /** The Lucene field for one value, with the context's parser on its first token. */
  protected abstract IndexableField parseValue(ParseContext context) throws IOException;

  /**
   * The document's value as {@code _source} shows it, read from doc values, or null if it has none.
   * Called while the super constructor runs, so it may use only {@link #fieldType()} and {@link
   * #simpleName()}.
   */
  protected abstract Object derivedValue(LeafReader reader, int doc) throws IOException;

  @Override
  protected final void parseCreateField(ParseContext context) throws IOException {
    XContentParser parser = context.parser();
    if (parser.currentToken() == XContentParser.Token.VALUE_NULL) {
      return;
    }
    if (context.doc().getField(fieldType().name()) != null) {
      throw new IllegalArgumentException(
          "a document holds one "
              + valueName
              + " per ["
              + contentType()
              + "] field; index one document per "
              + valueName);
    }
    context.doc().add(parseValue(context));
  }

  /**
   * The mapper reads arrays itself: nested arrays are one mask, {@code [x1, y1, x2, y2]} one box.
   */
  @Override
  public final boolean parsesArrayValue() {
    return true;
  }

  @Override
  protected final void canDeriveSourceInternal() {
    checkDocValuesForDerivedSource();
  }

  @Override
  protected final DerivedFieldGenerator derivedFieldGenerator() {
    return new DerivedFieldGenerator(
        fieldType(),
        new FieldValueFetcher(simpleName()) {
          @Override
          public List<Object> fetch(LeafReader reader, int doc) throws IOException {
            Object value = derivedValue(reader, doc);
            return value == null ? List.of() : List.of(value);
          }
        },
        null);
  }
}
