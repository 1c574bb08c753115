package dev.masksearch.mask;

/** A mask, or a query's ROI or value range, is malformed; the message names the problem. */
public class MaskFormatException extends IllegalArgumentException {
  public MaskFormatException(String message) {
    super(message);
  }

  public MaskFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
