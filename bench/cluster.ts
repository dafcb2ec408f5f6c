/**
 * bench/cluster: ingestion and the JSON day pull through a 3-node MariaDB Galera cluster,
 * side by side with the single server, in one run (issue 9).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/cluster.js
 *
 * - ingest: `store.ingest.storeFile` in files of 5,000 realistic events (bench/generate), one
 *   file after the other, the way `analytics-host import` stores them; into the single server,
 *   then into the cluster through one node (node 1).
 * - pull: `GET /wp-json/analytics/v1/events/<day>` (JSON, default chunk_size) with curl to
 *   /dev/null, from a host whose DATABASE_URL prefers node 2 — not the node the events were
 *   written through — and one preferring node 1; the single server the same way. Median of
 *   BENCH_REPEATS pulls, after one warm-up pull.
 *
 * Environment: BENCH_CLUSTER_EVENTS (default 200000), BENCH_MYSQL_URL (the single server,
 * default mysql://root@127.0.0.1:3306/), BENCH_CLUSTER_URL (an existing cluster's multi-host
 * URL; default: a cluster of its own is brought up with test/cluster/galera.sh on ports
 * BENCH_CLUSTER_PORT.. (default 4436) and torn down after), BENCH_REPEATS (default 3),
 * BENCH_MATCH_POOL (default 1: the bench's own cluster nodes get the single server's
 * innodb_buffer_pool_size, so both read from the same amount of cache).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { createHooks } from '../hooks';
import { defaultConfig } from '../core/config';
import { createHost, type Host } from '../core/host';
import { silentLogger } from '../core/log';
import { generateApplicationPassword, hashApplicationPassword } from '../core/auth/passwords';
import { parseMysqlUrl } from '../core/db/mysql';
import { parseEventText, type ValidatedEvent } from '../core/events/validate';
import { openStore } from '../core/store/store';
import { listen } from '../rest/server';
import { generateEvents } from './generate';

export interface ClusterBenchOptions {
  /** Events per data set (default 200,000). */
  events?: number;
  /** The single server (database part ignored; default mysql://root@127.0.0.1:3306/). */
  singleUrl?: string;
  /** An existing cluster (database part ignored); default: bring one up with galera.sh. */
  clusterUrl?: string;
  /** SQL port of node 1 of the bench's own cluster (default 4436; +1, +2 for nodes 2, 3). */
  clusterPort?: number;
  repeats?: number;
  /** Give the bench's own cluster nodes the single server's buffer pool size (default true). */
  matchPool?: boolean;
  day?: string;
  log?: (line: string) => void;
}

export interface ClusterBenchRow {
  what: string;
  rowsPerSec: number;
  /** Against the single server's figure for the same operation. */
  ratio?: number;
  detail?: string;
}

export interface ClusterBenchResult {
  events: number;
  rows: ClusterBenchRow[];
  table: string;
  checks: { name: string; pass: boolean; detail: string }[];
  bufferPool: { singleMiB: number; clusterMiB: number };
}

const FILE_EVENTS = 5000;
const SECRET = 'bench-cluster-secret-' + 'x'.repeat(32);
const LOGIN = 'bench';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function urlWith(base: string, hosts: { host: string; port: number }[], database: string, params = ''): string {
  const t = parseMysqlUrl(base.replace(/\/[^/?]*(\?.*)?$/, '/x'));
  const auth = t.password ? `${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}` : encodeURIComponent(t.user);
  return `mysql://${auth}@${hosts.map((h) => `${h.host}:${h.port}`).join(',')}/${database}${params ? `?${params}` : ''}`;
}

async function adminOn(base: string, host: { host: string; port: number }) {
  const t = parseMysqlUrl(base.replace(/\/[^/?]*(\?.*)?$/, '/x'));
  return mysql.createConnection({ host: host.host, port: host.port, user: t.user, password: t.password });
}

/** galera.sh from the sources (next to this file's source, or from dist/bench). */
function galeraScript(): string {
  for (const p of [path.resolve(__dirname, '../test/cluster/galera.sh'), path.resolve(__dirname, '../../test/cluster/galera.sh')]) {
    if (fs.existsSync(p)) return p;
  }
  throw new Error('test/cluster/galera.sh not found');
}

