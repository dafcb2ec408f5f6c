/**
 * bench/cron: the scheduled export's throughput and memory, from the store to subscribers.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/cron.js
 *
 * A backlog of BENCH_CRON_EVENTS (default 1,000,000) generated Altis events in BENCH_CRON_FILES
 * files (default 200: 5,000 events, ~7 MB each, as `import` stores them) is loaded into a fresh
 * store per backend (BENCH_BACKENDS="sqlite,mysql"; MariaDB at BENCH_MYSQL_URL, default
 * mysql://root@127.0.0.1:3306/mysql — the database part is not used, a fresh one is created and dropped). Then, each in a child
 * process of its own (so its peak RSS is the export's and nothing else's), the export runs
 * with max.files 1000 until nothing is pending:
 *   - noop:  a subscriber that does nothing (the export's own cost: read, batch, hand over);
 *   - parse: a subscriber that JSON.parses every line (a realistic consumer's floor).
 * Files are set pending again before every run; BENCH_ROUNDS (default 3) rounds of both,
 * interleaved, and the table gives medians (the machine is shared). Peak RSS is the child's
 * process.resourceUsage().maxRSS, which includes Node, the drivers and the code (reported
 * separately as the RSS before the run).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { parseMysqlUrl } from '../core/db/mysql';
import { loadConfig } from '../core/config';
import { parseEventText, type ValidatedEvent } from '../core/events/validate';
import { createHost } from '../core/host';
import { createLogger } from '../core/log';
import { openStore } from '../core/store/store';
import { runExport } from '../cron/export-run';
import { createHooks } from '../hooks';
import { generateEvents } from './generate';

export type CronBenchBackend = 'sqlite' | 'mysql';
export type CronBenchMode = 'noop' | 'parse';

export interface CronBenchOptions {
  events?: number;
  files?: number;
  backends?: CronBenchBackend[];
  /** MariaDB server (the database part is ignored). */
  mysqlUrl?: string;
  maxFiles?: number;
  /** Rounds of each (backend, subscriber) run; the table gives medians. */
  rounds?: number;
  log?: (line: string) => void;
}

export interface CronBenchRow {
  backend: CronBenchBackend;
  mode: CronBenchMode;
  events: number;
  files: number;
  batches: number;
  /** Medians over the rounds. */
  seconds: number;
  eventsPerSec: number;
  /** Every round's events/s, in the order run. */
  roundsEventsPerSec: number[];
  /** Peak RSS of the exporting process, MiB: median, and the highest of any round. */
  peakRssMiB: number;
  maxPeakRssMiB: number;
  /** RSS of that process once the host was open, before the run, MiB. */
  baseRssMiB: number;
}

export interface CronBenchResult {
  rows: CronBenchRow[];
  loadSeconds: Record<string, number>;
  /** MariaDB's innodb_buffer_pool_size, bytes (figures depend on it). */
  bufferPoolBytes?: number;
}

interface ChildReport {
  events: number;
  files: number;
  batches: number;
  seconds: number;
  maxRssKiB: number;
  baseRssKiB: number;
}

const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function adminConnection(url: string) {
  const t = parseMysqlUrl(url);
  return mysql.createConnection({ host: t.hosts[0].host, port: t.hosts[0].port, user: t.user, password: t.password });
}

function databaseUrl(base: string, database: string): string {
  const t = parseMysqlUrl(base);
  const auth = t.password ? `${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}` : encodeURIComponent(t.user);
  return `mysql://${auth}@${t.hosts[0].host}:${t.hosts[0].port}/${database}`;
}

/** Loads `events` generated events as `files` files, as `import` would store them. */
async function load(location: { databaseUrl?: string; dataDir: string }, events: number, files: number): Promise<number> {
  const store = await openStore(location);
  const started = process.hrtime.bigint();
  try {
    const perFile = Math.ceil(events / files);
    let batch: ValidatedEvent[] = [];
    let i = 0;
    for (const doc of generateEvents(events, { day: '2026-11-20', seed: 7, site: '1' })) {
      batch.push(parseEventText(JSON.stringify(doc), { index: i++ }));
      if (batch.length === perFile) {
        await store.ingest.storeFile(batch, 'import');
        batch = [];
      }
    }
    if (batch.length > 0) await store.ingest.storeFile(batch, 'import');
  } finally {
    await store.close();
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function runChild(mode: CronBenchMode, env: NodeJS.ProcessEnv): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--child', mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`bench child (${mode}) exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildReport);
    });
  });
}

