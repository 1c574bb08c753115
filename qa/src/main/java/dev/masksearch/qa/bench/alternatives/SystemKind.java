package dev.masksearch.qa.bench.alternatives;

/** The systems compared, in report order. */
public enum SystemKind {
  PLUGIN("masksearch plugin"),
  PAINLESS("painless over binary doc values"),
  BRUTE_FORCE("Java scan of raw masks"),
  POSTGIS("PostGIS raster");

  final String title;

  SystemKind(String title) {
    this.title = title;
  }
}
