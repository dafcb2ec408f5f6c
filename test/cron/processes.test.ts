import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { runExport } from '../../cron/export-run';
import { LEASE_NAME } from '../../cron/lease';
import { BACKENDS } from '../support/backends';
import { createTestHost, type TestHost } from '../support/host';
import { recordDeliveries, seedFiles } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures');
const ROOT = path.join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Child = ChildProcess & { output: () => string };

/** A child `node` process (TypeScript sources through fixtures/register.js) on the test database, with a config file of its own. */
function spawnChild(t: TestHost, args: string[], outFile: string, config: unknown): Child {
  const configFile = path.join(t.db.dataDir, `config-${path.basename(outFile)}.json`);
  fs.writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, ['-r', path.join(FIXTURES, 'register.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: t.db.dataDir, DATABASE_URL: t.db.databaseUrl, ANALYTICS_CONFIG: configFile, OUT_FILE: outFile, ANALYTICS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return Object.assign(child, { output: () => out });
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

/** SIGKILLs the children still running, waits until each has exited, and empties the list. */
async function killAll(children: ChildProcess[]): Promise<void> {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }
}

describe.each(BACKENDS)('export across processes on %s', (backend) => {
  let t: TestHost;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await killAll(children);
    await t?.cleanup();
  });

  test('SIGKILL in the middle of a run: the next run delivers everything not acknowledged, the batch in flight with its id', async () => {
    t = await createTestHost(backend, (c) => (c.export.batch_bytes = 1024));
    const files = await seedFiles(t.host, [5, 2, 2, 7, 1], 60);
    const outFile = path.join(t.db.dataDir, 'child-deliveries.ndjson');
    const child = spawnChild(t, [path.join(FIXTURES, 'export-child.js')], outFile, { export: { batch_bytes: 1024 } });
    children.push(child);
    await waitFor('the child to block on its second batch', () => /BLOCKED \w+/.test(child.output()), 20_000);
    const blockedId = /BLOCKED (\w+)/.exec(child.output())![1];
    child.kill('SIGKILL');
    await exited(child);

    const acknowledged = fs
      .readFileSync(outFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; lines: string[] });
    expect(acknowledged).toHaveLength(1);
    expect(await t.host.store.files.pendingTotals()).toMatchObject({ files: 5 });

    // The dead process's lease expires (3 s here), then a run elsewhere takes over.
    const holder = await t.host.store.leases.holder(LEASE_NAME);
    expect(holder).not.toBeNull();
    await sleep(Math.max(0, holder!.expiresAt - Date.now() + 50));
    const rec = recordDeliveries(t.hooks);
    const outcome = await runExport(t.host, { trigger: 'manual' });
    expect(outcome).toMatchObject({ status: 'ran', run: { result: 'ok', files: 5 } });
    expect(rec.deliveries[0].batch.id).toBe(blockedId);
    // Exactly once here: the acknowledged batch is not sent again, nothing is missing.
    expect([...acknowledged[0].lines, ...rec.lines()]).toEqual(files.flat());
  }, 40_000);
});

describe('three server processes on one MariaDB database', () => {
  let t: TestHost;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await killAll(children);
    await t?.cleanup();
  });

  test('three `serve` processes, a 5-second schedule, ~20 s: every file delivered exactly once, runs never overlap', async () => {
    t = await createTestHost('mysql', (c) => (c.export.batch_bytes = 4096));
    const expected: string[] = (await seedFiles(t.host, Array.from({ length: 20 }, (_, i) => 1 + (i % 7)), 40)).flat();
    const outFiles = [0, 1, 2].map((i) => path.join(t.db.dataDir, `server-${i}.tsv`));
    // Three real servers (`analytics-host serve`), each loading the sink plugin from its config.
    for (const out of outFiles) {
      const config = { export: { cron: { frequency: 'every_five' }, batch_bytes: 4096, max_files: 8 }, plugins: [path.join(FIXTURES, 'sink-plugin.js')] };
      children.push(spawnChild(t, [path.join(ROOT, 'core', 'cli', 'main.ts'), 'serve'], out, config));
    }
    await waitFor('three servers', () => children.every((c) => (c as Child).output().includes('listening on')), 30_000);
    // Events keep arriving while the servers export.
    for (let i = 0; i < 16; i++) {
      expected.push(...(await seedFiles(t.host, [1 + (i % 4)], 40)).flat());
      await sleep(1_000);
    }
    await sleep(6_000);
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map(exited));

    const delivered: string[] = [];
    const runs: { start: number; end: number; process: number }[] = [];
    outFiles.forEach((file, process) => {
      if (!fs.existsSync(file)) return;
      for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const [kind, a, b] = line.split('\t');
        if (kind === 'run') runs.push({ start: Number(a), end: Number(b), process });
        else delivered.push(line.slice(line.indexOf('\t') + 1));
      }
    });
    // Whatever is still pending (arrived after the last run) is delivered once by a final run here.
    const rec = recordDeliveries(t.hooks);
    expect(await runExport(t.host, { trigger: 'manual' })).toMatchObject({ status: 'ran', run: { result: 'ok' } });
    delivered.push(...rec.lines());

    expect(delivered.length).toBe(expected.length);
    expect(new Set(delivered).size).toBe(expected.length);
    expect(new Set(delivered)).toEqual(new Set(expected));
    runs.sort((x, y) => x.start - y.start);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < runs.length; i++) expect(runs[i].start).toBeGreaterThanOrEqual(runs[i - 1].end);
  }, 90_000);
});
