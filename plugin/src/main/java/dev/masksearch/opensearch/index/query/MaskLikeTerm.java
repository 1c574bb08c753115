package dev.masksearch.opensearch.index.query;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskBytes;
import dev.masksearch.mask.MaskFormatException;
import dev.masksearch.mask.MaskLimits;
import dev.masksearch.mask.Roi;
import dev.masksearch.opensearch.index.mapper.MaskFieldMapper.MaskFieldType;
import dev.masksearch.opensearch.index.mapper.MaskValueParser;
import dev.masksearch.search.Similarity;
import dev.masksearch.search.SimilaritySpec;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.SetOnce;
import org.opensearch.action.get.GetRequest;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.common.xcontent.support.XContentMapValues;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.ObjectParser;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.index.query.QueryShardException;
import org.opensearch.search.fetch.subphase.FetchSourceContext;

/**
 * What a {@code mask_like} query or sort compares: {@code "field"}, {@code "like"} (a mask in any
 * accepted encoding, or {@code {"index": ..., "id": ...}}: that document's mask in the same field,
 * fetched once on the coordinating node), {@code "similarity"} ({@code iou} or {@code dice}),
 * {@code "threshold"} (a pixel is on at or above it; 0.5 when omitted) and an optional {@code
 * "roi"} ({@link RegionSpec}, constant). Shared by both, like {@link CpTerm}.
 */
final class MaskLikeTerm implements Writeable {
  static final double DEFAULT_THRESHOLD = 0.5;

  final String field;
  final Mask like; // null until a document's mask is fetched
  final String likeIndex;
  final String likeId;
  final Similarity similarity;
  final double threshold;
  final RegionSpec roi; // null: the whole mask
  private final byte[] likeBytes; // the mask's wire form: equality and transport
  private final Supplier<Mask> fetched; // set while a lookup is under way

  MaskLikeTerm(
      String field,
      Mask like,
      String likeIndex,
      String likeId,
      Similarity similarity,
      double threshold,
      RegionSpec roi) {
    this(field, like, likeIndex, likeId, similarity, threshold, roi, null);
  }

