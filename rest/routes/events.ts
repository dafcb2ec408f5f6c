import { Router } from 'express';
import type { Host } from '../../core/host';
import { dayExportRoute } from './export-day';
import { rangeExportRoute } from './export-range';
import { ingestRoute } from './ingest';

/** Routes under /wp-json/analytics/v1: events (pull and ingestion). */
export function eventsRoutes(host: Host): Router {
  const router = Router();
  router.post('/events', ...ingestRoute(host));
  router.get('/events', ...rangeExportRoute(host));
  router.get('/events/:date', ...dayExportRoute(host));
  return router;
}
