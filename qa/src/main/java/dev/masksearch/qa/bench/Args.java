package dev.masksearch.qa.bench;

/** Minimal {@code --name value} command-line options for the qa commands. */
public final class Args {
  private Args() {}

  public static int intArg(String[] args, String name, int defaultValue) {
    return Integer.parseInt(stringArg(args, name, Integer.toString(defaultValue)));
  }

  public static String stringArg(String[] args, String name, String defaultValue) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return defaultValue;
  }
}
