/**
 * bench/query: the query API (POST /wp-json/analytics/v1/query, through a listening HTTP
 * server) against the same SQL typed by hand into the `mariadb` client, on a generated
 * day of realistic Altis events plus the six days before it (for the week query).
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/query.js
 *
 * Environment: BENCH_QUERY_EVENTS (events of the day, default 1000000),
 * BENCH_QUERY_WEEK_EVENTS (events over the six days before, default the same number),
 * BENCH_QUERY_RUNS (timed runs per query, default 5; the median is reported),
 * BENCH_MYSQL_URL (server; default mysql://root@127.0.0.1:3306/ — a fresh `ah_bench_query_*`
 * database is created and dropped), BENCH_QUERY_SQLITE=1 (also the embedded SQLite store,
 * against the `sqlite3` shell), BENCH_QUERY_NAIVE=1 (also, once each, the SQL a person would
 * type without the 0002 index: JSON_EXTRACT over the documents, each cut at
 * BENCH_QUERY_NAIVE_TIMEOUT seconds, default 300), BENCH_QUERY_KEEP_DB=ah_bench_… (keep the
 * loaded database under that name and reuse it on the next run).
 *
 * Queries: (a) COUNT by HOUR over the day, (b) COUNT grouped by attributes.url, top 100,
 * (c) COUNT DISTINCT endpoint.Id by DAY over the week. Each API run and each client run is
 * timed by wall clock around the whole request / the whole `mariadb` process; the client's
 * process start cost (`SELECT 1`) is reported beside it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { generateApplicationPassword, hashApplicationPassword } from '../core/auth/passwords';
import { defaultConfig } from '../core/config';
import { parseMysqlUrl } from '../core/db/mysql';
import { parseEventText, type ValidatedEvent } from '../core/events/validate';
import { createHost, type Host } from '../core/host';
import { silentLogger } from '../core/log';
import { buildQuery, parseQuery, type QueryAnswer } from '../core/query';
import { createHooks } from '../hooks';
import { listen, type RunningServer } from '../rest/server';
import { generateEvents } from './generate';

export interface QueryBenchOptions {
  /** Events of the measured day (default 1,000,000). */
  events?: number;
  /** Events spread over the six days before it (default: `events`). */
  weekEvents?: number;
  runs?: number;
  /** MariaDB server; the database part is ignored. */
  mysqlUrl?: string;
  /** Also measure the SQLite store against the `sqlite3` shell. */
  sqlite?: boolean;
  /** Also time the naive JSON_EXTRACT SQL once per query (slow), each cut at `naiveTimeoutSeconds` (default 300). */
  naive?: boolean;
  naiveTimeoutSeconds?: number;
  /**
   * Keep the loaded MariaDB database under this name and reuse it when it already holds the
   * events (for repeated runs); default: a fresh `ah_bench_query_<pid>`, dropped at the end.
   */
  keepDatabase?: string;
  day?: string;
  log?: (line: string) => void;
}

export interface QueryTiming {
  backend: 'mysql' | 'sqlite';
  query: string;
  apiMs: number;
  clientMs: number;
  /** clientMs minus the client's process start. */
  clientNetMs: number;
  /** apiMs / clientMs. */
  ratio: number;
  rows: number;
  sameRows: boolean;
  /** Naive SQL, one run; null when it was cut at the time limit. */
  naiveMs?: number | null;
  /** SQLite: the same SQL through better-sqlite3 in this process (the engine the store uses; the shell may be older). */
  libraryMs?: number;
}

export interface QueryBenchResult {
  bufferPoolMiB: number;
  eventsDay: number;
  eventsWeek: number;
  load: { backend: string; seconds: number; eventsPerSec: number }[];
  clientStartMs: { mysql: number; sqlite?: number };
  sizes: { dataMiB: number; indexMiB: number; queryIndexMiB?: number };
  timings: QueryTiming[];
  table: string;
}

const LOGIN = 'bench';
const FILE_EVENTS = 5000;
const DAY_MS = 86_400_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function execTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    execFile(cmd, args, { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (err) return reject(new Error(`${cmd} failed: ${stderr || err.message}`));
      resolve({ ms, stdout });
    });
  });
}

