package dev.masksearch.qa.acceptance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.masksearch.qa.cluster.ClusterTestCase;
import dev.masksearch.qa.cluster.Rest;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * Mask expressions on the real cluster (six shards, a replica) against brute force ({@link
 * ExprChecks}): the {@code mask_expr} filter with each comparison, the {@code mask_expr} sort in
 * both directions paged with {@code search_after}, the {@code masksearch} script language in {@code
 * script_fields}, and SUM/AVG/MIN/MAX per group through a {@code terms} aggregation (the paper's
 * scalar aggregation), top groups included. Every query runs twice, so the second run goes through
 * the derived-mask CHIs the first one built.
 */
public class ExpressionsIT extends ClusterTestCase {

  @Test
  public void expressionsEqualBruteForce() {
    String index = "expressions";
    deleteIndex(index);
    Corpus.createIndex(rest(), index, 6, 1);
    List<QaDoc> docs = Corpus.generate(getRandom(), "e", 250, 60);
    Corpus.index(rest(), index, docs);
    new ExprChecks(rest(), index, docs, getRandom()).randomized(8, 2);
    Rest.Reply bad =
        call(
            "POST",
            "/" + index + "/_search",
            Map.of(
                "query",
                Map.of("mask_expr", Map.of("expr", "cp(saliency, full, 0.5, 1.01) / 0", "gt", 1))));
    assertEquals(bad.body().toString(), 400, bad.status());
    assertTrue(bad.body().toString(), bad.body().toString().contains("division by zero"));
    Rest.Reply unknown =
        call(
            "POST",
            "/" + index + "/_search",
            Map.of(
                "query",
                Map.of("mask_expr", Map.of("expr", "cp(nope, full, 0.5, 1.01)", "gt", 1))));
    assertEquals(unknown.body().toString(), 400, unknown.status());
    assertTrue(unknown.body().toString(), unknown.body().toString().contains("nope"));
    deleteIndex(index);
  }
}
