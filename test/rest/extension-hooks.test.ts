import type { Express } from 'express';
import { createHooks } from '../../hooks';
import { createUserWithPassword, startTestServer } from '../support/host';

describe('REST extension hooks', () => {
  test('altis.analytics.rest_api_init lets a plugin add its own route under the namespace', async () => {
    const hooks = createHooks();
    hooks.add_action('altis.analytics.rest_api_init', (app: unknown) => {
      (app as Express).get('/wp-json/acme/v1/ping', (_req, res) => void res.json({ pong: true }));
    });
    const t = await startTestServer('sqlite', undefined, { hooks });
    try {
      const r = await fetch(`${t.url}/wp-json/acme/v1/ping`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ pong: true });
      expect((await fetch(`${t.url}/wp-json/acme/v1/other`)).status).toBe(404);
    } finally {
      await t.cleanup();
    }
  });

  test('user_has_cap grants a capability to a role that lacks it, as in WordPress', async () => {
    const hooks = createHooks();
    const t = await startTestServer('sqlite', undefined, { hooks });
    try {
      const editor = await createUserWithPassword(t.host, 'ed', 'editor');
      const url = `${t.url}/wp-json/analytics/v1/events/2026-11-20`;
      expect((await fetch(url, { headers: { Authorization: editor.authorization } })).status).toBe(403);
      hooks.add_filter('user_has_cap', (caps, requested, user) => (user.role === 'editor' && requested[0] === 'manage_options' ? { ...caps, manage_options: true } : caps), 10, 3);
      const r = await fetch(url, { headers: { Authorization: editor.authorization } });
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('[]');
    } finally {
      await t.cleanup();
    }
  });
});
