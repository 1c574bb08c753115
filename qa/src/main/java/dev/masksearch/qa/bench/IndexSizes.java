package dev.masksearch.qa.bench;

import java.io.IOException;
import org.apache.lucene.store.Directory;

/** Bytes of an index by role: the CHI files, the compressed-mask files, and everything. */
public record IndexSizes(long chiBytes, long maskBytes, long totalBytes) {

  public static IndexSizes of(Directory dir) throws IOException {
    long chi = 0;
    long masks = 0;
    long total = 0;
    for (String file : dir.listAll()) {
      long length = dir.fileLength(file);
      total += length;
      if (file.endsWith(".mskc") || file.endsWith(".mskm")) {
        chi += length;
      } else if (file.endsWith(".mskr")) {
        masks += length;
      }
    }
    return new IndexSizes(chi, masks, total);
  }
}