/** In the child: open the host from the environment, subscribe, export until nothing is pending. */
async function childMain(mode: CronBenchMode): Promise<void> {
  const hooks = createHooks();
  const host = await createHost({ config: loadConfig(process.env), hooks, log: createLogger({ level: 'warn' }), loadPlugins: false });
  if (mode === 'noop') {
    hooks.add_action('altis.analytics.export.data.process', () => undefined);
  } else {
    hooks.add_action('altis.analytics.export.data.process', (ndjson: string) => {
      let start = 0;
      for (let end = ndjson.indexOf('\n'); end !== -1; start = end + 1, end = ndjson.indexOf('\n', start)) JSON.parse(ndjson.slice(start, end));
    });
  }
  const baseRssKiB = Math.round(process.memoryUsage().rss / 1024);
  const report = { events: 0, files: 0, batches: 0, seconds: 0, maxRssKiB: 0, baseRssKiB };
  const started = process.hrtime.bigint();
  while ((await host.store.files.pendingTotals()).files > 0) {
    const outcome = await runExport(host, { trigger: 'manual' });
    if (outcome.status !== 'ran') throw new Error(`export did not run: ${outcome.status}`);
    if (outcome.run.result !== 'ok') throw new Error(`export failed: ${outcome.run.message}`);
    report.events += outcome.run.events;
    report.files += outcome.run.files;
    report.batches += outcome.run.batches;
  }
  report.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  report.maxRssKiB = process.resourceUsage().maxRSS;
  await host.close();
  process.stdout.write(JSON.stringify(report) + '\n');
}

