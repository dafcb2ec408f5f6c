import fs from 'node:fs';
import path from 'node:path';
import { createHooks, type Hooks } from '../../hooks';
import { openStore } from '../../core/store/store';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/backends';
import { runCliProcess, runTestCli } from '../support/cli';
import { altisEvent, DAY, validated } from '../support/events';

describe.each(BACKENDS)('export commands on %s', (backend) => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    db = await createTestDatabase(backend);
    env = { DATA_DIR: db.dataDir, DATABASE_URL: db.databaseUrl };
    const store = await openStore(db.location);
    try {
      await store.ingest.storeFile(validated([altisEvent(DAY), altisEvent(DAY + 1)]), 'import');
      await store.ingest.storeFile(validated([altisEvent(DAY + 2)]), 'import');
    } finally {
      await store.close();
    }
  });
  afterEach(async () => db.drop());

  const subscribed = (fn: (ndjson: string) => unknown = () => undefined): Hooks => {
    const hooks = createHooks();
    hooks.add_action('altis.analytics.export.data.process', fn);
    return hooks;
  };

  test('status --format json: the documented keys; inactive without a subscriber', async () => {
    const r = await runTestCli(['export', 'status', '--format', 'json'], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({
      enabled: true,
      active: false,
      frequency: 'ten_minutes',
      interval: 600,
      subscribers: 0,
      pending_files: 2,
      pending_events: 3,
      last_run: null,
      next_run: null,
    });
  });

  test('run delivers through the subscribers and prints what it delivered; status shows the last run', async () => {
    const got: string[] = [];
    const hooks = subscribed((ndjson) => void got.push(ndjson));
    const r = await runTestCli(['export', 'run'], env, { hooks });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe('Success: Delivered 3 events from 2 files in 1 batches; 0 files (0 events) still pending.');
    expect(got.join('').split('\n').filter(Boolean)).toHaveLength(3);
    const s = await runTestCli(['export', 'status', '--format', 'json'], env, { hooks });
    const status = JSON.parse(s.stdout);
    expect(status).toMatchObject({ enabled: true, active: true, subscribers: 1, pending_files: 0, pending_events: 0 });
    expect(status.last_run).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), files: 2, events: 3, result: 'ok', trigger: 'manual' });
    const table = await runTestCli(['export', 'status'], env, { hooks });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Field\s+Value$/m);
    expect(table.stdout).toMatch(/^last_run\s+\S+ ok: 3 events, 2 files, 1 batches$/m);
  });

  test('run without a subscriber, or with one that fails: exit 1 and a one-line reason; nothing is marked', async () => {
    const none = await runTestCli(['export', 'run'], env);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('no callback is subscribed to altis.analytics.export.data.process');
    const failing = await runTestCli(['export', 'run'], env, {
      hooks: subscribed(() => {
        throw new Error('webhook answered 500');
      }),
    });
    expect(failing.code).toBe(1);
    expect(failing.stderr.trim().split('\n')).toHaveLength(1);
    expect(failing.stderr).toMatch(/^Error: the export run stopped after delivering 0 events from 0 files in 0 batches: .*webhook answered 500/);
    const s = JSON.parse((await runTestCli(['export', 'status', '--format', 'json'], env)).stdout);
    expect(s).toMatchObject({ pending_files: 2, last_run: { result: 'error', message: expect.stringContaining('webhook answered 500') } });
  });

  test('a real CLI process with a failing subscriber plugin: exit 1 and exactly one line on stderr (the log says nothing more)', async () => {
    const config = path.join(db.dataDir, 'failing.config.json');
    fs.writeFileSync(config, JSON.stringify({ plugins: [path.join(__dirname, 'fixtures', 'failing-plugin.js')] }));
    const r = await runCliProcess(['export', 'run'], { ...env, ANALYTICS_CONFIG: config });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([expect.stringMatching(/^Error: the export run stopped after delivering 0 events from 0 files in 0 batches: .*webhook answered 500$/), '']);
    // The run's own lines are still in the process log, at debug level.
    const verbose = await runCliProcess(['export', 'run'], { ...env, ANALYTICS_CONFIG: config, ANALYTICS_LOG_LEVEL: 'debug' });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/ DEBUG \[export\] Error: The analytics data export stopped after delivering 0 events/);
    const s = JSON.parse((await runTestCli(['export', 'status', '--format', 'json'], env)).stdout);
    expect(s).toMatchObject({ pending_files: 2, last_run: { result: 'error', message: expect.stringContaining('webhook answered 500') } });
  }, 60_000);

  test('the cron disabled by the environment: status says so, a manual run still delivers', async () => {
    const off = { ...env, ANALYTICS_EXPORT_CRON_ENABLED: 'false' };
    const s = JSON.parse((await runTestCli(['export', 'status', '--format', 'json'], off, { hooks: subscribed() })).stdout);
    expect(s).toMatchObject({ enabled: false, active: false, subscribers: 1, next_run: null });
    const r = await runTestCli(['export', 'run'], off, { hooks: subscribed() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Delivered 3 events');
    expect(r.stdout).toContain('the scheduled export is disabled');
  });

  test('status --format anything-else is a usage error', async () => {
    const r = await runTestCli(['export', 'status', '--format', 'xml'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format must be table or json');
  });
});
