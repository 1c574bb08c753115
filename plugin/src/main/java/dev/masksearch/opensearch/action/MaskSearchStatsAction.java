package dev.masksearch.opensearch.action;

import org.opensearch.action.ActionType;

/**
 * Per-node statistics of the plugin (the derived-CHI cache). Named under {@code cluster:monitor/}
 * like OpenSearch's own node stats, so the {@code cluster_monitor} action group grants it.
 */
public final class MaskSearchStatsAction extends ActionType<MaskSearchStatsResponse> {
  public static final String NAME = "cluster:monitor/masksearch/stats";
  public static final MaskSearchStatsAction INSTANCE = new MaskSearchStatsAction();

  private MaskSearchStatsAction() {
    super(NAME, MaskSearchStatsResponse::new);
  }
}
