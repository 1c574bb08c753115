package dev.masksearch.qa.bench.alternatives;

import com.fasterxml.jackson.databind.JsonNode;
import dev.masksearch.qa.cluster.Rest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What an index takes on the node, of its live segments only: right after a force merge a node may
 * still keep the previous commit's files (its safe commit) on disk, which would count every mask
 * twice.
 */
final class IndexFiles {
  private final Rest rest;
  private final List<Path> dataDirectories;

  /**
   * {@code dataDirectories}: the nodes' {@code path.data} (may be empty: then no file is found).
   */
  IndexFiles(Rest rest, List<Path> dataDirectories) {
    this.rest = rest;
    this.dataDirectories = dataDirectories;
  }

  /** The primary shards' searchable segments' bytes, as {@code _segments} reports them. */
  long storeBytes(String index) {
    long bytes = 0;
    for (JsonNode shard :
        rest.ok("GET", "/" + index + "/_segments", null)
            .path("indices")
            .path(index)
            .path("shards")) {
      for (JsonNode copy : shard) {
        if (copy.path("routing").path("primary").asBoolean()) {
          for (JsonNode segment : copy.path("segments")) {
            if (segment.path("search").asBoolean()) {
              bytes += segment.path("size_in_bytes").asLong();
            }
          }
        }
      }
    }
    return bytes;
  }

  /**
   * Bytes of the index's live segments' files by extension (Lucene's: .dvd doc values, .fdt stored
   * fields...), over the nodes' data directories (empty if none given).
   */
  Map<String, Long> byExtension(String index) throws IOException {
    String uuid =
        rest.ok("GET", "/" + index + "/_settings", null)
            .path(index)
            .path("settings")
            .path("index")
            .path("uuid")
            .asText();
    Set<String> live = new HashSet<>(); // segment names, e.g. "_2p"
    rest.ok("GET", "/" + index + "/_segments", null)
        .path("indices")
        .path(index)
        .path("shards")
        .forEach(
            shard ->
                shard.forEach(
                    copy ->
                        copy.path("segments")
                            .properties()
                            .forEach(
                                segment -> {
                                  if (segment.getValue().path("search").asBoolean()) {
                                    live.add(segment.getKey());
                                  }
                                })));
    Map<String, Long> sizes = new HashMap<>();
    for (Path dir : dataDirectories) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String path = file.toString();
          int dot = path.lastIndexOf('.');
          String name = file.getFileName().toString();
          int end =
              name.indexOf('_', 1) > 0 && name.indexOf('_', 1) < name.indexOf('.')
                  ? name.indexOf('_', 1)
                  : name.indexOf('.');
          boolean liveSegment = end > 0 && live.contains(name.substring(0, end));
          if (path.contains("/" + uuid + "/")
              && path.contains("/index/")
              && dot > path.lastIndexOf('/')
              && liveSegment) {
            sizes.merge(path.substring(dot + 1), Files.size(file), Long::sum);
          }
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return sizes;
  }
}
