package dev.masksearch.qa.bench;

import dev.masksearch.mask.Roi;
import dev.masksearch.qa.bench.Alternatives.Answer;
import dev.masksearch.qa.bench.Alternatives.Hit;
import dev.masksearch.qa.bench.Alternatives.Kind;
import dev.masksearch.qa.bench.Alternatives.Query;
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
 * The PostGIS raster alternative (issue 6): the same masks as in-database rasters (one 8BUI band each, 224 x 224,
 * pixel (x, y) covering world [x, x + 1] x [-y - 1, -y], no nodata value) in a table {@code masks(id, s, h, bx1,
 * by1, bx2, by2)}, loaded with {@code COPY} from raster WKB built here, and the workloads as SQL the way the
 * PostGIS documentation composes them: CP is {@code ST_Count(ST_Reclass(ST_Clip(s, roi), '[lo-hi):1'))}, top-k
 * is {@code ORDER BY ... LIMIT 25}, and the IoU adds the two thresholded masks (0/1 and 0/2, {@code ST_Reclass})
 * pixel by pixel into one raster ({@code ST_Union} with {@code SUM}) and counts its values ({@code
 * ST_ValueCount}). Server settings are initdb's defaults, table storage the
 * default (TOAST, pglz-compressed). A statement past the timeout counts as "did not finish".
 */
final class PostGis implements AutoCloseable {
  /** Thrown when a statement hits the statement timeout. */
  static final class TimedOut extends RuntimeException {
    TimedOut(String query) {
      super(query + " did not finish within the statement timeout");
    }
  }

  private final PostgresServer server;
  private final int side;
  private final int timeoutSeconds;
  private Connection connection;

  PostGis(PostgresServer server, int side, int timeoutSeconds) throws SQLException {
    this.server = server;
    this.side = side;
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

  /** Creates the table and loads every image's two masks and box from {@code raw}; returns the seconds taken. */
  double load(RawMasks raw, int[][] boxes, int count) throws SQLException, IOException {
    long t0 = System.nanoTime();
    try (Statement s = connection.createStatement()) {
      s.execute("DROP TABLE IF EXISTS masks");
      s.execute("CREATE TABLE masks (id int PRIMARY KEY, s raster NOT NULL, h raster NOT NULL, bx1 int, by1 int, "
          + "bx2 int, by2 int)");
    }
    var copy = connection.unwrap(PGConnection.class).getCopyAPI();
    byte[] saliency = new byte[side * side];
    byte[] human = new byte[side * side];
    int batch = 500;
    for (int first = 0; first < count; first += batch) {
      StringBuilder rows = new StringBuilder();
      for (int i = first; i < Math.min(count, first + batch); i++) {
        raw.read(i, 0, saliency);
        raw.read(i, 1, human);
        int[] b = boxes[i];
        rows.append(i).append('\t').append(hexWkb(saliency)).append('\t').append(hexWkb(human))
            .append('\t').append(b[0]).append('\t').append(b[1]).append('\t').append(b[2]).append('\t').append(b[3])
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

  /** Raster WKB (version 0, little endian) of one 8BUI band without nodata, as hex: what {@code raster}'s input takes. */
  private String hexWkb(byte[] pixels) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(61 + 2 + pixels.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).putShort((short) 0).putShort((short) 1); // endianness, version, bands
    b.putDouble(1).putDouble(-1).putDouble(0).putDouble(0).putDouble(0).putDouble(0); // scale, upper left, skew
    b.putInt(0).putShort((short) side).putShort((short) side); // SRID, width, height
    b.put((byte) 4).put((byte) 0).put(pixels); // pixel type 8BUI (no nodata flag), nodata value, pixels
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
        String sql = "SELECT id FROM masks WHERE " + value + (q.kind() == Kind.FILTER_GT ? " > ?" : " < ?")
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
      String order = q.kind() == Kind.TOP_DESC ? "DESC" : "ASC";
      String sql = "SELECT id, v FROM (SELECT id, " + value + " AS v FROM masks) q ORDER BY v " + order
          + ", id LIMIT " + Alternatives.K;
      try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
        List<Hit> hits = new ArrayList<>();
        while (r.next()) {
          hits.add(new Hit(r.getInt(1), r.getDouble(2)));
        }
        return new Answer(null, hits, -1);
      }
    } catch (SQLException e) {
      if ("57014".equals(e.getSQLState())) { // query_canceled: the statement timeout
        throw new TimedOut(q.name());
      }
      throw new IllegalStateException(q.name() + ": " + e.getMessage(), e);
    }
  }

  /** The query's per-row value as SQL. */
  private String value(Query q) {
    if (q.kind() == Kind.IOU_ASC) {
      int t = Alternatives.firstCodeAbove(Alternatives.IOU_THRESHOLD);
      // 0/1 and 0/2 masks summed pixel by pixel: 3 = both, 1 or 2 = one of them.
      // ST_Union's SUM (in C) rather than ST_MapAlgebra's expression (SQL per pixel, 4x slower in a test here).
      String both = "(SELECT ST_Union(r, 'SUM') FROM (VALUES (ST_Reclass(s, 1, '" + binary(t, 1) + "', '8BUI', "
          + "NULL)), (ST_Reclass(h, 1, '" + binary(t, 2) + "', '8BUI', NULL))) AS pair(r))";
      return "(SELECT CASE WHEN coalesce(sum(c.count) FILTER (WHERE c.value > 0), 0) = 0 THEN 0.0 ELSE "
          + "coalesce(sum(c.count) FILTER (WHERE c.value = 3), 0)::float8 / sum(c.count) FILTER (WHERE c.value > 0) "
          + "END FROM ST_ValueCount(" + both + ", 1, false) c)";
    }
    int lo = q.lo();
    int hi = Math.min(q.hi(), 256);
    String x1;
    String y1;
    String x2;
    String y2;
    if (q.perDocument()) {
      x1 = "greatest(bx1, 0)";
      y1 = "greatest(by1, 0)";
      x2 = "least(bx2, " + side + ")";
      y2 = "least(by2, " + side + ")";
    } else {
      Roi r = q.roi();
      x1 = Integer.toString(Math.max(0, r.x1()));
      y1 = Integer.toString(Math.max(0, r.y1()));
      x2 = Integer.toString(Math.min(side, r.x2()));
      y2 = Integer.toString(Math.min(side, r.y2()));
    }
    boolean full = !q.perDocument() && x1.equals("0") && y1.equals("0") && x2.equals(Integer.toString(side))
        && y2.equals(Integer.toString(side));
    String region = full ? "s" : "ST_Clip(s, 1, ST_MakeEnvelope(" + x1 + ", -" + y2 + ", " + x2 + ", -" + y1
        + "), true)";
    String range = hi >= 256 ? "[" + lo + "-255]:1" : "[" + lo + "-" + hi + "):1";
    String count = lo >= hi ? "0" : "coalesce(ST_Count(ST_Reclass(" + region + ", 1, '" + range
        + "', '8BUI', 0), 1, true), 0)";
    if (!q.normalize()) {
      return count + "::float8";
    }
    String area = "(((" + x2 + ") - (" + x1 + "))::float8 * ((" + y2 + ") - (" + y1 + ")))";
    return "(CASE WHEN " + x2 + " <= " + x1 + " OR " + y2 + " <= " + y1 + " THEN 0.0 ELSE " + count + " / " + area
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
