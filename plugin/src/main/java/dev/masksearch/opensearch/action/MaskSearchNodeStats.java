package dev.masksearch.opensearch.action;

import java.io.IOException;
import org.opensearch.action.support.nodes.BaseNodeResponse;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/** One node's MaskSearch statistics. */
public final class MaskSearchNodeStats extends BaseNodeResponse {
  private final DerivedChiCacheStats derivedChiCache;

  public MaskSearchNodeStats(DiscoveryNode node, DerivedChiCacheStats derivedChiCache) {
    super(node);
    this.derivedChiCache = derivedChiCache;
  }

  public MaskSearchNodeStats(StreamInput in) throws IOException {
    super(in);
    derivedChiCache = DerivedChiCacheStats.readFrom(in);
  }

  public DerivedChiCacheStats derivedChiCache() {
    return derivedChiCache;
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    derivedChiCache.writeTo(out);
  }
}
