package dev.masksearch.opensearch.search;

import dev.masksearch.search.CpStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.opensearch.search.profile.ProfileMetric;

/**
 * What the profile API shows for a {@code cp} filter, in its breakdown: documents accepted and rejected by CHI
 * bounds without reading their mask, masks read to verify, and segments that had no CHI (an index without the
 * masksearch codec), where every mask is read.
 */
public final class CpProfileMetric extends ProfileMetric {
  private final CpStats stats;

  public CpProfileMetric(CpStats stats) {
    super("masksearch");
    this.stats = stats;
  }

  @Override
  public Map<String, Long> toBreakdownMap() {
    Map<String, Long> map = new LinkedHashMap<>();
    map.put("cp_accepted_by_bounds", stats.accepted());
    map.put("cp_rejected_by_bounds", stats.rejected());
    map.put("cp_masks_read", stats.verified());
    map.put("cp_segments_without_chi", stats.segmentsWithoutChi());
    return map;
  }
}
