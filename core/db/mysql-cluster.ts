import mysql from 'mysql2';
import type { Pool, PoolConnection, PoolOptions } from 'mysql2';

/**
 * Host selection and failover for a DATABASE_URL that lists several hosts (a MariaDB
 * Galera cluster): connections go to the first host in the list that answers and is
 * usable; when that node dies or stops being usable, the next operation moves to the next
 * host — no restart. A Galera node is usable only while `wsrep_local_state_comment` is
 * `Synced`, `wsrep_ready` is ON and its component is Primary; a plain server (no wsrep
 * provider) is always usable. A URL with one host behaves exactly like a plain pool.
 */

export interface HostAddress {
  host: string;
  port: number;
}

export interface ClusterPoolOptions {
  /** In order of preference: the first usable one is used. */
  hosts: readonly HostAddress[];
  /** mysql2 pool options shared by every host (host/port are set per host). */
  pool: PoolOptions;
  /**
   * `SET SESSION wsrep_sync_wait = N` on every connection to a Galera node (default 1:
   * reads and BEGIN wait until the node has applied every write the cluster committed
   * before them). 0 leaves the server's setting alone.
   */
  wsrepSyncWait?: number;
  /** How long a host's state check stays fresh: an older one is repeated on the next acquire (ms, default 1000). */
  recheckMs?: number;
  /**
   * While a later host is in use, how often the earlier (preferred) ones are probed so the
   * pool moves back once one of them is usable again; also how long a failed host is passed
   * over when choosing a new one (ms, default 30000; 0: never move back on its own).
   */
  failbackMs?: number;
  /** Told when the pool changes host (default: silent). */
  log?: (message: string) => void;
}

/** No host of the list could be used; `reasons` says why, host by host. */
export class NoUsableHostError extends Error {
  readonly code = 'ER_NO_USABLE_HOST';
  constructor(readonly reasons: readonly string[], options?: { cause?: unknown }) {
    super(`no usable database host: ${reasons.join('; ')}`, options);
    this.name = 'NoUsableHostError';
  }
}

/** Network / connection-level failures: the node (or the way to it) is gone. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
/** Server answers meaning "not this node, not now": 1047 WSREP not ready (left the cluster / non-Primary), 1053 server shutdown in progress. */
const NODE_UNUSABLE_ERRNO = new Set([1047, 1053]);
/** Contention that outlived the retries (deadlock / certification conflict, lock wait or causal-read timeout). */
const CONTENTION_ERRNO = new Set([1213, 1205]);

function prop<T>(err: unknown, key: string): T | undefined {
  return typeof err === 'object' && err !== null ? ((err as Record<string, unknown>)[key] as T | undefined) : undefined;
}

/** The node behind this error cannot serve (it died, the connection broke, or it left the cluster). */
export function isNodeFailure(err: unknown): boolean {
  if (err instanceof NoUsableHostError) return true;
  const code = prop<string>(err, 'code');
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  const errno = prop<number>(err, 'errno');
  if (errno !== undefined && NODE_UNUSABLE_ERRNO.has(errno)) return true;
  return prop<boolean>(err, 'fatal') === true && errno === undefined;
}

/**
 * The database is unavailable for the moment and the same request may well succeed a
 * little later (on another node): what HTTP calls 503 with Retry-After.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (isNodeFailure(err)) return true;
  const errno = prop<number>(err, 'errno');
  return errno !== undefined && CONTENTION_ERRNO.has(errno);
}

export interface NodeState {
  /** A Galera node (a wsrep provider is loaded). */
  galera: boolean;
  usable: boolean;
  /** Why it is not usable. */
  reason?: string;
}

