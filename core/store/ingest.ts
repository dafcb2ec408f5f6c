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
/** MariaDB writes each event's id from its file's block (migration 0003). */
const EVENT_COLUMNS_WITH_ID = ['id', ...EVENT_COLUMNS] as const;
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
 * How a writer that keeps two files in flight (import) orders them: the file after this one
 * may start once this one is placed, and this one commits only after the one before it.
 */
export interface FileSequencing {
  /** Called once this file's row and its events' ids are taken: whatever starts now arrives after it. */
  placed(): void;
  /** Settles when the file before this one is stored (resolves) or has failed (rejects: this one is not stored). */
  previous: Promise<unknown>;
}

class GaveWay extends Error {}

/**
 * The previous file failed, so this one is not stored. Its own error, wrapped: a deadlock
 * errno of the previous file must not make this file's transaction retry itself.
 */
export class PreviousFileFailed extends Error {
  constructor(readonly reason: unknown) {
    super(`not stored: the file before it failed (${reason instanceof Error ? reason.message : String(reason)})`);
    this.name = 'PreviousFileFailed';
  }
}

/** Settles like `p` (its rejection as PreviousFileFailed), or rejects with GaveWay after `ms`. */
function waitOrGiveWay(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GaveWay('gave way to the previous file')), ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(new PreviousFileFailed(err));
      },
    );
  });
}

/**
 * Stores one file: its events, the field names of their days (the CSV header registry)
 * and the file row, in one transaction — all of it or nothing. A retried transaction
 * (deadlock, Galera certification conflict) stores it once, under the same file id and
 * event ids.
 */
export class Ingestor {
  private readonly knownFields = new KnownFields();
  /**
   * Files one writer may keep in flight. MariaDB spends a server thread per statement on
   * the JSON index columns (migration 0002), so a second file in flight puts the second
   * core to work; SQLite has one writer.
   */
  readonly filesInFlight: number;
  /** Times a file rolled back to let the file before it finish (see storeFile). */
  gaveWay = 0;
  /**
   * How long a file written ahead waits for the previous one before it gives way. The
   * previous file of an import takes well under a second here; a wait this long means it
   * is most likely stuck behind a lock of ours.
   */
  giveWayAfterMs = 5000;

  constructor(private readonly db: Database) {
    this.filesInFlight = db.dialect === 'mysql' ? 2 : 1;
  }

