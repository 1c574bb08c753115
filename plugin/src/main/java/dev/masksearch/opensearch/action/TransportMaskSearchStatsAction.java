package dev.masksearch.opensearch.action;

import dev.masksearch.expr.DerivedChiCache;
import java.io.IOException;
import java.util.List;
import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.nodes.TransportNodesAction;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

/**
 * Gathers {@link MaskSearchNodeStats} from the requested nodes (on their management thread pool).
 */
public final class TransportMaskSearchStatsAction
    extends TransportNodesAction<
        MaskSearchStatsRequest,
        MaskSearchStatsResponse,
        MaskSearchStatsRequest.NodeRequest,
        MaskSearchNodeStats> {
  private final DerivedChiCache cache;

  @Inject
  public TransportMaskSearchStatsAction(
      ThreadPool threadPool,
      ClusterService clusterService,
      TransportService transportService,
      ActionFilters actionFilters,
      DerivedChiCache cache) {
    super(
        MaskSearchStatsAction.NAME,
        threadPool,
        clusterService,
        transportService,
        actionFilters,
        MaskSearchStatsRequest::new,
        MaskSearchStatsRequest.NodeRequest::new,
        ThreadPool.Names.MANAGEMENT,
        MaskSearchNodeStats.class);
    this.cache = cache;
  }

  @Override
  protected MaskSearchStatsResponse newResponse(
      MaskSearchStatsRequest request,
      List<MaskSearchNodeStats> nodes,
      List<FailedNodeException> failures) {
    return new MaskSearchStatsResponse(clusterService.getClusterName(), nodes, failures);
  }

  @Override
  protected MaskSearchStatsRequest.NodeRequest newNodeRequest(MaskSearchStatsRequest request) {
    return new MaskSearchStatsRequest.NodeRequest();
  }

  @Override
  protected MaskSearchNodeStats newNodeResponse(StreamInput in) throws IOException {
    return new MaskSearchNodeStats(in);
  }

  @Override
  protected MaskSearchNodeStats nodeOperation(MaskSearchStatsRequest.NodeRequest request) {
    return new MaskSearchNodeStats(clusterService.localNode(), DerivedChiCacheStats.of(cache));
  }
}
