import type { RequestHandler } from 'express';
import type { Host } from '../../core/host';
import { parseExportRequest } from '../export/params';
import { pullRoute, type PullOptions } from '../export/pull-handler';

/** Action fired after a day pull was sent in full: `(date, format, count, user_login)`. */
export const EXPORT_EVENTS_SENT_ACTION = 'altis.analytics.export_events_sent';

export type DayExportOptions = PullOptions;

/**
 * GET /wp-json/analytics/v1/events/:date — one UTC day of the site's events, streamed as
 * JSON (the stored documents byte for byte), CSV or NDJSON, a keyset page at a time from
 * one snapshot. A store failure mid-stream breaks the transfer; a client that goes away
 * stops the read and frees its connection.
 */
export function dayExportRoute(host: Host, options: DayExportOptions = {}): RequestHandler[] {
  return pullRoute(host, options, (req) => {
    const params = parseExportRequest(req);
    const user = req.user?.login ?? '';
    return {
      format: params.format,
      chunkSize: params.chunkSize,
      cursorKey: { route: 'day', date: params.date, format: params.format },
      window: { site: host.config.site_id, from: params.from, to: params.to },
      headerDays: [params.day, params.day],
      filename: params.date,
      label: `GET events/${params.date} (${params.format})`,
      // Sent in full: tell plugins once the last byte is handed to the socket.
      onSent: (rows) => {
        try {
          host.hooks.do_action(EXPORT_EVENTS_SENT_ACTION, params.date, params.format, rows, user);
        } catch (err) {
          host.log.error(`${EXPORT_EVENTS_SENT_ACTION} callback failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    };
  });
}
