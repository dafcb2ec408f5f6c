import type { RequestHandler } from 'express';
import type { Host } from '../../core/host';

/** GET /wp-json/analytics/v1/events/:date: one day streamed as JSON or CSV (issue 5). */
export function dayExportRoute(host: Host): RequestHandler[] {
  void host;
  return [];
}
