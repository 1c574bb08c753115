package dev.masksearch.qa.bench;

import dev.masksearch.codec.MaskDocValues;
import java.io.IOException;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;

/**
 * Bytes of an index by role: the stored masks (each mask's compressed bytes, as the mask formats
 * report them), the CHI (everything else in the mask formats' files: the columns and their meta,
 * and from MaskSearch20 version 3 on the second tier's records, which sit beside the masks in
 * {@code .mskr}, with the masks' addresses), and everything.
 */
public record IndexSizes(long chiBytes, long maskBytes, long totalBytes) {

  public static IndexSizes of(Directory dir) throws IOException {
    long formatFiles = 0;
    long total = 0;
    for (String file : dir.listAll()) {
      long length = dir.fileLength(file);
      total += length;
      if (file.endsWith(".mskc") || file.endsWith(".mskm") || file.endsWith(".mskr")) {
        formatFiles += length;
      }
    }
    long masks = storedMaskBytes(dir);
    return new IndexSizes(formatFiles - masks, masks, total);
  }

  /** The compressed bytes of every mask of every mask field. */
  private static long storedMaskBytes(Directory dir) throws IOException {
    long bytes = 0;
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext leaf : reader.leaves()) {
        for (FieldInfo field : leaf.reader().getFieldInfos()) {
          if (field.getDocValuesType() != DocValuesType.BINARY) {
            continue;
          }
          BinaryDocValues values = leaf.reader().getBinaryDocValues(field.name);
          if (values instanceof MaskDocValues masks) {
            for (int doc = masks.nextDoc();
                doc != DocIdSetIterator.NO_MORE_DOCS;
                doc = masks.nextDoc()) {
              bytes += masks.maskSize(doc).compressedBytes();
            }
          }
        }
      }
    }
    return bytes;
  }
}
