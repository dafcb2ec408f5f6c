import { randomBytes } from 'node:crypto';
import {
  APPLICATION_PASSWORD_LENGTH,
  chunkForDisplay,
  generateApplicationPassword,
  hashApplicationPassword,
  hashesMatch,
  normalizeApplicationPassword,
} from '../../core/auth/passwords';
import { authenticateApplicationPassword } from '../../core/auth/authenticate';
import { LoginThrottle } from '../../core/auth/throttle';
import { BACKENDS, createTestStore } from '../support/backends';

describe('application passwords', () => {
  const secret = randomBytes(32);

  test('24 characters of [A-Za-z0-9], different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generateApplicationPassword();
      expect(p).toMatch(/^[A-Za-z0-9]{24}$/);
      seen.add(p);
    }
    expect(APPLICATION_PASSWORD_LENGTH).toBe(24);
    expect(seen.size).toBe(200);
  });

  test('shown grouped by four; spaces are ignored when checking', () => {
    const p = 'abcdEFGH1234ijklMNOP5678';
    expect(chunkForDisplay(p)).toBe('abcd EFGH 1234 ijkl MNOP 5678');
    expect(normalizeApplicationPassword(chunkForDisplay(p))).toBe(p);
    expect(hashApplicationPassword(secret, chunkForDisplay(p))).toBe(hashApplicationPassword(secret, p));
  });

  test('the stored hash is keyed: another server secret gives another hash', () => {
    const p = generateApplicationPassword();
    const h = hashApplicationPassword(secret, p);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain(p);
    expect(hashApplicationPassword(randomBytes(32), p)).not.toBe(h);
    expect(hashesMatch(h, h)).toBe(true);
    expect(hashesMatch(hashApplicationPassword(secret, p + 'x'), h)).toBe(false);
    expect(hashesMatch('', '')).toBe(false);
    expect(hashesMatch(h, h.slice(0, 62))).toBe(false);
  });

  test('a check is fast: no bcrypt or argon2 per request (well under a millisecond)', () => {
    const p = generateApplicationPassword();
    const stored = hashApplicationPassword(secret, p);
    const n = 2000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) hashesMatch(hashApplicationPassword(secret, p), stored);
    const perCheckUs = Number(process.hrtime.bigint() - start) / 1000 / n;
    expect(perCheckUs).toBeLessThan(1000);
  });
});

describe('login throttle', () => {
  test('refuses an address after max failures within the window, until the oldest failure leaves it', () => {
    let now = 1_000_000;
    const t = new LoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterSeconds('10.0.0.1')).toBe(0);
      t.recordFailure('10.0.0.1');
      now += 1000;
    }
    expect(t.retryAfterSeconds('10.0.0.1')).toBe(57);
    expect(t.retryAfterSeconds('10.0.0.2')).toBe(0);
    now += 57_000;
    expect(t.retryAfterSeconds('10.0.0.1')).toBe(0);
  });
});

describe.each(BACKENDS)('authenticateApplicationPassword on %s', (backend) => {
  test('finds the user, writes last_used at most once a day, refuses unknown users and wrong passwords', async () => {
    const { store, cleanup } = await createTestStore(backend);
    try {
      const secret = randomBytes(32);
      const user = await store.users.create('alice', 'alice@example.com', 'administrator');
      const password = generateApplicationPassword();
      const info = await store.passwords.create(user.id, 'ci', hashApplicationPassword(secret, password));
      const day = 86_400_000;
      const t0 = Date.UTC(2026, 0, 1);
      expect(await authenticateApplicationPassword(store, secret, 'alice', password, '10.1.1.1', t0)).toMatchObject({ user: { login: 'alice' }, passwordUuid: info.uuid });
      await authenticateApplicationPassword(store, secret, 'alice', chunkForDisplay(password), '10.2.2.2', t0 + day - 1);
      expect((await store.passwords.list(user.id))[0]).toMatchObject({ last_used: t0, last_ip: '10.1.1.1' });
      await authenticateApplicationPassword(store, secret, 'alice', password, '10.3.3.3', t0 + day);
      expect((await store.passwords.list(user.id))[0]).toMatchObject({ last_used: t0 + day, last_ip: '10.3.3.3' });
      expect(await authenticateApplicationPassword(store, secret, 'bob', password, null)).toBeNull();
      expect(await authenticateApplicationPassword(store, secret, 'alice', generateApplicationPassword(), null)).toBeNull();
      expect(await authenticateApplicationPassword(store, randomBytes(32), 'alice', password, null)).toBeNull();
    } finally {
      await cleanup();
    }
  });
});
