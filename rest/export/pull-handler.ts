import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Host } from '../../core/host';
import type { EventWindow, KeysetPosition } from '../../core/store/event-reader';
import { requireApplicationPassword } from '../middleware/authenticate';
import { requireCapability } from '../middleware/permission';
import { fingerprint } from './cursor';
import { PageContinuations } from './continuations';
import { pageEnd, pageSpan, parsePaging, planPage, setPagingHeaders, type PagePlan, type PagingRequest, type PreparedWindow } from './paging';
import type { ExportFormat } from './params';
import { ClientWatch, streamDay, type OpenedEventReader } from './stream';
import { CsvDayWriter, JsonDayWriter, NdjsonDayWriter, type DayWriter } from './writers';

export const EXPORT_EVENTS_CAPABILITY_FILTER = 'altis.analytics.export_events_capability';

/** Options of both pull routes. */
export interface PullOptions {
  /**
   * Opens the snapshot the pull reads (default: `host.store.openEventReader()`). A test
   * seam: a reader that fails on purpose exercises the mid-stream abort.
   */
  openEventReader?: () => Promise<OpenedEventReader>;
  /** Read the next page while the current one drains (default true). */
  prefetch?: boolean;
}

/** What one pull route makes of a request: everything in which the routes differ. */
export interface PullRequest {
  format: ExportFormat;
  chunkSize: number;
  /** The parameters a cursor is bound to (its fingerprint): a cursor only resumes the query it came from. */
  cursorKey: Record<string, string | boolean | number>;
  /** The site's events the pull sends, before its horizon is fixed. */
  window: EventWindow;
  /** Completes the window once the horizon is known (the range pull's bot filter); default: as it is. */
  prepare?: (reader: OpenedEventReader['reader'], window: EventWindow) => Promise<PreparedWindow>;
  /** The UTC days (first, last) whose field names make the CSV header. */
  headerDays: readonly [first: number, last: number];
  /** Content-Disposition file name, without the extension. */
  filename: string;
  /** How the process log names this pull. */
  label: string;
  /** Called once the whole body was handed to the socket, with the row count. */
  onSent?: (rows: number) => void;
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
 * The pull routes' common handler, behind application-password auth and the
 * `altis.analytics.export_events_capability` check: `describe` validates the request (a bad
 * parameter is a 400 `rest_invalid_param`), then one snapshot is opened, the page planned,
 * the headers sent (HEAD ends there) and the events streamed a keyset page at a time. A
 * store failure mid-stream breaks the transfer; a client that goes away stops the read and
 * frees its connection.
 */
export function pullRoute(host: Host, options: PullOptions, describe: (req: Request) => PullRequest): RequestHandler[] {
  const open = options.openEventReader ?? (() => host.store.openEventReader());
  const continuations = new PageContinuations();
  /** Where the page that starts after `after` and sends `count` events ends, looked up in a snapshot of its own. */
  const lookUpEnd = async (window: EventWindow, after: KeysetPosition, count: number): Promise<KeysetPosition | null> => {
    const o = await open();
    try {
      return await pageEnd(o.reader, window, after, count);
    } finally {
      await o.close().catch(() => undefined);
    }
  };

  const handler = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let pull: PullRequest;
    let paging: PagingRequest;
    let print: string;
    try {
      pull = describe(req);
      print = fingerprint(pull.cursorKey);
      paging = parsePaging(req, host.secret, print);
    } catch (err) {
      return next(err);
    }
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
      const prepare = pull.prepare;
      const continued = paging.cursor && paging.perPage !== null ? continuations.take(PageContinuations.key(print, paging.cursor, pageSpan(paging.cursor, paging.perPage).count)) : undefined;
      plan = await planPage(opened.reader, pull.window, paging, prepare && ((w) => prepare(opened.reader, w)), continued);
      if (pull.format === 'csv') header = await opened.reader.fieldNames(pull.window.site, pull.headerDays[0], pull.headerDays[1]);
    } catch (err) {
      opened.destroy();
      if (watch.gone) return;
      return next(err);
    }
    if (watch.gone) return;

    const writer = writerFor(host, pull, header);
    res.status(200);
    res.setHeader('Content-Type', writer.contentType);
    setPagingHeaders(req, res, host.secret, print, paging, plan);
    res.setHeader('X-Accel-Buffering', 'no');
    res.setHeader('Content-Disposition', `attachment; filename="${pull.filename}.${writer.extension}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');

    if (req.method === 'HEAD') {
      await opened.close().catch(() => undefined);
      res.end();
      return;
    }

    // The client will most likely follow the Link: keep the pull's window for that page, and
    // find where it ends while this one streams — on another connection; where the store
    // reads on the event loop (SQLite) that would only move the same work within this thread.
    if (plan.next && paging.perPage !== null) {
      const following = pageSpan(plan.next, paging.perPage);
      if (following.linked) {
        const key = PageContinuations.key(print, plan.next, following.count);
        const end = opened.reader.readsOnEventLoop ? Promise.resolve(null) : lookUpEnd(plan.window, plan.next.after, following.count);
        continuations.offer(key, { window: plan.window, end });
      }
    }

    const result = await streamDay({
      res,
      watch,
      opened,
      window: plan.window,
      after: plan.after,
      limit: paging.perPage === null ? undefined : plan.count,
      expectLast: plan.expectLast,
      chunkSize: pull.chunkSize,
      writer,
      prefetch: options.prefetch,
      onSent: pull.onSent,
    });
    if (result.outcome === 'failed') host.log.error(`${pull.label} failed after ${result.rows} of ${plan.count} events: ${result.error.message}`);
    else if (result.outcome === 'client-gone') host.log.debug(`${pull.label}: client went away after ${result.rows} of ${plan.count} events`);
  };

  return [requireApplicationPassword(host), requireCapability(host, EXPORT_EVENTS_CAPABILITY_FILTER, 'manage_options'), handler];
}
