import mysql from 'mysql2/promise';
import { E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING } from '../../hooks';
import { parseMysqlUrl } from '../../core/db/mysql';
import { runExport, runWithLease } from '../../cron/export-run';
import { ExportLease, LEASE_NAME } from '../../cron/lease';
import { exportStatus } from '../../cron/status';
import { OPTION_IN_FLIGHT } from '../../cron/state';
import { parseEventText } from '../../core/events/validate';
import { BACKENDS } from '../support/backends';
import { DAY } from '../support/events';
import { createTestHost, type TestHost } from '../support/host';
import { recordDeliveries, recordLog, seedFiles } from './helpers';

const ran = async (t: TestHost) => {
  const outcome = await runExport(t.host, { trigger: 'manual' });
  if (outcome.status !== 'ran') throw new Error(`expected a run, got ${outcome.status}`);
  return outcome.run;
};

describe.each(BACKENDS)('export run on %s', (backend) => {
  let t: TestHost;
  afterEach(async () => t?.cleanup());

  test('delivers pending files oldest first as NDJSON, one event per line, and marks them exported', async () => {
    t = await createTestHost(backend);
    const files = await seedFiles(t.host, [3, 2, 4]);
    const rec = recordDeliveries(t.hooks);
    const log = recordLog(t.hooks);
    const run = await ran(t);
    expect(run).toMatchObject({ result: 'ok', files: 3, events: 9, batches: 1, message: null, trigger: 'manual' });
    expect(rec.lines()).toEqual(files.flat());
    expect(rec.deliveries[0].ndjson.endsWith('\n')).toBe(true);
    expect(rec.deliveries[0].batch).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), files: 3, events: 9 });
    expect(log).toContainEqual(['Success: Found 9 analytics events in 3 files, delivering payload to subscribers.', E_USER_NOTICE]);
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
    expect(await t.host.store.options.get(OPTION_IN_FLIGHT)).toBeUndefined();

    const again = await ran(t);
    expect(again).toMatchObject({ result: 'ok', files: 0, events: 0, batches: 0 });
    expect(rec.deliveries).toHaveLength(1);
    expect(log[log.length - 1]).toEqual([expect.stringMatching(/^Warning: No analytics data files were found, consider increasing the interval/), E_USER_WARNING]);
  });

  test('with accepted_args 1 (the default, as in Altis) a callback gets only the NDJSON string', async () => {
    t = await createTestHost(backend);
    await seedFiles(t.host, [2]);
    const calls: unknown[][] = [];
    t.hooks.add_action('altis.analytics.export.data.process', (...args: unknown[]) => void calls.push(args));
    await ran(t);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    expect(typeof calls[0][0]).toBe('string');
  });

  test('takes at most max.files files per run, oldest first', async () => {
    t = await createTestHost(backend, (c) => (c.export.max_files = 50));
    const files = await seedFiles(t.host, [1, 1, 1, 1, 1]);
    t.hooks.add_filter('altis.analytics.export.max.files', () => 2);
    const rec = recordDeliveries(t.hooks);
    expect(await ran(t)).toMatchObject({ files: 2, events: 2 });
    expect(await ran(t)).toMatchObject({ files: 2, events: 2 });
    expect(await ran(t)).toMatchObject({ files: 1, events: 1 });
    expect(rec.lines()).toEqual(files.flat());
  });

  test('a subscriber that throws: E_USER_ERROR with the reason, nothing marked, the same batch next run', async () => {
    t = await createTestHost(backend);
    const files = await seedFiles(t.host, [3, 2]);
    const rec = recordDeliveries(t.hooks);
    const log = recordLog(t.hooks);
    const seen: string[] = [];
    t.hooks.add_action('altis.analytics.export.data.process', (_n: string, b: { id: string }) => void seen.push(b.id), 5, 2);
    rec.fail(1);
    const failed = await ran(t);
    expect(failed).toMatchObject({ result: 'error', files: 0, events: 0, batches: 0 });
    expect(failed.message).toContain('BI endpoint answered 503');
    const errors = log.filter(([, level]) => level === E_USER_ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0][0]).toContain('BI endpoint answered 503');
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 2, events: 5 });
    expect((await exportStatus(t.host)).last_run).toMatchObject({ result: 'error', events: 0 });

    const ok = await ran(t);
    expect(ok).toMatchObject({ result: 'ok', files: 2, events: 5 });
    expect(rec.lines()).toEqual(files.flat());
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]);
  });

  test('a big file is split at line boundaries; a failure on a later batch resends only that batch, with its id', async () => {
    // Events of ~260 bytes, batches of at most 1 KiB: 3 lines per batch; the 10-line file is split, its tail shares a batch.
    t = await createTestHost(backend, (c) => (c.export.batch_bytes = 1024));
    const files = await seedFiles(t.host, [10, 1, 1], 60);
    let calls = 0;
    const got: { id: string; lines: string[]; files: number }[] = [];
    t.hooks.add_action(
      'altis.analytics.export.data.process',
      async (ndjson: string, b: { id: string; events: number; files: number }) => {
        expect(Buffer.byteLength(ndjson)).toBeLessThanOrEqual(1024);
        const lines = ndjson.split('\n').filter(Boolean);
        expect(lines).toHaveLength(b.events);
        got.push({ id: b.id, lines, files: b.files });
        if (++calls === 3) throw new Error('timeout talking to the warehouse');
      },
      10,
      2,
    );
    expect(await ran(t)).toMatchObject({ result: 'error', batches: 2, events: 6, files: 0 });
    expect(await ran(t)).toMatchObject({ result: 'ok', batches: 2, events: 6, files: 3 });
    expect(got.map((g) => g.lines)).toEqual([files[0].slice(0, 3), files[0].slice(3, 6), files[0].slice(6, 9), files[0].slice(6, 9), [files[0][9], ...files[1], ...files[2]]]);
    expect(got.map((g) => g.files)).toEqual([1, 1, 1, 1, 3]);
    expect(got[3].id).toBe(got[2].id);
    expect(new Set(got.map((g) => g.id)).size).toBe(4);

    // Exporting the same files again from the start cuts them the same way: the same ids.
    await t.host.store.db.run('UPDATE ah_files SET exported_at = NULL');
    const before = got.length;
    calls = 100;
    expect(await ran(t)).toMatchObject({ result: 'ok', batches: 4, events: 12, files: 3 });
    expect(got.slice(before).map((g) => g.id)).toEqual([got[0].id, got[1].id, got[2].id, got[4].id]);
  });

  test('documents outside ASCII arrive exactly as stored, in batches bounded by their UTF-8 bytes', async () => {
    t = await createTestHost(backend, (c) => (c.export.batch_bytes = 1024));
    // ASCII first, then Latin-1, CJK, an emoji (a surrogate pair) and escapes written as text.
    const texts = ['plain ascii page', 'Île-de-France, São Paulo', '東京都千代田区', 'launch 🚀 day', 'escaped \\u00e9 \\n stays'];
    const docs = texts.map((title, i) => `{"event_type":"pageView","event_timestamp":${DAY + i},"attributes":{"title":${JSON.stringify(title)},"pad":"${'é'.repeat(80 + i)}"}}`);
    const escaped = `{"event_type":"pageView","event_timestamp":${DAY + 9},"attributes":{"title":"escaped \\u00e9 \\n stays"}}`;
    const asStored = (texts: string[]) => texts.map((text, i) => parseEventText(text, { index: i }));
    await t.host.store.ingest.storeFile(asStored(docs.slice(0, 2)), 'import');
    await t.host.store.ingest.storeFile(asStored([...docs.slice(2), escaped]), 'import');
    const rec = recordDeliveries(t.hooks);
    expect(await ran(t)).toMatchObject({ result: 'ok', files: 2, events: 6 });
    for (const d of rec.deliveries) expect(Buffer.byteLength(d.ndjson)).toBeLessThanOrEqual(1024);
    expect(rec.deliveries.length).toBeGreaterThan(1);
    expect(rec.lines()).toEqual([...docs, escaped]);
  });

  test('a single event longer than batch_bytes goes alone; the batches around it stay within the bound', async () => {
    t = await createTestHost(backend, (c) => (c.export.batch_bytes = 1024));
    const small = await seedFiles(t.host, [1]);
    const big = await seedFiles(t.host, [1], 3000);
    const after = await seedFiles(t.host, [2]);
    const rec = recordDeliveries(t.hooks);
    expect(await ran(t)).toMatchObject({ result: 'ok', files: 3, events: 4, batches: 3 });
    expect(rec.deliveries.map((d) => d.ndjson.split('\n').filter(Boolean))).toEqual([small[0], big[0], after[0]]);
    expect(Buffer.byteLength(rec.deliveries[1].ndjson)).toBeGreaterThan(3000);
  });

  test('the last batch of a run failing is formed again exactly even when newer files arrived meanwhile', async () => {
    t = await createTestHost(backend);
    await seedFiles(t.host, [2, 2]);
    const ids: string[] = [];
    t.hooks.add_action('altis.analytics.export.data.process', (_n: string, b: { id: string }) => void ids.push(b.id), 5, 2);
    const rec = recordDeliveries(t.hooks);
    rec.fail(1);
    expect(await ran(t)).toMatchObject({ result: 'error' });
    await seedFiles(t.host, [3]);
    expect(await ran(t)).toMatchObject({ result: 'ok', files: 3, events: 7, batches: 2 });
    // Without the in-flight record the 3 files would fit one batch; the failed one keeps its composition and id.
    expect(rec.deliveries.map((d) => d.batch)).toEqual([
      { id: ids[0], files: 2, events: 4 },
      { id: expect.not.stringMatching(ids[0]), files: 1, events: 3 },
    ]);
    expect(ids[1]).toBe(ids[0]);
  });

  test('without a subscriber nothing runs and nothing is marked; status says inactive', async () => {
    t = await createTestHost(backend);
    await seedFiles(t.host, [2]);
    expect(await runExport(t.host, { trigger: 'manual' })).toEqual({ status: 'inactive' });
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 2 });
    expect(await exportStatus(t.host)).toMatchObject({ enabled: true, active: false, subscribers: 0, pending_files: 1, pending_events: 2, last_run: null, next_run: null });
  });

  test('one run at a time: a second run while one holds the lease does nothing', async () => {
    t = await createTestHost(backend);
    await seedFiles(t.host, [2]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    t.hooks.add_action('altis.analytics.export.data.process', async () => {
      entered();
      await gate;
    });
    const first = runExport(t.host, { trigger: 'manual' });
    await inside;
    const second = await runExport(t.host, { trigger: 'manual' });
    expect(second).toMatchObject({ status: 'busy', holder: { owner: expect.any(String) } });
    release();
    expect(await first).toMatchObject({ status: 'ran', run: { result: 'ok', files: 1 } });
    expect(await t.host.store.leases.holder(LEASE_NAME)).toBeNull();
  });

  test('a run that lost its lease stops before marking anything', async () => {
    t = await createTestHost(backend);
    await seedFiles(t.host, [2]);
    const lease = (await ExportLease.acquire(t.host.store, { ttlMs: 50 }))!;
    t.hooks.add_action('altis.analytics.export.data.process', async () => {
      await new Promise((r) => setTimeout(r, 120));
      // The lease expired during delivery and another process took it.
      expect(await t.host.store.leases.acquire(LEASE_NAME, 'someone-else', 60_000)).toBe(true);
    });
    const run = await runWithLease(t.host, lease, { trigger: 'manual' });
    await lease.release();
    expect(run.result).toBe('error');
    expect(run.message).toMatch(/lost the export lease/);
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 2 });
  });

  test('run.start and run.complete tell plugins about each run', async () => {
    t = await createTestHost(backend);
    await seedFiles(t.host, [2, 1]);
    recordDeliveries(t.hooks);
    const seen: unknown[] = [];
    t.hooks.add_action('altis.analytics.export.run.start', (s: unknown) => void seen.push(['start', s]));
    t.hooks.add_action('altis.analytics.export.run.complete', (s: unknown) => void seen.push(['complete', s]));
    await ran(t);
    expect(seen).toEqual([
      ['start', { trigger: 'manual', files: 2, events: 3 }],
      ['complete', expect.objectContaining({ trigger: 'manual', result: 'ok', files: 2, events: 3, batches: 1 })],
    ]);
  });
});

