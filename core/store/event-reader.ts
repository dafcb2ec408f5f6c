import type { Dialect, ReadSession, SqlValue } from '../db/types';

/** Which events a pull covers: one site, a [from, to) window of event_timestamp, optional filters. */
export interface EventWindow {
  site: string;
  /** Inclusive, ms since the epoch. */
  from: number;
  /** Exclusive, ms since the epoch. */
  to: number;
  eventType?: string;
  /** Only events with id ≤ this (a paged pull's fixed horizon). */
  maxId?: number;
  /** An extra SQL condition on the row (e.g. the range pull's bot filter), with its parameters. */
  filter?: { sql: string; params: SqlValue[] };
}

/** Keyset position: the last (event_timestamp, arrival id) already handed out. */
export interface KeysetPosition {
  ts: number;
  id: number;
}

export interface EventRow {
  id: number;
  ts: number;
  doc: Buffer;
}

function whereClause(w: EventWindow, after: KeysetPosition | null): { sql: string; params: SqlValue[] } {
  // The range's lower bound is the keyset position itself, not the window's start: with
  // `ts >= from` both engines walk the index from the start of the window on every page
  // and filter the OR below row by row, so a day read in pages turned quadratic.
  const lower = after && after.ts > w.from ? after.ts : w.from;
  let sql = 'site = ? AND ts >= ? AND ts < ?';
  const params: SqlValue[] = [w.site, lower, w.to];
  if (w.eventType !== undefined) {
    sql += ' AND event_type = ?';
    params.push(w.eventType);
  }
  if (w.maxId !== undefined) {
    sql += ' AND id <= ?';
    params.push(w.maxId);
  }
  if (w.filter) {
    sql += ` AND (${w.filter.sql})`;
    params.push(...w.filter.params);
  }
  if (after) {
    sql += ' AND (ts > ? OR (ts = ? AND id > ?))';
    params.push(after.ts, after.ts, after.id);
  }
  return { sql, params };
}

/**
 * Runs a statement outside the reader's snapshot (a pooled connection), for warming pages
 * ahead of the read; resolves with its rows, or undefined when it was not run (too many
 * warm-ups under way).
 */
export type PageWarmer = (sql: string, params: SqlValue[]) => Promise<Record<string, unknown>[] | undefined>;

/**
 * How far apart, at most, the arrival ids of the rows to warm may lie (per row) for the
 * warm-up to read their stretch of the primary key rather than each row by its key.
 */
const WARM_SPREAD = 4;

/**
 * Reads one site's events in (event_timestamp, arrival) order, a page at a time, through
 * one snapshot. The index hint matters on MariaDB: without it the planner picks the site
 * prefix alone and every page re-reads the window from its start.
 */
export class EventReader {
  private readonly table: string;
  private warming: Promise<unknown> | null = null;

  constructor(
    private readonly session: ReadSession,
    private readonly dialect: Dialect,
    private readonly warmer?: PageWarmer,
  ) {
    this.table = `ah_events ${dialect.forceIndex('ah_events_site_ts')}`;
    this.readsOnEventLoop = dialect.name === 'sqlite';
  }

  /** SQLite reads a page synchronously: nothing else, the socket included, moves meanwhile. */
  readonly readsOnEventLoop: boolean;

  /**
   * Has the database load the rows `skip` to `skip + count` after `after` into its cache,
   * on another connection, while this reader reads the rows before them: a day larger than
   * MariaDB's buffer pool is otherwise read one disk page at a time, the server waiting on
   * each. The rows' arrival ids come from the index alone; where they lie close together
   * (events stored about in time order, the usual case) the warm-up counts that stretch of
   * the primary key — a sequential scan, which InnoDB reads ahead a whole extent at a time,
   * at a fraction of the CPU of looking each row up — else it looks each row up by its key.
   * Nothing is sent back but a count. At most one warm-up per reader is under way (a call
   * while one runs does nothing); failures are of no consequence. A no-op without a warmer
   * (SQLite reads through the OS page cache).
   */
  warmAhead(w: EventWindow, after: KeysetPosition | null, skip: number, count: number): void {
    const warmer = this.warmer;
    if (!warmer || this.warming || count <= 0) return;
    const where = whereClause(w, after);
    const ids = `SELECT id FROM ${this.table} WHERE ${where.sql} ORDER BY ts, id LIMIT ? OFFSET ?`;
    const params = [...where.params, count, skip];
    this.warming = (async () => {
      const span = (await warmer(`SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n FROM (${ids}) k`, params))?.[0];
      const n = Number(span?.n ?? 0);
      if (n === 0) return;
      const lo = Number(span!.lo);
      const hi = Number(span!.hi);
      if (hi - lo < WARM_SPREAD * n) await warmer(`SELECT COUNT(*) AS n FROM ah_events ${this.dialect.forcePrimaryKey()} WHERE id >= ? AND id <= ?`, [lo, hi]);
      else await warmer(`SELECT SUM(e.line) AS s FROM (${ids}) k JOIN ah_events e ON e.id = k.id`, params);
    })()
      .catch(() => undefined)
      .finally(() => {
        this.warming = null;
      });
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

  /** The distinct values of a scalar SQL expression (over the `doc` column) in the window. */
  async distinctValues(w: EventWindow, expr: { sql: string; params: SqlValue[] }): Promise<unknown[]> {
    const where = whereClause(w, null);
    const rows = await this.session.all<{ v: unknown }>(`SELECT DISTINCT ${expr.sql} AS v FROM ${this.table} WHERE ${where.sql}`, [...expr.params, ...where.params]);
    return rows.map((r) => r.v);
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
