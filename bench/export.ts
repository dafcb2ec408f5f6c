/**
 * bench/export: the day pull through the real HTTP endpoint, against `mariadb --batch
 * --quick` dumping the same rows, on generated days of realistic Altis events.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/export.js
 *
 * Environment: BENCH_SIZES="100000,1000000", BENCH_BACKENDS="sqlite,mysql",
 * BENCH_MYSQL_URL (server to use; default mysql://root@127.0.0.1:3306/), BENCH_REPEATS=3,
 * BENCH_CONCURRENT=10, BENCH_CSV=1 (0 skips the CSV pulls), BENCH_ARRIVAL=time|random (the
 * order the events reach the store; see `arrivals`), BENCH_CHUNK_SIZE, BENCH_PER_PAGE=10000
 * (the paged pull compared with the unpaged one, both through Node's http client; 0 skips it),
 * BENCH_RANGE=1 (the 100,000 day through the range route, bots left out; 0 skips it).
 *
 * The server runs in a child process (bench/export-server), so its peak RSS is its own; it
 * is restarted for each measured phase. Pulls are made with curl to /dev/null.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { generateApplicationPassword, hashApplicationPassword } from '../core/auth/passwords';
import { parseMysqlUrl } from '../core/db/mysql';
import { parseEventText, DAY_MS, type ValidatedEvent } from '../core/events/validate';
import { openStore } from '../core/store/store';
import { generateEvents } from './generate';

export type BenchBackend = 'mysql' | 'sqlite';

export interface ExportBenchOptions {
  sizes?: number[];
  backends?: BenchBackend[];
  /** MariaDB server (the database part is ignored: a fresh `ah_bench_*` database is used and dropped). */
  mysqlUrl?: string;
  repeats?: number;
  concurrent?: number;
  /** Also pull CSV (default true). */
  csv?: boolean;
  /** chunk_size of every pull (default: the endpoint's default, 3000). */
  chunkSize?: number;
  day?: string;
  /** Arrival order of the generated events (see `arrivals`): `time` (default) or `random`. */
  arrival?: 'time' | 'random';
  /** per_page of the paged JSON pull measured against the unpaged one (default 10000; 0 skips it). */
  perPage?: number;
  /** Also pull the day through the range route with bots left out, at the 100,000 day (default true). */
  range?: boolean;
  log?: (line: string) => void;
}

export interface SizeResult {
  backend: BenchBackend;
  size: number;
  loadSeconds: number;
  /** `mariadb --batch --quick` rows/s (MariaDB only), median. */
  clientRowsPerSec?: number;
  jsonRowsPerSec: number;
  csvRowsPerSec?: number;
  /** Server process CPU (user + system) per row pulled, µs: a figure that other load on the machine does not inflate. */
  jsonCpuUsPerRow: number;
  csvCpuUsPerRow?: number;
  /** Server RSS right after it started listening, MiB. */
  idleRssMiB: number;
  /** Server peak RSS over the JSON pulls, then over JSON and CSV, MiB. */
  peakRssJsonMiB: number;
  peakRssMiB: number;
  concurrent?: { pulls: number; allComplete: boolean; seconds: number; peakRssMiB: number };
  /** JSON through Node's http client: unpaged, and following the Link headers page by page (rows/s, medians). */
  paged?: { perPage: number; pages: number; unpagedRowsPerSec: number; pagedRowsPerSec: number };
  /** The same day through GET /events?start_date&end_date (bots left out): events sent, seconds to the first byte, rows/s (medians). */
  range?: { sent: number; firstByteSeconds: number; rowsPerSec: number };
}

export interface ExportBenchResult {
  bufferPoolMiB?: number;
  results: SizeResult[];
  table: string;
  checks: { name: string; pass: boolean; detail: string }[];
}

const SECRET = 'bench-export-secret-' + 'x'.repeat(32);
const LOGIN = 'bench';
const FILE_EVENTS = 5000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

function serverUrl(base: string, database: string): string {
  const t = parseMysqlUrl(base.replace(/\/[^/]*$/, '/x'));
  const auth = t.password ? `${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}` : encodeURIComponent(t.user);
  return `mysql://${auth}@${t.hosts[0].host}:${t.hosts[0].port}/${database}`;
}

