package dev.masksearch.opensearch.index.query;

import dev.masksearch.expr.MaskExpression;
import java.util.List;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;

/**
 * How large a mask expression a request may send (the {@code mask_expr} query and sort, {@code
 * masksearch} scripts): dynamic cluster settings, checked where the node parses the request, the
 * length before parsing and the terms, value tests and regions after. Over a limit is a 400 that
 * names the setting. (The parser itself refuses expressions nesting deeper than 100 levels,
 * whatever these say.)
 */
public final class ExpressionLimits {
  /** The longest expression, in characters. */
  public static final Setting<Integer> MAX_LENGTH =
      Setting.intSetting(
          "masksearch.expression.max_length",
          10_000,
          1,
          Setting.Property.NodeScope,
          Setting.Property.Dynamic);

  /** The most terms ({@code cp}, {@code area} and {@code iou} calls) in one expression. */
  public static final Setting<Integer> MAX_TERMS =
      Setting.intSetting(
          "masksearch.expression.max_terms",
          100,
          1,
          Setting.Property.NodeScope,
          Setting.Property.Dynamic);

  /**
   * The most value tests ({@code mask > t}, {@code mask < t} or a range, wherever a predicate holds
   * one) in one expression: each is a CP term of its own, bounded per document and mapped per pixel
   * when verified.
   */
  /**
   * The highest {@link #MAX_REGIONS} may be set to: a request's parser stops at this many declared
   * regions before it reads more of them, whatever the setting.
   */
  public static final int MAX_REGIONS_CEILING = 1024;

  public static final Setting<Integer> MAX_VALUE_TESTS =
      Setting.intSetting(
          "masksearch.expression.max_value_tests",
          100,
          1,
          Setting.Property.NodeScope,
          Setting.Property.Dynamic);

  /**
   * The most distinct regions other than {@code full} (constant boxes, declared regions and box
   * fields) one expression names, and the most regions a request declares.
   */
  public static final Setting<Integer> MAX_REGIONS =
      Setting.intSetting(
          "masksearch.expression.max_regions",
          32,
          0,
          MAX_REGIONS_CEILING,
          Setting.Property.NodeScope,
          Setting.Property.Dynamic);

  /** Every setting of this class. */
  public static final List<Setting<?>> ALL =
      List.of(MAX_LENGTH, MAX_TERMS, MAX_VALUE_TESTS, MAX_REGIONS);

  /** The defaults, for parsing outside a node. */
  public static final ExpressionLimits DEFAULTS = new ExpressionLimits(Settings.EMPTY);

  private volatile int maxLength;
  private volatile int maxTerms;
  private volatile int maxValueTests;
  private volatile int maxRegions;

  /** The limits in a node's {@code settings}, until {@link #follow} sees the cluster's. */
  public ExpressionLimits(Settings settings) {
    maxLength = MAX_LENGTH.get(settings);
    maxTerms = MAX_TERMS.get(settings);
    maxValueTests = MAX_VALUE_TESTS.get(settings);
    maxRegions = MAX_REGIONS.get(settings);
  }

  /**
   * Follows the cluster's settings from now on (the node's parsers exist before its cluster
   * settings do).
   */
  public void follow(ClusterSettings clusterSettings) {
    clusterSettings.addSettingsUpdateConsumer(MAX_LENGTH, v -> maxLength = v);
    clusterSettings.addSettingsUpdateConsumer(MAX_TERMS, v -> maxTerms = v);
    clusterSettings.addSettingsUpdateConsumer(MAX_VALUE_TESTS, v -> maxValueTests = v);
    clusterSettings.addSettingsUpdateConsumer(MAX_REGIONS, v -> maxRegions = v);
  }

  /**
   * Throws unless {@code source} is short enough to parse (null passes: the parser says it is
   * missing).
   */
  public void checkLength(String source) {
    int limit = maxLength;
    if (source != null && source.length() > limit) {
      throw new IllegalArgumentException(
          "the expression is "
              + source.length()
              + " characters long, over the limit of "
              + limit
              + " ["
              + MAX_LENGTH.getKey()
              + "]");
    }
  }

  /**
   * Throws when a request declares more named regions than an expression may name; checked after
   * their points are read and before their shapes are built.
   */
  public void checkDeclaredRegions(int declared) {
    int limit = maxRegions;
    if (declared > limit) {
      throw new IllegalArgumentException(
          "[regions] declares "
              + declared
              + " regions, over the limit of "
              + limit
              + " ["
              + MAX_REGIONS.getKey()
              + "]");
    }
  }

  /** Returns {@code expression} unless it has too many terms, value tests or regions. */
  public MaskExpression checkShape(MaskExpression expression) {
    MaskExpression.Shape shape = expression.shape();
    int terms = maxTerms;
    if (shape.terms() > terms) {
      throw new IllegalArgumentException(
          "the expression has "
              + shape.terms()
              + " terms (cp, area, iou), over the limit of "
              + terms
              + " ["
              + MAX_TERMS.getKey()
              + "]");
    }
    int valueTests = maxValueTests;
    if (shape.valueTests() > valueTests) {
      throw new IllegalArgumentException(
          "the expression has "
              + shape.valueTests()
              + " value tests (mask > t, mask < t, "
              + "ranges), over the limit of "
              + valueTests
              + " ["
              + MAX_VALUE_TESTS.getKey()
              + "]");
    }
    int regions = maxRegions;
    if (shape.regions() > regions) {
      throw new IllegalArgumentException(
          "the expression names "
              + shape.regions()
              + " distinct regions, over the limit of "
              + regions
              + " ["
              + MAX_REGIONS.getKey()
              + "]");
    }
    return expression;
  }
}
