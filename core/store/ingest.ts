import { randomUUID } from 'node:crypto';
import type { Database, Queryable, SqlValue } from '../db/types';
import type { ValidatedEvent } from '../events/validate';

export type FileSource = 'http' | 'import';

export interface IngestResult {
  /** The stored file's id (a UUID; also the stem of its export batch ids). */
  file: string;
  accepted: number;
  duplicates: number;
}

const EVENT_COLUMNS = ['site', 'ts', 'file_id', 'line', 'event_type', 'event_id', 'doc'] as const;
const ROWS_PER_INSERT = 1000;
/** Characters of documents per INSERT (UTF-8 may be up to 3 bytes each: 4 Mi chars stay under 16 MiB packets). */
const STATEMENT_BYTES = 4 * 1024 * 1024;
const FIELD_ROWS_PER_INSERT = 500;

/** (site, day, field) triples already committed, so hot days do not rewrite their header rows. */
class KnownFields {
  /** `${site}\u0000${day}` → field names. */
  private readonly byDay = new Map<string, Set<string>>();
  private size = 0;
  day(siteDay: string): Set<string> | undefined {
    return this.byDay.get(siteDay);
  }
  addAll(rows: Iterable<[string, number, string]>): void {
    if (this.size > 200_000) {
      this.byDay.clear();
      this.size = 0;
    }
    for (const [site, day, field] of rows) {
      const key = `${site}\u0000${day}`;
      let fields = this.byDay.get(key);
      if (!fields) this.byDay.set(key, (fields = new Set()));
      if (!fields.has(field)) {
        fields.add(field);
        this.size++;
      }
    }
  }
}

/** The field names one file brings to one (site, day). */
interface DayFields {
  site: string;
  day: number;
  known: Set<string> | undefined;
  fresh: Set<string>;
  /** Field sets already looked at: events of one shape often share one Set. */
  seen: Set<ReadonlySet<string>>;
}

/**
 * Stores one file: its events, the field names of their days (the CSV header registry)
 * and the file row, in one transaction — all of it or nothing. A retried transaction
 * (deadlock, Galera certification conflict) stores it once.
 */
export class Ingestor {
  private readonly knownFields = new KnownFields();

  constructor(private readonly db: Database) {}

  async storeFile(events: readonly ValidatedEvent[], source: FileSource): Promise<IngestResult> {
    const uuid = randomUUID();
    const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.text), 0);
    const newFields = this.newFieldRows(events);
    const accepted = await this.db.transaction(async (tx) => {
      const file = await tx.run('INSERT INTO ah_files (uuid, source, events, bytes, accepted_at, exported_at) VALUES (?, ?, ?, ?, ?, NULL)', [
        uuid,
        source,
        events.length,
        bytes,
        Date.now(),
      ]);
      const inserted = await this.insertEvents(tx, file.insertId, events);
      if (inserted !== events.length) await tx.run('UPDATE ah_files SET events = ? WHERE id = ?', [inserted, file.insertId]);
      await this.insertFields(tx, newFields);
      return inserted;
    });
    this.knownFields.addAll(newFields);
    return { file: uuid, accepted, duplicates: events.length - accepted };
  }

  private async insertEvents(tx: Queryable, fileId: number, events: readonly ValidatedEvent[]): Promise<number> {
    let inserted = 0;
    let start = 0;
    while (start < events.length) {
      // Up to ROWS_PER_INSERT rows, and no more than STATEMENT_BYTES of documents unless a
      // single one is larger: a statement must fit MySQL's max_allowed_packet (16 MiB by default).
      let end = start;
      let bytes = 0;
      while (end < events.length && end - start < ROWS_PER_INSERT) {
        bytes += events[end].text.length;
        if (bytes > STATEMENT_BYTES && end > start) break;
        end++;
      }
      const params: SqlValue[] = new Array((end - start) * EVENT_COLUMNS.length);
      let p = 0;
      for (let i = start; i < end; i++) {
        const e = events[i];
        params[p++] = e.site;
        params[p++] = e.timestamp;
        params[p++] = fileId;
        params[p++] = i + 1;
        params[p++] = e.eventType;
        params[p++] = e.eventId;
        params[p++] = e.text;
      }
      const sql = this.db.sql.insertIgnoringDuplicates('ah_events', EVENT_COLUMNS, end - start, ['site', 'event_id']);
      inserted += (await tx.run(sql, params)).affectedRows;
      start = end;
    }
    return inserted;
  }

  private newFieldRows(events: readonly ValidatedEvent[]): [string, number, string][] {
    // Per event only one map lookup and, for a shape not seen yet, one Set.has per field:
    // no string is built per field (that was most of the cost of a large file).
    const days = new Map<string, DayFields>();
    for (const e of events) {
      const key = `${e.site}\u0000${e.day}`;
      let d = days.get(key);
      if (!d) days.set(key, (d = { site: e.site, day: e.day, known: this.knownFields.day(key), fresh: new Set(), seen: new Set() }));
      if (d.seen.has(e.fields)) continue;
      d.seen.add(e.fields);
      for (const field of e.fields) if (!d.fresh.has(field) && !d.known?.has(field)) d.fresh.add(field);
    }
    const rows: { key: string; row: [string, number, string] }[] = [];
    for (const d of days.values()) for (const field of d.fresh) rows.push({ key: `${d.site}\u0000${d.day}\u0000${field}`, row: [d.site, d.day, field] });
    // Sorted so concurrent writers lock the same rows in the same order.
    return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.row);
  }

  private async insertFields(tx: Queryable, rows: [string, number, string][]): Promise<void> {
    for (let start = 0; start < rows.length; start += FIELD_ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + FIELD_ROWS_PER_INSERT);
      const sql = this.db.sql.insertIgnoringDuplicates('ah_fields', ['site', 'day', 'field'], chunk.length, ['site', 'day', 'field']);
      await tx.run(sql, chunk.flat());
    }
  }
}
