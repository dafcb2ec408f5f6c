import { BACKENDS } from '../support/backends';
import { loadServerSecret } from '../../core/auth/secret';
import { authenticateApplicationPassword } from '../../core/auth/authenticate';
import { cli, cliTestDatabase } from './run';

describe.each(BACKENDS)('analytics-host user … on %s', (backend) => {
  const t = cliTestDatabase(backend);

  test('user create: Success line, default role subscriber; user list as table and JSON', async () => {
    const a = await cli(t.db, ['user', 'create', 'alice', '--email', 'alice@example.com', '--role', 'administrator']);
    expect(a).toEqual({ code: 0, stdout: 'Success: Created user alice (administrator).\n', stderr: '' });
    const b = await cli(t.db, ['user', 'create', 'bob.smith@corp', '--email', 'bob@example.com']);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe('Success: Created user bob.smith@corp (subscriber).\n');

    const table = await cli(t.db, ['user', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+login\s+email\s+role\s+created$/);
    expect(lines[1]).toMatch(/alice\s+alice@example\.com\s+administrator\s+\d{4}-\d\d-\d\dT/);
    expect(lines[2]).toMatch(/bob\.smith@corp\s+bob@example\.com\s+subscriber/);

    const json = await cli(t.db, ['user', 'list', '--format', 'json']);
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.map((u) => [u.login, u.email, u.role])).toEqual([
      ['alice', 'alice@example.com', 'administrator'],
      ['bob.smith@corp', 'bob@example.com', 'subscriber'],
    ]);
    expect(new Date(users[0].created as string).toISOString()).toBe(users[0].created);
  });

  test('a duplicate login is an error: exit 1, one line on stderr, the first user unchanged', async () => {
    await cli(t.db, ['user', 'create', 'alice', '--email', 'alice@example.com', '--role', 'editor']);
    const r = await cli(t.db, ['user', 'create', 'alice', '--email', 'other@example.com', '--role', 'administrator']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: The login "alice" is already registered.\n');
    expect((await (await t.store()).users.list()).map((u) => [u.login, u.email, u.role])).toEqual([['alice', 'alice@example.com', 'editor']]);
  });

  test('logins are checked as WordPress sanitize_user does; emails must look like emails', async () => {
    for (const login of ['bad/login', 'ünïcode', 'a'.repeat(61), '   ', 'semi;colon']) {
      const r = await cli(t.db, ['user', 'create', login, '--email', 'x@example.com']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Error: .*\n$/);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
    const bad = await cli(t.db, ['user', 'create', 'carol', '--email', 'not-an-email']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Error: "not-an-email" is not a valid email address.\n');
    expect(await (await t.store()).users.list()).toEqual([]);
    const ok = await cli(t.db, ['user', 'create', 'a'.repeat(60), '--email', 'x@example.com']);
    expect(ok.code).toBe(0);
  });

  test('usage errors exit 2 with the usage: an unknown role, a missing --email, a bad --format, an unknown subcommand', async () => {
    for (const argv of [
      ['user', 'create', 'dave', '--email', 'd@example.com', '--role', 'author'],
      ['user', 'create', 'dave'],
      ['user', 'list', '--format', 'yaml'],
      ['user', 'frobnicate'],
      ['user', 'application-password', 'create', 'dave'],
    ]) {
      const r = await cli(t.db, argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/[Uu]sage/);
    }
    expect(await (await t.store()).users.list()).toEqual([]);
  });

  test('application-password create prints the password once, grouped by four; it authenticates', async () => {
    await cli(t.db, ['user', 'create', 'alice', '--email', 'alice@example.com', '--role', 'administrator']);
    const r = await cli(t.db, ['user', 'application-password', 'create', 'alice', 'looker']);
    expect(r.code).toBe(0);
    const m = /^Success: Created application password "looker" for alice \(uuid ([0-9a-f-]{36})\)\.\nPassword: ((?:[A-Za-z0-9]{4} ){5}[A-Za-z0-9]{4})\n/.exec(r.stdout);
    expect(m).not.toBeNull();
    const grouped = m![2];
    const s = await t.store();
    const secret = loadServerSecret(undefined, t.db.dataDir);
    expect(await authenticateApplicationPassword(s, secret, 'alice', grouped, null)).toMatchObject({ passwordUuid: m![1] });
    expect(await authenticateApplicationPassword(s, secret, 'alice', grouped.replace(/ /g, ''), null)).not.toBeNull();
  });

  test('--porcelain prints the bare password alone; names must be unique per user', async () => {
    await cli(t.db, ['user', 'create', 'alice', '--email', 'alice@example.com', '--role', 'administrator']);
    const r = await cli(t.db, ['user', 'application-password', 'create', 'alice', 'ci', '--porcelain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9]{24}\n$/);
    const s = await t.store();
    expect(await authenticateApplicationPassword(s, loadServerSecret(undefined, t.db.dataDir), 'alice', r.stdout.trim(), null)).not.toBeNull();
    const again = await cli(t.db, ['user', 'application-password', 'create', 'alice', 'ci', '--porcelain']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: .*unique.*\n$/);
    const nobody = await cli(t.db, ['user', 'application-password', 'create', 'nobody', 'ci']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe('Error: Invalid user login: "nobody".\n');
  });

  test('application-password list: uuid, name, created, last_used, last_ip — never the password or its hash', async () => {
    await cli(t.db, ['user', 'create', 'alice', '--email', 'alice@example.com', '--role', 'administrator']);
    const pw = (await cli(t.db, ['user', 'application-password', 'create', 'alice', 'ci', '--porcelain'])).stdout.trim();
    await cli(t.db, ['user', 'application-password', 'create', 'alice', 'looker', '--porcelain']);
    const s = await t.store();
    await authenticateApplicationPassword(s, loadServerSecret(undefined, t.db.dataDir), 'alice', pw, '192.0.2.7');

    const json = await cli(t.db, ['user', 'application-password', 'list', 'alice', '--format', 'json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(Object.keys(row)).toEqual(['uuid', 'name', 'created', 'last_used', 'last_ip']);
    expect(rows[0]).toMatchObject({ name: 'ci', last_ip: '192.0.2.7', last_used: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    expect(rows[1]).toMatchObject({ name: 'looker', last_used: null, last_ip: null });
    const hashes = (await s.db.all<{ hash: string }>('SELECT hash FROM ah_app_passwords')).map((r) => r.hash);
    const table = await cli(t.db, ['user', 'application-password', 'list', 'alice']);
    expect(table.stdout.split('\n')[0]).toMatch(/^uuid\s+name\s+created\s+last_used\s+last_ip$/);
    for (const out of [json.stdout, table.stdout]) {
      expect(out).not.toContain(pw);
      for (const h of hashes) expect(out).not.toContain(h);
    }
  });

  test('application-password delete revokes at once; an unknown uuid is an error', async () => {
    await cli(t.db, ['user', 'create', 'alice', '--email', 'alice@example.com', '--role', 'administrator']);
    const pw = (await cli(t.db, ['user', 'application-password', 'create', 'alice', 'ci', '--porcelain'])).stdout.trim();
    const [row] = JSON.parse((await cli(t.db, ['user', 'application-password', 'list', 'alice', '--format', 'json'])).stdout) as { uuid: string }[];
    const r = await cli(t.db, ['user', 'application-password', 'delete', 'alice', row.uuid]);
    expect(r).toEqual({ code: 0, stdout: `Success: Deleted application password ${row.uuid}.\n`, stderr: '' });
    expect(await authenticateApplicationPassword(await t.store(), loadServerSecret(undefined, t.db.dataDir), 'alice', pw, null)).toBeNull();
    const again = await cli(t.db, ['user', 'application-password', 'delete', 'alice', row.uuid]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: alice has no application password with the uuid/);
  });

  test('user delete removes the user and revokes their passwords; an unknown login is an error', async () => {
    await cli(t.db, ['user', 'create', 'alice', '--email', 'alice@example.com', '--role', 'administrator']);
    const pw = (await cli(t.db, ['user', 'application-password', 'create', 'alice', 'ci', '--porcelain'])).stdout.trim();
    const r = await cli(t.db, ['user', 'delete', 'alice']);
    expect(r).toEqual({ code: 0, stdout: 'Success: Removed user alice and revoked 1 application password.\n', stderr: '' });
    const s = await t.store();
    expect(await s.users.list()).toEqual([]);
    expect(await s.db.all('SELECT id FROM ah_app_passwords')).toEqual([]);
    expect(await authenticateApplicationPassword(s, loadServerSecret(undefined, t.db.dataDir), 'alice', pw, null)).toBeNull();
    const again = await cli(t.db, ['user', 'delete', 'alice']);
    expect(again).toEqual({ code: 1, stdout: '', stderr: 'Error: Invalid user login: "alice".\n' });
  });
});