function describe(h: HostAddress): string {
  return `${h.host}:${h.port}`;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = prop<string>(err, 'code');
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Anything mysql2 can run a plain query on: a pool connection or a standalone one. */
type QueryTarget = Pick<mysql.Connection, 'query'>;

function query<T>(conn: QueryTarget, sql: string): Promise<T> {
  return new Promise((resolve, reject) => {
    conn.query(sql, (err: Error | null, rows: unknown) => (err ? reject(err) : resolve(rows as T)));
  });
}

/** Reads the wsrep state of the server behind `conn`: one round trip. */
export async function inspectNode(conn: QueryTarget): Promise<NodeState> {
  const rows = await query<{ Variable_name: string; Value: string }[]>(
    conn,
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_provider_name', 'wsrep_local_state_comment', 'wsrep_ready', 'wsrep_cluster_status')",
  );
  const v = new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
  // MySQL, or MariaDB without a wsrep provider (wsrep variables present but empty): a plain server.
  if (!v.get('wsrep_provider_name')) return { galera: false, usable: true };
  const state = v.get('wsrep_local_state_comment') ?? '?';
  const ready = v.get('wsrep_ready') ?? '?';
  const status = v.get('wsrep_cluster_status') ?? '?';
  if (state !== 'Synced' || ready !== 'ON' || status !== 'Primary') {
    return { galera: true, usable: false, reason: `wsrep_local_state_comment=${state}, wsrep_ready=${ready}, wsrep_cluster_status=${status}` };
  }
  return { galera: true, usable: true };
}

interface HostState {
  index: number;
  address: HostAddress;
  /** When the host last failed (0: never); a failed host is passed over for failbackMs. */
  failedAt: number;
  lastError: string;
}

/** One mysql2 pool on one host. Retired when the cluster pool moves away; ended once its last connection is back. */
interface PoolEntry {
  host: HostState;
  pool: Pool;
  inUse: Set<PoolConnection>;
  retired: boolean;
  ended: boolean;
  /** Last time this host's state was read through one of its connections. */
  checkedAt: number;
  galera: boolean;
}

function poolGet(pool: Pool): Promise<PoolConnection> {
  return new Promise((resolve, reject) => pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn))));
}

export class ClusterPool {
  private readonly hosts: HostState[];
  private readonly syncWait: number;
  private readonly recheckMs: number;
  private readonly failbackMs: number;
  private current: PoolEntry | null = null;
  private selecting: Promise<PoolEntry> | null = null;
  private readonly entries = new Set<PoolEntry>();
  private readonly owner = new WeakMap<PoolConnection, PoolEntry>();
  /** Connections that passed their first check (and got their session settings). */
  private readonly prepared = new WeakSet<PoolConnection>();
  private lastFailbackProbe = 0;
  private probing = false;
  private closed = false;

  constructor(private readonly options: ClusterPoolOptions) {
    if (options.hosts.length === 0) throw new Error('no database host given');
    this.hosts = options.hosts.map((address, index) => ({ index, address, failedAt: 0, lastError: '' }));
    this.syncWait = options.wsrepSyncWait ?? 1;
    this.recheckMs = options.recheckMs ?? 1000;
    this.failbackMs = options.failbackMs ?? 30_000;
  }

  /** The host in use now (null before the first connection or right after a failure). */
  get currentHost(): HostAddress | null {
    return this.current?.host.address ?? null;
  }

