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
const FIELD_ROWS_PER_INSERT = 500;

/** (site, day, field) triples already committed, so hot days do not rewrite their header rows. */
class KnownFields {
  private readonly seen = new Set<string>();
  has(key: string): boolean {
    return this.seen.has(key);
  }
  addAll(keys: Iterable<string>): void {
    if (this.seen.size > 200_000) this.seen.clear();
    for (const k of keys) this.seen.add(k);
  }
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
    this.knownFields.addAll(newFields.map((r) => r.join('\u0000')));
    return { file: uuid, accepted, duplicates: events.length - accepted };
  }

  private async insertEvents(tx: Queryable, fileId: number, events: readonly ValidatedEvent[]): Promise<number> {
    let inserted = 0;
    for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
      const chunk = events.slice(start, start + ROWS_PER_INSERT);
      const params: SqlValue[] = [];
      chunk.forEach((e, i) => params.push(e.site, e.timestamp, fileId, start + i + 1, e.eventType, e.eventId, e.text));
      const sql = this.db.sql.insertIgnoringDuplicates('ah_events', EVENT_COLUMNS, chunk.length, ['site', 'event_id']);
      inserted += (await tx.run(sql, params)).affectedRows;
    }
    return inserted;
  }

  private newFieldRows(events: readonly ValidatedEvent[]): [string, number, string][] {
    const rows = new Map<string, [string, number, string]>();
    for (const e of events) {
      for (const field of e.fields) {
        const key = `${e.site}\u0000${e.day}\u0000${field}`;
        if (!rows.has(key) && !this.knownFields.has(key)) rows.set(key, [e.site, e.day, field]);
      }
    }
    // Sorted so concurrent writers lock the same rows in the same order.
    return [...rows.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
  }

  private async insertFields(tx: Queryable, rows: [string, number, string][]): Promise<void> {
    for (let start = 0; start < rows.length; start += FIELD_ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + FIELD_ROWS_PER_INSERT);
      const sql = this.db.sql.insertIgnoringDuplicates('ah_fields', ['site', 'day', 'field'], chunk.length, ['site', 'day', 'field']);
      await tx.run(sql, chunk.flat());
    }
  }
}
