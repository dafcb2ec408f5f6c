/** The one query layer both backends implement (Ghost-style: same SQL, two drivers). */

export type SqlValue = string | number | bigint | boolean | null | Buffer;
export type SqlParams = readonly SqlValue[];
export type Row = Record<string, unknown>;

export type DialectName = 'sqlite' | 'mysql';

export interface RunResult {
  /** Rows actually changed (MySQL: 0 for an ON DUPLICATE KEY no-op; SQLite: changes()). */
  affectedRows: number;
  insertId: number;
}

export interface Queryable {
  all<T = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
}

/**
 * A dedicated connection holding one consistent snapshot, for long reads (a day pull, an
 * export run): pages read through it all see the same committed data, and closing it
 * with an error stops whatever the server is still doing for it.
 */
export interface ReadSession {
  /** Rows with the `doc` column returned as a Buffer (no per-row UTF-8 round trip). */
  all<T = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /**
   * The rows handed to `onRow` one at a time, as the driver produces them (columns as in
   * `all`), so a large result is never held whole: each row can be garbage as soon as
   * `onRow` returns. Resolves with the number of rows. If `onRow` returns a promise, no
   * further row comes until it settles — backpressure: on MySQL the connection stops
   * reading, so the server waits with the rest of the result. If `onRow` throws (or its
   * promise rejects), the rest of the result is abandoned (on MySQL by destroying the
   * session: a streaming result cannot be stopped otherwise) and the promise rejects with
   * that error.
   */
  each<T = Row>(sql: string, params: SqlParams | undefined, onRow: (row: T) => void | Promise<void>): Promise<number>;
  close(): Promise<void>;
  /** Abandon the session at once (client went away, or a fatal error): kills the server-side work. */
  destroy(): void;
}

export interface Database extends Queryable {
  readonly dialect: DialectName;
  readonly sql: Dialect;
  /** Runs fn in one transaction; retried as a whole on a deadlock / certification conflict. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  openReadSession(): Promise<ReadSession>;
  /** Fails with the driver's error if the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** SQL that differs between the two engines, in one place. */
export interface Dialect {
  readonly name: DialectName;
  /** `INSERT … VALUES …` plus the clause that turns a unique-key clash into a silent no-op. */
  insertIgnoringDuplicates(table: string, columns: readonly string[], rowCount: number, conflictColumns: readonly string[]): string;
  /** Upsert of one row keyed by `keyColumns`. */
  upsert(table: string, columns: readonly string[], keyColumns: readonly string[]): string;
  /** Index hint placed after the table name so the planner uses the keyset index. */
  forceIndex(index: string): string;
  /** Hint after a table name that makes the planner range-scan the primary key. */
  forcePrimaryKey(): string;
  /** Select-list item returning the document column as bytes, named `doc`. */
  docAsBytes(column: string): string;
  /** Expression extracting a JSON path ('$.a.b') from a document column as SQL scalar. */
  jsonScalar(column: string): string;
}

export class DatabaseError extends Error {
  constructor(message: string, readonly code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}
