import type { Dialect, SqlValue } from '../db/types';

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

/** The SQL condition (and its parameters) for the window's rows after a keyset position. */
export function whereClause(w: EventWindow, after: KeysetPosition | null): { sql: string; params: SqlValue[] } {
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
 * The events table as a pull reads it, hinted to the (site, event_timestamp, arrival)
 * index: without the hint MariaDB picks the site prefix alone and every page re-reads the
 * window from its start.
 */
export function eventsByTime(dialect: Dialect): string {
  return `ah_events ${dialect.forceIndex('ah_events_site_ts')}`;
}
