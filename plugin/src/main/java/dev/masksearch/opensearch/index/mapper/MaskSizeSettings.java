package dev.masksearch.opensearch.index.mapper;

import dev.masksearch.mask.Mask;
import dev.masksearch.mask.MaskLimits;
import java.util.List;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;

/**
 * The index settings that bound the masks a {@code mask} field accepts (dynamic: a change applies
 * to the next document). A larger mask is rejected with a 400 naming the field, its size and the
 * limit, before its pixels are decoded: a PNG's header, a raw mask's {@code shape} and {@code data}
 * length, and the count of nested-array values tell the size first.
 */
public final class MaskSizeSettings {
  /** The largest height or width; the default is the format's own limit. */
  public static final Setting<Integer> MAX_SIDE =
      Setting.intSetting(
          "index.masksearch.mask.max_side",
          Mask.MAX_SIDE,
          1,
          Mask.MAX_SIDE,
          Setting.Property.IndexScope,
          Setting.Property.Dynamic);

  /** The largest number of pixels; the default admits a 4096 x 4096 mask. */
  public static final Setting<Long> MAX_PIXELS =
      Setting.longSetting(
          "index.masksearch.mask.max_pixels",
          MaskLimits.FORMAT.maxPixels(),
          1,
          Setting.Property.IndexScope,
          Setting.Property.Dynamic);

  /** Every setting of this class. */
  public static final List<Setting<?>> ALL = List.of(MAX_SIDE, MAX_PIXELS);

  private MaskSizeSettings() {}

  /** The limits in an index's settings. */
  public static MaskLimits limits(Settings indexSettings) {
    return new MaskLimits(MAX_SIDE.get(indexSettings), MAX_PIXELS.get(indexSettings));
  }
}