function galera(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [galeraScript(), ...args], { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`galera.sh ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout),
    );
  });
}

/** One pull with curl to /dev/null: seconds, status, bytes, X-WP-Total. */
function curlPull(url: string, password: string): Promise<{ seconds: number; bytes: number; total: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('curl', ['-sS', '-o', '/dev/null', '-u', `${LOGIN}:${password}`, '-w', '%{http_code} %{size_download} %header{x-wp-total}', url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [status, bytes, total] = out.trim().split(/\s+/).map(Number);
      if (code !== 0 || status !== 200) reject(new Error(`curl ${url}: exit ${code}, ${out.trim()}`));
      else resolve({ seconds, bytes, total });
    });
  });
}

/** Files of 5,000 validated events, generated once and stored into every target. */
function buildFiles(events: number, day: string): ValidatedEvent[][] {
  const files: ValidatedEvent[][] = [];
  let file: ValidatedEvent[] = [];
  for (const doc of generateEvents(events, { day, seed: 1, site: '1' })) {
    file.push(parseEventText(JSON.stringify(doc), { line: file.length + 1 }));
    if (file.length === FILE_EVENTS) {
      files.push(file);
      file = [];
    }
  }
  if (file.length) files.push(file);
  return files;
}

async function ingest(databaseUrl: string, files: ValidatedEvent[][], dataDir: string): Promise<{ seconds: number; password: string }> {
  const store = await openStore({ databaseUrl, dataDir });
  try {
    const started = process.hrtime.bigint();
    for (const f of files) await store.ingest.storeFile(f, 'import');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const user = await store.users.create(LOGIN, 'bench@example.com', 'administrator');
    const password = generateApplicationPassword();
    await store.passwords.create(user.id, 'bench', hashApplicationPassword(Buffer.from(SECRET, 'utf8'), password));
    return { seconds, password };
  } finally {
    await store.close();
  }
}

/** A host on `databaseUrl` serving the day pull (in this process), for the curl pulls. */
async function startPullServer(databaseUrl: string, dataDir: string): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const config = defaultConfig(dataDir);
  config.data_dir = dataDir;
  config.database_url = databaseUrl;
  config.secret = SECRET;
  const host: Host = await createHost({ config, hooks: createHooks(), log: silentLogger, loadPlugins: false });
  const server = await listen(host, 0, '127.0.0.1');
  const port = Number((await host.store.db.all<{ p: number }>('SELECT @@port AS p'))[0].p);
  return {
    url: server.url,
    port,
    close: async () => {
      await server.close();
      await host.close();
    },
  };
}

/**
 * Pulls from every target in turn, round after round (one warm-up round first), so a change
 * in the machine's load touches every target alike; the median of each target's rounds.
 */
async function interleavedPulls(targets: { url: string; password: string }[], day: string, events: number, repeats: number): Promise<number[]> {
  const times: number[][] = targets.map(() => []);
  for (let round = -1; round < repeats; round++) {
    for (const [i, t] of targets.entries()) {
      const r = await curlPull(`${t.url}/wp-json/analytics/v1/events/${day}`, t.password);
      if (r.total !== events) throw new Error(`pull: X-WP-Total ${r.total}, expected ${events}`);
      if (round >= 0) times[i].push(r.seconds);
    }
  }
  return times.map((ts) => events / median(ts));
}

export async function runClusterBench(opts: ClusterBenchOptions = {}): Promise<ClusterBenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const events = opts.events ?? 200_000;
  const singleUrl = opts.singleUrl ?? 'mysql://root@127.0.0.1:3306/';
  const repeats = opts.repeats ?? 3;
  const day = opts.day ?? '2026-11-20';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-bench-cluster-'));
  const name = `ah_bench_c_${process.pid}_${randomBytes(3).toString('hex')}`;
  const cleanups: (() => Promise<void>)[] = [async () => fs.rmSync(dataDir, { recursive: true, force: true })];

  try {
    // The cluster: an existing one, or one of the bench's own.
    let clusterHosts: { host: string; port: number }[];
    let clusterBase: string;
    let ownCluster = false;
    if (opts.clusterUrl) {
      clusterBase = opts.clusterUrl;
      clusterHosts = parseMysqlUrl(opts.clusterUrl.replace(/\/[^/?]*(\?.*)?$/, '/x')).hosts;
      if (clusterHosts.length < 2) throw new Error('BENCH_CLUSTER_URL must list at least two nodes');
    } else {
      const port = opts.clusterPort ?? 4436;
      const env = { ...process.env, GALERA_DIR: path.join(os.tmpdir(), `ah-bench-galera-${process.pid}`), GALERA_BASE_PORT: String(port), GALERA_REPL_PORT: String(port + 10_431) };
      log(`cluster: bringing up 3 nodes on ports ${port}-${port + 2} (${env.GALERA_DIR})`);
      cleanups.unshift(async () => void (await galera(['down', env.GALERA_DIR], env).catch((e: Error) => log(String(e.message)))));
      await galera(['up', env.GALERA_DIR], env);
      ownCluster = true;
      clusterBase = `mysql://root@127.0.0.1:${port}/`;
      clusterHosts = [0, 1, 2].map((i) => ({ host: '127.0.0.1', port: port + i }));
    }
    const singleHost = parseMysqlUrl(singleUrl.replace(/\/[^/?]*(\?.*)?$/, '/x')).hosts[0];

    // Fresh databases on both; the buffer pools, said next to every figure.
    const pool = async (base: string, h: { host: string; port: number }) => {
      const a = await adminOn(base, h);
      try {
        const [rows] = await a.query('SELECT @@innodb_buffer_pool_size AS b');
        return Number((rows as { b: number | string }[])[0].b);
      } finally {
        await a.end();
      }
    };
    const singlePool = await pool(singleUrl, singleHost);
    if (ownCluster && opts.matchPool !== false) {
      for (const h of clusterHosts) {
        const a = await adminOn(clusterBase, h);
        await a.query(`SET GLOBAL innodb_buffer_pool_size = ${singlePool}`).finally(() => a.end());
      }
    }
    const clusterPool = await pool(clusterBase, clusterHosts[1]);
    for (const [base, h] of [
      [singleUrl, singleHost],
      [clusterBase, clusterHosts[0]],
    ] as const) {
      const a = await adminOn(base, h);
      try {
        await a.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      } finally {
        await a.end();
      }
      cleanups.unshift(async () => {
        const d = await adminOn(base, h).catch(() => null);
        await d?.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
        await d?.end();
      });
    }
    // The database reaches the other nodes a moment later.
    for (const h of clusterHosts) {
      const a = await adminOn(clusterBase, h);
      await a.query('SET SESSION wsrep_sync_wait = 15').then(() => a.query('SELECT 1')).finally(() => a.end());
    }

    log(`generating ${fmt(events)} events in files of ${FILE_EVENTS}`);
    const files = buildFiles(events, day);

    const singleDb = urlWith(singleUrl, [singleHost], name);
    const viaNode = (first: number, params = '') => urlWith(clusterBase, [first, ...[0, 1, 2].filter((i) => i !== first)].map((i) => clusterHosts[i]).filter(Boolean), name, params);

    log('single server: ingest');
    const single = await ingest(singleDb, files, dataDir);
    log(`  ${fmt(events / single.seconds)} events/s`);
    log('cluster through node 1: ingest');
    const clustered = await ingest(viaNode(0), files, dataDir);
    log(`  ${fmt(events / clustered.seconds)} events/s`);

    log(`pulls: ${repeats} rounds (after a warm-up round) over the single server, node 2, node 1, node 2 without wsrep_sync_wait`);
    const servers = [
      await startPullServer(singleDb, dataDir),
      await startPullServer(viaNode(1), dataDir),
      await startPullServer(viaNode(0), dataDir),
      await startPullServer(viaNode(1, 'wsrepSyncWait=0'), dataDir),
    ];
    let rates: number[];
    try {
      if (servers[1].port !== clusterHosts[1].port || servers[2].port !== clusterHosts[0].port) throw new Error('a pull server is not on the node it should be');
      const passwords = [single.password, clustered.password, clustered.password, clustered.password];
      rates = await interleavedPulls(
        servers.map((s, i) => ({ url: s.url, password: passwords[i] })),
        day,
        events,
        repeats,
      );
    } finally {
      for (const s of servers) await s.close();
    }
    const [singlePull, node2, node1, node2NoWait] = rates.map((rowsPerSec) => ({ rowsPerSec }));
    log(`  single ${fmt(singlePull.rowsPerSec)}, node 2 ${fmt(node2.rowsPerSec)}, node 1 ${fmt(node1.rowsPerSec)}, node 2 without sync wait ${fmt(node2NoWait.rowsPerSec)} rows/s`);

    // What wsrep_sync_wait costs a small autocommit read (auth lookups, the options, the pending list): one causal wait each.
    const readers = [await openStore({ databaseUrl: singleDb, dataDir }), await openStore({ databaseUrl: viaNode(1), dataDir }), await openStore({ databaseUrl: viaNode(1, 'wsrepSyncWait=0'), dataDir })];
    const readTimes: number[][] = readers.map(() => []);
    try {
      for (const r of readers) {
        await r.options.set('bench', { x: 1 });
        for (let i = 0; i < 200; i++) await r.options.get('bench');
      }
      log('point reads (options.get): 7 interleaved rounds of 1,000 sequential reads per target');
      for (let round = 0; round < 7; round++) {
        for (const [i, r] of readers.entries()) {
          const started = process.hrtime.bigint();
          for (let k = 0; k < 1000; k++) await r.options.get('bench');
          readTimes[i].push(Number(process.hrtime.bigint() - started) / 1e9);
        }
      }
    } finally {
      for (const r of readers) await r.close();
    }
    const [readsSingle, readsWait, readsNoWait] = readTimes.map((t) => 1000 / median(t));
    log(`  single ${fmt(readsSingle)}, node 2 ${fmt(readsWait)}, node 2 without sync wait ${fmt(readsNoWait)} reads/s`);

    const ingestSingle = events / single.seconds;
    const ingestCluster = events / clustered.seconds;
    const rows: ClusterBenchRow[] = [
      { what: 'ingest, single server', rowsPerSec: ingestSingle },
      { what: 'ingest, cluster through node 1', rowsPerSec: ingestCluster, ratio: ingestCluster / ingestSingle },
      { what: 'JSON pull, single server', rowsPerSec: singlePull.rowsPerSec },
      { what: 'JSON pull, cluster node 2 (written via node 1)', rowsPerSec: node2.rowsPerSec, ratio: node2.rowsPerSec / singlePull.rowsPerSec },
      { what: 'JSON pull, cluster node 1', rowsPerSec: node1.rowsPerSec, ratio: node1.rowsPerSec / singlePull.rowsPerSec },
      {
        what: 'JSON pull, cluster node 2, wsrep_sync_wait=0',
        rowsPerSec: node2NoWait.rowsPerSec,
        ratio: node2NoWait.rowsPerSec / singlePull.rowsPerSec,
        detail: `node 2 with the sync wait: ${(node2.rowsPerSec / node2NoWait.rowsPerSec).toFixed(2)}x this (one causal wait per pull)`,
      },
      { what: 'point reads, single server', rowsPerSec: readsSingle },
      { what: 'point reads, cluster node 2', rowsPerSec: readsWait, ratio: readsWait / readsSingle, detail: `${(1e6 / readsWait - 1e6 / readsNoWait).toFixed(0)} µs per read for the sync wait` },
      { what: 'point reads, cluster node 2, wsrep_sync_wait=0', rowsPerSec: readsNoWait, ratio: readsNoWait / readsSingle },
    ];
    const head = ['', 'rows/s', 'vs single', ''];
    const cells = rows.map((r) => [r.what, fmt(r.rowsPerSec), r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.detail ?? '']);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) => '| ' + c.map((x, i) => x.padEnd(widths[i])).join(' | ') + ' |';
    const table = [
      `${fmt(events)} events (${files.length} files of ${FILE_EVENTS}); innodb_buffer_pool_size: single ${singlePool / 1048576} MiB, cluster nodes ${clusterPool / 1048576} MiB each; ${os.cpus().length} CPU, Node ${process.version}, median of ${repeats} interleaved pulls each; load average ${os.loadavg()[0].toFixed(1)}`,
      line(head),
      '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
      ...cells.map(line),
    ].join('\n');
    const checks = [
      { name: 'ingest through one node ≥ 0.35x the single server', pass: ingestCluster / ingestSingle >= 0.35, detail: `${(ingestCluster / ingestSingle).toFixed(2)}x` },
      { name: 'pull from node 2 ≥ 0.8x the single server', pass: node2.rowsPerSec / singlePull.rowsPerSec >= 0.8, detail: `${(node2.rowsPerSec / singlePull.rowsPerSec).toFixed(2)}x` },
      { name: 'pull from node 1 ≥ 0.8x the single server', pass: node1.rowsPerSec / singlePull.rowsPerSec >= 0.8, detail: `${(node1.rowsPerSec / singlePull.rowsPerSec).toFixed(2)}x` },
    ];
    return { events, rows, table, checks, bufferPool: { singleMiB: singlePool / 1048576, clusterMiB: clusterPool / 1048576 } };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

if (require.main === module) {
  const env = process.env;
  runClusterBench({
    events: env.BENCH_CLUSTER_EVENTS ? Number(env.BENCH_CLUSTER_EVENTS) : undefined,
    singleUrl: env.BENCH_MYSQL_URL,
    clusterUrl: env.BENCH_CLUSTER_URL,
    clusterPort: env.BENCH_CLUSTER_PORT ? Number(env.BENCH_CLUSTER_PORT) : undefined,
    repeats: env.BENCH_REPEATS ? Number(env.BENCH_REPEATS) : undefined,
    matchPool: env.BENCH_MATCH_POOL !== '0',
  })
    .then((r) => {
      process.stdout.write(`\nbench/cluster\n${r.table}\n\n`);
      for (const c of r.checks) process.stdout.write(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      if (r.checks.some((c) => !c.pass)) process.exitCode = 1;
    })
    .catch((err) => {
      process.stderr.write(`bench/cluster failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
