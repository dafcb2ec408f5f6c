/**
 * Helpers for the suites that run on the 3-node Galera test cluster (cluster.ts): a cluster
 * of their own per test file (own base dir under the temp dir, own ports), fresh databases
 * on it, hosts whose DATABASE_URL lists the nodes in a chosen order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { createHooks, type Hooks } from '../../hooks';
import { defaultConfig, type AnalyticsConfig } from '../../core/config';
import { createHost, type Host } from '../../core/host';
import { silentLogger, type Logger } from '../../core/log';
import { listen, type RunningServer } from '../../rest/server';
import { startCluster, type ClusterHandle, type ClusterOptions, type NodeIndex } from './cluster';

export const NODES: readonly NodeIndex[] = [1, 2, 3];
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ClusterPorts {
  /** SQL port of node 1 (nodes 2 and 3: +1, +2). */
  base: number;
  /** Galera port of node 1 (node n: +10*(n-1); +1 IST, +2 SST). */
  repl: number;
  /** Set by the environment: used as given, never moved. */
  fixed: boolean;
}

/**
 * Ports for a file's cluster: `<envName>` (and `<envName>_REPL`) if set, else a random slot
 * below the ephemeral range — SQL ports in [20000, 24000), Galera ports 6000 above — so test
 * runs side by side on one machine (several developers, or a bench) rarely meet.
 */
export function clusterPorts(envName: string): ClusterPorts {
  const given = process.env[envName];
  if (given) return { base: Number(given), repl: Number(process.env[`${envName}_REPL`] ?? Number(given) + 6000), fixed: true };
  const base = 20_000 + 30 * Math.floor(Math.random() * 133);
  return { base, repl: base + 6000, fixed: false };
}

/**
 * Brings up a cluster of the file's own at `<tmp>/ah-<name>-<pid>`. Never skips: when the
 * packages are missing the error (galera.sh's reason) fails the suite. Ports already taken
 * by someone else: another random slot, unless they were fixed.
 */
export async function bringUpCluster(name: string, ports: ClusterPorts, extra: Partial<ClusterOptions> = {}): Promise<ClusterHandle> {
  const dir = path.join(os.tmpdir(), `ah-${name}-${process.pid}`);
  let current = ports;
  for (let attempt = 1; ; attempt++) {
    const lines: string[] = [];
    try {
      return await startCluster({ dir, basePort: current.base, replPort: current.repl, log: (l) => lines.push(l), ...extra });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (!current.fixed && attempt < 5 && /ports already in use/.test(why)) {
        const base = 20_000 + 30 * Math.floor(Math.random() * 133);
        current = { base, repl: base + 6000, fixed: false };
        continue;
      }
      throw new Error(`the Galera test cluster could not start (this suite needs mariadb-server, galera-4, rsync, socat and iproute2):\n${why}`);
    }
  }
}

/** A URL listing the nodes in `order` (the first is the one the pool prefers). */
export function clusterUrl(cluster: ClusterHandle, database: string, order: readonly NodeIndex[] = NODES, params: Record<string, string | number> = {}): string {
  const hosts = order.map((n) => `127.0.0.1:${cluster.ports[n - 1]}`).join(',');
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return `mysql://root@${hosts}/${database}${query ? `?${query}` : ''}`;
}

/** A plain connection to node n (no failover: for the test's own looks at one node). */
export function nodeConnection(cluster: ClusterHandle, n: NodeIndex, database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: cluster.ports[n - 1], user: 'root', database, multipleStatements: false });
}

/** Runs one statement on the first node that answers. */
export async function onAnyNode<T = unknown>(cluster: ClusterHandle, sql: string, params: unknown[] = []): Promise<T> {
  let last: unknown;
  for (const n of NODES) {
    let c: mysql.Connection | undefined;
    try {
      c = await nodeConnection(cluster, n);
      const [rows] = await c.query(sql, params);
      return rows as T;
    } catch (err) {
      last = err;
    } finally {
      await c?.end().catch(() => undefined);
    }
  }
  throw last;
}

export interface ClusterDatabase {
  name: string;
  dataDir: string;
  url(order?: readonly NodeIndex[], params?: Record<string, string | number>): string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the cluster (created through any live node). */
export async function createClusterDatabase(cluster: ClusterHandle): Promise<ClusterDatabase> {
  const name = `ah_c_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onAnyNode(cluster, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  // The DDL reaches the other nodes a moment later: wait until every running node has it, so a
  // pool that connects there at once does not meet "Unknown database" and pass the node over.
  for (const n of NODES) {
    let c: mysql.Connection | undefined;
    try {
      c = await nodeConnection(cluster, n);
    } catch {
      continue; // a node that is down gets it by IST / SST when it comes back
    }
    try {
      await c.query('SET SESSION wsrep_sync_wait = 15');
      await c.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    } finally {
      await c.end();
    }
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-cluster-data-'));
  return {
    name,
    dataDir,
    url: (order = NODES, params = {}) => clusterUrl(cluster, name, order, params),
    drop: async () => {
      await onAnyNode(cluster, `DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ClusterHost {
  host: Host;
  hooks: Hooks;
  config: AnalyticsConfig;
  /** Messages the host logged at warn and above (failover notices land here). */
  logged: string[];
  server?: RunningServer;
  url?: string;
  close(): Promise<void>;
}

/** The port of the node a host's pool uses right now. */
export async function nodePortOf(host: Host): Promise<number> {
  const rows = await host.store.db.all<{ p: number | string }>('SELECT @@port AS p');
  return Number(rows[0].p);
}

/** An app instance on the cluster: a host (own hook registry, no plugins) on `databaseUrl`, optionally listening. */
export async function openClusterHost(
  db: ClusterDatabase,
  databaseUrl: string,
  options: { configure?: (c: AnalyticsConfig) => void; listen?: boolean; hooks?: Hooks; secret?: string } = {},
): Promise<ClusterHost> {
  const config = defaultConfig(db.dataDir);
  config.data_dir = db.dataDir;
  config.database_url = databaseUrl;
  // One secret for every instance on the database: a password made through one works on all.
  config.secret = options.secret ?? 'cluster-test-secret-0123456789abcdef0123456789';
  options.configure?.(config);
  const hooks = options.hooks ?? createHooks();
  const logged: string[] = [];
  const log: Logger = {
    ...silentLogger,
    warn: (m: string) => void logged.push(m),
    error: (m: string) => void logged.push(m),
    child: () => log,
  };
  const host = await createHost({ config, hooks, log, loadPlugins: false });
  let server: RunningServer | undefined;
  if (options.listen) server = await listen(host, 0, '127.0.0.1');
  let closed = false;
  return {
    host,
    hooks,
    config,
    logged,
    server,
    url: server?.url,
    close: async () => {
      if (closed) return;
      closed = true;
      await server?.close();
      await host.close();
    },
  };
}

/** Polls `check` until it returns true; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