async function admin(base: string) {
  const t = parseMysqlUrl(base.replace(/\/[^/]*$/, '/x'));
  return mysql.createConnection({ host: t.hosts[0].host, port: t.hosts[0].port, user: t.user, password: t.password });
}

/** Runs a command, stdout to /dev/null; resolves with wall seconds and stderr/“-w” output. */
/**
 * Waits (a minute at most) until the machine has written out what a load left behind: the
 * kernel's dirty pages (`sync`) and, when MariaDB is in the run, its undo history and the
 * flushing of its buffer pool (no InnoDB write for 2 s; InnoDB keeps a few hundred pages
 * dirty while idle, so their count never reaches 0). Otherwise that background work, on
 * the same two cores and disk, is measured as part of the pulls that follow.
 */
async function settle(mysqlBase: string | undefined, log: (l: string) => void): Promise<void> {
  await run('sync', []);
  if (!mysqlBase) return;
  const a = await admin(mysqlBase);
  const started = Date.now();
  let written = -1;
  let quietPolls = 0;
  try {
    for (;;) {
      const [rows] = await a.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_data_written', 'Innodb_history_list_length')");
      const v = new Map((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, Number(r.Value)]));
      const now = v.get('Innodb_data_written') ?? 0;
      const history = v.get('Innodb_history_list_length') ?? 0;
      quietPolls = now === written && history < 1000 ? quietPolls + 1 : 0;
      written = now;
      if (quietPolls >= 4 || Date.now() - started > 60_000) {
        log(`  settled in ${((Date.now() - started) / 1000).toFixed(1)} s (MariaDB undo history ${history}${quietPolls >= 4 ? '' : ', still writing'})`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await a.end();
  }
}

function run(cmd: string, args: string[], captureStdout = false): Promise<{ seconds: number; out: string; code: number }> {
  return new Promise((resolve, reject) => {
    const devnull = fs.openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', captureStdout ? 'pipe' : devnull, 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(devnull);
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, out, code: code ?? -1 });
    });
  });
}

/** One pull with curl to /dev/null: seconds, HTTP status, bytes, X-WP-Total, seconds to the first byte. */
async function curlPull(url: string, password: string): Promise<{ seconds: number; status: number; bytes: number; total: number; firstByte: number }> {
  const r = await run('curl', ['-sS', '-o', '/dev/null', '-u', `${LOGIN}:${password}`, '-w', '%{http_code} %{size_download} %header{x-wp-total} %{time_starttransfer}', url], true);
  const [status, bytes, total, firstByte] = r.out.trim().split(/\s+/).map(Number);
  if (r.code !== 0 || status !== 200) throw new Error(`curl ${url}: exit ${r.code}, ${r.out.trim()}`);
  return { seconds: r.seconds, status, bytes, total, firstByte };
}

