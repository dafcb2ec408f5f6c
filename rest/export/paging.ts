import type { Request, Response } from 'express';
import type { EventReader, EventWindow, KeysetPosition } from '../../core/store/event-reader';
import { invalidParam } from '../errors';
import type { PageContinuation } from './continuations';
import { decodeCursor, encodeCursor, type CursorState } from './cursor';
import { single } from './params';

export const MAX_PER_PAGE = 100_000;

/** `per_page` and `cursor` of a resumable pull, as both export routes take them. */
export interface PagingRequest {
  /** At most this many events in the answer; null: the rest of the pull in one answer. */
  perPage: number | null;
  /** Where a previous page ended (verified: signed by this server, for this very query). */
  cursor: CursorState | null;
}

export function parsePaging(req: Request, secret: Buffer, print: string): PagingRequest {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const rawPerPage = single(query.per_page);
  let perPage: number | null = null;
  if (rawPerPage !== undefined) {
    const n = rawPerPage !== null && /^[0-9]{1,6}$/.test(rawPerPage) ? Number(rawPerPage) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_PER_PAGE) throw invalidParam('per_page', `per_page must be an integer between 1 and ${MAX_PER_PAGE}.`);
    perPage = n;
  }
  const rawCursor = single(query.cursor);
  let cursor: CursorState | null = null;
  if (rawCursor !== undefined) {
    if (rawCursor === null) throw invalidParam('cursor', 'cursor is not a cursor this server issued.');
    cursor = decodeCursor(secret, rawCursor, print);
  }
  return { perPage, cursor };
}

/** What one answer of a (possibly paged) pull sends. */
export interface PagePlan {
  /** The window with the pull's horizon fixed. */
  window: EventWindow;
  /** Start after this position (null: the window's start). */
  after: KeysetPosition | null;
  /** Events this answer sends. */
  count: number;
  /** Events of the whole pull (X-WP-Total). */
  total: number;
  /** Cursor state of the next page, when events remain after this one. */
  next: CursorState | null;
  /**
   * Where the answer must end, when that was looked up outside its snapshot (a
   * continuation): the stream checks it.
   */
  expectLast?: KeysetPosition;
}

/** A pull's window completed once its horizon is known, and its event count where the completion found it. */
export interface PreparedWindow {
  window: EventWindow;
  count?: number;
}

/**
 * Fixes the pull's horizon and total at its first page (later pages take them from the
 * cursor, so X-WP-Total stays the same from first page to last), and finds where this page
 * ends before a byte is sent: the Link header goes out with the status line. `prepare`
 * completes the window once the horizon is known (the bot filter is computed there, and
 * counts the events it keeps in the same pass). A continuation (see PageContinuations)
 * gives a later page its window and its end.
 */
export async function planPage(
  reader: Pick<EventReader, 'count' | 'positionAt'>,
  base: EventWindow,
  paging: PagingRequest,
  prepare: (window: EventWindow) => Promise<PreparedWindow> = async (w) => ({ window: w }),
  continued?: PageContinuation,
): Promise<PagePlan> {
  let window: EventWindow;
  let total: number;
  let sent = 0;
  let after: KeysetPosition | null = null;
  if (paging.cursor) {
    window = continued ? continued.window : (await prepare({ ...base, maxId: paging.cursor.maxId })).window;
    total = paging.cursor.total;
    sent = paging.cursor.sent;
    after = paging.cursor.after;
  } else {
    const raw = await reader.count(base);
    const prepared = await prepare({ ...base, maxId: raw.maxId });
    window = prepared.window;
    total = prepared.count ?? (window.filter ? (await reader.count(window)).count : raw.count);
  }
  const { count, linked } = pageSpan({ total, sent }, paging.perPage);
  let next: CursorState | null = null;
  let expectLast: KeysetPosition | undefined;
  if (linked) {
    let last = continued ? await continued.end.catch(() => null) : null;
    if (last) expectLast = last;
    else last = await pageEnd(reader, window, after, count);
    if (last) next = { after: last, maxId: window.maxId ?? 0, total, sent: sent + count };
  }
  return { window, after, count, total, next, ...(expectLast ? { expectLast } : {}) };
}

/**
 * The answer that starts after `sent` of the pull's `total`: the events it sends (`perPage`
 * at most; null: all that is left), and whether events remain after it — then it ends on a
 * Link to the next page.
 */
export function pageSpan(at: Pick<CursorState, 'total' | 'sent'>, perPage: number | null): { count: number; linked: boolean } {
  const remaining = Math.max(0, at.total - at.sent);
  const count = perPage === null ? remaining : Math.min(perPage, remaining);
  return { count, linked: count > 0 && count < remaining };
}

/** The position of the last event of the page that starts after `after` and sends `count` events (null: the window ends before). */
export function pageEnd(reader: Pick<EventReader, 'positionAt'>, window: EventWindow, after: KeysetPosition | null, count: number): Promise<KeysetPosition | null> {
  return reader.positionAt(window, after, count - 1);
}

/**
 * X-WP-Total (the whole pull), and on a paged answer X-WP-TotalPages and, when more
 * remain, `Link: <…>; rel="next"`: a root-relative URL (works behind any proxy that keeps
 * the path) repeating this request's path and query with `cursor` set to the next page's.
 */
export function setPagingHeaders(req: Request, res: Response, secret: Buffer, print: string, paging: PagingRequest, plan: PagePlan): void {
  res.setHeader('X-WP-Total', String(plan.total));
  if (paging.perPage !== null) res.setHeader('X-WP-TotalPages', String(Math.ceil(plan.total / paging.perPage)));
  if (plan.next) {
    const url = req.originalUrl;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const search = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    search.set('cursor', encodeCursor(secret, plan.next, print));
    res.setHeader('Link', `<${path}?${search.toString()}>; rel="next"`);
  }
}
