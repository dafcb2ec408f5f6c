import type { ExecuteValues, FieldPacket, PoolConnection, PoolOptions, ResultSetHeader, TypeCastField, TypeCastNext } from 'mysql2';
import { mysqlDialect } from './dialects';
import { ClusterPool, type ClusterPoolOptions } from './mysql-cluster';
import type { Database, Queryable, ReadSession, Row, RunResult, SqlParams } from './types';

/** Errors after which a transaction is simply run again: deadlock / Galera certification conflict. */
const RETRYABLE = new Set([1213, 1205]);
const MAX_TX_ATTEMPTS = 6;
/**
 * How long the server may wait on a read session whose reader paused a streamed result
 * (a pull whose client reads slowly): one hour, then the query fails and the pull with it.
 */
const READ_SESSION_WRITE_TIMEOUT_S = 3600;

export interface MysqlTarget {
  user: string;
  password: string;
  database: string;
  hosts: { host: string; port: number }[];
  params: URLSearchParams;
}

export function parseMysqlUrl(url: string): MysqlTarget {
  const m = /^mysql:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/([^?#]+)(?:\?([^#]*))?$/.exec(url);
  if (!m) throw new Error('DATABASE_URL must look like mysql://user:pass@host:3306/database');
  const hosts = m[3].split(',').map((hp) => {
    const [host, port] = hp.split(':');
    const n = port === undefined ? 3306 : Number(port);
    if (!host || !Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`DATABASE_URL has an invalid host "${hp}"`);
    return { host, port: n };
  });
  return {
    user: decodeURIComponent(m[1] ?? 'root'),
    password: decodeURIComponent(m[2] ?? ''),
    database: decodeURIComponent(m[4]),
    hosts,
    params: new URLSearchParams(m[5] ?? ''),
  };
}

/** Documents come back as Buffers: written to a response as they are, no decode/encode per row. */
function docsAsBuffers(field: TypeCastField, next: TypeCastNext): unknown {
  if (field.name === 'doc') return field.buffer();
  return next();
}

type CallbackConnection = PoolConnection;

function connQuery<T>(conn: CallbackConnection, sql: string, params: SqlParams | undefined, typeCast?: typeof docsAsBuffers): Promise<T> {
  return new Promise((resolve, reject) => {
    const cb = (err: Error | null, rows: unknown) => (err ? reject(err) : resolve(rows as T));
    if (typeCast) conn.query({ sql, values: params as unknown[] | undefined, typeCast }, cb);
    else if (params && params.length > 0) conn.execute(sql, params as ExecuteValues[], cb as (e: Error | null, r: unknown, f: FieldPacket[]) => void);
    else conn.query(sql, cb);
  });
}

function toRunResult(r: unknown): RunResult {
  const h = r as ResultSetHeader;
  return { affectedRows: h.affectedRows ?? 0, insertId: Number(h.insertId ?? 0) };
}

function connQueryable(conn: CallbackConnection): Queryable {
  return {
    all: <T = Row>(sql: string, params?: SqlParams) => connQuery<T[]>(conn, sql, params),
    run: async (sql: string, params?: SqlParams) => toRunResult(await connQuery(conn, sql, params)),
  };
}

function errno(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? (err as { errno?: number }).errno : undefined;
}

/** Kill the socket itself: connection.destroy() alone leaves the server writing to it until net_write_timeout. */
function hardDestroy(conn: CallbackConnection): void {
  const raw = conn as unknown as { stream?: { destroy(): void } };
  try {
    raw.stream?.destroy();
  } catch {
    /* already gone */
  }
  conn.destroy();
}

export class MysqlDatabase implements Database {
  readonly dialect = 'mysql' as const;
  readonly sql = mysqlDialect;
  /** Several hosts in the URL: the first usable one, and the next when it dies or leaves the cluster (mysql-cluster.ts). */
  private readonly pool: ClusterPool;
  private closed = false;

  constructor(readonly target: MysqlTarget, extra: Partial<PoolOptions> = {}, cluster: Partial<ClusterPoolOptions> = {}) {
    const param = (name: string) => (target.params.has(name) ? Number(target.params.get(name)) : undefined);
    const poolOptions: PoolOptions = {
      user: target.user,
      password: target.password,
      database: target.database,
      connectionLimit: Number(target.params.get('connectionLimit') ?? 10),
      waitForConnections: true,
      jsonStrings: true,
      supportBigNumbers: true,
      decimalNumbers: true,
      dateStrings: true,
      charset: 'utf8mb4_bin',
      enableKeepAlive: true,
      // affectedRows must count rows changed, not matched: a duplicate event_id is a no-op, not a row.
      flags: ['-FOUND_ROWS'],
      ...(param('connectTimeout') !== undefined ? { connectTimeout: param('connectTimeout') } : {}),
      ...extra,
    };
    this.pool = new ClusterPool({
      hosts: target.hosts,
      pool: poolOptions,
      wsrepSyncWait: param('wsrepSyncWait'),
      failbackMs: param('failbackSeconds') === undefined ? undefined : param('failbackSeconds')! * 1000,
      ...cluster,
    });
  }

  private getConnection(): Promise<CallbackConnection> {
    return this.pool.getConnection();
  }

  private async withConnection<T>(fn: (c: CallbackConnection) => Promise<T>): Promise<T> {
    const conn = await this.getConnection();
    try {
      const r = await fn(conn);
      conn.release();
      return r;
    } catch (err) {
      this.pool.noteError(conn, err);
      // A connection that failed mid-command may be half-dead: never hand it back.
      if (errno(err) === undefined || (err as { fatal?: boolean }).fatal) conn.destroy();
      else conn.release();
      throw err;
    }
  }

  all<T = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.autocommit(() => this.withConnection((c) => connQuery<T[]>(c, sql, params)));
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.autocommit(() => this.withConnection(async (c) => toRunResult(await connQuery(c, sql, params))));
  }

  /**
   * One autocommit statement, run again after a deadlock / certification conflict: it had
   * no effect, so this is what the server's wsrep_retry_autocommit does, with more patience
   * (three instances writing the same row on three nodes can exhaust its single retry).
   * A statement run again sees the winner's write: a lease taken elsewhere reads as taken.
   */
  private async autocommit<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const code = errno(err);
        if (code === undefined || !RETRYABLE.has(code) || attempt >= MAX_TX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 5 * 2 ** attempt + Math.random() * 20));
      }
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withConnection(async (conn) => {
          await connQuery(conn, 'START TRANSACTION', undefined);
          try {
            const result = await fn(connQueryable(conn));
            await connQuery(conn, 'COMMIT', undefined);
            return result;
          } catch (err) {
            await connQuery(conn, 'ROLLBACK', undefined).catch(() => undefined);
            throw err;
          }
        });
      } catch (err) {
        const code = errno(err);
        if (code === undefined || !RETRYABLE.has(code) || attempt >= MAX_TX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 5 * 2 ** attempt + Math.random() * 20));
      }
    }
  }

  async openReadSession(): Promise<ReadSession> {
    const conn = await this.getConnection();
    let open = true;
    let failure: Error | undefined;
    // A dead connection is reported on the connection, not on the pending query.
    const onError = (err: Error) => {
      failure = err;
    };
    conn.on('error', onError);
    try {
      // A result paused for a slow client must outlive the server's 60 s default for a blocked
      // write. The setting stays with the pooled connection: harmless, as every other
      // statement's result is read at once.
      await connQuery(conn, `SET SESSION net_write_timeout = ${READ_SESSION_WRITE_TIMEOUT_S}`, undefined);
      await connQuery(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY', undefined);
    } catch (err) {
      this.pool.noteError(conn, err);
      conn.off('error', onError);
      hardDestroy(conn);
      throw err;
    }
    const finish = (destroy: boolean) => {
      if (!open) return;
      open = false;
      conn.off('error', onError);
      if (destroy) hardDestroy(conn);
    };
    return {
      all: async <T = Row>(sql: string, params?: SqlParams) => {
        if (!open) throw new Error('read session is closed');
        if (failure) throw failure;
        try {
          return await connQuery<T[]>(conn, sql, params, docsAsBuffers);
        } catch (err) {
          finish(true);
          throw err;
        }
      },
      each: <T = Row>(sql: string, params: SqlParams | undefined, onRow: (row: T) => void | Promise<void>) => {
        if (!open) return Promise.reject(new Error('read session is closed'));
        if (failure) return Promise.reject(failure);
        return new Promise<number>((resolve, reject) => {
          let n = 0;
          let settled = false;
          const settle = (err: Error | null) => {
            if (settled) return;
            settled = true;
            conn.off('error', onConnectionError);
            conn.off('end', onConnectionEnd);
            if (!err) return resolve(n);
            // Mid-result, the only way to stop the server is to drop the connection.
            finish(true);
            reject(err);
          };
          // A dead connection is told to the connection, not always to the running query.
          const onConnectionError = (err: Error) => settle(err);
          const onConnectionEnd = () => settle(new Error('the database connection closed during the query'));
          conn.on('error', onConnectionError);
          conn.on('end', onConnectionEnd);
          const query = conn.query({ sql, values: params as unknown[] | undefined, typeCast: docsAsBuffers });
          query.on('result', (row: unknown) => {
            if (settled) return;
            let wait: void | Promise<void>;
            try {
              wait = onRow(row as T);
              n++;
            } catch (err) {
              return settle(err instanceof Error ? err : new Error(String(err)));
            }
            if (!wait) return;
            // Rows already read stay queued in the driver; the server blocks on a full socket.
            conn.pause();
            wait.then(
              () => {
                if (!settled) conn.resume();
              },
              (err: unknown) => settle(err instanceof Error ? err : new Error(String(err))),
            );
          });
          query.on('error', (err: Error) => settle(err));
          query.on('end', () => settle(null));
        });
      },
      close: async () => {
        if (!open) return;
        try {
          await connQuery(conn, 'COMMIT', undefined);
          finish(false);
          conn.release();
        } catch {
          finish(true);
        }
      },
      destroy: () => finish(true),
    };
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
