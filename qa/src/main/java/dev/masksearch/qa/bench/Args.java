package dev.masksearch.qa.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A qa command's command line: {@code --name value} options, {@code --name} flags and positional
 * arguments, checked against what the command declares. An option it does not know, one given
 * twice, one without its value, a number that does not parse or too many positional arguments is an
 * {@link IllegalArgumentException} naming it: a mistyped option of an hour-long benchmark must not
 * pass silently.
 */
public final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();
  private final List<String> positional = new ArrayList<>();

  private Args() {}

  /**
   * Parses {@code args} for a command that takes the options {@code valued} (each followed by a
   * value), the flags {@code flags} and at most {@code maxPositional} other arguments.
   */
  public static Args parse(
      String[] args, Set<String> valued, Set<String> flags, int maxPositional) {
    Args parsed = new Args();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        if (parsed.positional.size() == maxPositional) {
          throw new IllegalArgumentException(
              maxPositional == 0
                  ? "unexpected argument [" + arg + "]: this command takes options only"
                  : "unexpected argument [" + arg + "]: at most " + maxPositional + " expected");
        }
        parsed.positional.add(arg);
      } else if (flags.contains(arg)) {
        if (!parsed.flags.add(arg)) {
          throw new IllegalArgumentException(arg + " is given twice");
        }
      } else if (valued.contains(arg)) {
        if (i + 1 == args.length || valued.contains(args[i + 1]) || flags.contains(args[i + 1])) {
          throw new IllegalArgumentException(arg + " needs a value"); // not the next option
        }
        if (parsed.values.put(arg, args[++i]) != null) {
          throw new IllegalArgumentException(arg + " is given twice");
        }
      } else {
        Set<String> known = new TreeSet<>(valued);
        known.addAll(flags);
        throw new IllegalArgumentException("unknown option " + arg + "; known: " + known);
      }
    }
    return parsed;
  }

  /** The value of option {@code name}, or {@code defaultValue} without it. */
  public String string(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  /** The integer value of option {@code name}, or {@code defaultValue} without it. */
  public int integer(String name, int defaultValue) {
    String value = values.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs an integer, got [" + value + "]", e);
    }
  }

  /** Whether flag {@code name} is given. */
  public boolean flag(String name) {
    return flags.contains(name);
  }

  /** The positional arguments, in order. */
  public List<String> positional() {
    return positional;
  }
}