export async function runCronBench(opts: CronBenchOptions = {}): Promise<CronBenchResult> {
  const events = opts.events ?? 1_000_000;
  const files = opts.files ?? 200;
  const backends = opts.backends ?? ['sqlite', 'mysql'];
  const mysqlUrl = opts.mysqlUrl ?? 'mysql://root@127.0.0.1:3306/mysql';
  const maxFiles = opts.maxFiles ?? 1000;
  const rounds = opts.rounds ?? 3;
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const result: CronBenchResult = { rows: [], loadSeconds: {} };

  for (const backend of backends) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-bench-cron-'));
    let url = '';
    let drop = async () => undefined as void;
    if (backend === 'mysql') {
      const name = `ah_bench_cron_${process.pid}_${randomBytes(3).toString('hex')}`;
      const admin = await adminConnection(mysqlUrl);
      try {
        await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
        const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT @@innodb_buffer_pool_size AS pool');
        result.bufferPoolBytes = Number(rows[0].pool);
      } finally {
        await admin.end();
      }
      url = databaseUrl(mysqlUrl, name);
      drop = async () => {
        const a = await adminConnection(mysqlUrl);
        try {
          await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
        } finally {
          await a.end();
        }
      };
    }
    try {
      log(`[${backend}] loading ${events} events in ${files} files…`);
      result.loadSeconds[backend] = await load({ databaseUrl: url || undefined, dataDir }, events, files);
      log(`[${backend}] loaded in ${result.loadSeconds[backend].toFixed(1)} s`);
      const reports = new Map<CronBenchMode, ChildReport[]>([
        ['noop', []],
        ['parse', []],
      ]);
      let first = true;
      for (let round = 1; round <= rounds; round++) {
        for (const mode of ['noop', 'parse'] as CronBenchMode[]) {
          if (!first) {
            const store = await openStore({ databaseUrl: url || undefined, dataDir });
            await store.db.run('UPDATE ah_files SET exported_at = NULL');
            await store.options.delete('altis.analytics.export.last_run');
            await store.close();
          }
          first = false;
          const r = await runChild(mode, { DATA_DIR: dataDir, DATABASE_URL: url, ANALYTICS_CONFIG: '', ANALYTICS_EXPORT_MAX_FILES: String(maxFiles), ANALYTICS_LOG_LEVEL: 'warn' });
          reports.get(mode)!.push(r);
          log(`[${backend}] round ${round} ${mode}: ${r.events} events in ${r.seconds.toFixed(2)} s = ${Math.round(r.events / r.seconds)} events/s, peak RSS ${Math.round((r.maxRssKiB * 1024) / MiB)} MiB`);
        }
      }
      for (const [mode, rs] of reports) {
        const rss = rs.map((r) => Math.round((r.maxRssKiB * 1024) / MiB));
        const seconds = median(rs.map((r) => r.seconds));
        const row: CronBenchRow = {
          backend,
          mode,
          events: rs[0].events,
          files: rs[0].files,
          batches: rs[0].batches,
          seconds,
          eventsPerSec: Math.round(rs[0].events / seconds),
          roundsEventsPerSec: rs.map((r) => Math.round(r.events / r.seconds)),
          peakRssMiB: median(rss),
          maxPeakRssMiB: Math.max(...rss),
          baseRssMiB: Math.round((median(rs.map((r) => r.baseRssKiB)) * 1024) / MiB),
        };
        result.rows.push(row);
      }
    } finally {
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return result;
}

export function formatCronBench(r: CronBenchResult): string {
  const head = '| backend | subscriber | events | files | batches | seconds | events/s (median) | each round | peak RSS (median, max) | RSS before run |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---|---:|---:|';
  const rows = r.rows.map(
    (x) =>
      `| ${x.backend} | ${x.mode} | ${x.events} | ${x.files} | ${x.batches} | ${x.seconds.toFixed(2)} | ${x.eventsPerSec.toLocaleString('en-US')} | ${x.roundsEventsPerSec.map((v) => v.toLocaleString('en-US')).join(' / ')} | ${x.peakRssMiB}, ${x.maxPeakRssMiB} MiB | ${x.baseRssMiB} MiB |`,
  );
  const notes = [
    `load: ${Object.entries(r.loadSeconds)
      .map(([b, s]) => `${b} ${s.toFixed(1)} s`)
      .join(', ')}`,
  ];
  if (r.bufferPoolBytes !== undefined) notes.push(`MariaDB innodb_buffer_pool_size ${Math.round(r.bufferPoolBytes / MiB)} MiB`);
  const checks: string[] = [];
  for (const x of r.rows) {
    if (x.mode === 'noop') checks.push(`${x.eventsPerSec >= 100_000 ? 'PASS' : 'FAIL'}  ${x.backend}: ≥ 100,000 events/s to a no-op subscriber: ${x.eventsPerSec.toLocaleString('en-US')}`);
    // The target is in MB: 200 MB = 190.7 MiB. Every round counts, not the median.
    checks.push(`${x.maxPeakRssMiB * 1.048576 < 200 ? 'PASS' : 'FAIL'}  ${x.backend} ${x.mode}: peak RSS < 200 MB in every round: ${x.maxPeakRssMiB} MiB`);
  }
  return [head, sep, ...rows, '', notes.join('; '), '', ...checks].join('\n');
}

if (require.main === module) {
  const childAt = process.argv.indexOf('--child');
  if (childAt !== -1) {
    childMain(process.argv[childAt + 1] as CronBenchMode).catch((err) => {
      process.stderr.write(`bench/cron child: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
  } else {
    const env = process.env;
    runCronBench({
      events: env.BENCH_CRON_EVENTS ? Number(env.BENCH_CRON_EVENTS) : undefined,
      files: env.BENCH_CRON_FILES ? Number(env.BENCH_CRON_FILES) : undefined,
      backends: env.BENCH_BACKENDS ? (env.BENCH_BACKENDS.split(',') as CronBenchBackend[]) : undefined,
      mysqlUrl: env.BENCH_MYSQL_URL,
      rounds: env.BENCH_ROUNDS ? Number(env.BENCH_ROUNDS) : undefined,
    }).then(
      (r) => process.stdout.write(formatCronBench(r) + '\n'),
      (err) => {
        process.stderr.write(`bench/cron: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
      },
    );
  }
}
