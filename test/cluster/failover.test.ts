/**
 * The product on a 3-node MariaDB Galera cluster (issue 9): several app instances, each on
 * a different node, nodes that die (kill -9), leave the cluster and come back. The cluster
 * is this file's own (own dir under the temp dir, own ports) and is torn down after, also
 * when a test fails; when it cannot start, every test here fails with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHooks, type ExportBatch } from '../../hooks';
import { parseEventText } from '../../core/events/validate';
import { Ingestor } from '../../core/store/ingest';
import { openStore, type Store } from '../../core/store/store';
import type { Database, Queryable, SqlParams } from '../../core/db/types';
import { migrations } from '../../core/db/migrations';
import { runExport } from '../../cron/export-run';
import { startScheduler, type RunningScheduler } from '../../cron/scheduler';
import type { LastRun } from '../../cron/state';
import { generateEvents } from '../../bench/generate';
import { createUserWithPassword } from '../support/host';
import { altisEvent, DAY, validated } from '../support/events';
import { get, openSlowPull } from '../export/http';
import type { ClusterHandle, NodeIndex } from './cluster';
import {
  NODES,
  bringUpCluster,
  clusterPorts,
  createClusterDatabase,
  nodeConnection,
  nodePortOf,
  openClusterHost,
  sleep,
  waitFor,
  type ClusterDatabase,
  type ClusterHost,
} from './support';

/** Instances move back to their preferred node 1 s after it is usable again; node state is re-read every second. */
const FAST = { failbackSeconds: 1 };
const DATE = '2026-11-20';

let cluster: ClusterHandle;
const opened: { close(): Promise<void> }[] = [];
const databases: ClusterDatabase[] = [];

/**
 * The databases of the kill cases, created and migrated up front: no DDL (a test database's
 * CREATE/ALTER/DROP) runs in the seconds before a node is killed. A node killed right after
 * a DDL was seen to hang in its `--wsrep-recover` on restart ("Incorrect information in
 * file: ….frm"); galera.sh bounds that and falls back to a full state transfer.
 */
const killCaseDatabases: ClusterDatabase[] = [];

beforeAll(async () => {
  cluster = await bringUpCluster('failover', clusterPorts('AH_CLUSTER_FAILOVER_PORT'));
  for (let i = 0; i < 3; i++) {
    const db = await createClusterDatabase(cluster);
    databases.push(db);
    const s = await openStore({ databaseUrl: db.url(), dataDir: db.dataDir });
    await s.close();
    killCaseDatabases.push(db);
  }
  for (const n of NODES) {
    const c = await nodeConnection(cluster, n);
    await c.query('FLUSH TABLES').finally(() => c.end());
  }
}, 180_000);

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close().catch(() => undefined);
  // Every node up and Synced again before the next case (a failed case may leave one down).
  nodeOpsOpen = false;
  await nodeOp;
  if (cluster) {
    for (const s of await cluster.status()) if (s.pid === null) await cluster.start(s.node);
    await cluster.waitSynced();
  }
}, 300_000);

afterAll(async () => {
  // Dropped at the end only (see killCaseDatabases).
  for (const d of databases.splice(0)) await d.drop().catch(() => undefined);
  await cluster?.down();
}, 180_000);

const portOf = (n: NodeIndex) => cluster.ports[n - 1];

/**
 * Node operations of the running test. afterEach waits for the one under way, and from then
 * on refuses new ones: a test that timed out keeps running in the background and must not
 * start a node while afterEach brings the cluster back.
 */
let nodeOp: Promise<unknown> = Promise.resolve();
let nodeOpsOpen = true;
function nodeOperation(run: () => Promise<void>): Promise<void> {
  if (!nodeOpsOpen) return Promise.reject(new Error('the test is over (timed out?): no more node operations'));
  const p = run();
  nodeOp = p.catch(() => undefined);
  return p;
}
const killNode = (n: NodeIndex) => nodeOperation(() => cluster.kill(n));
const startNode = (n: NodeIndex) => nodeOperation(() => cluster.start(n));

