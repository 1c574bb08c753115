package dev.masksearch.qa.bench;

import java.util.List;
import java.util.Set;
import org.apache.lucene.tests.util.LuceneTestCase;

/** A qa command's command line: what it declares parses, anything else is an error naming it. */
public class ArgsTests extends LuceneTestCase {
  private static final Set<String> VALUED = Set.of("--count", "--out");
  private static final Set<String> FLAGS = Set.of("--no-postgis");

  public void testDeclaredOptionsFlagsAndPositionals() {
    Args args =
        Args.parse(
            new String[] {"a.csv", "--count", "200000", "--no-postgis", "b.csv"}, VALUED, FLAGS, 2);
    assertEquals(200_000, args.integer("--count", 5));
    assertEquals("fallback", args.string("--out", "fallback"));
    assertTrue(args.flag("--no-postgis"));
    assertEquals(List.of("a.csv", "b.csv"), args.positional());

    Args none = Args.parse(new String[0], VALUED, FLAGS, 0);
    assertEquals(5, none.integer("--count", 5));
    assertFalse(none.flag("--no-postgis"));
  }

  public void testAValueMayBeADash() {
    assertEquals(
        "-", Args.parse(new String[] {"--out", "-"}, VALUED, FLAGS, 0).string("--out", ""));
  }

  public void testMistakesAreErrorsNamingThem() {
    assertError("unknown option --cout", new String[] {"--cout", "5"});
    assertError("--count needs a value", new String[] {"--count"});
    assertError("--out needs a value", new String[] {"--out", "--no-postgis"});
    assertError("--count needs an integer, got [many]", new String[] {"--count", "many"});
    assertError("--out is given twice", new String[] {"--out", "a", "--out", "b"});
    assertError("--no-postgis is given twice", new String[] {"--no-postgis", "--no-postgis"});
    assertError("unexpected argument [stray]", new String[] {"stray"});
  }

  private static void assertError(String expected, String[] given) {
    IllegalArgumentException e =
        expectThrows(
            IllegalArgumentException.class,
            () -> Args.parse(given, VALUED, FLAGS, 0).integer("--count", 0));
    assertTrue(e.getMessage(), e.getMessage().startsWith(expected));
  }
}
