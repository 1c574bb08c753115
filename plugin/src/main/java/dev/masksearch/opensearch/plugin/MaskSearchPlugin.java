package dev.masksearch.opensearch.plugin;

import dev.masksearch.codec.MaskSearch20DocValuesFormat;
import dev.masksearch.expr.DerivedChiCache;
import dev.masksearch.opensearch.action.MaskSearchStatsAction;
import dev.masksearch.opensearch.action.TransportMaskSearchStatsAction;
import dev.masksearch.opensearch.action.TransportUiFileAction;
import dev.masksearch.opensearch.action.UiFileAction;
import dev.masksearch.opensearch.guard.GuardingSearchListener;
import dev.masksearch.opensearch.guard.MaskSearchBreaker;
import dev.masksearch.opensearch.guard.UnregisteredWorkGuard;
import dev.masksearch.opensearch.index.codec.MaskSearchCodec;
import dev.masksearch.opensearch.index.mapper.MaskFieldMapper;
import dev.masksearch.opensearch.index.mapper.MaskRoiFieldMapper;
import dev.masksearch.opensearch.index.mapper.MaskSizeSettings;
import dev.masksearch.opensearch.index.query.CpProfileMetric;
import dev.masksearch.opensearch.index.query.CpQueryBuilder;
import dev.masksearch.opensearch.index.query.CpSortBuilder;
import dev.masksearch.opensearch.index.query.ExpressionLimits;
import dev.masksearch.opensearch.index.query.MaskExprQueryBuilder;
import dev.masksearch.opensearch.index.query.MaskExprSortBuilder;
import dev.masksearch.opensearch.index.query.MaskLikeQueryBuilder;
import dev.masksearch.opensearch.index.query.MaskLikeSortBuilder;
import dev.masksearch.opensearch.rest.RestMaskSearchStatsAction;
import dev.masksearch.opensearch.rest.RestMaskSearchUiAction;
import dev.masksearch.opensearch.script.MaskScriptEngine;
import dev.masksearch.search.CpStatsSource;
import dev.masksearch.search.SearchGuards;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.opensearch.action.ActionRequest;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.node.DiscoveryNodes;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.IndexScopedSettings;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.settings.SettingsFilter;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.breaker.CircuitBreaker;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.common.unit.ByteSizeValue;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.env.Environment;
import org.opensearch.env.NodeEnvironment;
import org.opensearch.index.IndexModule;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.codec.AdditionalCodecs;
import org.opensearch.index.mapper.Mapper;
import org.opensearch.indices.breaker.BreakerSettings;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.CircuitBreakerPlugin;
import org.opensearch.plugins.EnginePlugin;
import org.opensearch.plugins.MapperPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.ScriptPlugin;
import org.opensearch.plugins.SearchPlugin;
import org.opensearch.repositories.RepositoriesService;
import org.opensearch.rest.RestController;
import org.opensearch.rest.RestHandler;
import org.opensearch.script.ScriptContext;
import org.opensearch.script.ScriptEngine;
import org.opensearch.script.ScriptService;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.client.Client;
import org.opensearch.watcher.ResourceWatcherService;

/**
 * MaskSearch for OpenSearch: the {@code mask} and {@code mask_roi} field types, the {@code cp}
 * query and sort, and the {@code masksearch} codec (an additional codec, so it composes with other
 * codec plugins) that stores each mask field's Cumulative Histogram Index; mask expressions (CP
 * terms, IoU and their arithmetic) as the {@code mask_expr} query and sort and as the {@code
 * masksearch} script language, over one node-wide cache of derived masks' CHI; and the web UI at
 * {@code /_plugins/masksearch/ui} and the stats at {@code /_plugins/masksearch/stats}, both through
 * transport actions; and the limits on masks and expressions (index and cluster settings).
 */
