package dev.masksearch.qa.bench.alternatives;

import dev.masksearch.mask.Roi;
import dev.masksearch.qa.bench.alternatives.Answer.Hit;
import dev.masksearch.qa.bench.alternatives.Query.Kind;
import dev.masksearch.qa.cluster.PostgresServer;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.postgresql.PGConnection;

/**
 * The PostGIS raster alternative (issue 6): the same masks as in-database rasters (one 8BUI band
 * each, the mask's size, pixel (x, y) covering world [x, x + 1] x [-y - 1, -y], no nodata value) in
 * a table {@code masks(id, s, h, w, ht, bx1, by1, bx2, by2)}, loaded with {@code COPY} from raster
 * WKB built here, and the workloads as SQL the way the PostGIS documentation composes them: CP is
 * {@code ST_Count(ST_Reclass(ST_Clip(s, roi), '[lo-hi):1'))}, top-k is {@code ORDER BY ... LIMIT
 * 25}, and the IoU adds the two thresholded masks (0/1 and 0/2, {@code ST_Reclass}) pixel by pixel
 * into one raster ({@code ST_Union} with {@code SUM}) and counts its values ({@code
 * ST_ValueCount}). Server settings are initdb's defaults, table storage the default (TOAST,
 * pglz-compressed). A statement past the timeout counts as "did not finish".
 */
final class PostGis implements AutoCloseable {
  /** Thrown when a statement hits the statement timeout. */
  static final class TimedOut extends RuntimeException {
    TimedOut(String query) {
      super(query + " did not finish within the statement timeout");
    }
  }

  private final PostgresServer server;
  private final int maxSide;
  private final int timeoutSeconds;
  private Connection connection;

  /** {@code maxSide}: a constant ROI covering 0..maxSide both ways is the whole mask (no clip). */
  PostGis(PostgresServer server, int maxSide, int timeoutSeconds) throws SQLException {
    this.server = server;
    this.maxSide = maxSide;
    this.timeoutSeconds = timeoutSeconds;
    this.connection = open();
  }

  private Connection open() throws SQLException {
    Connection c = server.connect();
    try (Statement s = c.createStatement()) {
      s.execute("SET statement_timeout = '" + timeoutSeconds + "s'");
    }
    return c;
  }

  int timeoutSeconds() {
    return timeoutSeconds;
  }

