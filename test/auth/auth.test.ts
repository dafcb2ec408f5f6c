import { BACKENDS } from '../support/backends';
import { altisEvent, DAY } from '../support/events';
import { createUserWithPassword, startTestServer } from '../support/host';
import { chunkForDisplay } from '../../core/auth/passwords';
import type { AnalyticsConfig } from '../../core/config';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const basic = (login: string, password: string) => 'Basic ' + Buffer.from(`${login}:${password}`).toString('base64');

/** POST one event with the given headers: 202 means the credentials were accepted. */
async function send(url: string, headers: Record<string, string>) {
  const res = await fetch(`${url}/wp-json/analytics/v1/events`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(altisEvent(DAY)),
  });
  const json = (await res.json()) as { code?: string; message?: string; data?: { status?: number } };
  return { status: res.status, headers: res.headers, json };
}

describe.each(BACKENDS)('application-password authentication on %s', (backend) => {
  let t: Server;

  async function start(configure?: (c: AnalyticsConfig) => void) {
    t = await startTestServer(backend, configure);
  }
  afterEach(async () => {
    await t?.cleanup();
  });

  describe('default config', () => {
    let admin: { password: string; authorization: string };
    beforeEach(async () => {
      await start();
      admin = await createUserWithPassword(t.host, 'admin');
    });

    test('the right login and password pass; spaces in the password (the grouped form) are ignored', async () => {
      expect((await send(t.url, { Authorization: admin.authorization })).status).toBe(202);
      const grouped = chunkForDisplay(admin.password);
      expect(grouped).toMatch(/^(\w{4} ){5}\w{4}$/);
      expect((await send(t.url, { Authorization: basic('admin', grouped) })).status).toBe(202);
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 2, events: 2 });
    });

    test('success records last_used and last_ip; the hash, never the password, is stored', async () => {
      await send(t.url, { Authorization: admin.authorization });
      const user = await t.host.store.users.byLogin('admin');
      const [info] = await t.host.store.passwords.list(user!.id);
      expect(info.last_used).toEqual(expect.any(Number));
      expect(info.last_ip).toMatch(/127\.0\.0\.1/);
      const rows = await t.host.store.db.all<{ hash: string }>('SELECT hash FROM ah_app_passwords');
      expect(rows).toHaveLength(1);
      expect(rows[0].hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.toContain(admin.password);
    });

    test('no credentials, an unknown user, a wrong password: 401 with WWW-Authenticate, nothing stored', async () => {
      const attempts: Record<string, string>[] = [{}, { Authorization: basic('nobody', admin.password) }, { Authorization: basic('admin', 'A'.repeat(24)) }];
      for (const headers of attempts) {
        const r = await send(t.url, headers);
        expect(r.status).toBe(401);
        expect(r.json).toMatchObject({ code: 'rest_not_logged_in', data: { status: 401 } });
        expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      }
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
    });

    test('a Basic header that is not base64, or holds no colon, is 401', async () => {
      for (const value of ['Basic %%%not-base64%%%', 'Basic ' + Buffer.from('admin-without-colon').toString('base64'), 'Bearer abc']) {
        const r = await send(t.url, { Authorization: value });
        expect(r.status).toBe(401);
        expect(r.json.code).toBe('rest_not_logged_in');
      }
    });

    test('a password of a deleted user is refused at once', async () => {
      expect((await send(t.url, { Authorization: admin.authorization })).status).toBe(202);
      expect(await t.host.store.users.delete('admin')).toBe(true);
      const r = await send(t.url, { Authorization: admin.authorization });
      expect(r.status).toBe(401);
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 1 });
    });

    test('a deleted (revoked) password is refused at once; the user’s other passwords still work', async () => {
      const user = (await t.host.store.users.byLogin('admin'))!;
      const [first] = await t.host.store.passwords.list(user.id);
      const { generateApplicationPassword, hashApplicationPassword } = await import('../../core/auth/passwords');
      const second = generateApplicationPassword();
      await t.host.store.passwords.create(user.id, 'second', hashApplicationPassword(t.host.secret, second));
      expect(await t.host.store.passwords.delete(user.id, first.uuid)).toBe(true);
      expect((await send(t.url, { Authorization: admin.authorization })).status).toBe(401);
      expect((await send(t.url, { Authorization: basic('admin', second) })).status).toBe(202);
    });

    test('a subscriber gets 403 rest_forbidden', async () => {
      const sub = await createUserWithPassword(t.host, 'reader', 'subscriber');
      const r = await send(t.url, { Authorization: sub.authorization });
      expect(r.status).toBe(403);
      expect(r.json.code).toBe('rest_forbidden');
    });

    test('after 10 failures from one address the 11th attempt gets 429 with Retry-After, even with the right password', async () => {
      for (let i = 0; i < 10; i++) expect((await send(t.url, { Authorization: basic('admin', `wrong${i}`) })).status).toBe(401);
      const r = await send(t.url, { Authorization: admin.authorization });
      expect(r.status).toBe(429);
      expect(r.json.code).toBe('rest_too_many_login_attempts');
      const wait = Number(r.headers.get('retry-after'));
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
    });
  });

  test('auth.max_failures and auth.window_seconds set the throttle; the address is let in again after the window', async () => {
    await start((c) => {
      c.auth.max_failures = 2;
      c.auth.window_seconds = 1;
    });
    const admin = await createUserWithPassword(t.host, 'admin');
    expect((await send(t.url, { Authorization: basic('admin', 'x') })).status).toBe(401);
    expect((await send(t.url, { Authorization: basic('admin', 'y') })).status).toBe(401);
    const blocked = await send(t.url, { Authorization: admin.authorization });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('1');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await send(t.url, { Authorization: admin.authorization })).status).toBe(202);
  });

  test('failures count across routes: guessing on the ingestion route also locks the pull route', async () => {
    await start((c) => {
      c.auth.max_failures = 2;
    });
    const admin = await createUserWithPassword(t.host, 'admin');
    expect((await send(t.url, { Authorization: basic('admin', 'x') })).status).toBe(401);
    expect((await send(t.url, { Authorization: basic('admin', 'y') })).status).toBe(401);
    const pull = await fetch(`${t.url}/wp-json/analytics/v1/events/2026-11-20`, { headers: { Authorization: admin.authorization } });
    expect(pull.status).toBe(429);
  });

  describe('HTTPS outside a local set-up (NODE_ENV=production, HOST not loopback)', () => {
    const saved = process.env.NODE_ENV;
    beforeEach(() => {
      process.env.NODE_ENV = 'production';
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    });

    test('a plain-HTTP request with credentials gets 401 saying HTTPS is required', async () => {
      await start((c) => {
        c.host = '0.0.0.0';
      });
      const admin = await createUserWithPassword(t.host, 'admin');
      const r = await send(t.url, { Authorization: admin.authorization });
      expect(r.status).toBe(401);
      expect(r.json.message).toMatch(/HTTPS/);
      // A proxy that is not trusted cannot vouch for HTTPS.
      expect((await send(t.url, { Authorization: admin.authorization, 'X-Forwarded-Proto': 'https' })).status).toBe(401);
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
    });

    test('through a trusted proxy that says X-Forwarded-Proto: https it passes', async () => {
      await start((c) => {
        c.host = '0.0.0.0';
        c.trust_proxy = ['loopback'];
      });
      const admin = await createUserWithPassword(t.host, 'admin');
      expect((await send(t.url, { Authorization: admin.authorization })).status).toBe(401);
      expect((await send(t.url, { Authorization: admin.authorization, 'X-Forwarded-Proto': 'https' })).status).toBe(202);
    });

    test('on a loopback HOST plain HTTP is fine, as in a local WordPress', async () => {
      await start();
      const admin = await createUserWithPassword(t.host, 'admin');
      expect((await send(t.url, { Authorization: admin.authorization })).status).toBe(202);
    });
  });
});