beforeEach(() => {
  nodeOpsOpen = true;
});

/** Until the instance's pool is on node n (it moves back within failbackSeconds once n is usable). */
async function onNode(h: ClusterHost, n: NodeIndex): Promise<void> {
  await waitFor(`the instance to use node ${n}`, async () => (await nodePortOf(h.host)) === portOf(n), 30_000, 200);
}

async function freshDatabase(): Promise<ClusterDatabase> {
  const db = await createClusterDatabase(cluster);
  databases.push(db);
  return db;
}

async function instance(db: ClusterDatabase, order: NodeIndex[], options: Parameters<typeof openClusterHost>[2] = {}, params: Record<string, string | number> = FAST): Promise<ClusterHost> {
  const h = await openClusterHost(db, db.url(order, params), options);
  opened.push(h);
  return h;
}

async function store(db: ClusterDatabase, order: NodeIndex[]): Promise<Store> {
  const s = await openStore({ databaseUrl: db.url(order, FAST), dataDir: db.dataDir });
  opened.push(s);
  return s;
}

/** Records what the subscribers of one registry acknowledged. */
function recorder(hooks: ReturnType<typeof createHooks>, tag = '') {
  const batches: { id: string; lines: string[]; tag: string }[] = [];
  hooks.add_action(
    'altis.analytics.export.data.process',
    async (ndjson: string, batch: ExportBatch) => {
      batches.push({ id: batch.id, lines: ndjson.split('\n').filter(Boolean), tag });
    },
    10,
    2,
  );
  return { batches, lines: () => batches.flatMap((b) => b.lines) };
}

async function ran(h: ClusterHost): Promise<LastRun> {
  const outcome = await runExport(h.host, { trigger: 'manual' });
  if (outcome.status !== 'ran') throw new Error(`expected a run, got ${outcome.status}`);
  return outcome.run;
}

/** Runs the export until nothing is pending (a run may meet the lease of one still finishing). */
async function drain(h: ClusterHost): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const totals = await h.host.store.files.pendingTotals();
    if (totals.files === 0) return;
    await runExport(h.host, { trigger: 'manual' });
  }
  throw new Error('files still pending after 20 runs');
}

async function countOnNode(n: NodeIndex, database: string, sql: string): Promise<number> {
  const c = await nodeConnection(cluster, n, database);
  try {
    const [rows] = await c.query(sql);
    return Number((rows as Record<string, unknown>[])[0].n);
  } finally {
    await c.end();
  }
}

/** Certification failures and brute-force aborts on nodes 1 and 2 so far: conflicts Galera resolved. */
async function conflictCount(): Promise<number> {
  let n = 0;
  for (const node of [1, 2] as NodeIndex[]) {
    const c = await nodeConnection(cluster, node);
    try {
      const [rows] = await c.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')");
      for (const r of rows as { Value: string }[]) n += Number(r.Value);
    } finally {
      await c.end();
    }
  }
  return n;
}

let keySeq = 0;
/** Small Altis events with unique event_ids (as the Altis client sends them). */
function keyed(count: number, day = DAY, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  const run = ++keySeq;
  return Array.from({ length: count }, (_, i) => altisEvent(day + ((run * 7919 + i) % 86_000_000), { event_id: `ev-${run}-${i}`, ...extra }));
}

