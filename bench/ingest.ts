/**
 * Ingestion benchmark, one run, one table of medians over BENCH_ROUNDS rounds (default 3):
 * - `import` (core/ingest/import.ts, the CLI's code path: validate all, then store in
 *   files of 5,000) into SQLite and into MariaDB, in events/s;
 * - the `mariadb` client's LOAD DATA LOCAL INFILE of the same events into a table of
 *   the same shape and indexes, on the same server, as the yardstick;
 * - one application-password check (HMAC + constant-time compare), and a full
 *   authenticateApplicationPassword against SQLite.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/ingest.js
 *   BENCH_EVENTS=1000000 node dist/bench/ingest.js
 *
 * Targets (issue 4): MariaDB import >= 20,000 events/s and >= 0.95x LOAD DATA;
 * SQLite >= 35,000 events/s; one password check < 20 µs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { writeNdjson } from './generate';
import { importNdjson, type ImportSummary } from '../core/ingest/import';
import { parseNdjsonLine } from '../core/ingest/parse';
import { readLines } from '../core/ingest/lines';
import { openStore } from '../core/store/store';
import { parseMysqlUrl } from '../core/db/mysql';
import { generateApplicationPassword, hashApplicationPassword, hashesMatch } from '../core/auth/passwords';
import { authenticateApplicationPassword } from '../core/auth/authenticate';

export interface IngestBenchOptions {
  /** Events to generate (default env BENCH_EVENTS, else 200,000). */
  events?: number;
  /** MariaDB server, any database name (default env BENCH_MYSQL_URL, else mysql://root@127.0.0.1:3306/mysql). */
  mysqlUrl?: string;
  eventsPerFile?: number;
  /** Times each path is measured; the table gives medians (default env BENCH_ROUNDS, else 3). */
  rounds?: number;
  /** Where the NDJSON and SQLite files go (default a temp dir, removed after). */
  workDir?: string;
  write?: (line: string) => void;
}

export interface IngestBenchResult {
  events: number;
  bytes: number;
  sqlite: ImportSummary & { eventsPerSecond: number };
  mariadb: ImportSummary & { eventsPerSecond: number };
  loadData: { seconds: number; eventsPerSecond: number };
  /** Process CPU per event of the SQLite import (the whole import runs in this process). */
  sqliteCpuMicrosPerEvent: number;
  bufferPoolBytes: number;
  serverVersion: string;
  passwordCheckNs: number;
  authenticateUs: number;
  table: string;
  targets: { name: string; value: string; limit: string; met: boolean }[];
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(stdout))),
  );
}

/** The events as a LOAD DATA file (tab-separated, backslash-escaped) with the columns the store writes. */
async function writeLoadDataFile(ndjson: string, out: string, perFile: number): Promise<void> {
  const stream = fs.createWriteStream(out);
  const esc = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
  let i = 0;
  let buf = '';
  for await (const batch of readLines(fs.createReadStream(ndjson, { highWaterMark: 1 << 20 }), 64 << 20)) {
    batch.lines.forEach((text, k) => {
      const e = parseNdjsonLine(text, batch.first + k);
      if (!e) return;
      buf += `${esc(e.site)}\t${e.timestamp}\t${Math.floor(i / perFile) + 1}\t${(i % perFile) + 1}\t${esc(e.eventType)}\t${e.eventId === null ? '\\N' : esc(e.eventId)}\t${esc(e.text)}\n`;
      i++;
    });
    if (!stream.write(buf)) await once(stream, 'drain');
    buf = '';
  }
  stream.end();
  await once(stream, 'finish');
}

const describeRun = (r: ImportSummary) =>
  `${fmt(r.events / r.seconds)} events/s (validate ${fmt(r.validateSeconds, 1)} s, store ${fmt(r.storeSeconds, 1)} s = ${fmt(r.events / r.storeSeconds)} events/s)`;

/** One password check (what a request costs besides the two indexed reads): median ns/op. */
function passwordCheckNs(): number {
  const secret = randomBytes(32);
  const password = generateApplicationPassword();
  const stored = hashApplicationPassword(secret, password);
  const per: number[] = [];
  for (let round = 0; round < 15; round++) {
    const n = 5000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (!hashesMatch(hashApplicationPassword(secret, password), stored)) throw new Error('mismatch');
    per.push(Number(process.hrtime.bigint() - t) / n);
  }
  return median(per.slice(3));
}

async function authenticateUs(dir: string): Promise<number> {
  const store = await openStore({ dataDir: dir });
  try {
    const secret = randomBytes(32);
    const user = await store.users.create('bench', 'bench@example.com', 'administrator');
    const password = generateApplicationPassword();
    await store.passwords.create(user.id, 'bench', hashApplicationPassword(secret, password));
    await store.passwords.create(user.id, 'other', hashApplicationPassword(secret, generateApplicationPassword()));
    const per: number[] = [];
    for (let round = 0; round < 12; round++) {
      const n = 2000;
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) if (!(await authenticateApplicationPassword(store, secret, 'bench', password, '127.0.0.1'))) throw new Error('auth failed');
      per.push(Number(process.hrtime.bigint() - t) / n / 1000);
    }
    return median(per.slice(2));
  } finally {
    await store.close();
  }
}

