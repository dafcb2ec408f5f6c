import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sqliteDialect } from './dialects';
import { WalCheckpointer } from './sqlite-checkpointer';
import type { Database, Queryable, ReadSession, Row, RunResult, SqlParams, SqlValue } from './types';

type Sqlite = BetterSqlite3.Database;

function bind(params: SqlParams | undefined): unknown[] {
  if (!params) return [];
  return params.map((p: SqlValue) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/**
 * better-sqlite3 is synchronous; a transaction whose body awaits would let other callers'
 * statements slip into it on the shared connection. Every use of the main connection
 * therefore goes through one promise queue.
 */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }
}

function statementCache(db: Sqlite) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return (sql: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, stmt);
    }
    return stmt;
  };
}

function makeQueryable(db: Sqlite): Queryable {
  const prepare = statementCache(db);
  return {
    async all<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
      return prepare(sql).all(...bind(params)) as T[];
    },
    async run(sql: string, params?: SqlParams): Promise<RunResult> {
      const stmt = prepare(sql);
      if (!stmt.reader) {
        const r = stmt.run(...bind(params));
        return { affectedRows: r.changes, insertId: Number(r.lastInsertRowid) };
      }
      stmt.all(...bind(params));
      return { affectedRows: 0, insertId: 0 };
    },
  };
}

/** Rows written (events and index rows count once each) between two background checkpoints: about one import file. */
const CHECKPOINT_EVERY_CHANGES = 4000;

export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly sql = sqliteDialect;
  private readonly db: Sqlite;
  private readonly direct: Queryable;
  private readonly queue = new SerialQueue();
  private closing: Promise<void> | null = null;
  /** WAL checkpoints off the event loop (null for an in-memory database). */
  readonly checkpointer: WalCheckpointer | null;
  private readonly totalChanges: BetterSqlite3.Statement;
  private changesAtKick = 0;

  constructor(readonly file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new BetterSqlite3(file);
    // 16 KiB pages (a new file only; an existing one keeps its own): documents of 1–1.5 KB
    // go ten to a page instead of two, and import stored ~1.4x the events/s of 4 KiB pages.
    this.db.pragma('page_size = 16384');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('foreign_keys = ON');
    // Checkpoint less often than every 1000 pages: one per import file instead of several.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('cache_size = -65536');
    this.direct = makeQueryable(this.db);
    this.checkpointer = file === ':memory:' ? null : new WalCheckpointer(file);
    this.totalChanges = this.db.prepare('SELECT total_changes()').pluck();
  }

  /** After a commit: a background checkpoint once enough rows were written since the last one. */
  private afterCommit(): void {
    if (!this.checkpointer) return;
    const changes = Number(this.totalChanges.get());
    if (changes - this.changesAtKick < CHECKPOINT_EVERY_CHANGES) return;
    this.changesAtKick = changes;
    this.checkpointer.kick();
  }

  all<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.queue.run(() => this.direct.all<T>(sql, params));
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.queue.run(() => this.direct.run(sql, params));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        this.afterCommit();
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async openReadSession(): Promise<ReadSession> {
    if (this.file === ':memory:') throw new Error('read sessions need a database file');
    // A second connection: WAL gives it a snapshot of its own while writers go on.
    const reader = new BetterSqlite3(this.file, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 10000');
    const q = makeQueryable(reader);
    const prepare = statementCache(reader);
    reader.exec('BEGIN');
    let open = true;
    const end = () => {
      if (!open) return;
      open = false;
      try {
        if (reader.inTransaction) reader.exec('COMMIT');
      } finally {
        reader.close();
      }
    };
    return {
      all: <T = Row>(sql: string, params?: SqlParams) => {
        if (!open) return Promise.reject(new Error('read session is closed'));
        return q.all<T>(sql, params);
      },
      each: async <T = Row>(sql: string, params: SqlParams | undefined, onRow: (row: T) => void | Promise<void>) => {
        if (!open) throw new Error('read session is closed');
        let n = 0;
        // Leaving the loop early (onRow threw) resets the statement.
        for (const row of prepare(sql).iterate(...bind(params))) {
          const wait = onRow(row as T);
          n++;
          if (wait) await wait;
        }
        return n;
      },
      close: async () => end(),
      destroy: () => end(),
    };
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1');
  }

  close(): Promise<void> {
    // A second caller waits for the same close.
    this.closing ??= (async () => {
      await this.checkpointer?.close();
      await this.queue.run(() => this.db.close());
    })();
    return this.closing;
  }
}
