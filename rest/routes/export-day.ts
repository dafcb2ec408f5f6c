import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Host } from '../../core/host';
import { requireApplicationPassword } from '../middleware/authenticate';
import { requireCapability } from '../middleware/permission';
import { parseExportRequest, type ExportFormat, type ExportRequest } from '../export/params';
import { fingerprint } from '../export/cursor';
import { parsePaging, planPage, setPagingHeaders, type PagePlan, type PagingRequest } from '../export/paging';
import { ClientWatch, streamDay, type OpenedEventReader } from '../export/stream';
import { CsvDayWriter, JsonDayWriter, NdjsonDayWriter, type DayWriter } from '../export/writers';

/** Action fired after a day pull was sent in full: `(date, format, count, user_login)`. */
export const EXPORT_EVENTS_SENT_ACTION = 'altis.analytics.export_events_sent';
export const EXPORT_EVENTS_CAPABILITY_FILTER = 'altis.analytics.export_events_capability';

export interface DayExportOptions {
  /**
   * Opens the snapshot the pull reads (default: `host.store.openEventReader()`). A test
   * seam: a reader that fails on purpose exercises the mid-stream abort.
   */
  openEventReader?: () => Promise<OpenedEventReader>;
  /** Read the next page while the current one drains (default true). */
  prefetch?: boolean;
}

export function writerFor(host: Host, params: { format: ExportFormat }, header: readonly string[]): DayWriter {
  switch (params.format) {
    case 'csv':
      return new CsvDayWriter(header, { escapeFormulas: host.config.export.csv_escape_formulas === true });
    case 'ndjson':
      return new NdjsonDayWriter();
    default:
      return new JsonDayWriter();
  }
}

/**
 * GET /wp-json/analytics/v1/events/:date — one UTC day of the site's events, streamed as
 * JSON (the stored documents byte for byte), CSV or NDJSON, a keyset page at a time from
 * one snapshot. A store failure mid-stream breaks the transfer; a client that goes away
 * stops the read and frees its connection.
 */
export function dayExportRoute(host: Host, options: DayExportOptions = {}): RequestHandler[] {
  const open = options.openEventReader ?? (() => host.store.openEventReader());

  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let params: ExportRequest;
    let paging: PagingRequest;
    let print: string;
    try {
      params = parseExportRequest(req);
      print = fingerprint({ route: 'day', date: params.date, format: params.format });
      paging = parsePaging(req, host.secret, print);
    } catch (err) {
      return next(err);
    }
    const site = host.config.site_id;
    const window = { site, from: params.from, to: params.to };
    const watch = new ClientWatch(res);

    let opened: OpenedEventReader;
    try {
      opened = await open();
    } catch (err) {
      return next(err);
    }
    // From here on a client that leaves kills whatever the session is doing for it.
    watch.onGone(() => opened.destroy());

    let plan: PagePlan;
    let header: string[] = [];
    try {
      plan = await planPage(opened.reader, window, paging);
      if (params.format === 'csv') header = await opened.reader.fieldNames(site, params.day, params.day);
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
    const total = plan.total;
    res.setHeader('X-Accel-Buffering', 'no');
    res.setHeader('Content-Disposition', `attachment; filename="${params.date}.${writer.extension}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');

    if (req.method === 'HEAD') {
      await opened.close().catch(() => undefined);
      res.end();
      return;
    }

    const user = req.user?.login ?? '';
    // Sent in full: tell plugins once the last byte is handed to the socket.
    const onSent = (rows: number) => {
      try {
        host.hooks.do_action(EXPORT_EVENTS_SENT_ACTION, params.date, params.format, rows, user);
      } catch (err) {
        host.log.error(`${EXPORT_EVENTS_SENT_ACTION} callback failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const result = await streamDay({ res, watch, opened, window: plan.window, after: plan.after, limit: paging.perPage === null ? undefined : plan.count, chunkSize: params.chunkSize, writer, prefetch: options.prefetch, onSent });
    if (result.outcome === 'failed') {
      host.log.error(`GET events/${params.date} (${params.format}) failed after ${result.rows} of ${total} events: ${result.error.message}`);
      return;
    }
    if (result.outcome === 'client-gone') {
      host.log.debug(`GET events/${params.date} (${params.format}): client went away after ${result.rows} of ${total} events`);
    }
  };

  return [requireApplicationPassword(host), requireCapability(host, EXPORT_EVENTS_CAPABILITY_FILTER, 'manage_options'), handler];
}
