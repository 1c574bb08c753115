package dev.masksearch.opensearch.action;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Collectors;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;

/**
 * Serves the web UI's files: only names of the fixed {@link #FILES} allow-list, from bytes read out
 * of the plugin's jar when the node starts; the requested name never reaches a file system or class
 * loader lookup.
 */
public final class TransportUiFileAction
    extends HandledTransportAction<UiFileRequest, UiFileResponse> {
  private static final String RESOURCES = "/dev/masksearch/opensearch/ui/";

  /** The served files and their content types. */
  public static final Map<String, String> FILES =
      Map.of(
          "index.html", "text/html; charset=UTF-8",
          "app.js", "text/javascript; charset=UTF-8",
          "style.css", "text/css; charset=UTF-8");

  private final Map<String, byte[]> contents;

  @Inject
  public TransportUiFileAction(TransportService transportService, ActionFilters actionFilters) {
    super(UiFileAction.NAME, transportService, actionFilters, UiFileRequest::new);
    contents =
        FILES.keySet().stream()
            .collect(Collectors.toUnmodifiableMap(f -> f, TransportUiFileAction::read));
  }

  private static byte[] read(String file) {
    try (InputStream in = TransportUiFileAction.class.getResourceAsStream(RESOURCES + file)) {
      if (in == null) {
        throw new IllegalStateException("UI resource missing from the plugin jar: " + file);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void doExecute(
      Task task, UiFileRequest request, ActionListener<UiFileResponse> listener) {
    byte[] content =
        contents.get(request.file()); // the allow-list: any other name, "../x" included, is a 404
    if (content == null) {
      listener.onFailure(new ResourceNotFoundException("no such UI file"));
    } else {
      listener.onResponse(new UiFileResponse(FILES.get(request.file()), content));
    }
  }
}
