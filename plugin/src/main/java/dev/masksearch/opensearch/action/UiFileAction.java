package dev.masksearch.opensearch.action;

import org.opensearch.action.ActionType;

/**
 * Reads one of the web UI's bundled files. Named under {@code cluster:monitor/}: it reads neither
 * index data nor cluster state, only fixed files of the plugin, so a role with the {@code
 * cluster_monitor} action group (or this name alone) may load the page; what the page then does
 * (listing indices, searching) needs its own permissions.
 */
public final class UiFileAction extends ActionType<UiFileResponse> {
  public static final String NAME = "cluster:monitor/masksearch/ui";
  public static final UiFileAction INSTANCE = new UiFileAction();

  private UiFileAction() {
    super(NAME, UiFileResponse::new);
  }
}