describe('export run on mysql when the database fails', () => {
  let t: TestHost;
  afterEach(async () => t?.cleanup());

  test('connections killed during a run: the run fails cleanly, the next one delivers everything', async () => {
    t = await createTestHost('mysql', (c) => (c.export.batch_bytes = 1024));
    const files = await seedFiles(t.host, [6, 6, 6], 60);
    const dbName = parseMysqlUrl(t.db.databaseUrl).database;
    const target = parseMysqlUrl(t.db.databaseUrl).hosts[0];
    const admin = await mysql.createConnection({ host: target.host, port: target.port, user: 'root' });
    const rec = recordDeliveries(t.hooks);
    const log = recordLog(t.hooks);
    const killAll = async () => {
      const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()', [dbName]);
      for (const r of rows) await admin.query(`KILL ${Number(r.id)}`).catch(() => undefined);
    };
    let killed = false;
    t.hooks.add_action(
      'altis.analytics.export.data.process',
      async () => {
        if (killed) return;
        killed = true;
        await killAll();
      },
      20,
    );
    try {
      const failed = await ran(t);
      expect(failed.result).toBe('error');
      expect(failed.files).toBeLessThan(3);
      expect(log.some(([m, l]) => l === E_USER_ERROR && m.includes(failed.message!))).toBe(true);
      // Every connection dropped between runs too, as a database restart does.
      await killAll();
      // The pool drops a killed connection when its socket closes; a run that still picks one fails cleanly (the scheduler retries).
      await new Promise((r) => setTimeout(r, 300));
      const ok = await ran(t);
      expect(ok.result).toBe('ok');
      expect(failed.files + ok.files).toBe(3);
      // Nothing lost; only the batch in flight when the connections died may come twice.
      const lines = rec.lines();
      expect(new Set(lines)).toEqual(new Set(files.flat()));
      expect(lines.length - files.flat().length).toBeLessThanOrEqual(3);
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
    } finally {
      await admin.end();
    }
  });
});
