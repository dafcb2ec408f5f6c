import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Host } from '../../core/host';
import type { EventWindow } from '../../core/store/event-reader';
import { requireApplicationPassword } from '../middleware/authenticate';
import { requireCapability } from '../middleware/permission';
import { botFilter } from '../export/bots';
import { fingerprint } from '../export/cursor';
import { parsePaging, planPage, setPagingHeaders, type PagePlan, type PagingRequest } from '../export/paging';
import { parseRangeExportRequest, type RangeExportRequest } from '../export/range';
import { ClientWatch, streamDay, type OpenedEventReader } from '../export/stream';
import { EXPORT_EVENTS_CAPABILITY_FILTER, writerFor } from './export-day';

export interface RangeExportOptions {
  /** Opens the snapshot the pull reads (default: `host.store.openEventReader()`). */
  openEventReader?: () => Promise<OpenedEventReader>;
}

/**
 * GET /wp-json/analytics/v1/events?start_date&end_date — the site's events of a range of
 * calendar days in a time zone, streamed like the one-day pull (same writers, same
 * streaming loop, same abort rules), optionally one page of a resumable pull.
 */
export function rangeExportRoute(host: Host, options: RangeExportOptions = {}): RequestHandler[] {
  const open = options.openEventReader ?? (() => host.store.openEventReader());

  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let params: RangeExportRequest;
    let paging: PagingRequest;
    let print: string;
    try {
      params = parseRangeExportRequest(req);
      print = fingerprint({
        route: 'range',
        start_date: params.startDate,
        end_date: params.endDate,
        timezone: params.timezone,
        event_type: params.eventType ?? '',
        include_bots: params.includeBots,
        format: params.format,
      });
      paging = parsePaging(req, host.secret, print);
    } catch (err) {
      return next(err);
    }
    const site = host.config.site_id;
    const base: EventWindow = { site, from: params.from, to: params.to, ...(params.eventType !== undefined ? { eventType: params.eventType } : {}) };
    const watch = new ClientWatch(res);

    let opened: OpenedEventReader;
    try {
      opened = await open();
    } catch (err) {
      return next(err);
    }
    watch.onGone(() => opened.destroy());

    let plan: PagePlan;
    let header: string[] = [];
    try {
      const prepare = async (w: EventWindow): Promise<EventWindow> => {
        if (params.includeBots) return w;
        const filter = await botFilter(opened.reader, host.store.db.sql, w);
        return filter ? { ...w, filter } : w;
      };
      plan = await planPage(opened.reader, base, paging, prepare);
      if (params.format === 'csv') header = await opened.reader.fieldNames(site, params.firstUtcDay, params.lastUtcDay);
    } catch (err) {
      opened.destroy();
      if (watch.gone) return;
      return next(err);
    }
    if (watch.gone) return;

    const writer = writerFor(host, params, header);
    res.status(200);
    res.setHeader('Content-Type', writer.contentType);
    setPagingHeaders(req, res, host.secret, print, paging, plan);
    res.setHeader('X-Accel-Buffering', 'no');
    res.setHeader('Content-Disposition', `attachment; filename="${params.startDate}_${params.endDate}.${writer.extension}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');

    if (req.method === 'HEAD') {
      await opened.close().catch(() => undefined);
      res.end();
      return;
    }

    const what = `GET events?start_date=${params.startDate}&end_date=${params.endDate} (${params.format})`;
    const result = await streamDay({ res, watch, opened, window: plan.window, after: plan.after, limit: paging.perPage === null ? undefined : plan.count, chunkSize: params.chunkSize, writer });
    if (result.outcome === 'failed') host.log.error(`${what} failed after ${result.rows} of ${plan.count} events: ${result.error.message}`);
    else if (result.outcome === 'client-gone') host.log.debug(`${what}: client went away after ${result.rows} of ${plan.count} events`);
  };

  return [requireApplicationPassword(host), requireCapability(host, EXPORT_EVENTS_CAPABILITY_FILTER, 'manage_options'), handler];
}
