import type { Request } from 'express';
import { DAY_MS } from '../../core/events/validate';
import { invalidParam } from '../errors';
import { parseCalendarDate, parseOutputOptions, single, type ExportFormat } from './params';
import { isTimeZone, startOfZonedDay } from './zones';

export const MAX_RANGE_DAYS = 90;

export interface RangeExportRequest {
  startDate: string;
  endDate: string;
  timezone: string;
  /** [from, to) in UTC ms: start_date 00:00 to (end_date + 1) 00:00 in the zone. */
  from: number;
  to: number;
  /** The UTC days the window touches (the CSV header's field registry keys). */
  firstUtcDay: number;
  lastUtcDay: number;
  eventType?: string;
  includeBots: boolean;
  format: ExportFormat;
  chunkSize: number;
}

function date(query: Record<string, unknown>, name: string): { text: string; utc: number } {
  const raw = single(query[name]);
  if (raw === undefined) throw invalidParam(name, `${name} is required.`);
  const utc = raw === null ? null : parseCalendarDate(raw);
  if (raw === null || utc === null) throw invalidParam(name, `${name} must be a calendar date formatted as YYYY-MM-DD.`);
  return { text: raw, utc };
}

/** Parameters of the range pull; any bad one is a 400 `rest_invalid_param` naming it. */
export function parseRangeExportRequest(req: Request): RangeExportRequest {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const start = date(query, 'start_date');
  const end = date(query, 'end_date');
  if (end.utc < start.utc) throw invalidParam('end_date', 'end_date must not be before start_date.');
  const days = Math.round((end.utc - start.utc) / DAY_MS) + 1;
  if (days > MAX_RANGE_DAYS) {
    throw invalidParam('end_date', `The range covers ${days} days: at most ${MAX_RANGE_DAYS} days per export.`, { max_days: MAX_RANGE_DAYS });
  }

  const rawZone = single(query.timezone);
  if (rawZone === null || (rawZone !== undefined && !isTimeZone(rawZone))) throw invalidParam('timezone', 'timezone must be an IANA time zone name, e.g. Europe/London.');
  const timezone = rawZone ?? 'UTC';

  const rawType = single(query.event_type);
  if (rawType === null || rawType === '') throw invalidParam('event_type', 'event_type must be a non-empty string.');

  const rawBots = single(query.include_bots);
  let includeBots = false;
  if (rawBots !== undefined) {
    if (rawBots === 'true' || rawBots === '1') includeBots = true;
    else if (rawBots === 'false' || rawBots === '0') includeBots = false;
    else throw invalidParam('include_bots', 'include_bots must be a boolean (true, false, 1 or 0).');
  }

  const from = startOfZonedDay(start.utc, timezone);
  const to = startOfZonedDay(end.utc + DAY_MS, timezone);
  return {
    startDate: start.text,
    endDate: end.text,
    timezone,
    from,
    to,
    firstUtcDay: Math.floor(from / DAY_MS),
    lastUtcDay: Math.floor((to - 1) / DAY_MS),
    eventType: rawType,
    includeBots,
    ...parseOutputOptions(req),
  };
}