describe('nodes that die, leave and come back', () => {
  test('kill -9 of the node an instance ingests through, mid-transaction: 503 + Retry-After, the retried POST stores the file once, the instance carries on through another node; the node restarts, catches up by IST and is used again', async () => {
    const db = killCaseDatabases.shift()!;
    const app = await instance(db, [1, 2, 3], { listen: true });
    const { authorization } = await createUserWithPassword(app.host, 'admin');
    await onNode(app, 1);

    // Kill node 1 while a POST's transaction is open on it: right after its first statement.
    const dbo = app.host.store.db;
    const originalTx = dbo.transaction.bind(dbo);
    let killInTx = false;
    dbo.transaction = <T>(fn: (tx: Queryable) => Promise<T>) =>
      originalTx(async (tx) => {
        if (!killInTx) return fn(tx);
        killInTx = false;
        let first = true;
        return fn({
          all: <R>(sql: string, params?: SqlParams) => tx.all<R>(sql, params),
          run: async (sql: string, params?: SqlParams) => {
            const r = await tx.run(sql, params);
            if (first) {
              first = false;
              await killNode(1);
            }
            return r;
          },
        });
      });

    const bodies = Array.from({ length: 6 }, (_, i) => [...generateEvents(800, { seed: 100 + i })].map((e) => JSON.stringify(e)).join('\n'));
    const statuses: number[][] = bodies.map(() => []);
    let retryAfter: string | null = null;
    const post = async (i: number) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        let status = 0;
        try {
          const res = await fetch(`${app.url}/wp-json/analytics/v1/events`, {
            method: 'POST',
            signal: AbortSignal.timeout(60_000),
            body: bodies[i],
            headers: { Authorization: authorization, 'Content-Type': 'application/x-ndjson' },
          });
          status = res.status;
          if (status === 503) retryAfter = res.headers.get('retry-after');
          await res.arrayBuffer();
        } catch {
          status = -1;
        }
        statuses[i].push(status);
        if (status === 202) return;
        await sleep(250);
      }
      throw new Error(`POST ${i} never accepted: ${statuses[i].join(',')}`);
    };
    for (let i = 0; i < bodies.length; i++) {
      killInTx = i === 3;
      await post(i);
    }
    expect(statuses[3][0]).toBe(503);
    expect(retryAfter).toBe('5');
    expect(statuses.every((s) => s[s.length - 1] === 202)).toBe(true);
    expect([portOf(2), portOf(3)]).toContain(await nodePortOf(app.host));
    expect(app.logged.join('\n')).toMatch(/database: leaving 127\.0\.0\.1:\d+/);

    // Every event once (event_ids), every POST one non-empty file of its 800 events.
    const total = bodies.length * 800;
    const [{ n, ids }] = await app.host.store.db.all<{ n: number; ids: number }>('SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS ids FROM ah_events');
    expect([Number(n), Number(ids)]).toEqual([total, total]);
    const files = await app.host.store.files.oldestPending(100);
    expect(files.filter((f) => f.events > 0).map((f) => f.events)).toEqual(bodies.map(() => 800));

    // Writes go on while node 1 is away; it restarts, catches up by IST, and the instance moves back to it.
    await app.host.store.ingest.storeFile(validated(keyed(50)), 'http');
    await startNode(1);
    expect(fs.readFileSync(path.join(cluster.dir, 'node1', 'error.log'), 'utf8')).toMatch(/IST received/);
    const countAll = 'SELECT COUNT(*) AS n FROM ah_events';
    expect(await countOnNode(1, db.name, countAll)).toBe(await countOnNode(2, db.name, countAll));
    await onNode(app, 1);
    const { file } = await app.host.store.ingest.storeFile(validated(keyed(7)), 'http');
    expect(await countOnNode(3, db.name, `SELECT COUNT(*) AS n FROM ah_files WHERE uuid = '${file}'`)).toBe(1);

    // And the export delivers every event exactly once.
    const rec = recorder(app.hooks);
    await drain(app);
    expect(rec.lines()).toHaveLength(total + 57);
    expect(new Set(rec.lines()).size).toBe(total + 57);
  }, 180_000);

  test('kill -9 of the node a pull reads from: the transfer breaks (no valid end), the next pull succeeds through another node', async () => {
    const db = killCaseDatabases.shift()!;
    const app = await instance(db, [2, 3, 1], { listen: true });
    const { authorization } = await createUserWithPassword(app.host, 'admin');
    // ~32 MB: far more than the socket buffers between the node and the instance hold, so
    // the pull still needs the node after its first bytes (the day streams in one query).
    const docs = [...generateEvents(6000, { day: DATE, seed: 7 })].map((e) => JSON.stringify({ ...e, pad: 'x'.repeat(4000) }));
    for (let i = 0; i < docs.length; i += 2000) {
      await app.host.store.ingest.storeFile(docs.slice(i, i + 2000).map((t, j) => parseEventText(t, { line: j + 1 })), 'import');
    }
    await onNode(app, 2);
    const url = `${app.url}/wp-json/analytics/v1/events/${DATE}`;

    const pull = openSlowPull(`${url}?chunk_size=100`, { Authorization: authorization });
    await pull.firstBytes;
    await killNode(2);
    pull.resume();
    const broken = await pull.ended;
    expect(broken.status).toBe(200);
    expect(broken.complete).toBe(false);
    expect(() => JSON.parse(broken.body.toString('utf8'))).toThrow();

    const whole = await get(url, { Authorization: authorization });
    expect(whole.status).toBe(200);
    expect(whole.complete).toBe(true);
    expect(whole.headers['x-wp-total']).toBe('6000');
    const body = JSON.parse(whole.body.toString('utf8')) as unknown[];
    expect(body).toHaveLength(6000);
    expect(new Set(body.map((e) => JSON.stringify(e)))).toEqual(new Set(docs));
    expect([portOf(3), portOf(1)]).toContain(await nodePortOf(app.host));
  }, 180_000);

  test('kill -9 of the node an export run uses: the run fails, the next run delivers, nothing lost (only the batch in flight comes again, same id)', async () => {
    const db = killCaseDatabases.shift()!;
    const app = await instance(db, [3, 1, 2], { configure: (c) => (c.export.batch_bytes = 256 * 1024) });
    const files: string[][] = [];
    for (let f = 0; f < 4; f++) {
      const docs = [...generateEvents(2500, { seed: 40 + f })].map((e) => JSON.stringify(e));
      await app.host.store.ingest.storeFile(docs.map((t, j) => parseEventText(t, { line: j + 1 })), 'import');
      files.push(docs);
    }
    await onNode(app, 3);

    const acked: { id: string; lines: string[] }[] = [];
    let firstCall!: () => void;
    const blocked = new Promise<void>((r) => (firstCall = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    app.hooks.add_action(
      'altis.analytics.export.data.process',
      async (ndjson: string, batch: ExportBatch) => {
        if (acked.length === 0) {
          firstCall();
          await released;
        }
        acked.push({ id: batch.id, lines: ndjson.split('\n').filter(Boolean) });
      },
      10,
      2,
    );
    const first = runExport(app.host, { trigger: 'manual' });
    await blocked;
    await killNode(3);
    release();
    const outcome = await first;
    // It fails when it next needs its dead node (a page of documents); what it marked before that was acknowledged.
    expect(outcome).toMatchObject({ status: 'ran', run: { result: 'error', message: expect.stringMatching(/Connection lost|closed state/) } });
    if (outcome.status === 'ran') expect(outcome.run.files).toBeLessThan(4);
    const failedBatches = acked.length;

    await drain(app);
    const all = files.flat();
    const delivered = acked.flatMap((b) => b.lines);
    expect(failedBatches).toBeGreaterThan(0);
    expect(new Set(delivered)).toEqual(new Set(all));
    // Nothing lost; what comes twice is only the batch the failed run had in flight, again
    // with the same id (the lines before it, acknowledged, are not sent again).
    const seen = new Map<string, number>();
    for (const b of acked) seen.set(b.id, (seen.get(b.id) ?? 0) + 1);
    const repeated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    expect(repeated.length).toBeLessThanOrEqual(1);
    const repeatedLines = acked.filter((b) => repeated.includes(b.id)).slice(1).reduce((n, b) => n + b.lines.length, 0);
    expect(delivered.length).toBe(all.length + repeatedLines);
    if (repeated.length) expect(acked[failedBatches].id).toBe(repeated[0]);
    expect(await app.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
    expect([portOf(1), portOf(2)]).toContain(await nodePortOf(app.host));
  }, 180_000);

  test('a node that leaves sync (desynced) is not used; the instance comes back once it is Synced again', async () => {
    const db = await freshDatabase();
    const app = await instance(db, [1, 2, 3]);
    await onNode(app, 1);
    const admin = await nodeConnection(cluster, 1);
    try {
      await admin.query('SET GLOBAL wsrep_desync = ON');
      await waitFor('the instance to leave the desynced node', async () => (await nodePortOf(app.host)) !== portOf(1), 10_000, 100);
      expect(app.logged.join('\n')).toMatch(/Donor\/Desynced/);
      await app.host.store.ingest.storeFile(validated(keyed(3)), 'http');
      await admin.query('SET GLOBAL wsrep_desync = OFF');
      await waitFor('the instance to return to node 1', async () => (await nodePortOf(app.host)) === portOf(1), 20_000, 200);
    } finally {
      await admin.query('SET GLOBAL wsrep_desync = OFF').catch(() => undefined);
      await admin.end();
    }
  }, 180_000);

  test('three app instances, each on its own node, a 5-second schedule: every file delivered exactly once, runs never overlap', async () => {
    const db = await freshDatabase();
    const orders: NodeIndex[][] = [
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
    ];
    const delivered: { tag: string; id: string; lines: string[] }[] = [];
    const runs: { start: number; end: number; tag: string; result: string }[] = [];
    const apps: ClusterHost[] = [];
    for (const [i, order] of orders.entries()) {
      const hooks = createHooks();
      hooks.add_filter('cron_schedules', (s) => ({ ...s, every_five: { interval: 5, display: 'Every 5 seconds' } }));
      const tag = `node${order[0]}`;
      hooks.add_action(
        'altis.analytics.export.data.process',
        async (ndjson: string, batch: ExportBatch) => {
          await sleep(50);
          delivered.push({ tag, id: batch.id, lines: ndjson.split('\n').filter(Boolean) });
        },
        10,
        2,
      );
      let started = 0;
      hooks.add_action('altis.analytics.export.run.start', () => void (started = Date.now()));
      hooks.add_action('altis.analytics.export.run.complete', (run: LastRun) => void runs.push({ start: started, end: Date.now(), tag, result: run.result }));
      apps.push(
        await instance(db, order, {
          hooks,
          configure: (c) => {
            c.export.cron.frequency = 'every_five';
            c.export.batch_bytes = 8192;
            c.export.max_files = 6;
          },
        }),
      );
      await onNode(apps[i], order[0]);
    }
    // All three at once, as instances started together would (the schedule row is created by whoever is first).
    const schedulers: RunningScheduler[] = [];
    const starting = await Promise.allSettled(apps.map((a) => startScheduler(a.host)));
    for (const s of starting) if (s.status === 'fulfilled') schedulers.push(s.value);
    opened.push({ close: async () => void (await Promise.all(schedulers.map((s) => s.stop()))) });
    expect(starting.filter((s) => s.status === 'rejected')).toEqual([]);

    // Files keep arriving through all three instances while they export.
    const expected: string[] = [];
    for (let i = 0; i < 16; i++) {
      const docs = keyed(1 + (i % 6) * 7);
      await apps[i % 3].host.store.ingest.storeFile(validated(docs), 'http');
      expected.push(...docs.map((d) => JSON.stringify(d)));
      await sleep(1000);
    }
    await waitFor('everything to be delivered', async () => (await apps[0].host.store.files.pendingTotals()).files === 0, 20_000, 250);
    await Promise.all(schedulers.map((s) => s.stop()));

    const lines = delivered.flatMap((d) => d.lines);
    expect(lines).toHaveLength(expected.length);
    expect(new Set(lines)).toEqual(new Set(expected));
    expect(runs.filter((r) => r.result !== 'ok')).toEqual([]);
    runs.sort((a, b) => a.start - b.start);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < runs.length; i++) expect(runs[i].start).toBeGreaterThanOrEqual(runs[i - 1].end);
  }, 180_000);
});

