package dev.masksearch.opensearch.rest;

import dev.masksearch.opensearch.action.MaskSearchStatsAction;
import dev.masksearch.opensearch.action.MaskSearchStatsRequest;
import java.util.List;
import org.opensearch.core.common.Strings;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestActions;
import org.opensearch.transport.client.node.NodeClient;

/**
 * {@code GET /_plugins/masksearch/stats} and {@code GET /_plugins/masksearch/stats/{node_id}}: each
 * node's derived-CHI cache, through the {@link MaskSearchStatsAction} transport action. Node ids as
 * in {@code _nodes} ({@code _local}, names, attributes, comma-separated).
 */
public final class RestMaskSearchStatsAction extends BaseRestHandler {
  public static final String PATH = "/_plugins/masksearch/stats";

  @Override
  public String getName() {
    return "masksearch_stats";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        new Route(RestRequest.Method.GET, PATH),
        new Route(RestRequest.Method.GET, PATH + "/{node_id}"));
  }

  @Override
  protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
    MaskSearchStatsRequest stats =
        new MaskSearchStatsRequest(Strings.splitStringByCommaToArray(request.param("node_id")));
    if (request.hasParam("timeout")) {
      stats.timeout(request.param("timeout"));
    }
    return channel ->
        client.execute(
            MaskSearchStatsAction.INSTANCE,
            stats,
            new RestActions.NodesResponseRestListener<>(channel));
  }
}
