package dev.masksearch.codec;

import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.store.IndexInput;

/**
 * The part of an open data file between its index header and its footer, {@code [start, end)},
 * where every offset the meta file gives into it must lie; {@code name} describes the file in error
 * messages.
 */
record FileBody(long start, long end, String name) {

  /** The body of a file whose header has just been read. */
  static FileBody of(IndexInput in) {
    return new FileBody(in.getFilePointer(), in.length() - CodecUtil.footerLength(), in.toString());
  }

  /** Whether {@code length} bytes at {@code offset} lie inside the body. */
  boolean contains(long offset, long length) {
    return offset >= start && length >= 0 && offset <= end - length;
  }
}
