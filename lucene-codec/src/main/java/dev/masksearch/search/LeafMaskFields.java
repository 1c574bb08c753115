package dev.masksearch.search;

import dev.masksearch.codec.MaskDocValues;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.LeafReader;

/**
 * The mask fields of one segment as one evaluation reads them: a field's doc values and CHI cursor
 * are opened once and shared by every CP term that names the field (an expression with 400 value
 * tests on one field holds one cursor, not 400), and what the cursors hold is reserved from the
 * search's guard as it grows. Terms evaluate one after another, so sharing a cursor is safe; not
 * thread-safe.
 */
public final class LeafMaskFields {
  private final LeafReader reader;
  private final SearchGuard guard;
  private final Map<String, Field> fields = new HashMap<>();
  private String accountedName; // the field account() last looked up, by identity
  private Field accountedField;

  public LeafMaskFields(LeafReader reader, SearchGuard guard) {
    this.reader = reader;
    this.guard = guard;
  }

  public LeafReader reader() {
    return reader;
  }

  public SearchGuard guard() {
    return guard;
  }

  /**
   * A field's doc values (shared; random access when they are {@link MaskDocValues}), or null
   * without any.
   */
  BinaryDocValues values(String name) throws IOException {
    Field field = field(name);
    return field == null ? null : field.values;
  }

  /** A mask field's shared CHI cursor, or null when the segment's field has no CHI. */
  MaskDocValues.ChiCursor cursor(String name) throws IOException {
    Field field = field(name);
    if (field == null || !(field.values instanceof MaskDocValues masks)) {
      return null;
    }
    if (field.cursor == null) {
      field.cursor = masks.chiCursor();
    }
    return field.cursor;
  }

  /**
   * The cursor a first stage reads a mask field's CHI with, shared: its first tier when the segment
   * stores the CHI in two tiers ({@link MaskDocValues#firstTierCursor}), else {@link #cursor}; null
   * when the segment's field has no CHI.
   */
  MaskDocValues.ChiCursor firstTierCursor(String name) throws IOException {
    MaskDocValues.ChiCursor cursor = cursor(name);
    if (cursor == null) {
      return null;
    }
    Field field = fields.get(name);
    if (field.firstTier == null) {
      MaskDocValues.ChiCursor first = ((MaskDocValues) field.values).firstTierCursor();
      field.firstTier = first != null ? first : cursor;
    }
    return field.firstTier;
  }

  /**
   * Reserves from the guard what the field's cursors hold beyond what was reserved for it; after
   * reading entries.
   */
  void account(String name) {
    if (!guard.lastsTheSearch()) {
      return; // nothing would return it: a cursor lives for one document's work there
    }
    // a scan accounts one field a document: look it up again only when the name changes
    Field field = name == accountedName ? accountedField : fields.get(name);
    accountedName = name;
    accountedField = field;
    long held = field.cursor.ramBytesUsed();
    if (field.firstTier != null && field.firstTier != field.cursor) {
      held += field.firstTier.ramBytesUsed();
    }
    if (held > field.reserved) {
      guard.reserve(
          held - field.reserved,
          "the CHI entries read from ["
              + name
              + "] in a segment of "
              + reader.maxDoc()
              + " documents");
      field.reserved = held; // returned when the search ends (see SearchGuards)
    }
  }

  private Field field(String name) throws IOException {
    Field field = fields.get(name);
    if (field == null && !fields.containsKey(name)) {
      BinaryDocValues values = reader.getBinaryDocValues(name);
      field = values == null ? null : new Field(values);
      fields.put(name, field);
    }
    return field;
  }

  private static final class Field {
    final BinaryDocValues values;
    MaskDocValues.ChiCursor cursor;
    MaskDocValues.ChiCursor firstTier; // the cursor itself when the CHI is in one tier
    long reserved;

    Field(BinaryDocValues values) {
      this.values = values;
    }
  }
}
