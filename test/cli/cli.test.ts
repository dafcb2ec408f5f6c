import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/backends';
import { runTestCli } from '../support/cli';
import { startServer } from '../../core/cli/main';

describe('CLI basics', () => {
  test('--help lists the commands and exits 0', async () => {
    const r = await runTestCli(['--help'], {});
    expect(r.code).toBe(0);
    for (const c of ['serve', 'migrate', 'user', 'import', 'export']) expect(r.stdout).toContain(c);
  });

  test('no command, or an unknown one, is a usage error: exit 2 with the usage on stderr', async () => {
    const none = await runTestCli([], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: analytics-host');
    const unknown = await runTestCli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
    expect(unknown.stderr).toContain('Usage:');
  });

  test('an invalid configuration is one line on stderr and exit 1', async () => {
    const r = await runTestCli(['migrate'], { ANALYTICS_EXPORT_MAX_FILES: 'many' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ANALYTICS_EXPORT_MAX_FILES');
  });

  test('an unreachable database is one line on stderr and exit 1', async () => {
    const r = await runTestCli(['migrate'], { DATABASE_URL: 'mysql://root@127.0.0.1:1/nowhere' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Error: .*ECONNREFUSED/);
  });
});

describe.each(BACKENDS)('CLI on %s', (backend) => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    db = await createTestDatabase(backend);
    env = { DATA_DIR: db.dataDir, DATABASE_URL: db.databaseUrl };
  });
  afterEach(async () => db.drop());

  test('migrate creates the schema and is idempotent', async () => {
    const first = await runTestCli(['migrate'], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^Success: schema is at version \d+/);
    const second = await runTestCli(['migrate'], env);
    expect(second.code).toBe(0);
  });

  test('serve answers the health route on a real socket and stops on SIGTERM', async () => {
    let url = '';
    const served = runTestCli(['serve'], env, {
      serve: async (host) => {
        const handle = await startServer(host, 0);
        url = handle.url;
        return handle;
      },
    });
    let ended: unknown = null;
    void served.then((r) => (ended = r));
    for (let i = 0; i < 100 && !url && !ended; i++) await new Promise((r) => setTimeout(r, 50));
    expect(ended).toBeNull();
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const missing = await fetch(`${url}/wp-json/analytics/v1/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 'rest_no_route', message: expect.any(String), data: { status: 404 } });
    process.emit('SIGTERM');
    const r = await served;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('listening on http://127.0.0.1:');
  });
});
