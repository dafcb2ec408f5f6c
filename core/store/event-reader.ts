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
  let sql = 'site = ? AND ts >= ? AND ts < ?';
  const params: SqlValue[] = [w.site, w.from, w.to];
  if (w.eventType !== undefined) {
    sql += ' AND event_type = ?';
    params.push(w.eventType);
  }
  if (w.maxId !== undefined) {
    sql += ' AND id <= ?';
    params.push(w.maxId);
  }
  if (after) {
    sql += ' AND (ts > ? OR (ts = ? AND id > ?))';
    params.push(after.ts, after.ts, after.id);
  }
  return { sql, params };
}

/**
 * Reads one site's events in (event_timestamp, arrival) order, a page at a time, through
 * one snapshot. The index hint matters on MariaDB: without it the planner picks the site
 * prefix alone and every page re-reads the window from its start.
 */
export class EventReader {
  private readonly table: string;

  constructor(
    private readonly session: ReadSession,
    private readonly dialect: Dialect,
  ) {
    this.table = `ah_events ${dialect.forceIndex('ah_events_site_ts')}`;
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