  /**
   * With `sequencing`, the events are written while the previous file may still be being
   * written, but the field rows and the commit wait for it — so files commit in order and a
   * failed one stops the next. Should the previous file need a lock this one holds (a shared
   * event_id, an InnoDB gap lock), neither could finish: after `giveWayAfterMs` this one
   * rolls back, waits for the previous one, and is written again with the same ids.
   */
  async storeFile(events: readonly ValidatedEvent[], source: FileSource, sequencing?: FileSequencing): Promise<IngestResult> {
    const uuid = randomUUID();
    const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.text), 0);
    const newFields = this.newFieldRows(events);
    const firstId = this.db.dialect === 'mysql' ? await this.reserveEventIds(events.length) : null;
    const acceptedAt = Date.now();
    let fileId: number | null = null;
    let placed = false;
    const write = (waitForPrevious: boolean) =>
      this.db.transaction(async (tx) => {
        const row: SqlValue[] = [uuid, source, events.length, bytes, acceptedAt];
        if (fileId === null) {
          fileId = (await tx.run('INSERT INTO ah_files (uuid, source, events, bytes, accepted_at, exported_at) VALUES (?, ?, ?, ?, ?, NULL)', row)).insertId;
        } else {
          // Again after a rollback: the id it had, so files stay in the order they were placed.
          await tx.run('INSERT INTO ah_files (id, uuid, source, events, bytes, accepted_at, exported_at) VALUES (?, ?, ?, ?, ?, ?, NULL)', [fileId, ...row]);
        }
        if (sequencing && !placed) {
          placed = true;
          sequencing.placed();
        }
        const inserted = await this.insertEvents(tx, fileId, events, firstId);
        if (firstId !== null && inserted < events.length) await this.assertBlockOwned(tx, fileId, firstId, events.length);
        if (inserted !== events.length) await tx.run('UPDATE ah_files SET events = ? WHERE id = ?', [inserted, fileId]);
        if (waitForPrevious && sequencing) await waitOrGiveWay(sequencing.previous, this.giveWayAfterMs);
        await this.insertFields(tx, newFields);
        return inserted;
      });
    let accepted: number;
    try {
      accepted = await write(sequencing !== undefined);
    } catch (err) {
      if (!(err instanceof GaveWay) || !sequencing) throw err;
      this.gaveWay++;
      await sequencing.previous.catch((reason: unknown) => {
        throw new PreviousFileFailed(reason);
      });
      accepted = await write(false);
    }
    this.knownFields.addAll(newFields);
    return { file: uuid, accepted, duplicates: events.length - accepted };
  }

  /**
   * MariaDB: `count` consecutive event ids from ah_id_blocks (migration 0003), in one
   * autocommit statement of its own so that the row is locked for microseconds, not for
   * the file's transaction. Ids of a rolled-back file are simply never used.
   */
  private async reserveEventIds(count: number): Promise<number> {
    // Never below a stored id: rows an older version wrote with AUTO_INCREMENT meanwhile
    // (an instance not yet upgraded) are stepped over, not collided with. MAX(id) is the
    // primary key's last entry, read apart: inside the UPDATE it would be a locking read and
    // wait for whichever file is writing the newest rows. One still uncommitted is caught by
    // assertBlockOwned.
    const [{ top }] = await this.db.all<{ top: number | string | null }>('SELECT MAX(id) AS top FROM ah_events');
    const r = await this.db.run("UPDATE ah_id_blocks SET next_id = LAST_INSERT_ID(GREATEST(next_id, ?) + ?) WHERE name = 'ah_events'", [
      Number(top ?? 0) + 1,
      count,
    ]);
    if (r.affectedRows !== 1) throw new Error('the event id block row is missing: run `analytics-host migrate`');
    return r.insertId - count;
  }

  /**
   * MariaDB: an event that was not inserted must be an event_id duplicate, never an id of
   * the block already taken by another row (a writer outside the blocks, still on
   * AUTO_INCREMENT) — the no-op duplicate clause would otherwise drop it silently. Rows of
   * other files inside this file's block mean exactly that: the file fails and rolls back.
   */
  private async assertBlockOwned(tx: Queryable, fileId: number, firstId: number, count: number): Promise<void> {
    const rows = await tx.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM ah_events WHERE id BETWEEN ? AND ? AND file_id <> ?', [
      firstId,
      firstId + count - 1,
      fileId,
    ]);
    const taken = Number(rows[0]?.n ?? 0);
    if (taken > 0) {
      throw new Error(
        `${taken} event id(s) of this file's block were already used by rows written outside analytics-host's id blocks (is an older version still writing to this database?); nothing of the file was stored`,
      );
    }
  }

  private async insertEvents(tx: Queryable, fileId: number, events: readonly ValidatedEvent[], firstId: number | null): Promise<number> {
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
      const columns = firstId === null ? EVENT_COLUMNS : EVENT_COLUMNS_WITH_ID;
      const params: SqlValue[] = new Array((end - start) * columns.length);
      let p = 0;
      for (let i = start; i < end; i++) {
        const e = events[i];
        if (firstId !== null) params[p++] = firstId + i;
        params[p++] = e.site;
        params[p++] = e.timestamp;
        params[p++] = fileId;
        params[p++] = i + 1;
        params[p++] = e.eventType;
        params[p++] = e.eventId;
        params[p++] = e.text;
      }
      const sql = this.db.sql.insertIgnoringDuplicates('ah_events', columns, end - start, ['site', 'event_id']);
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
