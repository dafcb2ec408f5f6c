import type { Dialect, ReadSession, SqlValue } from '../db/types';
import { eventsByTime, whereClause, type EventWindow, type KeysetPosition } from './event-window';
import { ReadAhead, type PageWarmer } from './read-ahead';

export type { EventWindow, KeysetPosition } from './event-window';
export type { PageWarmer } from './read-ahead';

export interface EventRow {
  id: number;
  ts: number;
  doc: Buffer;
}

/** Reads one site's events in (event_timestamp, arrival) order, a page at a time, through one snapshot. */
export class EventReader {
  private readonly table: string;

  constructor(
    private readonly session: ReadSession,
    private readonly dialect: Dialect,
    private readonly warmer?: PageWarmer,
  ) {
    this.table = eventsByTime(dialect);
    this.readsOnEventLoop = dialect.name === 'sqlite';
  }

  /** SQLite reads a page synchronously: nothing else, the socket included, moves meanwhile. */
  readonly readsOnEventLoop: boolean;

  /**
   * A read-ahead for one pull of the window (see ReadAhead), or undefined where the store
   * has no warmer (SQLite reads through the OS page cache).
   */
  readAhead(w: EventWindow, limit?: number): ReadAhead | undefined {
    return this.warmer ? new ReadAhead(this.warmer, this.dialect, w, { limit }) : undefined;
  }

  async count(w: EventWindow): Promise<{ count: number; maxId: number }> {
    const where = whereClause(w, null);
    const rows = await this.session.all<{ n: number | string; max_id: number | string | null }>(
      `SELECT COUNT(*) AS n, MAX(id) AS max_id FROM ${this.table} WHERE ${where.sql}`,
      where.params,
    );
    return { count: Number(rows[0]?.n ?? 0), maxId: Number(rows[0]?.max_id ?? 0) };
  }

  async page(w: EventWindow, after: KeysetPosition | null, limit: number): Promise<EventRow[]> {
    const where = whereClause(w, after);
    const rows = await this.session.all<{ id: number | string; ts: number | string; doc: Buffer }>(
      `SELECT id, ts, ${this.dialect.docAsBytes('doc')} FROM ${this.table} WHERE ${where.sql} ORDER BY ts, id LIMIT ?`,
      [...where.params, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), ts: Number(r.ts), doc: r.doc }));
  }

  /**
   * One page as `page` reads it, each document handed to `onDoc` as the driver produces it
   * and dropped after, so a page is never held whole. The document comes in the driver's
   * cheapest form — bytes from MySQL (a Buffer skips a decode/encode per row), a string
   * from SQLite (better-sqlite3 builds strings faster than Buffers); encoded as UTF-8 it
   * is exactly the stored text. `onDoc` also gets the row's keyset position, and may
   * return a promise to hold the rest of the page back until it settles (backpressure).
   * Resolves with the row count and the last position read.
   */
  async pullPage(
    w: EventWindow,
    after: KeysetPosition | null,
    limit: number,
    onDoc: (doc: Buffer | string, ts: number, id: number) => void | Promise<void>,
  ): Promise<{ rows: number; last: KeysetPosition | null }> {
    const where = whereClause(w, after);
    const doc = this.dialect.name === 'sqlite' ? 'doc' : this.dialect.docAsBytes('doc');
    let lastTs = 0;
    let lastId = 0;
    const rows = await this.session.each<{ id: number | string; ts: number | string; doc: Buffer | string }>(
      `SELECT id, ts, ${doc} FROM ${this.table} WHERE ${where.sql} ORDER BY ts, id LIMIT ?`,
      [...where.params, limit],
      (r) => {
        lastTs = Number(r.ts);
        lastId = Number(r.id);
        return onDoc(r.doc, lastTs, lastId);
      },
    );
    return { rows, last: rows > 0 ? { ts: lastTs, id: lastId } : null };
  }

  /** Every page of the window in order, `pageSize` rows per read; stops early if the consumer breaks. */
  async *pages(w: EventWindow, pageSize: number, start: KeysetPosition | null = null): AsyncGenerator<EventRow[]> {
    let after = start;
    for (;;) {
      const rows = await this.page(w, after, pageSize);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = { ts: last.ts, id: last.id };
    }
  }

  /** The distinct values of a scalar SQL expression (over the `doc` column) in the window, each with its number of events. */
  async valueCounts(w: EventWindow, expr: { sql: string; params: SqlValue[] }): Promise<{ value: unknown; count: number }[]> {
    const where = whereClause(w, null);
    const rows = await this.session.all<{ v: unknown; n: number | string }>(`SELECT ${expr.sql} AS v, COUNT(*) AS n FROM ${this.table} WHERE ${where.sql} GROUP BY v`, [
      ...expr.params,
      ...where.params,
    ]);
    return rows.map((r) => ({ value: r.v, count: Number(r.n) }));
  }

  /** The position of the row `offset` rows after `after` (0: the first one), or null past the end. */
  async positionAt(w: EventWindow, after: KeysetPosition | null, offset: number): Promise<KeysetPosition | null> {
    const where = whereClause(w, after);
    const rows = await this.session.all<{ id: number | string; ts: number | string }>(
      `SELECT id, ts FROM ${this.table} WHERE ${where.sql} ORDER BY ts, id LIMIT 1 OFFSET ?`,
      [...where.params, offset],
    );
    return rows.length > 0 ? { ts: Number(rows[0].ts), id: Number(rows[0].id) } : null;
  }

  /** The dotted field names registered for the site's UTC days [firstDay, lastDay], code-point sorted. */
  async fieldNames(site: string, firstDay: number, lastDay: number): Promise<string[]> {
    const rows = await this.session.all<{ field: string | Buffer }>('SELECT DISTINCT field FROM ah_fields WHERE site = ? AND day >= ? AND day <= ?', [
      site,
      firstDay,
      lastDay,
    ]);
    return rows.map((r) => String(r.field)).sort();
  }
}