function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day's events plus `weekEvents` over the six days before, in files of 5000, through the store's Ingestor. */
async function load(host: Host, day: string, events: number, weekEvents: number, log: (l: string) => void): Promise<{ seconds: number; total: number }> {
  const start = dayStart(day);
  const plan: [string, number, number][] = [[day, events, 1]];
  for (let d = 1; d <= 6; d++) plan.push([isoDay(start - d * DAY_MS), Math.floor(weekEvents / 6) + (d <= weekEvents % 6 ? 1 : 0), d + 1]);
  const started = Date.now();
  let total = 0;
  for (const [d, count, seed] of plan) {
    let batch: ValidatedEvent[] = [];
    for (const e of generateEvents(count, { day: d, seed })) {
      batch.push(parseEventText(JSON.stringify(e), { index: batch.length }));
      if (batch.length === FILE_EVENTS) {
        await host.store.ingest.storeFile(batch, 'import');
        total += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await host.store.ingest.storeFile(batch, 'import');
    total += batch.length;
    log(`  loaded ${d}: ${count} events (${total} in ${Math.round((Date.now() - started) / 1000)} s)`);
  }
  return { seconds: (Date.now() - started) / 1000, total };
}

async function benchHost(config: ReturnType<typeof defaultConfig>): Promise<{ host: Host; server: RunningServer; authorization: string }> {
  const host = await createHost({ config, hooks: createHooks(), log: silentLogger, loadPlugins: false });
  const user = await host.store.users.create(LOGIN, 'bench@example.com', 'administrator');
  const password = generateApplicationPassword();
  await host.store.passwords.create(user.id, 'bench', hashApplicationPassword(host.secret, password));
  const server = await listen(host, 0, '127.0.0.1');
  return { host, server, authorization: 'Basic ' + Buffer.from(`${LOGIN}:${password}`).toString('base64') };
}

async function apiQuery(url: string, authorization: string, body: unknown): Promise<{ ms: number; answer: QueryAnswer }> {
  const started = process.hrtime.bigint();
  const res = await fetch(`${url}/wp-json/analytics/v1/query`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 200) throw new Error(`query API answered ${res.status}: ${text}`);
  return { ms, answer: JSON.parse(text) as QueryAnswer };
}

/** SQL with its parameters written in, as a person would type it. */
function inline(sql: string, params: readonly unknown[]): string {
  let i = 0;
  return sql.replace(/\?/g, () => {
    const v = params[i++];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  });
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

interface BenchQuery {
  name: string;
  body: Record<string, unknown>;
  /** Typed by hand: the SQL the API runs, values written in. */
  mysql: string;
  sqlite: string;
  /** What someone without the 0002 index would type (MariaDB). */
  naive: string;
}

function queries(day: string): BenchQuery[] {
  const from = dayStart(day);
  const to = from + DAY_MS - 1;
  const weekFrom = from - 6 * DAY_MS;
  const dayRange = { from: day, to: day };
  const where = (f: number) => `site = '1' AND event_type = 'pageView' AND event_type COLLATE utf8mb4_nopad_bin = 'pageView' AND ts >= ${f} AND ts <= ${to}`;
  const whereLite = (f: number) => `site = '1' AND event_type = 'pageView' AND ts >= ${f} AND ts <= ${to}`;
  const naiveWhere = (f: number) => `site = '1' AND event_type = 'pageView' AND ts BETWEEN ${f} AND ${to}`;
  const numFirst = (k: string, cast: string, first: string) => `CASE WHEN ${first} IN ('-','0','1','2','3','4','5','6','7','8','9') THEN CAST(${k} AS ${cast}) END`;
  const set = 'SET STATEMENT max_length_for_sort_data = 8192, max_sort_length = 65536 FOR ';
  return [
    {
      name: '(a) COUNT by HOUR, one day',
      body: { eventType: 'pageView', timeRange: dayRange, granularity: 'HOUR', aggregations: [{ function: 'COUNT', alias: 'events' }] },
      mysql: `${set}SELECT ts - ts % 3600000 AS t, COUNT(*) AS a0 FROM ah_events FORCE INDEX (ah_events_query) WHERE ${where(from)} GROUP BY t ORDER BY t ASC LIMIT 1000`,
      sqlite: `SELECT ts - ts % 3600000 AS t, COUNT(*) AS a0 FROM ah_events INDEXED BY ah_events_query WHERE ${whereLite(from)} GROUP BY t ORDER BY t ASC LIMIT 1000`,
      naive: `SELECT FLOOR(ts / 3600000) * 3600000 AS hour, COUNT(*) FROM ah_events WHERE ${naiveWhere(from)} GROUP BY hour ORDER BY hour`,
    },
    {
      name: '(b) COUNT by attributes.url, top 100',
      body: {
        eventType: 'pageView',
        timeRange: dayRange,
        groupBy: [{ field: 'attributes.url' }],
        aggregations: [{ function: 'COUNT', alias: 'views' }],
        sort: [{ field: 'views', ascending: false }],
        limit: 100,
      },
      mysql: `${set}SELECT NULLIF(q_url, 'null') AS g0, COUNT(*) AS a0 FROM ah_events FORCE INDEX (ah_events_query) WHERE ${where(from)} GROUP BY g0 ORDER BY a0 DESC, ${numFirst('g0', 'DOUBLE', 'LEFT(g0, 1)')} ASC, g0 ASC LIMIT 100`,
      sqlite: `SELECT NULLIF(doc -> '$."attributes"."url"', 'null') AS g0, COUNT(*) AS a0 FROM ah_events INDEXED BY ah_events_query WHERE ${whereLite(from)} GROUP BY g0 ORDER BY a0 DESC, ${numFirst('g0', 'REAL', 'substr(g0, 1, 1)')} ASC, g0 ASC LIMIT 100`,
      naive: `SELECT JSON_UNQUOTE(JSON_EXTRACT(doc, '$.attributes.url')) AS url, COUNT(*) AS n FROM ah_events WHERE ${naiveWhere(from)} GROUP BY url ORDER BY n DESC LIMIT 100`,
    },
    {
      name: '(c) COUNT DISTINCT endpoint.Id by DAY, one week',
      body: {
        eventType: 'pageView',
        timeRange: { from: isoDay(weekFrom), to: day },
        granularity: 'DAY',
        aggregations: [{ function: 'COUNT', field: 'endpoint.Id', alias: 'visitors' }],
      },
      mysql: `${set}SELECT ts - ts % 86400000 AS t, COUNT(DISTINCT NULLIF(q_endpoint_id, 'null')) AS a0 FROM ah_events FORCE INDEX (ah_events_query) WHERE ${where(weekFrom)} GROUP BY t ORDER BY t ASC LIMIT 1000`,
      sqlite: `SELECT ts - ts % 86400000 AS t, COUNT(DISTINCT NULLIF(doc -> '$."endpoint"."Id"', 'null')) AS a0 FROM ah_events INDEXED BY ah_events_query WHERE ${whereLite(weekFrom)} GROUP BY t ORDER BY t ASC LIMIT 1000`,
      naive: `SELECT DATE(FROM_UNIXTIME(ts / 1000)) AS day, COUNT(DISTINCT JSON_UNQUOTE(JSON_EXTRACT(doc, '$.endpoint.Id'))) FROM ah_events WHERE ${naiveWhere(weekFrom)} GROUP BY day ORDER BY day`,
    },
  ];
}

/** The API's rows in the client's tab-separated form (time buckets and JSON texts written back). */
function sameRows(answer: QueryAnswer, tsv: string): boolean {
  const lines = tsv.trim() === '' ? [] : tsv.trim().split('\n');
  const body = lines.length > 0 && /^t\t|^g0\t/.test(lines[0]) ? lines.slice(1) : lines;
  if (body.length !== answer.rows.length) return false;
  return answer.rows.every((r, i) => {
    const cells = body[i].split('\t');
    return r.values.every((v, j) => {
      const c = cells[j];
      if (answer.columns[j].type === 'TIMESTAMP') return new Date(Number(c)).toISOString().replace('.000Z', 'Z') === v;
      if (answer.columns[j].role === 'DIMENSION') return c === 'NULL' || c === '' ? v === null : JSON.stringify(v) === c || String(v) === c;
      return Number(c) === v;
    });
  });
}

export async function runQueryBench(opts: QueryBenchOptions = {}): Promise<QueryBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const events = opts.events ?? 1_000_000;
  const weekEvents = opts.weekEvents ?? events;
  const runs = opts.runs ?? 5;
  const day = opts.day ?? '2026-11-20';
  const base = parseMysqlUrl((opts.mysqlUrl ?? 'mysql://root@127.0.0.1:3306/').replace(/\/[^/]*$/, '/x'));
  const { host: dbHost, port } = base.hosts[0];
  const dbName = opts.keepDatabase ?? `ah_bench_query_${process.pid}`;
  if (!/^ah_bench_[A-Za-z0-9_]+$/.test(dbName)) throw new Error('the bench database name must start with ah_bench_');
  const auth = base.password ? `${encodeURIComponent(base.user)}:${encodeURIComponent(base.password)}` : encodeURIComponent(base.user);
  const admin = await mysql.createConnection({ host: dbHost, port, user: base.user, password: base.password });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ah-bench-query-'));
  const clientEnv = { ...process.env, ...(base.password ? { MYSQL_PWD: base.password } : {}) };
  const clientArgs = (sql: string) => ['--batch', '-h', dbHost, '-P', String(port), '-u', base.user, dbName, '-e', sql];
  const result: QueryBenchResult = {
    bufferPoolMiB: 0,
    eventsDay: events,
    eventsWeek: events + weekEvents,
    load: [],
    clientStartMs: { mysql: 0 },
    sizes: { dataMiB: 0, indexMiB: 0 },
    timings: [],
    table: '',
  };
  const open: { host: Host; server: RunningServer }[] = [];
  try {
    const [[pool]] = (await admin.query('SELECT @@innodb_buffer_pool_size AS b')) as unknown as [[{ b: number }]];
    result.bufferPoolMiB = Math.round(Number(pool.b) / 1048576);
    let reuse = false;
    if (opts.keepDatabase) {
      const [have] = (await admin.query(`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = 'ah_events'`, [dbName])) as unknown as [{ n: number }[]];
      if (Number(have[0].n) > 0) {
        const [rows] = (await admin.query(`SELECT COUNT(*) AS n FROM \`${dbName}\`.ah_events`)) as unknown as [{ n: number }[]];
        reuse = Number(rows[0].n) === events + weekEvents;
      }
    }
    if (!reuse) {
      await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
      await admin.query(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    }

    const config = defaultConfig(dataDir);
    config.data_dir = path.join(dataDir, 'mysql');
    config.database_url = `mysql://${auth}@${dbHost}:${port}/${dbName}`;
    config.secret = 'bench-query-secret-' + 'x'.repeat(32);
    if (reuse) await admin.query(`DELETE FROM \`${dbName}\`.ah_users WHERE login = ?`, [LOGIN]);
    const my = await benchHost(config);
    open.push(my);
    if (reuse) log(`MariaDB ${dbHost}:${port}/${dbName}, innodb_buffer_pool_size ${result.bufferPoolMiB} MiB; reusing its ${events + weekEvents} events`);
    else {
      log(`MariaDB ${dbHost}:${port}/${dbName}, innodb_buffer_pool_size ${result.bufferPoolMiB} MiB; loading ${events} + ${weekEvents} events…`);
      const loaded = await load(my.host, day, events, weekEvents, log);
      result.load.push({ backend: 'mysql', seconds: round(loaded.seconds), eventsPerSec: Math.round(loaded.total / loaded.seconds) });
      await admin.query(`ANALYZE TABLE \`${dbName}\`.ah_events`);
    }
    const [sizes] = (await admin.query(
      `SELECT data_length AS d, index_length AS i FROM information_schema.tables WHERE table_schema = ? AND table_name = 'ah_events'`,
      [dbName],
    )) as unknown as [{ d: number; i: number }[]];
    result.sizes = { dataMiB: Math.round(Number(sizes[0].d) / 1048576), indexMiB: Math.round(Number(sizes[0].i) / 1048576) };
    const [qi] = (await admin.query(
      `SELECT stat_value * @@innodb_page_size AS b FROM mysql.innodb_index_stats WHERE database_name = ? AND table_name = 'ah_events' AND index_name = 'ah_events_query' AND stat_name = 'size'`,
      [dbName],
    )) as unknown as [{ b: number }[]];
    if (qi[0]) result.sizes.queryIndexMiB = Math.round(Number(qi[0].b) / 1048576);

    const starts: number[] = [];
    for (let i = 0; i < runs; i++) starts.push((await execTimed('mariadb', clientArgs('SELECT 1'), clientEnv)).ms);
    result.clientStartMs.mysql = round(median(starts));

    for (const q of queries(day)) {
      // The hand-typed SQL is the API's SQL: checked, so the comparison is like for like.
      const built = buildQuery(parseQuery(q.body), { dialect: 'mysql', site: '1' });
      if (squash(inline(built.sql, built.params)) !== squash(q.mysql)) throw new Error(`hand SQL differs from the API's for ${q.name}:\n${inline(built.sql, built.params)}\n${q.mysql}`);
      // One warm-up each, then API and client alternate so both see the same cache.
      const warm = await apiQuery(my.server.url, my.authorization, q.body);
      await execTimed('mariadb', clientArgs(q.mysql), clientEnv);
      const api: number[] = [];
      const cli: number[] = [];
      let last = '';
      for (let i = 0; i < runs; i++) {
        api.push((await apiQuery(my.server.url, my.authorization, q.body)).ms);
        const c = await execTimed('mariadb', clientArgs(q.mysql), clientEnv);
        cli.push(c.ms);
        last = c.stdout;
      }
      const t: QueryTiming = {
        backend: 'mysql',
        query: q.name,
        apiMs: round(median(api)),
        clientMs: round(median(cli)),
        clientNetMs: round(median(cli) - result.clientStartMs.mysql),
        ratio: round(median(api) / median(cli), 2),
        rows: warm.answer.rows.length,
        sameRows: sameRows(warm.answer, last),
      };
      if (opts.naive) {
        const limit = opts.naiveTimeoutSeconds ?? 300;
        try {
          t.naiveMs = round((await execTimed('mariadb', clientArgs(`SET STATEMENT max_statement_time = ${limit} FOR ${q.naive}`), clientEnv)).ms);
        } catch {
          t.naiveMs = null;
        }
      }
      result.timings.push(t);
      const naive = t.naiveMs === undefined ? '' : `, naive SQL ${t.naiveMs === null ? `over ${opts.naiveTimeoutSeconds ?? 300} s` : `${t.naiveMs} ms`}`;
      log(`  ${q.name}: API ${t.apiMs} ms, mariadb client ${t.clientMs} ms (${t.ratio}x)${naive}`);
    }

    if (opts.sqlite) {
      const liteConfig = defaultConfig(dataDir);
      liteConfig.data_dir = path.join(dataDir, 'sqlite');
      liteConfig.secret = config.secret;
      const lite = await benchHost(liteConfig);
      open.push(lite);
      log(`SQLite ${liteConfig.data_dir}; loading…`);
      const l = await load(lite.host, day, events, weekEvents, log);
      result.load.push({ backend: 'sqlite', seconds: round(l.seconds), eventsPerSec: Math.round(l.total / l.seconds) });
      const file = path.join(liteConfig.data_dir, 'analytics.sqlite');
      const liteStarts: number[] = [];
      for (let i = 0; i < runs; i++) liteStarts.push((await execTimed('sqlite3', [file, 'SELECT 1'])).ms);
      result.clientStartMs.sqlite = round(median(liteStarts));
      const direct = new BetterSqlite3(file, { readonly: true });
      const shellVersion = (await execTimed('sqlite3', ['--version'])).stdout.split(' ')[0];
      const libVersion = (direct.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
      log(`  sqlite3 shell ${shellVersion}, better-sqlite3 ${libVersion}`);
      for (const q of queries(day)) {
        const built = buildQuery(parseQuery(q.body), { dialect: 'sqlite', site: '1' });
        if (squash(inline(built.sql, built.params)) !== squash(q.sqlite)) throw new Error(`hand SQL differs from the API's for ${q.name} (SQLite)`);
        const warm = await apiQuery(lite.server.url, lite.authorization, q.body);
        await execTimed('sqlite3', ['-readonly', '-separator', '\t', file, q.sqlite]);
        const api: number[] = [];
        const cli: number[] = [];
        const lib: number[] = [];
        const stmt = direct.prepare(q.sqlite);
        let last = '';
        for (let i = 0; i < runs; i++) {
          api.push((await apiQuery(lite.server.url, lite.authorization, q.body)).ms);
          const c = await execTimed('sqlite3', ['-readonly', '-separator', '\t', '-nullvalue', 'NULL', file, q.sqlite]);
          cli.push(c.ms);
          last = c.stdout;
          const started = process.hrtime.bigint();
          stmt.all();
          lib.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        const t: QueryTiming = {
          backend: 'sqlite',
          query: q.name,
          apiMs: round(median(api)),
          clientMs: round(median(cli)),
          clientNetMs: round(median(cli) - result.clientStartMs.sqlite),
          ratio: round(median(api) / median(cli), 2),
          rows: warm.answer.rows.length,
          sameRows: sameRows(warm.answer, last),
          libraryMs: round(median(lib)),
        };
        result.timings.push(t);
        log(`  ${q.name} (SQLite): API ${t.apiMs} ms, sqlite3 shell ${t.clientMs} ms (${t.ratio}x), better-sqlite3 in-process ${t.libraryMs} ms`);
      }
      direct.close();
    }
  } finally {
    for (const o of open.reverse()) {
      await o.server.close().catch(() => undefined);
      await o.host.close().catch(() => undefined);
    }
    if (!opts.keepDatabase) await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => undefined);
    await admin.end().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const lines = [
    `| backend | query | API (HTTP) median ms | hand SQL in client median ms | client minus process start | API / client | rows | same rows | SQLite: same SQL via better-sqlite3 ms |${opts.naive ? ' naive SQL ms |' : ''}`,
    `|---|---|---:|---:|---:|---:|---:|---|---:|${opts.naive ? '---:|' : ''}`,
    ...result.timings.map(
      (t) =>
        `| ${t.backend} | ${t.query} | ${t.apiMs} | ${t.clientMs} | ${t.clientNetMs} | ${t.ratio} | ${t.rows} | ${t.sameRows ? 'yes' : 'NO'} | ${t.libraryMs ?? ''} |${opts.naive ? ` ${t.naiveMs === null ? `> ${(opts.naiveTimeoutSeconds ?? 300) * 1000}` : (t.naiveMs ?? '')} |` : ''}`,
    ),
  ];
  result.table = lines.join('\n');
  return result;
}

if (require.main === module) {
  const env = process.env;
  const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  runQueryBench({
    events: num(env.BENCH_QUERY_EVENTS),
    weekEvents: num(env.BENCH_QUERY_WEEK_EVENTS),
    runs: num(env.BENCH_QUERY_RUNS),
    mysqlUrl: env.BENCH_MYSQL_URL,
    sqlite: env.BENCH_QUERY_SQLITE === '1',
    naive: env.BENCH_QUERY_NAIVE === '1',
    naiveTimeoutSeconds: num(env.BENCH_QUERY_NAIVE_TIMEOUT),
    keepDatabase: env.BENCH_QUERY_KEEP_DB || undefined,
  })
    .then((r) => {
      console.log('');
      console.log(`events: ${r.eventsDay} on the day, ${r.eventsWeek} over the week; innodb_buffer_pool_size ${r.bufferPoolMiB} MiB`);
      console.log(`ah_events: data ${r.sizes.dataMiB} MiB, indexes ${r.sizes.indexMiB} MiB (ah_events_query ${r.sizes.queryIndexMiB ?? '?'} MiB)`);
      console.log(`load through the Ingestor: ${r.load.map((l) => `${l.backend} ${l.eventsPerSec} events/s`).join(', ')}`);
      console.log(`client process start (SELECT 1): mariadb ${r.clientStartMs.mysql} ms${r.clientStartMs.sqlite !== undefined ? `, sqlite3 ${r.clientStartMs.sqlite} ms` : ''}`);
      console.log('');
      console.log(r.table);
      const worst = Math.max(...r.timings.map((t) => t.ratio));
      console.log('');
      console.log(`target: every query within 1.2x of the hand SQL — worst ${worst}x: ${worst <= 1.2 ? 'met' : 'NOT met'}`);
      if (r.timings.some((t) => !t.sameRows)) process.exitCode = 1;
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    });
}
