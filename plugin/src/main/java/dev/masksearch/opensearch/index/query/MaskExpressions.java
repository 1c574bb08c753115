package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.expr.MaskExpression;
import dev.masksearch.mask.Region;
import dev.masksearch.opensearch.index.mapper.MaskFieldMapper;
import dev.masksearch.opensearch.index.mapper.MaskRoiFieldMapper;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.opensearch.index.mapper.MappedFieldType;

/**
 * What the {@code mask_expr} query, the {@code mask_expr} sort and the {@code masksearch} script
 * language share: parsing an expression with errors that say where, and checking the fields it
 * names against the mapping.
 */
public final class MaskExpressions {
  private MaskExpressions() {}

  /**
   * Parses an expression; the {@link dev.masksearch.expr.ExpressionException} (an {@link
   * IllegalArgumentException}) says what is wrong and where.
   */
  public static MaskExpression parse(String source) {
    return parse(source, Map.of());
  }

  /** {@link #parse(String)} for an expression that may name the request's {@code regions}. */
  public static MaskExpression parse(String source, Map<String, Region> regions) {
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException(
          "[expr] is required: an expression such as cp(saliency, full, 0.8, 1.01)");
    }
    return MaskExpression.parse(source, regions);
  }

  /**
   * The first problem with the fields the expression names (a mask field that is not a mapped
   * {@code mask}, a region field that is not a mapped {@code mask_roi}), or null when they are all
   * right. Fields are checked in name order, so the message is stable.
   */
  public static String fieldProblem(
      MaskExpression expression, Function<String, MappedFieldType> mapping) {
    for (String field : new TreeSet<>(expression.maskFields())) {
      MappedFieldType type = mapping.apply(field);
      if (!(type instanceof MaskFieldMapper.MaskFieldType)) {
        return "mask field [" + field + "] " + describe(type, MaskFieldMapper.CONTENT_TYPE);
      }
    }
    for (String field : new TreeSet<>(expression.roiFields())) {
      MappedFieldType type = mapping.apply(field);
      if (!(type instanceof MaskRoiFieldMapper.RoiFieldType)) {
        return "region field [" + field + "] " + describe(type, MaskRoiFieldMapper.CONTENT_TYPE);
      }
    }
    return null;
  }

  private static String describe(MappedFieldType type, String expected) {
    return type == null
        ? "is not mapped"
        : "is of type [" + type.typeName() + "], not [" + expected + "]";
  }

  /** The expression reading derived masks' CHI through the node's cache (when there is one). */
  public static MaskExpression withCache(MaskExpression expression, DerivedChiCache cache) {
    return cache == null ? expression : expression.withCache(cache);
  }
}
