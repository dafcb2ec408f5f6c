import type { RequestHandler } from 'express';
import type { Host } from '../../core/host';

/** POST /wp-json/analytics/v1/events: ingestion (issue 4). */
export function ingestRoute(host: Host): RequestHandler[] {
  void host;
  return [];
}
