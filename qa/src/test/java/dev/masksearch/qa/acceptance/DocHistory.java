package dev.masksearch.qa.acceptance;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The documents a changing index should hold, for a load that indexes, updates and deletes while
 * others search. Each write of a document is a new revision (its {@code rev} field), recorded here
 * before it is sent, so that a search hit naming {@code (id, rev)} can be checked against exactly
 * the version it matched. A writer takes a live document out ({@link #claim}) while it changes it,
 * so no two writers touch one document. Replaced and deleted versions stay findable for a grace
 * period (searches see them until the next refresh), then are dropped ({@link #prune}) so that a
 * long run's memory stays flat.
 */
final class DocHistory {
  /** A live document: its acknowledged version and revision. */
  record Current(QaDoc doc, int rev) {
    String id() {
      return doc.id();
    }
  }

  private record Retired(String id, int rev, long at) {}

  private final Map<String, Map<Integer, QaDoc>> versions = new ConcurrentHashMap<>();
  private final Map<String, Current> live = new ConcurrentHashMap<>();
  private final Queue<Retired> retired = new ConcurrentLinkedQueue<>();

  /**
   * Records a version about to be sent (before, so a search can never see one this does not know).
   */
  void written(QaDoc doc, int rev) {
    versions.computeIfAbsent(doc.id(), id -> new ConcurrentHashMap<>()).put(rev, withoutJson(doc));
  }

  /** The index acknowledged the version: it is now the document's current one. */
  void acknowledged(QaDoc doc, int rev) {
    live.put(doc.id(), new Current(withoutJson(doc), rev));
  }

  /**
   * Takes a random live document out of the live set for one writer to change; null when none is
   * left.
   */
  Current claim(Random random) {
    for (int attempt = 0; attempt < 10; attempt++) {
      List<String> ids = new ArrayList<>(live.keySet());
      if (ids.isEmpty()) {
        return null;
      }
      Current taken = live.remove(ids.get(random.nextInt(ids.size())));
      if (taken != null) {
        return taken;
      }
    }
    return null;
  }

  /** Puts a claimed document back unchanged (its write failed). */
  void release(Current current) {
    live.put(current.id(), current);
  }

  /**
   * The claimed version was replaced by a newer one or deleted: it may still be seen until the
   * grace ends.
   */
  void retire(Current current) {
    retired.add(new Retired(current.id(), current.rev(), System.nanoTime()));
  }

  /** Drops the versions retired more than {@code graceNanos} ago. */
  void prune(long graceNanos) {
    long now = System.nanoTime();
    for (Retired head = retired.peek();
        head != null && now - head.at() > graceNanos;
        head = retired.peek()) {
      Retired r = retired.poll();
      versions.computeIfPresent(
          r.id(),
          (id, byRev) -> {
            byRev.remove(r.rev());
            return byRev.isEmpty() ? null : byRev;
          });
    }
  }

  /** The version a hit names; null when this history never wrote it or dropped it long ago. */
  QaDoc version(String id, int rev) {
    Map<Integer, QaDoc> byRev = versions.get(id);
    return byRev == null ? null : byRev.get(rev);
  }

  /** A random live document (for thresholds some document meets); null when none. */
  QaDoc anyLive(Random random) {
    List<Current> all = new ArrayList<>(live.values());
    return all.isEmpty() ? null : all.get(random.nextInt(all.size())).doc();
  }

  int liveCount() {
    return live.size();
  }

  /** The live documents' current versions (once writers have stopped: what the index must hold). */
  Collection<Current> survivors() {
    return List.copyOf(live.values());
  }

  /** Versions held (live and within their grace), a measure of the test's own memory. */
  int versionsHeld() {
    return versions.values().stream().mapToInt(Map::size).sum();
  }

  private static QaDoc withoutJson(QaDoc doc) {
    return new QaDoc(
        doc.id(), doc.label(), doc.caption(), doc.rank(), doc.box(), doc.masks(), Map.of());
  }
}
