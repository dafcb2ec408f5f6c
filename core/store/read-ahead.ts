import type { Dialect, SqlValue } from '../db/types';
import { eventsByTime, whereClause, type EventWindow, type KeysetPosition } from './event-window';

/**
 * Runs a statement outside the reader's snapshot (a pooled connection), for warming rows
 * ahead of the read; resolves with its rows, or undefined when it was not run (too many
 * warm-ups under way).
 */
export type PageWarmer = (sql: string, params: SqlValue[]) => Promise<Record<string, unknown>[] | undefined>;

export interface ReadAheadOptions {
  /** Rows the pull reads at most (a page of a paged pull); default: all. */
  limit?: number;
  /** Rows kept warm ahead of the pull, at most (default 12,000). */
  leadRows?: number;
  /** Bytes of documents kept warm ahead of the pull, at most (default 16 MiB). */
  leadBytes?: number;
  /** Statements that count one stretch of the primary key side by side (default 3). */
  parts?: number;
}

/**
 * How far apart, at most, the arrival ids of the rows to warm may lie (per row) for the
 * warm-up to read their stretch of the primary key rather than each row by its key.
 */
const WARM_SPREAD = 4;

/**
 * The lead. Measured on a 1M-event day (~1.3 KB documents) over MariaDB's default 128 MiB
 * buffer pool: 12,000 rows (~16 MB of documents) 7.5 s a pull, 24,000 rows 12–13 s — pages
 * warmed too far ahead leave InnoDB's old sublist (3/8 of the pool) before the pull reaches
 * them. Hence the cap in bytes too, for sites with larger events.
 */
const LEAD_ROWS = 12_000;
const LEAD_BYTES = 16 * 1048576;

/**
 * Each stretch is counted in parts at once: the disk serves several sequential reads side
 * by side. Medians of 7 alternating pulls of a 100k day: one part 0.85 s, two 0.60–0.70 s,
 * three 0.62–0.67 s, four 0.64 s (the `mariadb` client on the same rows: 0.97–1.11 s).
 */
const WARM_PARTS = 3;

/**
 * Has the database load the rows a pull will read next into its cache, on other
 * connections, while the pull reads the rows before them: a day larger than MariaDB's
 * buffer pool is otherwise read one disk page at a time, the server waiting on each.
 *
 * The warm-ups walk the window from a frontier that only moves forward — the last row
 * warmed — so each index entry is read once by them however often the pull reports. The
 * rows' arrival ids come from the index alone; where they lie close together (events
 * stored about in time order, the usual case) their stretch of the primary key is counted,
 * in parts side by side — sequential scans, which InnoDB reads ahead a whole extent at a
 * time, at a fraction of the CPU of looking each row up — else each row is looked up by
 * its key. Nothing is sent back but counts. One warm-up is under way at a time (a report
 * meanwhile does nothing: the next covers what it would have); failures are of no
 * consequence, since warming changes no answer, only how fast it comes.
 */
export class ReadAhead {
  private busy = false;
  /** The last row warmed, and how many rows of the pull lie up to it. */
  private frontier: { at: KeysetPosition; row: number } | null = null;
  private ended = false;
  private readonly table: string;
  private readonly limit: number;
  private readonly leadRows: number;
  private readonly leadBytes: number;
  private readonly parts: number;

  constructor(
    private readonly warmer: PageWarmer,
    private readonly dialect: Dialect,
    private readonly window: EventWindow,
    options: ReadAheadOptions = {},
  ) {
    this.table = eventsByTime(dialect);
    this.limit = options.limit ?? Infinity;
    this.leadRows = options.leadRows ?? LEAD_ROWS;
    this.leadBytes = options.leadBytes ?? LEAD_BYTES;
    this.parts = Math.max(1, options.parts ?? WARM_PARTS);
  }

  /**
   * The pull has read `done` rows, `doneBytes` bytes of documents, the last at `at` (null:
   * none yet). Warms the rows from a twelfth of the lead to the lead after it — the rows
   * just ahead are the pull's own to read — those up to the frontier excepted.
   */
  progress(at: KeysetPosition | null, done: number, doneBytes: number): void {
    if (this.busy || this.ended) return;
    const byBytes = done > 0 && doneBytes > 0 ? Math.floor((this.leadBytes * done) / doneBytes) : Infinity;
    const lead = Math.max(12, Math.min(this.leadRows, byBytes));
    const gap = Math.ceil(lead / 12);
    const to = Math.min(done + lead, this.limit);
    const from = done + gap;
    const f = this.frontier;
    // From the frontier unless the pull has overtaken it (then from the pull's position).
    const start = f && f.row >= from ? { after: f.at, row: f.row, skip: 0 } : { after: at, row: from, skip: gap };
    const count = to - start.row;
    // Small steps are left for the next report, unless they finish the pull.
    if (count <= 0 || (count < gap && to < this.limit)) return;
    const where = whereClause(this.window, start.after);
    const ids = `SELECT id, ts FROM ${this.table} WHERE ${where.sql} ORDER BY ts, id LIMIT ?${start.skip > 0 ? ' OFFSET ?' : ''}`;
    const params = [...where.params, count, ...(start.skip > 0 ? [start.skip] : [])];
    this.busy = true;
    this.warm(ids, params, count, start.row)
      .catch(() => undefined)
      .finally(() => {
        this.busy = false;
      });
  }

  private async warm(ids: string, params: SqlValue[], count: number, row: number): Promise<void> {
    const span = (await this.warmer(`SELECT MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n, MAX(ts) AS last_ts FROM (${ids}) k`, params))?.[0];
    if (!span) return;
    const n = Number(span.n ?? 0);
    if (n < count) this.ended = true;
    if (n === 0) return;
    const lo = Number(span.lo);
    const hi = Number(span.hi);
    // The rows after (last ts, highest id) come next: a row that shares the last timestamp
    // but has a lower id than an earlier row may go unwarmed, which costs it one disk read.
    this.frontier = { at: { ts: Number(span.last_ts), id: hi }, row: row + n };
    if (hi - lo >= WARM_SPREAD * n) {
      await this.warmer(`SELECT SUM(e.line) AS s FROM (${ids}) k JOIN ah_events e ON e.id = k.id`, params);
      return;
    }
    const step = Math.ceil((hi - lo + 1) / this.parts);
    const counts: Promise<unknown>[] = [];
    for (let a = lo; a <= hi; a += step) {
      counts.push(this.warmer(`SELECT COUNT(*) AS n FROM ah_events ${this.dialect.forcePrimaryKey()} WHERE id >= ? AND id <= ?`, [a, Math.min(hi, a + step - 1)]));
    }
    await Promise.all(counts);
  }
}
