package dev.masksearch.opensearch.plugin;

import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.index.mapper.MaskFieldMapper;
import dev.masksearch.opensearch.index.mapper.MaskRoiFieldMapper;
import dev.masksearch.opensearch.index.query.CpQueryBuilder;
import dev.masksearch.opensearch.index.query.CpSortBuilder;
import dev.masksearch.opensearch.search.CpProfileMetric;
import dev.masksearch.search.CpStatsSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.AdditionalCodecs;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.search.profile.ProfileMetric;

/**
 * MaskSearch for OpenSearch: the {@code mask} and {@code mask_roi} field types, the {@code cp} query and sort, and the
 * {@code masksearch} codec (an additional codec, so it composes with other codec plugins) that stores each mask
 * field's Cumulative Histogram Index.
 */
public class MaskSearchPlugin extends Plugin implements MapperPlugin, SearchPlugin, EnginePlugin {

  @Override
  public Map<String, Mapper.TypeParser> getMappers() {
    return Map.of(
        MaskFieldMapper.CONTENT_TYPE, MaskFieldMapper.PARSER,
        MaskRoiFieldMapper.CONTENT_TYPE, MaskRoiFieldMapper.PARSER);
  }

  @Override
  public List<QuerySpec<?>> getQueries() {
    return List.of(new QuerySpec<>(CpQueryBuilder.NAME, CpQueryBuilder::new, CpQueryBuilder::fromXContent));
  }

  @Override
  public List<SortSpec<?>> getSorts() {
    return List.of(new SortSpec<>(CpSortBuilder.NAME, CpSortBuilder::new, CpSortBuilder::fromXContent));
  }

  @Override
  public Optional<ProfileMetricsProvider> getQueryProfileMetricsProvider() {
    // Filters and the scoring form count as they run; the top-k form counted while it rewrote to its hits.
    return Optional.of((context, query) -> query instanceof CpStatsSource source
        ? List.<Supplier<ProfileMetric>>of(() -> new CpProfileMetric(source.stats()))
        : List.of());
  }

  @Override
  public Optional<AdditionalCodecs> getAdditionalCodecs(IndexSettings indexSettings) {
    // The mapping decides per field, when a segment is written, so fields added later are covered too.
    return Optional.of((mapperService, settings, defaultCodec) -> Map.of(
        MaskSearchCodec.ALIAS,
        new MaskSearchCodec(defaultCodec.get(), field -> mapperService.fieldType(field) instanceof MaskFieldMapper.MaskFieldType)));
  }
}
