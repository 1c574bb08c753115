package dev.masksearch.qa.bench.alternatives;

import java.util.List;

/** A system's answer: the matching ids (ascending) of a filter, or the hits of a top k in order. */
record Answer(List<Integer> ids, List<Hit> hits, long masksRead) {
  /** One hit of a top-k answer: the image and the value the system gave it. */
  record Hit(int id, double value) {}
}
