package dev.masksearch.opensearch.action;

import java.io.IOException;
import java.util.List;
import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.nodes.BaseNodesResponse;
import org.opensearch.cluster.ClusterName;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentFragment;
import org.opensearch.core.xcontent.XContentBuilder;

/**
 * The nodes' MaskSearch statistics, as {@code "nodes": {id: {"name", "derived_chi_cache": {...}}}}.
 */
public final class MaskSearchStatsResponse extends BaseNodesResponse<MaskSearchNodeStats>
    implements ToXContentFragment {
  public MaskSearchStatsResponse(
      ClusterName clusterName,
      List<MaskSearchNodeStats> nodes,
      List<FailedNodeException> failures) {
    super(clusterName, nodes, failures);
  }

  public MaskSearchStatsResponse(StreamInput in) throws IOException {
    super(in);
  }

  @Override
  protected List<MaskSearchNodeStats> readNodesFrom(StreamInput in) throws IOException {
    return in.readList(MaskSearchNodeStats::new);
  }

  @Override
  protected void writeNodesTo(StreamOutput out, List<MaskSearchNodeStats> nodes)
      throws IOException {
    out.writeList(nodes);
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject("nodes");
    for (MaskSearchNodeStats node : getNodes()) {
      builder.startObject(node.getNode().getId());
      builder.field("name", node.getNode().getName());
      node.derivedChiCache().toXContent(builder, params);
      builder.endObject();
    }
    return builder.endObject();
  }
}
