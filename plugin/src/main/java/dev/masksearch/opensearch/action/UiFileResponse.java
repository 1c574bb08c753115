package dev.masksearch.opensearch.action;

import java.io.IOException;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/** One UI file: its content type and bytes. */
public final class UiFileResponse extends ActionResponse {
  private final String contentType;
  private final BytesReference content;

  public UiFileResponse(String contentType, byte[] content) {
    this.contentType = contentType;
    this.content = new BytesArray(content);
  }

  public UiFileResponse(StreamInput in) throws IOException {
    super(in);
    contentType = in.readString();
    content = in.readBytesReference();
  }

  public String contentType() {
    return contentType;
  }

  public BytesReference content() {
    return content;
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeString(contentType);
    out.writeBytesReference(content);
  }
}
