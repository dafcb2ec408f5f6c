import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Host } from '../../core/host';
import type { QueryRequestContext } from '../../hooks';
import { parseQuery, QueryValidationError, runQuery, type AnalyticsQuery } from '../../core/query';
import { invalidParam } from '../errors';
import { requireApplicationPassword } from '../middleware/authenticate';
import { requireCapability } from '../middleware/permission';

export const QUERY_CAPABILITY_FILTER = 'altis.analytics.query_capability';
/** Filter of the validated query before any SQL: `(query, { site, user })` → query. */
export const QUERY_REQUEST_FILTER = 'altis.analytics.query.request';
export const QUERY_MAX_BODY_BYTES = 256 * 1024;

const jsonBody = express.json({
  // Any content type: `curl -d '{…}'` without a Content-Type header still works.
  type: () => true,
  limit: QUERY_MAX_BODY_BYTES,
  strict: false,
});

/** A body that is not JSON is a bad `body` parameter, as every other bad input of this route. */
function bodyErrors(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const e = err as { type?: string; message?: string };
  if (e?.type === 'entity.parse.failed') return next(invalidParam('body', `must be a JSON object (${e.message ?? 'invalid JSON'})`));
  next(err);
}

function validated(body: unknown): AnalyticsQuery {
  try {
    return parseQuery(body);
  } catch (err) {
    if (err instanceof QueryValidationError) throw invalidParam(err.param, err.reason);
    throw err;
  }
}

/**
 * POST /wp-json/analytics/v1/query — aggregations over the site's events (issue 8 §4, the
 * Altafid query API): validated into a query, handed to `altis.analytics.query.request`,
 * validated again, then computed in the database.
 */
export function queryRoutes(host: Host): Router {
  const router = Router();
  router.post(
    '/query',
    requireApplicationPassword(host),
    requireCapability(host, QUERY_CAPABILITY_FILTER, 'manage_options'),
    jsonBody,
    bodyErrors,
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const query = validated(req.body === undefined ? {} : req.body);
        const user = req.user ? { id: req.user.id, login: req.user.login, role: req.user.role } : null;
        const context: QueryRequestContext = { site: host.config.site_id, user };
        const filtered = await host.hooks.apply_filters_async(QUERY_REQUEST_FILTER, query, context);
        // A plugin may narrow or rewrite the query; whatever it returns is held to the same rules.
        const final = validated(filtered);
        const answer = await runQuery(host.store.db, final, { site: host.config.site_id });
        res.setHeader('Cache-Control', 'no-store');
        res.json(answer);
      } catch (err) {
        next(err);
      }
    },
  );
  return router;
}
