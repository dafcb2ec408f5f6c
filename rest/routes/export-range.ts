import type { RequestHandler } from 'express';
import type { Host } from '../../core/host';
import { botFilter } from '../export/bots';
import { pullRoute, type PullOptions } from '../export/pull-handler';
import { parseRangeExportRequest } from '../export/range';

export type RangeExportOptions = PullOptions;

/**
 * GET /wp-json/analytics/v1/events?start_date&end_date — the site's events of a range of
 * calendar days in a time zone, streamed like the one-day pull (same handler, writers,
 * streaming loop and abort rules), optionally one page of a resumable pull.
 */
export function rangeExportRoute(host: Host, options: RangeExportOptions = {}): RequestHandler[] {
  return pullRoute(host, options, (req) => {
    const params = parseRangeExportRequest(req);
    return {
      format: params.format,
      chunkSize: params.chunkSize,
      cursorKey: {
        route: 'range',
        start_date: params.startDate,
        end_date: params.endDate,
        timezone: params.timezone,
        event_type: params.eventType ?? '',
        include_bots: params.includeBots,
        format: params.format,
      },
      window: { site: host.config.site_id, from: params.from, to: params.to, ...(params.eventType !== undefined ? { eventType: params.eventType } : {}) },
      // The bot filter is computed once the horizon is fixed, so X-WP-Total counts what is sent.
      prepare: params.includeBots
        ? undefined
        : async (reader, w) => {
            const { filter, count } = await botFilter(reader, host.store.db.sql, w);
            return { window: filter ? { ...w, filter } : w, count };
          },
      headerDays: [params.firstUtcDay, params.lastUtcDay],
      filename: `${params.startDate}_${params.endDate}`,
      label: `GET events?start_date=${params.startDate}&end_date=${params.endDate} (${params.format})`,
    };
  });
}
