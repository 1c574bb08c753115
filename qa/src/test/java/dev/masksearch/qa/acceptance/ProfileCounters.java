package dev.masksearch.qa.acceptance;

import com.fasterxml.jackson.databind.JsonNode;

/** The {@code cp_} counters of a search response's profile, summed over its shards and queries. */
record ProfileCounters(long decidedByBounds, long masksRead) {

  static ProfileCounters of(JsonNode reply) {
    long decided = 0;
    long read = 0;
    for (JsonNode shard : reply.path("profile").path("shards")) {
      for (JsonNode search : shard.path("searches")) {
        for (JsonNode query : search.path("query")) {
          decided +=
              sumNamed(query, "cp_accepted_by_bounds") + sumNamed(query, "cp_rejected_by_bounds");
          read += sumNamed(query, "cp_masks_read");
        }
      }
    }
    return new ProfileCounters(decided, read);
  }

  private static long sumNamed(JsonNode query, String counter) {
    long sum = query.path("breakdown").path(counter).asLong(0);
    for (JsonNode child : query.path("children")) {
      sum += sumNamed(child, counter);
    }
    return sum;
  }
}