  /**
   * A connection to the current host, checked: new connections (and, every recheckMs, one
   * per host) have the node's state read first; a host that fails to connect or is not
   * usable is left for the next one in the list, and this call goes on there.
   */
  async getConnection(): Promise<PoolConnection> {
    const reasons: string[] = [];
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.hosts.length * 2; attempt++) {
      if (this.closed) throw new Error('Pool is closed.');
      const entry = await this.currentEntry();
      let conn: PoolConnection;
      try {
        conn = await poolGet(entry.pool);
      } catch (err) {
        if (this.closed) throw err;
        // Waiting in a pool that was retired meanwhile (and ended): simply go on with the current one.
        if (entry.retired) continue;
        lastError = err;
        reasons.push(`${describe(entry.host.address)}: ${errorText(err)}`);
        this.markBad(entry, errorText(err));
        continue;
      }
      this.track(entry, conn);
      if (entry.retired) {
        conn.release();
        continue;
      }
      const fresh = !this.prepared.has(conn);
      if (fresh || Date.now() - entry.checkedAt >= this.recheckMs) {
        // Claimed before the round trip: a burst of acquires reads the state once, not once each.
        if (!fresh) entry.checkedAt = Date.now();
        try {
          const state = await inspectNode(conn);
          entry.checkedAt = Date.now();
          entry.galera = state.galera;
          if (!state.usable) {
            conn.release();
            reasons.push(`${describe(entry.host.address)}: ${state.reason ?? 'not usable'}`);
            this.markBad(entry, state.reason ?? 'not usable');
            continue;
          }
          if (fresh) {
            if (state.galera && this.syncWait > 0) await query(conn, `SET SESSION wsrep_sync_wait = ${Math.floor(this.syncWait)}`);
            this.prepared.add(conn);
          }
        } catch (err) {
          conn.destroy();
          lastError = err;
          reasons.push(`${describe(entry.host.address)}: ${errorText(err)}`);
          // A pooled connection that died idle says little (wait_timeout, a killed thread):
          // try a new one on the same host; a new connection that fails condemns the host.
          if (fresh) this.markBad(entry, errorText(err));
          continue;
        }
      }
      this.maybeFailback();
      return conn;
    }
    // One host: its own error, as a plain pool would give it.
    if (this.hosts.length === 1 && lastError !== undefined) throw lastError;
    throw new NoUsableHostError(reasons, { cause: lastError });
  }

  /**
   * Told about an error an operation got on `conn`: a node that answered "not ready"
   * (left the cluster, shutting down) is left at once. A broken connection needs nothing
   * here — the next connection attempt to a dead node fails and moves the pool on.
   */
  noteError(conn: PoolConnection, err: unknown): void {
    const errno = prop<number>(err, 'errno');
    if (errno === undefined || !NODE_UNUSABLE_ERRNO.has(errno)) return;
    const entry = this.owner.get(conn);
    if (entry) this.markBad(entry, errorText(err));
  }

  async end(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.current = null;
    await Promise.all([...this.entries].map((e) => this.endEntry(e)));
  }

  private async currentEntry(): Promise<PoolEntry> {
    if (this.current && !this.current.retired) return this.current;
    if (!this.selecting) {
      this.selecting = this.select().finally(() => {
        this.selecting = null;
      });
    }
    return this.selecting;
  }

  /** Hosts in list order, those that failed within failbackMs last; the first that connects and is usable wins. */
  private async select(): Promise<PoolEntry> {
    const now = Date.now();
    const recent = (h: HostState) => h.failedAt > 0 && now - h.failedAt < Math.max(this.failbackMs, 1000);
    const order = [...this.hosts.filter((h) => !recent(h)), ...this.hosts.filter(recent)];
    const reasons: string[] = [];
    let lastError: unknown;
    for (const host of order) {
      if (this.closed) break;
      const entry = this.newEntry(host);
      try {
        const conn = await poolGet(entry.pool);
        this.track(entry, conn);
        try {
          const state = await inspectNode(conn);
          entry.checkedAt = Date.now();
          entry.galera = state.galera;
          if (!state.usable) throw new Error(state.reason ?? 'not usable');
          if (state.galera && this.syncWait > 0) await query(conn, `SET SESSION wsrep_sync_wait = ${Math.floor(this.syncWait)}`);
          this.prepared.add(conn);
          conn.release();
        } catch (err) {
          conn.destroy();
          throw err;
        }
      } catch (err) {
        lastError = err;
        host.failedAt = Date.now();
        host.lastError = errorText(err);
        reasons.push(`${describe(host.address)}: ${host.lastError}`);
        entry.retired = true;
        void this.reap(entry);
        continue;
      }
      if (this.closed) {
        await this.endEntry(entry);
        break;
      }
      const previous = this.current;
      this.current = entry;
      host.failedAt = 0;
      this.lastFailbackProbe = Date.now();
      if (this.hosts.length > 1 && (previous !== null || host.index > 0 || reasons.length > 0)) {
        this.options.log?.(`database: using ${describe(host.address)}${reasons.length ? ` (passed over ${reasons.join('; ')})` : ''}`);
      }
      return entry;
    }
    if (this.hosts.length === 1 && lastError !== undefined) throw lastError;
    throw new NoUsableHostError(reasons.length ? reasons : ['the pool is closed'], { cause: lastError });
  }

  private newEntry(host: HostState): PoolEntry {
    const pool = mysql.createPool({ ...this.options.pool, host: host.address.host, port: host.address.port });
    // A connection that dies idle is dropped by mysql2 itself; nothing may crash the process.
    pool.on('error', () => undefined);
    const entry: PoolEntry = { host, pool, inUse: new Set(), retired: false, ended: false, checkedAt: 0, galera: false };
    this.entries.add(entry);
    return entry;
  }

  /** Counts the connections an entry has handed out, so a retired pool ends once they are all back. */
  private track(entry: PoolEntry, conn: PoolConnection): void {
    entry.inUse.add(conn);
    if (this.owner.has(conn)) return;
    this.owner.set(conn, entry);
    const release = conn.release.bind(conn);
    const destroy = conn.destroy.bind(conn);
    conn.release = () => {
      entry.inUse.delete(conn);
      if (entry.retired) destroy();
      else release();
      void this.reap(entry);
    };
    conn.destroy = () => {
      entry.inUse.delete(conn);
      destroy();
      void this.reap(entry);
    };
  }

  private markBad(entry: PoolEntry, reason: string): void {
    entry.host.failedAt = Date.now();
    entry.host.lastError = reason;
    if (!entry.retired) {
      entry.retired = true;
      if (this.current === entry) {
        this.current = null;
        if (this.hosts.length > 1) this.options.log?.(`database: leaving ${describe(entry.host.address)}: ${reason}`);
      }
      void this.reap(entry);
    }
  }

  private async reap(entry: PoolEntry): Promise<void> {
    if (!entry.retired || entry.inUse.size > 0 || entry.ended) return;
    await this.endEntry(entry);
  }

  private endEntry(entry: PoolEntry): Promise<void> {
    if (entry.ended) return Promise.resolve();
    entry.ended = true;
    this.entries.delete(entry);
    return new Promise<void>((resolve) => {
      try {
        entry.pool.end(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  /** On a later host than the first: now and then, look whether an earlier one is usable again and move back. */
  private maybeFailback(): void {
    const cur = this.current;
    if (!cur || cur.host.index === 0 || this.failbackMs <= 0 || this.probing) return;
    if (Date.now() - this.lastFailbackProbe < this.failbackMs) return;
    this.lastFailbackProbe = Date.now();
    this.probing = true;
    void this.probePreferred(cur)
      .catch(() => undefined)
      .finally(() => {
        this.probing = false;
      });
  }

  private async probePreferred(from: PoolEntry): Promise<void> {
    for (const host of this.hosts.slice(0, from.host.index)) {
      if (this.closed || this.current !== from) return;
      const ok = await this.probe(host.address);
      if (!ok || this.closed || this.current !== from) continue;
      host.failedAt = 0;
      const entry = this.newEntry(host);
      this.current = entry;
      this.options.log?.(`database: ${describe(host.address)} is usable again; moving back from ${describe(from.host.address)}`);
      // Work in progress on the old host finishes there; new work goes to the preferred one.
      from.retired = true;
      void this.reap(from);
      return;
    }
  }

  /** One throw-away connection: does the host answer and is it usable? */
  private async probe(address: HostAddress): Promise<boolean> {
    const { connectionLimit: _l, waitForConnections: _w, queueLimit: _q, maxIdle: _m, idleTimeout: _i, ...connOptions } = this.options.pool;
    const conn = mysql.createConnection({ ...connOptions, host: address.host, port: address.port });
    conn.on('error', () => undefined);
    try {
      return (await inspectNode(conn)).usable;
    } catch {
      return false;
    } finally {
      conn.destroy();
    }
  }
}
