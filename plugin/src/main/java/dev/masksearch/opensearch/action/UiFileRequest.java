package dev.masksearch.opensearch.action;

import java.io.IOException;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/** The name of one of the web UI's files, such as {@code index.html}. */
public final class UiFileRequest extends ActionRequest {
  private final String file;

  public UiFileRequest(String file) {
    this.file = file;
  }

  public UiFileRequest(StreamInput in) throws IOException {
    super(in);
    file = in.readString();
  }

  public String file() {
    return file;
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeString(file);
  }

  @Override
  public ActionRequestValidationException validate() {
    if (file == null) {
      ActionRequestValidationException e = new ActionRequestValidationException();
      e.addValidationError("a UI file name is required");
      return e;
    }
    return null;
  }
}