/** One GET through Node's http client, body counted and dropped: seconds, bytes, X-WP-Total, the next page's path. */
function nodeGet(base: string, pathAndQuery: string, password: string): Promise<{ seconds: number; bytes: number; total: number; next: string | null }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.get(base + pathAndQuery, { auth: `${LOGIN}:${password}`, agent: keepAlive }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${pathAndQuery}: HTTP ${res.statusCode}`));
        const link = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''));
        resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes, total: Number(res.headers['x-wp-total']), next: link ? link[1] : null });
      });
    });
    req.on('error', reject);
  });
}
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** A whole pull through Node's http client, unpaged or following `Link: rel="next"` page by page: seconds, events, pages. */
async function nodePull(base: string, pathAndQuery: string, password: string, perPage?: number): Promise<{ seconds: number; pages: number; bytes: number }> {
  const started = process.hrtime.bigint();
  let next: string | null = perPage ? `${pathAndQuery}&per_page=${perPage}` : pathAndQuery;
  let pages = 0;
  let bytes = 0;
  while (next) {
    const r = await nodeGet(base, next, password);
    pages++;
    bytes += r.bytes;
    next = perPage ? r.next : null;
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, pages, bytes };
}

class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: readline.Interface,
    readonly url: string,
  ) {}

  static async start(env: NodeJS.ProcessEnv, cwd: string): Promise<ServerProcess> {
    const script = path.join(__dirname, 'export-server.js');
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = readline.createInterface({ input: child.stdout! });
    const port = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`export-server exited with ${code}`)));
      lines.on('line', (l) => {
        const m = /^port (\d+)$/.exec(l);
        if (m) resolve(m[1]);
      });
    });
    return new ServerProcess(child, lines, `http://127.0.0.1:${port}`);
  }

  /** Peak RSS of the server so far (KiB) and the CPU time it used (user + system, ms). */
  usage(): Promise<{ rssKiB: number; cpuMs: number }> {
    return new Promise((resolve) => {
      const on = (l: string) => {
        const m = /^rss (\d+) cpu (\d+)/.exec(l);
        if (m) {
          this.lines.off('line', on);
          resolve({ rssKiB: Number(m[1]), cpuMs: Number(m[2]) });
        }
      };
      this.lines.on('line', on);
      this.child.stdin!.write('rss\n');
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin!.end();
    await exited;
  }
}

/**
 * The generated events in the order the store receives them. `time` (default): as a live
 * site sends them — by `arrival_timestamp`, which the generator sets a few seconds after
 * `event_timestamp` — so arrival order follows time order with jitter. `random`: in the
 * generator's order (a whole day imported at once, timestamps shuffled): rows adjacent in
 * time then sit on unrelated pages, and with a table larger than the buffer pool every row
 * costs MariaDB a random disk read, for the client and the endpoint alike.
 */
async function* arrivals(size: number, day: string, order: 'time' | 'random', workDir: string): AsyncGenerator<string> {
  if (order === 'random') {
    for (const doc of generateEvents(size, { day, seed: 1, site: '1', userAgents: true })) yield JSON.stringify(doc);
    return;
  }
  // Bucketed by quarter hour of arrival on disk, then each bucket sorted: memory stays small.
  const start = Date.parse(`${day}T00:00:00Z`);
  const bucketMs = 15 * 60_000;
  const dir = fs.mkdtempSync(path.join(workDir, 'arrivals-'));
  const pending = new Map<number, string[]>();
  const flush = (b: number) => {
    const lines = pending.get(b);
    if (lines && lines.length) fs.appendFileSync(path.join(dir, String(b).padStart(4, '0')), lines.join(''));
    pending.set(b, []);
  };
  let maxBucket = 0;
  for (const doc of generateEvents(size, { day, seed: 1, site: '1', userAgents: true })) {
    const arrival = Number(doc.arrival_timestamp ?? doc.event_timestamp);
    const b = Math.max(0, Math.floor((arrival - start) / bucketMs));
    maxBucket = Math.max(maxBucket, b);
    let lines = pending.get(b);
    if (!lines) pending.set(b, (lines = []));
    lines.push(JSON.stringify(doc) + '\n');
    if (lines.length >= 2000) flush(b);
  }
  for (const b of [...pending.keys()]) flush(b);
  try {
    for (let b = 0; b <= maxBucket; b++) {
      const file = path.join(dir, String(b).padStart(4, '0'));
      if (!fs.existsSync(file)) continue;
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      const keyed = lines.map((text) => ({ text, at: Number((JSON.parse(text) as { arrival_timestamp?: number }).arrival_timestamp ?? 0) }));
      keyed.sort((a, b2) => a.at - b2.at);
      for (const k of keyed) yield k.text;
      fs.rmSync(file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function load(
  location: { databaseUrl?: string; dataDir: string },
  size: number,
  day: string,
  order: 'time' | 'random',
  log: (l: string) => void,
): Promise<{ seconds: number; password: string }> {
  const store = await openStore(location);
  const started = Date.now();
  try {
    let batch: ValidatedEvent[] = [];
    let n = 0;
    for await (const text of arrivals(size, day, order, location.dataDir)) {
      batch.push(parseEventText(text, { line: batch.length + 1 }));
      if (batch.length === FILE_EVENTS) {
        await store.ingest.storeFile(batch, 'import');
        n += batch.length;
        batch = [];
        if (n % 100_000 === 0) log(`  loaded ${n}/${size}`);
      }
    }
    if (batch.length) await store.ingest.storeFile(batch, 'import');
    const seconds = (Date.now() - started) / 1000;
    const user = await store.users.create(LOGIN, 'bench@example.com', 'administrator');
    const password = generateApplicationPassword();
    await store.passwords.create(user.id, 'bench', hashApplicationPassword(Buffer.from(SECRET, 'utf8'), password));
    if (store.db.dialect === 'sqlite') await store.db.run('PRAGMA wal_checkpoint(TRUNCATE)');
    return { seconds, password };
  } finally {
    await store.close();
  }
}

function dayWindow(day: string): { from: number; to: number } {
  const from = Date.parse(`${day}T00:00:00Z`);
  return { from, to: from + DAY_MS };
}

export async function runExportBench(opts: ExportBenchOptions = {}): Promise<ExportBenchResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const sizes = opts.sizes ?? [100_000, 1_000_000];
  // SQLite first: pulled after the MariaDB phase (MariaDB idle by then, see settle) the same
  // code read a SQLite day 30–40% slower, at more CPU per row — the machine, not the store.
  const backends = opts.backends ?? ['sqlite', 'mysql'];
  const mysqlUrl = opts.mysqlUrl ?? 'mysql://root@127.0.0.1:3306/';
  const repeats = opts.repeats ?? 3;
  const concurrent = opts.concurrent ?? 10;
  const withCsv = opts.csv !== false;
  const day = opts.day ?? '2026-11-20';
  const arrival = opts.arrival ?? 'time';
  const perPage = opts.perPage ?? 10_000;
  const withRange = opts.range !== false;
  const query = opts.chunkSize ? `&chunk_size=${opts.chunkSize}` : '';
  const { from, to } = dayWindow(day);
  const results: SizeResult[] = [];
  let bufferPoolMiB: number | undefined;

  for (const backend of backends) {
    for (const size of sizes) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-bench-'));
      const dbName = `ah_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
      let databaseUrl = '';
      const cleanups: (() => Promise<void>)[] = [async () => fs.rmSync(dataDir, { recursive: true, force: true })];
      try {
        if (backend === 'mysql') {
          const a = await admin(mysqlUrl);
          try {
            await a.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
            const [rows] = await a.query('SELECT @@innodb_buffer_pool_size AS b');
            bufferPoolMiB = Number((rows as { b: number }[])[0].b) / 1048576;
          } finally {
            await a.end();
          }
          databaseUrl = serverUrl(mysqlUrl, dbName);
          cleanups.unshift(async () => {
            const a2 = await admin(mysqlUrl);
            try {
              await a2.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
            } finally {
              await a2.end();
            }
          });
        }
        log(`${backend} ${size}: loading`);
        const loaded = await load({ databaseUrl: databaseUrl || undefined, dataDir }, size, day, arrival, log);
        log(`${backend} ${size}: loaded in ${loaded.seconds.toFixed(1)} s (${Math.round(size / loaded.seconds)} events/s)`);
        await settle(backends.includes('mysql') ? mysqlUrl : undefined, log);
        const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, DATA_DIR: dataDir, ANALYTICS_SECRET: SECRET, PORT: '0', ANALYTICS_LOG_LEVEL: 'warn' };
        delete env.ANALYTICS_CONFIG;
        delete env.NODE_ENV;

        // Phase 1: sequential pulls, one server process.
        const server = await ServerProcess.start(env, dataDir);
        const idle = await server.usage();
        const url = `${server.url}/wp-json/analytics/v1/events/${day}`;
        const clientTimes: number[] = [];
        const jsonTimes: number[] = [];
        const csvTimes: number[] = [];
        let peakJson = 0;
        let peak = 0;
        let jsonCpuUs = 0;
        let csvCpuUs: number | undefined;
        let paged: SizeResult['paged'];
        let range: SizeResult['range'];
        const isConcurrencyDay = size === (sizes.includes(100_000) ? 100_000 : Math.min(...sizes));
        try {
          // Not measured: the fresh server's first pull also runs its code unoptimised (at the
          // 100k day it read 20–35% slower than the pulls after it).
          await curlPull(`${url}?format=json${query}`, loaded.password);
          for (let i = 0; i < repeats; i++) {
            if (backend === 'mysql') {
              const t = parseMysqlUrl(databaseUrl);
              const sql = `SELECT doc FROM ah_events FORCE INDEX (ah_events_site_ts) WHERE site='1' AND ts>=${from} AND ts<${to} ORDER BY ts, id`;
              const args = ['-h', t.hosts[0].host, '-P', String(t.hosts[0].port), '-u', t.user, ...(t.password ? [`-p${t.password}`] : []), '--batch', '--quick', '-N', '-e', sql, dbName];
              const r = await run('mariadb', args);
              if (r.code !== 0) throw new Error(`mariadb client: ${r.out}`);
              clientTimes.push(r.seconds);
              log(`  mariadb client: ${Math.round(size / r.seconds)} rows/s`);
            }
            const j = await curlPull(`${url}?format=json${query}`, loaded.password);
            if (j.total !== size) throw new Error(`JSON pull: X-WP-Total ${j.total}, expected ${size}`);
            jsonTimes.push(j.seconds);
            log(`  JSON: ${Math.round(size / j.seconds)} rows/s (${(j.bytes / 1048576).toFixed(0)} MiB)`);
          }
          const afterJson = await server.usage();
          peakJson = afterJson.rssKiB;
          jsonCpuUs = ((afterJson.cpuMs - idle.cpuMs) * 1000) / (repeats * size);
          if (withCsv) {
            for (let i = 0; i < repeats; i++) {
              const c = await curlPull(`${url}?format=csv${query}`, loaded.password);
              csvTimes.push(c.seconds);
              log(`  CSV: ${Math.round(size / c.seconds)} rows/s (${(c.bytes / 1048576).toFixed(0)} MiB)`);
            }
          }
          const afterCsv = await server.usage();
          peak = afterCsv.rssKiB;
          if (withCsv) csvCpuUs = ((afterCsv.cpuMs - afterJson.cpuMs) * 1000) / (repeats * size);
          if (perPage > 0) {
            // The same client for both, alternating, so the ratio is the paging's own cost.
            const unpagedTimes: number[] = [];
            const pagedTimes: number[] = [];
            let pages = 0;
            const pathAndQuery = `/wp-json/analytics/v1/events/${day}?format=json${query}`;
            for (let i = 0; i < repeats; i++) {
              const u = await nodePull(server.url, pathAndQuery, loaded.password);
              const p = await nodePull(server.url, pathAndQuery, loaded.password, perPage);
              // Each page is its own array: one "[" and "]" more and one "," less per extra page.
              if (p.bytes !== u.bytes + (p.pages - 1)) throw new Error(`paged pull sent ${p.bytes} bytes in ${p.pages} pages, unpaged ${u.bytes}`);
              unpagedTimes.push(u.seconds);
              pagedTimes.push(p.seconds);
              pages = p.pages;
              log(`  JSON via Node http: unpaged ${Math.round(size / u.seconds)} rows/s, per_page=${perPage} ${Math.round(size / p.seconds)} rows/s (${p.pages} pages)`);
            }
            paged = { perPage, pages, unpagedRowsPerSec: size / median(unpagedTimes), pagedRowsPerSec: size / median(pagedTimes) };
          }
          if (withRange && isConcurrencyDay) {
            const times: number[] = [];
            const firstBytes: number[] = [];
            let sent = 0;
            for (let i = 0; i < repeats; i++) {
              const r = await curlPull(`${server.url}/wp-json/analytics/v1/events?start_date=${day}&end_date=${day}&format=json${query}`, loaded.password);
              // One visitor in twenty is a crawler (generate.ts): X-WP-Total must leave them out.
              if (!(r.total < size && r.total > 0.9 * size)) throw new Error(`range pull: X-WP-Total ${r.total} of ${size} events`);
              sent = r.total;
              times.push(r.seconds);
              firstBytes.push(r.firstByte);
              log(`  range, bots left out: ${r.total} events, first byte ${r.firstByte.toFixed(2)} s, ${Math.round(r.total / r.seconds)} rows/s`);
            }
            range = { sent, firstByteSeconds: median(firstBytes), rowsPerSec: sent / median(times) };
          }
        } finally {
          await server.stop();
        }

        // Phase 2: concurrent JSON pulls of the 100,000 day (else the smallest), on a fresh server process.
        let conc: SizeResult['concurrent'];
        if (concurrent > 0 && isConcurrencyDay) {
          const s2 = await ServerProcess.start(env, dataDir);
          try {
            const started = process.hrtime.bigint();
            const pulls = await Promise.allSettled(
              Array.from({ length: concurrent }, () => curlPull(`${s2.url}/wp-json/analytics/v1/events/${day}?format=json${query}`, loaded.password)),
            );
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const ok = pulls.filter((p) => p.status === 'fulfilled' && p.value.total === size);
            const sizesSeen = new Set(ok.map((p) => (p as PromiseFulfilledResult<{ bytes: number }>).value.bytes));
            conc = { pulls: concurrent, allComplete: ok.length === concurrent && sizesSeen.size === 1, seconds, peakRssMiB: mib((await s2.usage()).rssKiB) };
            log(`  ${concurrent} concurrent JSON pulls: ${ok.length} complete in ${seconds.toFixed(1)} s, peak RSS ${conc.peakRssMiB} MiB`);
          } finally {
            await s2.stop();
          }
        }

        results.push({
          backend,
          size,
          loadSeconds: loaded.seconds,
          clientRowsPerSec: clientTimes.length ? size / median(clientTimes) : undefined,
          jsonRowsPerSec: size / median(jsonTimes),
          csvRowsPerSec: csvTimes.length ? size / median(csvTimes) : undefined,
          jsonCpuUsPerRow: jsonCpuUs,
          csvCpuUsPerRow: csvCpuUs,
          idleRssMiB: mib(idle.rssKiB),
          peakRssJsonMiB: mib(peakJson),
          peakRssMiB: mib(peak),
          concurrent: conc,
          paged,
          range,
        });
      } finally {
        for (const c of cleanups) await c().catch((e) => log(`cleanup: ${(e as Error).message}`));
      }
    }
  }
  const { table, checks } = report(results, bufferPoolMiB, arrival);
  return { bufferPoolMiB, results, table, checks };
}

const fmt = (n: number | undefined) => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));

function report(results: SizeResult[], bufferPoolMiB: number | undefined, arrival: string): { table: string; checks: ExportBenchResult['checks'] } {
  const head = ['backend', 'events', 'mariadb client rows/s', 'JSON rows/s', 'JSON / client', 'CSV rows/s', 'server CPU µs/row JSON, CSV', 'idle RSS MiB', 'peak RSS MiB (JSON / +CSV)', 'concurrent JSON pulls: s, peak RSS MiB', 'paged JSON (Node client): pages, rows/s, / unpaged', 'range, bots left out: events, first byte s, rows/s, / day JSON'];
  const rows = results.map((r) => [
    r.backend,
    fmt(r.size),
    fmt(r.clientRowsPerSec),
    fmt(r.jsonRowsPerSec),
    r.clientRowsPerSec ? `${(r.jsonRowsPerSec / r.clientRowsPerSec).toFixed(2)}x` : '—',
    fmt(r.csvRowsPerSec),
    `${r.jsonCpuUsPerRow.toFixed(1)}, ${r.csvCpuUsPerRow === undefined ? '—' : r.csvCpuUsPerRow.toFixed(1)}`,
    String(r.idleRssMiB),
    `${r.peakRssJsonMiB} / ${r.peakRssMiB}`,
    r.concurrent ? `${r.concurrent.pulls} ${r.concurrent.allComplete ? 'complete' : 'INCOMPLETE'}, ${r.concurrent.seconds.toFixed(1)} s, ${r.concurrent.peakRssMiB}` : '—',
    r.paged ? `${r.paged.pages} × ${fmt(r.paged.perPage)}, ${fmt(r.paged.pagedRowsPerSec)}, ${(r.paged.pagedRowsPerSec / r.paged.unpagedRowsPerSec).toFixed(2)}x` : '—',
    r.range ? `${fmt(r.range.sent)}, ${r.range.firstByteSeconds.toFixed(2)}, ${fmt(r.range.rowsPerSec)}, ${(r.range.rowsPerSec / r.jsonRowsPerSec).toFixed(2)}x` : '—',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const table = [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');

  const checks: ExportBenchResult['checks'] = [];
  for (const r of results) {
    const tag = `${r.backend} ${fmt(r.size)}`;
    if (r.clientRowsPerSec) {
      const ratio = r.jsonRowsPerSec / r.clientRowsPerSec;
      checks.push({ name: `${tag}: JSON ≥ 1.2x mariadb client`, pass: ratio >= 1.2, detail: `${ratio.toFixed(2)}x` });
    }
    if (r.backend === 'sqlite') checks.push({ name: `${tag}: SQLite JSON ≥ 150,000 rows/s`, pass: r.jsonRowsPerSec >= 150_000, detail: fmt(r.jsonRowsPerSec) });
    if (r.csvRowsPerSec !== undefined) checks.push({ name: `${tag}: CSV ≥ 25,000 rows/s`, pass: r.csvRowsPerSec >= 25_000, detail: fmt(r.csvRowsPerSec) });
    if (r.size >= 1_000_000) {
      checks.push({ name: `${tag}: peak RSS < 200 MB`, pass: r.peakRssMiB * 1.048576 < 200, detail: `${r.peakRssMiB} MiB` });
      // The figure of the 100,000 day if there is one, else of the nearest smaller day.
      const smaller = results.filter((s) => s.backend === r.backend && s.size < r.size).sort((a, b) => b.size - a.size);
      const small = smaller.find((s) => s.size === 100_000) ?? smaller[0];
      if (small) checks.push({ name: `${tag}: peak RSS ≤ 1.2x the ${fmt(small.size)} figure`, pass: r.peakRssMiB <= 1.2 * small.peakRssMiB, detail: `${(r.peakRssMiB / small.peakRssMiB).toFixed(2)}x` });
    }
    if (r.paged && r.size >= 1_000_000) {
      const ratio = r.paged.pagedRowsPerSec / r.paged.unpagedRowsPerSec;
      checks.push({ name: `${tag}: paged pull (per_page ${fmt(r.paged.perPage)}) ≥ 0.8x the unpaged one`, pass: ratio >= 0.8, detail: `${ratio.toFixed(2)}x` });
    }
    if (r.concurrent) checks.push({ name: `${tag}: ${r.concurrent.pulls} concurrent pulls complete, peak RSS < 300 MB`, pass: r.concurrent.allComplete && r.concurrent.peakRssMiB * 1.048576 < 300, detail: `${r.concurrent.peakRssMiB} MiB` });
  }
  const pool = bufferPoolMiB === undefined ? '' : `innodb_buffer_pool_size = ${bufferPoolMiB} MiB; `;
  return { table: `${pool}arrival order: ${arrival}\n${table}`, checks };
}

if (require.main === module) {
  const env = process.env;
  const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
  runExportBench({
    sizes: list(env.BENCH_SIZES)?.map(Number),
    backends: list(env.BENCH_BACKENDS) as BenchBackend[] | undefined,
    mysqlUrl: env.BENCH_MYSQL_URL,
    repeats: env.BENCH_REPEATS ? Number(env.BENCH_REPEATS) : undefined,
    concurrent: env.BENCH_CONCURRENT ? Number(env.BENCH_CONCURRENT) : undefined,
    csv: env.BENCH_CSV !== '0',
    chunkSize: env.BENCH_CHUNK_SIZE ? Number(env.BENCH_CHUNK_SIZE) : undefined,
    arrival: env.BENCH_ARRIVAL === 'random' ? 'random' : undefined,
    perPage: env.BENCH_PER_PAGE ? Number(env.BENCH_PER_PAGE) : undefined,
    range: env.BENCH_RANGE !== '0',
  })
    .then((r) => {
      process.stdout.write(`\nbench/export — ${os.cpus().length} CPU, Node ${process.version}, median of ${env.BENCH_REPEATS ?? 3}\n${r.table}\n\n`);
      for (const c of r.checks) process.stdout.write(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
    })
    .catch((err) => {
      process.stderr.write(`bench/export failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
