import express, { type Express } from 'express';
import type { Host } from '../core/host';
import type { ActionSpec } from '../hooks/hook-map';
import { noRoute, restErrorHandler } from './errors';
import { eventsRoutes } from './routes/events';
import { queryRoutes } from './routes/query';

export const REST_PREFIX = '/wp-json';
export const NAMESPACE = '/wp-json/analytics/v1';
export const REST_API_INIT_ACTION = 'altis.analytics.rest_api_init';

// Typed here, not in hooks/hook-map.ts: its arguments are Express's and the host's types,
// and hooks/ imports nothing (a plugin augments the map the same way).
declare module '../hooks/hook-map' {
  interface HookMap {
    /** The REST routes are registered: add your own to `app` (before the 404 handler). */
    'altis.analytics.rest_api_init': ActionSpec<[app: Express, host: Host]>;
  }
}

/** The HTTP face of the host: WordPress REST routes under /wp-json, errors as WordPress REST errors. */
export function createRestApp(host: Host): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', host.config.trust_proxy.length > 0 ? host.config.trust_proxy : false);
  app.set('json spaces', 0);

  app.get('/healthz', async (_req, res) => {
    try {
      await host.store.db.ping();
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.use(NAMESPACE, eventsRoutes(host));
  app.use(NAMESPACE, queryRoutes(host));
  host.hooks.do_action(REST_API_INIT_ACTION, app, host);

  app.use(REST_PREFIX, noRoute);
  app.use(noRoute);
  app.use(restErrorHandler(host.log));
  return app;
}
