package dev.masksearch.opensearch.action;

import java.io.IOException;
import org.opensearch.action.support.nodes.BaseNodesRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.transport.TransportRequest;

/**
 * Asks nodes (all by default, or those named as in {@code _nodes/{node_id}}) for their MaskSearch
 * statistics.
 */
public final class MaskSearchStatsRequest extends BaseNodesRequest<MaskSearchStatsRequest> {
  public MaskSearchStatsRequest(String... nodeIds) {
    super(nodeIds);
  }

  public MaskSearchStatsRequest(StreamInput in) throws IOException {
    super(in);
  }

  /** What one node is sent: nothing beyond the question. */
  public static final class NodeRequest extends TransportRequest {
    public NodeRequest() {}

    public NodeRequest(StreamInput in) throws IOException {
      super(in);
    }
  }
}