describe('the store and the export on a Galera cluster', () => {
  test('two instances migrating a fresh database at once on two nodes both start; the schema is there once', async () => {
    for (let round = 0; round < 2; round++) {
      const db = await freshDatabase();
      const [a, b] = await Promise.all([store(db, [1, 2, 3]), store(db, [2, 3, 1])]);
      expect(await a.migrate()).toMatchObject({ applied: [] });
      expect(await b.db.all('SELECT id FROM ah_migrations')).toHaveLength(migrations.length);
      await a.ingest.storeFile(validated(keyed(3)), 'http');
      expect(await b.files.pendingTotals()).toEqual({ files: 1, events: 3 });
    }
  });

  test('every pooled connection to a Galera node reads with wsrep_sync_wait=1: a write on one node is seen at once on another', async () => {
    const db = await freshDatabase();
    const [w, r] = await Promise.all([store(db, [1, 2, 3]), store(db, [3, 1, 2])]);
    expect(await r.db.all('SELECT @@wsrep_sync_wait AS w, @@port AS p')).toEqual([{ w: 1, p: portOf(3) }]);
    for (let i = 0; i < 40; i++) {
      const { file } = await w.ingest.storeFile(validated(keyed(2)), 'http');
      const pending = await r.files.oldestPending(1000);
      expect(pending.map((f) => f.uuid)).toContain(file);
      expect(await w.leases.acquire(`l${i}`, 'node1', 60_000)).toBe(true);
      expect(await r.leases.holder(`l${i}`)).toMatchObject({ owner: 'node1' });
    }
  });

  test('a lease raced from two nodes has one winner every time, also when the loser meets a certification conflict (1213) at commit', async () => {
    const db = await freshDatabase();
    const admins = await Promise.all([nodeConnection(cluster, 1), nodeConnection(cluster, 2)]);
    try {
      // Sessions opened from now on do not retry a conflicting autocommit statement: the loser gets 1213.
      for (const c of admins) await c.query('SET GLOBAL wsrep_retry_autocommit = 0');
      const [a, b] = await Promise.all([store(db, [1, 2, 3]), store(db, [2, 3, 1])]);
      expect(await a.db.all('SELECT @@wsrep_retry_autocommit AS r')).toEqual([{ r: 0 }]);
      const before = await conflictCount();
      for (let i = 0; i < 25; i++) {
        const now = Date.now();
        // An expired row (the UPDATE path) on odd rounds, no row (the INSERT path) on even ones.
        if (i % 2) await a.db.run('INSERT INTO ah_leases (name, owner, expires_at) VALUES (?, ?, ?)', [`race${i}`, 'gone', now - 1000]);
        const wins = await Promise.all([a.leases.acquire(`race${i}`, 'a', 60_000, now), b.leases.acquire(`race${i}`, 'b', 60_000, now)]);
        expect(wins.filter(Boolean)).toHaveLength(1);
        const holder = await a.leases.holder(`race${i}`);
        expect(holder?.owner).toBe(wins[0] ? 'a' : 'b');
      }
      // The conflicting path was taken: the loser's statement failed certification, ran again
      // (the store retries a statement that lost a conflict) and found the lease taken.
      expect((await conflictCount()) - before).toBeGreaterThan(0);
    } finally {
      for (const c of admins) {
        await c.query('SET GLOBAL wsrep_retry_autocommit = 1').catch(() => undefined);
        await c.end();
      }
    }
  });

  test('ingestion on two nodes at once: certification conflicts are retried, every file is stored exactly once', async () => {
    const db = await freshDatabase();
    const [a, b] = await Promise.all([store(db, [1, 2, 3]), store(db, [2, 3, 1])]);
    const before = await conflictCount();
    const stored: { file: string; events: number }[] = [];
    for (let round = 0; round < 15; round++) {
      // Both files bring the same new field of the same day: both write the same ah_fields row.
      const results = await Promise.all(
        [a, b].map((s) => s.ingest.storeFile(validated(keyed(200, DAY, { [`field_${round}`]: round })), 'http')),
      );
      for (const r of results) stored.push({ file: r.file, events: r.accepted });
    }
    const after = await conflictCount();
    expect(stored.every((s) => s.events === 200)).toBe(true);
    const files = await a.files.oldestPending(1000);
    expect(files.map((f) => f.uuid).sort()).toEqual(stored.map((s) => s.file).sort());
    expect(files.every((f) => f.events === 200)).toBe(true);
    expect(await countOnNode(3, db.name, 'SELECT COUNT(*) AS n FROM ah_events')).toBe(30 * 200);
    // The conflicting path was really taken (and retried) at least once.
    expect(after - before).toBeGreaterThan(0);
  }, 180_000);

  test('a file that commits late on node 1 with a lower id and an older accepted_at is still exported, once; two writers and the export on three nodes', async () => {
    const db = await freshDatabase();
    const w1 = await instance(db, [1, 2, 3]);
    const w2 = await instance(db, [2, 3, 1]);
    const ex = await instance(db, [3, 1, 2]);
    const rec = recorder(ex.hooks);
    const expected: string[] = [];

    // Node 1: a file's transaction stays open (events inserted, not committed) ...
    let inside!: () => void;
    const insideTx = new Promise<void>((r) => (inside = r));
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    const base = w1.host.store.db;
    const gated: Database = Object.assign(Object.create(base) as Database, {
      transaction: <T>(fn: Parameters<Database['transaction']>[0]) =>
        base.transaction(async (tx) => {
          const r = (await fn(tx)) as T;
          inside();
          await gate;
          return r;
        }),
    });
    const lateDocs = keyed(5, DAY - 86_400_000);
    const late = new Ingestor(gated).storeFile(validated(lateDocs), 'http');
    await insideTx;
    // ... while node 2 commits later files and the export on node 3 delivers them.
    const early: Record<string, unknown>[][] = [keyed(4), keyed(3), keyed(6)];
    for (const docs of early) await w2.host.store.ingest.storeFile(validated(docs), 'http');
    expect(await ran(ex)).toMatchObject({ result: 'ok', files: 3, events: 13 });
    expect(rec.lines()).toEqual(early.flat().map((d) => JSON.stringify(d)));
    commit();
    const lateFile = await late;
    const rows = await ex.host.store.db.all<{ uuid: string; id: number; accepted_at: number }>('SELECT uuid, id, accepted_at FROM ah_files ORDER BY id');
    const lateRow = rows.find((r) => r.uuid === lateFile.file)!;
    const others = rows.filter((r) => r.uuid !== lateFile.file);
    // The classic trap for an id (or time) watermark: lower id, older accepted_at, committed last.
    expect(others.every((r) => Number(r.id) > Number(lateRow.id) && Number(r.accepted_at) >= Number(lateRow.accepted_at))).toBe(true);
    expect(await ran(ex)).toMatchObject({ result: 'ok', files: 1, events: 5 });
    expect(rec.lines().slice(13)).toEqual(lateDocs.map((d) => JSON.stringify(d)));
    expected.push(...early.flat().map((d) => JSON.stringify(d)), ...lateDocs.map((d) => JSON.stringify(d)));

    // Then both writers interleave (transactions held open at random) while the export runs on node 3.
    let writing = true;
    const writer = async (h: ClusterHost) => {
      for (let i = 0; i < 12; i++) {
        const docs = keyed(1 + (i % 5) * 40);
        const hold = Math.random() * 150;
        const db2 = h.host.store.db;
        const slow: Database = Object.assign(Object.create(db2) as Database, {
          transaction: <T>(fn: Parameters<Database['transaction']>[0]) =>
            db2.transaction(async (tx) => {
              const r = (await fn(tx)) as T;
              await sleep(hold);
              return r;
            }),
        });
        await new Ingestor(slow).storeFile(validated(docs), 'http');
        expected.push(...docs.map((d) => JSON.stringify(d)));
      }
    };
    const exporter = (async () => {
      while (writing) {
        await runExport(ex.host, { trigger: 'manual' });
        await sleep(100);
      }
    })();
    await Promise.all([writer(w1), writer(w2)]);
    writing = false;
    await exporter;
    await drain(ex);
    const delivered = rec.lines();
    expect(delivered).toHaveLength(expected.length);
    expect(new Set(delivered)).toEqual(new Set(expected));
  }, 180_000);
});
