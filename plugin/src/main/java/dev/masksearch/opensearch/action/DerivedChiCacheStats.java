package dev.masksearch.opensearch.action;

import dev.masksearch.expr.DerivedChiCache;
import java.io.IOException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.ToXContentFragment;
import org.opensearch.core.xcontent.XContentBuilder;

/**
 * A snapshot of one node's {@link DerivedChiCache}: entries and bytes held, its limit, derived CHIs
 * used for bounds (hits), built and kept (builds), dropped with their segment (evictions), and not
 * kept because it was full (rejections).
 */
public record DerivedChiCacheStats(
    long entries,
    long sizeInBytes,
    long limitInBytes,
    long hits,
    long builds,
    long evictions,
    long rejections)
    implements Writeable, ToXContentFragment {

  public static DerivedChiCacheStats of(DerivedChiCache cache) {
    return new DerivedChiCacheStats(
        cache.entries(),
        cache.sizeInBytes(),
        cache.maxBytes(),
        cache.hits(),
        cache.builds(),
        cache.evictions(),
        cache.rejections());
  }

  public static DerivedChiCacheStats readFrom(StreamInput in) throws IOException {
    return new DerivedChiCacheStats(
        in.readVLong(),
        in.readVLong(),
        in.readVLong(),
        in.readVLong(),
        in.readVLong(),
        in.readVLong(),
        in.readVLong());
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    for (long value :
        new long[] {entries, sizeInBytes, limitInBytes, hits, builds, evictions, rejections}) {
      out.writeVLong(value);
    }
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    return builder
        .startObject("derived_chi_cache")
        .field("entries", entries)
        .field("size_in_bytes", sizeInBytes)
        .field("limit_in_bytes", limitInBytes)
        .field("hits", hits)
        .field("builds", builds)
        .field("evictions", evictions)
        .field("rejections", rejections)
        .endObject();
  }
}