  /**
   * Creates the table and loads every image's two masks and box from {@code raw}; returns the
   * seconds taken.
   */
  double load(RawMasks raw) throws SQLException, IOException {
    long t0 = System.nanoTime();
    try (Statement s = connection.createStatement()) {
      s.execute("DROP TABLE IF EXISTS masks");
      s.execute(
          "CREATE TABLE masks (id int PRIMARY KEY, s raster NOT NULL, h raster NOT NULL, w int, ht int, "
              + "bx1 int, by1 int, bx2 int, by2 int)");
    }
    var copy = connection.unwrap(PGConnection.class).getCopyAPI();
    byte[] saliency = new byte[maxSide * maxSide];
    byte[] human = new byte[maxSide * maxSide];
    int count = raw.count();
    int batch = 500;
    for (int first = 0; first < count; first += batch) {
      StringBuilder rows = new StringBuilder();
      for (int i = first; i < Math.min(count, first + batch); i++) {
        raw.read(i, 0, saliency);
        raw.read(i, 1, human);
        int[] b = raw.box(i);
        int w = raw.width(i);
        int h = raw.height(i);
        rows.append(i)
            .append('\t')
            .append(hexWkb(saliency, w, h))
            .append('\t')
            .append(hexWkb(human, w, h))
            .append('\t')
            .append(w)
            .append('\t')
            .append(h)
            .append('\t')
            .append(b[0])
            .append('\t')
            .append(b[1])
            .append('\t')
            .append(b[2])
            .append('\t')
            .append(b[3])
            .append('\n');
      }
      try (Reader in = new StringReader(rows.toString())) {
        copy.copyIn("COPY masks FROM STDIN", in);
      }
    }
    try (Statement s = connection.createStatement()) {
      s.execute("VACUUM ANALYZE masks");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The table's bytes on disk with its TOAST table and primary key. */
  long tableBytes() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery("SELECT pg_total_relation_size('masks')")) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * Raster WKB (version 0, little endian) of one 8BUI band without nodata, as hex: what {@code
   * raster}'s input takes.
   */
  private static String hexWkb(byte[] pixels, int width, int height) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(61 + 2 + width * height)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).putShort((short) 0).putShort((short) 1); // endianness, version, bands
    b.putDouble(1)
        .putDouble(-1)
        .putDouble(0)
        .putDouble(0)
        .putDouble(0)
        .putDouble(0); // scale, upper left, skew
    b.putInt(0).putShort((short) width).putShort((short) height); // SRID, width, height
    b.put((byte) 4)
        .put((byte) 0)
        .put(pixels, 0, width * height); // pixel type 8BUI (no nodata flag), nodata value, pixels
    return HexFormat.of().formatHex(b.array(), 0, b.position());
  }

  /** Restarts the server and reconnects: shared buffers and session caches start empty. */
  void restart() throws SQLException, IOException, InterruptedException {
    connection.close();
    server.restart();
    connection = open();
  }

  Answer run(Query q) {
    String value = value(q);
    try {
      if (q.filter()) {
        String sql =
            "SELECT id FROM masks WHERE "
                + value
                + (q.kind() == Kind.FILTER_GT ? " > ?" : " < ?")
                + " ORDER BY id";
        try (PreparedStatement s = connection.prepareStatement(sql)) {
          s.setDouble(1, q.threshold());
          List<Integer> ids = new ArrayList<>();
          try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
              ids.add(r.getInt(1));
            }
          }
          return new Answer(ids, null, -1);
        }
      }
      if (q.kind() == Kind.AVG_BY_CLASS) {
        return hits(
            "SELECT id % "
                + Query.CLASSES
                + " AS c, avg("
                + value
                + ") FROM masks GROUP BY c ORDER BY c");
      }
      String order = q.kind() == Kind.TOP_DESC ? "DESC" : "ASC";
      return hits(
          "SELECT id, v FROM (SELECT id, "
              + value
              + " AS v FROM masks) q ORDER BY v "
              + order
              + ", id LIMIT "
              + Query.K);
    } catch (SQLException e) {
      if ("57014".equals(e.getSQLState())) { // query_canceled: the statement timeout
        throw new TimedOut(q.name());
      }
      throw new IllegalStateException(q.name() + ": " + e.getMessage(), e);
    }
  }

  /** The rows of {@code sql}, an integer and a value each, as hits. */
  private Answer hits(String sql) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      List<Hit> hits = new ArrayList<>();
      while (r.next()) {
        hits.add(new Hit(r.getInt(1), r.getDouble(2)));
      }
      return new Answer(null, hits, -1);
    }
  }

  /** The query's per-row value as SQL. */
  private String value(Query q) {
    if (q.kind() == Kind.IOU_ASC) {
      int t = Query.firstCodeAbove(Query.IOU_THRESHOLD);
      // 0/1 and 0/2 masks summed pixel by pixel: 3 = both, 1 or 2 = one of them.
      // ST_Union's SUM (in C) rather than ST_MapAlgebra's expression (SQL per pixel, 4x slower in a
      // test here).
      String both =
          "(SELECT ST_Union(r, 'SUM') FROM (VALUES (ST_Reclass(s, 1, '"
              + binary(t, 1)
              + "', '8BUI', "
              + "NULL)), (ST_Reclass(h, 1, '"
              + binary(t, 2)
              + "', '8BUI', NULL))) AS pair(r))";
      return "(SELECT CASE WHEN coalesce(sum(c.count) FILTER (WHERE c.value > 0), 0) = 0 THEN 0.0 ELSE "
          + "coalesce(sum(c.count) FILTER (WHERE c.value = 3), 0)::float8 / sum(c.count) FILTER (WHERE c.value > 0) "
          + "END FROM ST_ValueCount("
          + both
          + ", 1, false) c)";
    }
    int lo = q.lo();
    int hi = Math.min(q.hi(), 256);
    Roi r = q.perDocument() ? null : q.roi();
    // The region clamped to the mask (w x ht), as SQL over the row.
    String x1 = q.perDocument() ? "greatest(bx1, 0)" : Integer.toString(Math.max(0, r.x1()));
    String y1 = q.perDocument() ? "greatest(by1, 0)" : Integer.toString(Math.max(0, r.y1()));
    String x2 = "least(" + (q.perDocument() ? "bx2" : r.x2()) + ", w)";
    String y2 = "least(" + (q.perDocument() ? "by2" : r.y2()) + ", ht)";
    boolean full =
        !q.perDocument() && r.x1() <= 0 && r.y1() <= 0 && r.x2() >= maxSide && r.y2() >= maxSide;
    String region =
        full
            ? "s"
            : "ST_Clip(s, 1, ST_MakeEnvelope("
                + x1
                + ", -"
                + y2
                + ", "
                + x2
                + ", -"
                + y1
                + "), true)";
    String range = hi >= 256 ? "[" + lo + "-255]:1" : "[" + lo + "-" + hi + "):1";
    String count =
        lo >= hi
            ? "0"
            : "coalesce(ST_Count(ST_Reclass("
                + region
                + ", 1, '"
                + range
                + "', '8BUI', 0), 1, true), 0)::float8";
    if (q.normalize()) {
      count += " / (((" + x2 + ") - (" + x1 + "))::float8 * ((" + y2 + ") - (" + y1 + ")))";
    }
    return full
        ? count
        : "(CASE WHEN "
            + x2
            + " <= "
            + x1
            + " OR "
            + y2
            + " <= "
            + y1
            + " THEN 0.0 ELSE "
            + count
            + " END)";
  }

  private static String binary(int threshold, int one) {
    return String.format(Locale.ROOT, "[0-%d):0,[%d-255]:%d", threshold, threshold, one);
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