/** Lets InnoDB write back the previous run's dirty pages (up to 60 s), so one run does not pay for another. */
async function settle(admin: mysql.Connection): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const [rows] = (await admin.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")) as unknown as [{ Value: string }[]];
    if (Number(rows[0]?.Value ?? 0) < 500) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function serverUrl(base: string, database: string): string {
  const t = parseMysqlUrl(base);
  const auth = t.password ? `${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}` : encodeURIComponent(t.user);
  return `mysql://${auth}@${t.hosts[0].host}:${t.hosts[0].port}/${database}`;
}

export async function runIngestBench(options: IngestBenchOptions = {}): Promise<IngestBenchResult> {
  const events = options.events ?? Number(process.env.BENCH_EVENTS ?? 200_000);
  const perFile = options.eventsPerFile ?? 5000;
  const rounds = options.rounds ?? Number(process.env.BENCH_ROUNDS ?? 3);
  const base = options.mysqlUrl ?? process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql';
  const write = options.write ?? ((l: string) => process.stdout.write(l + '\n'));
  const work = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ah-bench-ingest-'));
  const target = parseMysqlUrl(base);
  const admin = await mysql.createConnection({ host: target.hosts[0].host, port: target.hosts[0].port, user: target.user, password: target.password });
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const importDb = `ah_bench_${suffix}`;
  const loadDb = `ah_bench_load_${suffix}`;
  try {
    const ndjson = path.join(work, 'events.ndjson');
    write(`Generating ${fmt(events)} events…`);
    const bytes = await writeNdjson(ndjson, events, { day: '2026-11-20', seed: 42 });
    const [[vars]] = (await admin.query('SELECT @@innodb_buffer_pool_size AS pool, VERSION() AS version')) as unknown as [[{ pool: string | number; version: string }]];
    const bufferPoolBytes = Number(vars.pool);
    const importOptions = (dir: string) => ({ eventsPerFile: perFile, maxEventBytes: 10 * 1024 * 1024, spoolDir: dir });

    const loadFile = path.join(work, 'events.tsv');
    await writeLoadDataFile(ndjson, loadFile, perFile);
    const args = ['--local-infile=1', '-h', target.hosts[0].host, '-P', String(target.hosts[0].port), '-u', target.user, ...(target.password ? [`-p${target.password}`] : [])];
    // Each timed phase starts with the page cache written back and InnoDB's dirty pages
    // flushed, so one phase does not pay for the one before it.
    const quiesce = async () => {
      await run('sync', []);
      await settle(admin);
    };

    const sqliteRuns: ImportSummary[] = [];
    const mariadbRuns: ImportSummary[] = [];
    const loadRuns: number[] = [];
    const sqliteCpu: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      // SQLite: a fresh data directory.
      write(`round ${round}/${rounds}: import → SQLite…`);
      const sqliteDir = path.join(work, `sqlite-${round}`);
      const sqliteStore = await openStore({ dataDir: sqliteDir });
      await quiesce();
      const cpu0 = process.cpuUsage();
      try {
        sqliteRuns.push(await importNdjson(sqliteStore, { path: ndjson }, importOptions(sqliteDir)));
      } finally {
        await sqliteStore.close();
      }
      const cpu = process.cpuUsage(cpu0);
      write(`  ${describeRun(sqliteRuns[sqliteRuns.length - 1])}`);
      // SQLite runs in this process: its CPU time per event is what an idle core would need.
      sqliteCpu.push((cpu.user + cpu.system) / events);
      fs.rmSync(sqliteDir, { recursive: true, force: true });

      // LOAD DATA of the same rows into a table of the same shape, then the import, each in a fresh database.
      write(`round ${round}/${rounds}: mariadb LOAD DATA LOCAL INFILE…`);
      await admin.query(`CREATE DATABASE \`${loadDb}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      const loadStore = await openStore({ dataDir: work, databaseUrl: serverUrl(base, loadDb) });
      await loadStore.close();
      await quiesce();
      const t0 = process.hrtime.bigint();
      await run('mariadb', [
        ...args,
        loadDb,
        '-e',
        `LOAD DATA LOCAL INFILE '${loadFile.replace(/'/g, "''")}' INTO TABLE ah_events CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (site, ts, file_id, line, event_type, event_id, doc)`,
      ]);
      loadRuns.push(Number(process.hrtime.bigint() - t0) / 1e9);
      write(`  ${fmt(events / loadRuns[loadRuns.length - 1])} events/s`);
      const [[loaded]] = (await admin.query(`SELECT COUNT(*) AS n FROM \`${loadDb}\`.ah_events`)) as unknown as [[{ n: number }]];
      if (Number(loaded.n) !== events) throw new Error(`LOAD DATA loaded ${loaded.n} rows, expected ${events}`);
      await admin.query(`DROP DATABASE \`${loadDb}\``);

      write(`round ${round}/${rounds}: import → MariaDB…`);
      await admin.query(`CREATE DATABASE \`${importDb}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      const mariaStore = await openStore({ dataDir: work, databaseUrl: serverUrl(base, importDb) });
      await quiesce();
      try {
        mariadbRuns.push(await importNdjson(mariaStore, { path: ndjson }, importOptions(work)));
      } finally {
        await mariaStore.close();
      }
      write(`  ${describeRun(mariadbRuns[mariadbRuns.length - 1])}`);
      await admin.query(`DROP DATABASE \`${importDb}\``);
    }
    // The median run of each path (by its end-to-end time), so the table's columns belong to one run.
    const medianRun = (runs: ImportSummary[]) => [...runs].sort((x, y) => x.seconds - y.seconds)[runs.length >> 1];
    const sqlite = medianRun(sqliteRuns);
    const mariadb = medianRun(mariadbRuns);
    const loadSeconds = median(loadRuns);
    const sqliteCpuUs = median(sqliteCpu);

    write('password checks…');
    const checkNs = passwordCheckNs();
    const authUs = await authenticateUs(path.join(work, 'auth'));

    const eps = (s: ImportSummary) => s.accepted / s.seconds;
    const loadEps = events / loadSeconds;
    const storeEps = (s: ImportSummary) => s.events / s.storeSeconds;
    const rows: string[][] = [
      ['path', 'events/s', 'seconds', 'validate pass (s)', 'store pass (s)', 'store pass events/s', 'vs LOAD DATA'],
      ['import → SQLite (WAL, better-sqlite3)', fmt(eps(sqlite)), fmt(sqlite.seconds, 1), fmt(sqlite.validateSeconds, 1), fmt(sqlite.storeSeconds, 1), fmt(storeEps(sqlite)), ''],
      [
        'import → MariaDB (mysql2 execute)',
        fmt(eps(mariadb)),
        fmt(mariadb.seconds, 1),
        fmt(mariadb.validateSeconds, 1),
        fmt(mariadb.storeSeconds, 1),
        fmt(storeEps(mariadb)),
        `${fmt(eps(mariadb) / loadEps, 2)}x (store pass ${fmt(storeEps(mariadb) / loadEps, 2)}x)`,
      ],
      ['mariadb client LOAD DATA LOCAL INFILE', fmt(loadEps), fmt(loadSeconds, 1), '', '', '', '1.00x'],
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const table = [
      `ingest bench: ${fmt(events)} events, ${fmt(bytes / events)} B average (${fmt(bytes / 1048576, 1)} MiB NDJSON), files of ${fmt(perFile)}; medians of ${rounds} rounds`,
      `MariaDB ${vars.version}, innodb_buffer_pool_size = ${fmt(bufferPoolBytes / 1048576)} MiB; ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      '',
      ...rows.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ').trimEnd()),
      '',
      `import → SQLite used ${fmt(sqliteCpuUs, 1)} µs of this process's CPU per event (≈ ${fmt(1e6 / sqliteCpuUs)} events/s on an otherwise idle core)`,
      `application password check (HMAC-SHA256 + timingSafeEqual): ${fmt(checkNs)} ns/op (median)`,
      `authenticateApplicationPassword against SQLite (user + hashes lookup, 2 passwords): ${fmt(authUs, 1)} µs/op (median)`,
    ].join('\n');
    const targets = [
      { name: 'import → MariaDB', value: `${fmt(eps(mariadb))} events/s`, limit: '>= 20,000 events/s', met: eps(mariadb) >= 20_000 },
      { name: 'import → MariaDB vs LOAD DATA', value: `${fmt(eps(mariadb) / loadEps, 2)}x`, limit: '>= 0.95x', met: eps(mariadb) / loadEps >= 0.95 },
      { name: 'import → SQLite', value: `${fmt(eps(sqlite))} events/s`, limit: '>= 35,000 events/s', met: eps(sqlite) >= 35_000 },
      { name: 'password check', value: `${fmt(checkNs / 1000, 2)} µs`, limit: '< 20 µs', met: checkNs < 20_000 },
    ];
    write('');
    write(table);
    write('');
    for (const t of targets) write(`${t.met ? 'ok  ' : 'MISS'} ${t.name}: ${t.value} (target ${t.limit})`);
    return {
      events,
      bytes,
      sqlite: { ...sqlite, eventsPerSecond: eps(sqlite) },
      mariadb: { ...mariadb, eventsPerSecond: eps(mariadb) },
      loadData: { seconds: loadSeconds, eventsPerSecond: loadEps },
      sqliteCpuMicrosPerEvent: sqliteCpuUs,
      bufferPoolBytes,
      serverVersion: vars.version,
      passwordCheckNs: checkNs,
      authenticateUs: authUs,
      table,
      targets,
    };
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${importDb}\``).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS \`${loadDb}\``).catch(() => undefined);
    await admin.end();
    if (!options.workDir) fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runIngestBench().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