public class MaskSearchPlugin extends Plugin
    implements MapperPlugin,
        SearchPlugin,
        EnginePlugin,
        ScriptPlugin,
        ActionPlugin,
        CircuitBreakerPlugin {
  /**
   * The memory for derived masks' CHI (the paper's incremental indexing: a mask such as {@code
   * saliency > 0.8 & human > 0.8} gets its CHI the first time a query reads its masks, and later
   * queries bound it without reading). Per node.
   */
  public static final Setting<ByteSizeValue> DERIVED_CHI_CACHE_SIZE =
      Setting.memorySizeSetting(
          "masksearch.derived_chi.cache_size", "64mb", Setting.Property.NodeScope);

  private final MaskSearchBreaker breaker = new MaskSearchBreaker();
  private final DerivedChiCache derivedChiCache;
  private final ExpressionLimits expressionLimits;

  public MaskSearchPlugin(Settings settings) {
    derivedChiCache = new DerivedChiCache(DERIVED_CHI_CACHE_SIZE.get(settings).getBytes(), breaker);
    expressionLimits = new ExpressionLimits(settings);
  }

  @Override
  public BreakerSettings getCircuitBreaker(Settings settings) {
    return MaskSearchBreaker.settings(settings);
  }

  /**
   * The breaker's defaults as node settings: OpenSearch applies a change of {@code
   * breaker.masksearch.limit} through {@code _cluster/settings} together with the overhead, and
   * resets a cleared limit, from the node's settings, whose own defaults for any breaker are 100%
   * and 2.0; opensearch.yml still overrides these.
   */
  @Override
  public Settings additionalSettings() {
    return MaskSearchBreaker.defaults();
  }

  @Override
  public void setCircuitBreaker(CircuitBreaker circuitBreaker) {
    breaker.set(circuitBreaker);
    // Mask reads outside a search phase (_explain) reserve per document from the breaker too.
    SearchGuards.guardUnregistered(new UnregisteredWorkGuard(breaker::breaker));
  }

  /**
   * Every query and fetch phase reads masks within the {@code masksearch} breaker, its task and its
   * timeout.
   */
  @Override
  public void onIndexModule(IndexModule indexModule) {
    indexModule.addSearchOperationListener(new GuardingSearchListener(breaker::breaker));
  }

  /**
   * Binds the node's cache for the stats action, and has the expression limits follow the cluster's
   * settings.
   */
  @Override
  public Collection<Object> createComponents(
      Client client,
      ClusterService clusterService,
      ThreadPool threadPool,
      ResourceWatcherService resourceWatcherService,
      ScriptService scriptService,
      NamedXContentRegistry xContentRegistry,
      Environment environment,
      NodeEnvironment nodeEnvironment,
      NamedWriteableRegistry namedWriteableRegistry,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Supplier<RepositoriesService> repositoriesServiceSupplier) {
    expressionLimits.follow(clusterService.getClusterSettings());
    return List.of(derivedChiCache);
  }

  /** The node's cache of derived masks' CHI, shared by every expression the node runs. */
  public DerivedChiCache derivedChiCache() {
    return derivedChiCache;
  }

  @Override
  public List<Setting<?>> getSettings() {
    List<Setting<?>> settings = new ArrayList<>(List.of(DERIVED_CHI_CACHE_SIZE));
    settings.addAll(ExpressionLimits.ALL);
    settings.addAll(MaskSizeSettings.ALL);
    return settings;
  }

  @Override
  public Map<String, Mapper.TypeParser> getMappers() {
    return Map.of(
        MaskFieldMapper.CONTENT_TYPE, MaskFieldMapper.PARSER,
        MaskRoiFieldMapper.CONTENT_TYPE, MaskRoiFieldMapper.PARSER);
  }

  @Override
  public List<QuerySpec<?>> getQueries() {
    return List.of(
        new QuerySpec<>(CpQueryBuilder.NAME, CpQueryBuilder::new, CpQueryBuilder::fromXContent),
        new QuerySpec<>(
            MaskLikeQueryBuilder.NAME,
            MaskLikeQueryBuilder::new,
            MaskLikeQueryBuilder::fromXContent),
        // Queries the node parses or reads from the wire use its cache; the cache never travels.
        new QuerySpec<>(
            MaskExprQueryBuilder.NAME,
            in -> new MaskExprQueryBuilder(in).cache(derivedChiCache),
            parser ->
                MaskExprQueryBuilder.fromXContent(parser, expressionLimits)
                    .cache(derivedChiCache)));
  }

  @Override
  public List<SortSpec<?>> getSorts() {
    return List.of(
        new SortSpec<>(CpSortBuilder.NAME, CpSortBuilder::new, CpSortBuilder::fromXContent),
        new SortSpec<>(
            MaskLikeSortBuilder.NAME, MaskLikeSortBuilder::new, MaskLikeSortBuilder::fromXContent),
        new SortSpec<>(
            MaskExprSortBuilder.NAME,
            in -> new MaskExprSortBuilder(in).cache(derivedChiCache),
            (parser, name) ->
                MaskExprSortBuilder.fromXContent(parser, expressionLimits).cache(derivedChiCache)));
  }

  @Override
  public Optional<ProfileMetricsProvider> getQueryProfileMetricsProvider() {
    // Every form counts as it runs (the top-k form when its first segment is scored).
    return Optional.of(
        (context, query) ->
            query instanceof CpStatsSource source
                ? CpProfileMetric.of(source.stats(), context.shouldUseConcurrentSearch())
                : List.of());
  }

  @Override
  public Optional<AdditionalCodecs> getAdditionalCodecs(IndexSettings indexSettings) {
    // The mapping decides per field, when a segment is written, so fields added later are covered
    // too. Best compression applies to the masks only: the other fields stay in the default codec
    // (stored fields in best compression inflate each hit's _id at fetch: filters returning
    // thousands of hits took 2-3x as long, for a few KB saved on a derived-source mask index).
    return Optional.of(
        (mapperService, settings, defaultCodec) -> {
          Predicate<String> isMaskField =
              field -> mapperService.fieldType(field) instanceof MaskFieldMapper.MaskFieldType;
          return Map.of(
              MaskSearchCodec.ALIAS,
              new MaskSearchCodec(defaultCodec.get(), isMaskField),
              MaskSearchCodec.BEST_COMPRESSION_ALIAS,
              new MaskSearchCodec(
                  defaultCodec.get(),
                  isMaskField,
                  MaskSearch20DocValuesFormat.Mode.BEST_COMPRESSION));
        });
  }

  @Override
  public ScriptEngine getScriptEngine(Settings settings, Collection<ScriptContext<?>> contexts) {
    return new MaskScriptEngine(derivedChiCache, expressionLimits);
  }

  @Override
  public List<RestHandler> getRestHandlers(
      Settings settings,
      RestController restController,
      ClusterSettings clusterSettings,
      IndexScopedSettings indexScopedSettings,
      SettingsFilter settingsFilter,
      IndexNameExpressionResolver indexNameExpressionResolver,
      Supplier<DiscoveryNodes> nodesInCluster) {
    return List.of(new RestMaskSearchUiAction(), new RestMaskSearchStatsAction());
  }

  /**
   * Everything the REST handlers do goes through these, so the security plugin's roles govern it
   * (docs/operations.md).
   */
  @Override
  public List<ActionHandler<? extends ActionRequest, ? extends ActionResponse>> getActions() {
    return List.of(
        new ActionHandler<>(UiFileAction.INSTANCE, TransportUiFileAction.class),
        new ActionHandler<>(MaskSearchStatsAction.INSTANCE, TransportMaskSearchStatsAction.class));
  }
}
