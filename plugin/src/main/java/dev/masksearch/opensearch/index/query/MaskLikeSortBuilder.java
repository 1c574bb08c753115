package dev.masksearch.opensearch.index.query;

import dev.masksearch.search.ValueSource;
import java.io.IOException;
import java.util.Objects;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.search.sort.SortOrder;

/**
 * The {@code mask_like} sort: hits by their mask's similarity to a given one ({@link
 * MaskLikeQueryBuilder} for the keys), {@code "order": "desc"} (most alike first, the default) or
 * {@code "asc"} (least alike first); hits whose mask has another size sort last.
 */
public final class MaskLikeSortBuilder extends ValueSourceSortBuilder<MaskLikeSortBuilder> {
  public static final String NAME = MaskLikeQueryBuilder.NAME;

  private final MaskLikeTerm term;

  MaskLikeSortBuilder(MaskLikeTerm term, SortOrder order) {
    super(order);
    this.term = Objects.requireNonNull(term);
  }

  public MaskLikeSortBuilder(StreamInput in) throws IOException {
    this(new MaskLikeTerm(in), SortOrder.readFromStream(in));
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    term.writeTo(out);
    order.writeTo(out);
  }

  /** The keys of a {@code mask_like} sort as it is parsed. */
  private static final class Draft extends MaskLikeTerm.Draft {
    SortOrder order;
  }

  private static final ObjectParser<Draft, Void> PARSER =
      new ObjectParser<>(NAME + " sort", Draft::new);

  static {
    MaskLikeTerm.declare(PARSER);
    DeclaredFields.declare(
        PARSER,
        "order",
        p -> SortOrder.fromString(DeclaredFields.string(p, "order")),
        (d, v) -> d.order = v);
  }

  /** Parses the body of a {@code mask_like} sort. */
  public static MaskLikeSortBuilder fromXContent(XContentParser parser, String elementName)
      throws IOException {
    expectObject(parser, NAME);
    Draft d = DeclaredFields.parse(PARSER, parser, "[" + NAME + "] sort");
    try {
      MaskLikeTerm term = d.term();
      term.checkLike();
      return new MaskLikeSortBuilder(term, d.order);
    } catch (IllegalArgumentException e) {
      throw new ParsingException(parser.getTokenLocation(), e.getMessage(), e);
    }
  }

  @Override
  public MaskLikeSortBuilder rewrite(QueryRewriteContext context) {
    MaskLikeTerm rewritten = term.rewrite(context);
    return rewritten == term ? this : new MaskLikeSortBuilder(rewritten, order);
  }

  @Override
  void keysToXContent(XContentBuilder builder) throws IOException {
    term.toXContent(builder);
  }

  @Override
  ValueSource valueSource(QueryShardContext context) {
    return term.toSpec(context);
  }

  @Override
  public String getWriteableName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MaskLikeSortBuilder o && term.equals(o.term) && order == o.order;
  }

  @Override
  public int hashCode() {
    return Objects.hash(term, order);
  }
}