  private MaskLikeTerm(
      String field,
      Mask like,
      String likeIndex,
      String likeId,
      Similarity similarity,
      double threshold,
      RegionSpec roi,
      Supplier<Mask> fetched) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("[mask_like] needs a [field]");
    }
    if (like == null && likeId == null) { // both once a document's mask is fetched
      throw new IllegalArgumentException(
          "[mask_like] needs [like]: a mask, or {\"index\": ..., \"id\": ...} of a document");
    }
    if (!Double.isFinite(threshold)) {
      throw new IllegalArgumentException(
          "[mask_like] [threshold] must be a finite number, got [" + threshold + "]");
    }
    if (roi != null && roi.boxField() != null) {
      throw new IllegalArgumentException(
          "[mask_like] [roi] must be constant (a box, polygon or mask), not a box field");
    }
    this.field = field;
    this.like = like;
    this.likeBytes = like == null ? null : MaskBytes.encode(like);
    this.likeIndex = likeIndex;
    this.likeId = likeId;
    this.similarity = similarity == null ? Similarity.IOU : similarity;
    this.threshold = threshold;
    this.roi = roi;
    this.fetched = fetched;
  }

  MaskLikeTerm(StreamInput in) throws IOException {
    this(
        in.readString(),
        in.readBoolean() ? MaskBytes.decode(new BytesRef(in.readByteArray())) : null,
        in.readOptionalString(),
        in.readOptionalString(),
        Similarity.valueOf(in.readString()),
        in.readDouble(),
        in.readBoolean() ? RegionSpec.read(in) : null);
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    if (like == null && fetched != null) {
      throw new IllegalArgumentException(
          "[mask_like] with a document's mask must be rewritten before it is sent");
    }
    out.writeString(field);
    out.writeBoolean(like != null);
    if (like != null) {
      out.writeByteArray(likeBytes);
    }
    out.writeOptionalString(likeIndex);
    out.writeOptionalString(likeId);
    out.writeString(similarity.name());
    out.writeDouble(threshold);
    out.writeBoolean(roi != null);
    if (roi != null) {
      roi.writeTo(out);
    }
  }

  /** Writes the term's keys into the current object. */
  void toXContent(XContentBuilder builder) throws IOException {
    builder.field("field", field);
    if (like != null) {
      builder.startObject("like");
      builder.array("shape", like.height(), like.width());
      builder.field("dtype", like.dtype().apiName());
      builder.field("data", Base64.getEncoder().encodeToString(like.rawBytes()));
      builder.endObject();
    } else {
      builder.startObject("like");
      if (likeIndex != null) {
        builder.field("index", likeIndex);
      }
      builder.field("id", likeId).endObject();
    }
    builder.field("similarity", similarity.apiName());
    builder.field("threshold", threshold);
    if (roi != null) {
      builder.field("roi");
      roi.toXContent(builder);
    }
  }

  /**
   * The term with the example document's mask in place of its id: on the coordinating node, the
   * first call starts the lookup and a later one takes its result; the same term when there is
   * nothing to fetch.
   */
  MaskLikeTerm rewrite(QueryRewriteContext context) {
    if (like != null) {
      return this;
    }
    if (fetched != null) {
      Mask mask = fetched.get();
      // the mask replaces the document: printed, sent and compared as if given inline
      return mask == null
          ? this
          : new MaskLikeTerm(field, mask, null, null, similarity, threshold, roi);
    }
    SetOnce<Mask> holder = new SetOnce<>();
    context.registerAsyncAction(
        (client, listener) -> {
          GetRequest get = new GetRequest(likeIndex, likeId);
          get.fetchSourceContext(new FetchSourceContext(true, new String[] {field}, null));
          client.get(
              get,
              ActionListener.wrap(
                  response -> {
                    if (!response.isExists()) {
                      throw new IllegalArgumentException(
                          "[mask_like] document [" + likeId + "] of [" + likeIndex + "] not found");
                    }
                    holder.set(maskOf(response.getSourceAsMap()));
                    listener.onResponse(null);
                  },
                  listener::onFailure));
        });
    return new MaskLikeTerm(
        field, null, likeIndex, likeId, similarity, threshold, roi, holder::get);
  }

  /** The example document's mask, parsed from its source as indexing parses it. */
  private Mask maskOf(Map<String, Object> source) throws IOException {
    Object value = XContentMapValues.extractValue(field, source);
    if (value == null) {
      throw new IllegalArgumentException(
          "[mask_like] document [" + likeId + "] of [" + likeIndex + "] has no [" + field + "]");
    }
    XContentBuilder json = JsonXContent.contentBuilder().value(value);
    try (XContentParser parser =
        JsonXContent.jsonXContent.createParser(
            NamedXContentRegistry.EMPTY,
            DeprecationHandler.THROW_UNSUPPORTED_OPERATION,
            org.opensearch.core.common.bytes.BytesReference.bytes(json).streamInput())) {
      parser.nextToken();
      return MaskValueParser.parse(parser, MaskLimits.FORMAT);
    } catch (MaskFormatException e) {
      throw new IllegalArgumentException(
          "[mask_like] the [" + field + "] of document [" + likeId + "]: " + e.getMessage(), e);
    }
  }

  /** The engine's spec, after checking the field against the mapping. */
  SimilaritySpec toSpec(QueryShardContext context) {
    if (like == null) {
      throw new QueryShardException(
          context,
          "[mask_like] cannot fetch document ["
              + likeId
              + "] here; give the mask inline in this context");
    }
    MappedFieldType type = context.fieldMapper(field);
    if (!(type instanceof MaskFieldType)) {
      throw new QueryShardException(
          context,
          "[mask_like] field ["
              + field
              + "] is "
              + (type == null ? "not mapped" : "of type [" + type.typeName() + "], not [mask]"));
    }
    try {
      return SimilaritySpec.of(
          field, like, threshold, roi == null ? Roi.FULL : roi.region(), similarity);
    } catch (MaskFormatException e) {
      throw new QueryShardException(context, "[mask_like] [like] " + e.getMessage());
    }
  }

  /**
   * Builds the query mask's pixels once where the request is parsed, so that a mask too noisy to
   * hold (over the span limit) is a 400 there rather than on every shard.
   */
  void checkLike() {
    if (like != null) {
      try {
        SimilaritySpec.of(
            field, like, threshold, roi == null ? Roi.FULL : roi.region(), similarity);
      } catch (MaskFormatException e) {
        throw new IllegalArgumentException("[mask_like] [like] " + e.getMessage(), e);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaskLikeTerm t
        && field.equals(t.field)
        && Arrays.equals(likeBytes, t.likeBytes)
        && Objects.equals(likeIndex, t.likeIndex)
        && Objects.equals(likeId, t.likeId)
        && similarity == t.similarity
        && Double.compare(threshold, t.threshold) == 0
        && Objects.equals(roi, t.roi)
        && Objects.equals(fetched, t.fetched);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        field, Arrays.hashCode(likeBytes), likeIndex, likeId, similarity, threshold, roi);
  }

  /** A term's keys as a query or sort parses its object; {@link #declare} declares them. */
  static class Draft {
    String field;
    Mask like;
    String likeIndex;
    String likeId;
    Similarity similarity;
    double threshold = DEFAULT_THRESHOLD;
    RegionSpec roi;

    MaskLikeTerm term() {
      return new MaskLikeTerm(field, like, likeIndex, likeId, similarity, threshold, roi);
    }
  }

  /**
   * Declares the term's keys on the parser of a query or sort whose drafts extend {@link Draft}.
   */
  static <D extends Draft> void declare(ObjectParser<D, Void> parser) {
    DeclaredFields.declare(
        parser, "field", p -> DeclaredFields.string(p, "field"), (d, v) -> d.field = v);
    DeclaredFields.declare(
        parser,
        "like",
        MaskLikeTerm::parseLike,
        (d, v) -> {
          if (v instanceof Mask mask) {
            d.like = mask;
          } else {
            String[] doc = (String[]) v;
            d.likeIndex = doc[0];
            d.likeId = doc[1];
          }
        });
    DeclaredFields.declare(
        parser,
        "similarity",
        p -> Similarity.of(DeclaredFields.string(p, "similarity")),
        (d, v) -> d.similarity = v);
    DeclaredFields.declare(
        parser, "threshold", XContentParser::doubleValue, (d, v) -> d.threshold = v);
    DeclaredFields.declare(parser, "roi", RegionSpec::parse, (d, v) -> d.roi = v);
  }

  /** A mask in any encoding, or {@code {"index": ..., "id": ...}} (as {@code [index, id]}). */
  private static Object parseLike(XContentParser parser) throws IOException {
    if (parser.currentToken() != XContentParser.Token.START_OBJECT) {
      return parseMask(parser);
    }
    // copied as bytes (no larger than the request), then read as a document or a mask
    XContentBuilder copy = JsonXContent.contentBuilder().copyCurrentStructure(parser);
    try (XContentParser peek = parserOf(copy)) {
      peek.nextToken();
      peek.nextToken();
      String first =
          peek.currentToken() == XContentParser.Token.FIELD_NAME ? peek.currentName() : "";
      if (!first.equals("index") && !first.equals("id")) {
        try (XContentParser mask = parserOf(copy)) {
          mask.nextToken();
          return parseMask(mask);
        }
      }
      String index = null;
      String id = null;
      for (; peek.currentToken() == XContentParser.Token.FIELD_NAME; peek.nextToken()) {
        String key = peek.currentName();
        peek.nextToken();
        String value =
            peek.currentToken() == XContentParser.Token.VALUE_STRING ? peek.text() : null;
        switch (key) {
          case "index" -> index = value;
          case "id" -> id = value;
          default -> value = null;
        }
        if (value == null) {
          throw new IllegalArgumentException(
              "a document to be like is {\"index\": \"...\", \"id\": \"...\"}");
        }
      }
      if (index == null || id == null) {
        throw new IllegalArgumentException(
            "a document to be like is {\"index\": \"...\", \"id\": \"...\"}");
      }
      return new String[] {index, id};
    }
  }

  private static XContentParser parserOf(XContentBuilder json) throws IOException {
    return JsonXContent.jsonXContent.createParser(
        NamedXContentRegistry.EMPTY,
        DeprecationHandler.THROW_UNSUPPORTED_OPERATION,
        org.opensearch.core.common.bytes.BytesReference.bytes(json).streamInput());
  }

  private static Mask parseMask(XContentParser parser) throws IOException {
    try {
      return MaskValueParser.parse(parser, MaskLimits.FORMAT);
    } catch (MaskFormatException e) {
      throw new IllegalArgumentException("[like] " + e.getMessage(), e);
    }
  }
}
