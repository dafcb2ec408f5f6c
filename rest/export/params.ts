import type { Request } from 'express';
import { DAY_MS } from '../../core/events/validate';
import { invalidParam } from '../errors';

export type ExportFormat = 'json' | 'csv' | 'ndjson';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv', 'ndjson'];

export const DEFAULT_CHUNK_SIZE = 3000;
export const MAX_CHUNK_SIZE = 10_000;

export interface ExportRequest {
  /** The date as requested, `YYYY-MM-DD`. */
  date: string;
  /** UTC day number (days since 1970-01-01): the field registry's key. */
  day: number;
  /** [from, to) in ms since the epoch: 00:00 to 24:00 UTC of the date. */
  from: number;
  to: number;
  format: ExportFormat;
  chunkSize: number;
}

const MEDIA_TYPES: Record<string, ExportFormat> = {
  'application/json': 'json',
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
};

/** A real calendar date `YYYY-MM-DD` (2026-02-30 is not one) → start of its UTC day in ms, or null. */
export function parseCalendarDate(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const dayOfMonth = Number(m[3]);
  // setUTCFullYear, not Date.UTC: Date.UTC maps the years 0–99 to 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, dayOfMonth);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== dayOfMonth) return null;
  return d.getTime();
}

export function single(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

/**
 * Parameters of the day pull, validated as WordPress validates REST arguments: any bad one
 * is a 400 `rest_invalid_param` naming it. `format` wins over the Accept header.
 */
export function parseExportRequest(req: Request): ExportRequest {
  const date = String(req.params.date ?? '');
  const from = parseCalendarDate(date);
  if (from === null) throw invalidParam('date', 'date must be a calendar date formatted as YYYY-MM-DD.');

  return { date, day: Math.floor(from / DAY_MS), from, to: from + DAY_MS, ...parseOutputOptions(req) };
}

/** `format` (or the Accept header) and `chunk_size`, as every export route takes them. */
export function parseOutputOptions(req: Request): { format: ExportFormat; chunkSize: number } {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const rawFormat = single(query.format);
  let format: ExportFormat;
  if (rawFormat === undefined) {
    const accepted = req.accepts(Object.keys(MEDIA_TYPES));
    format = typeof accepted === 'string' ? MEDIA_TYPES[accepted] : 'json';
  } else if (rawFormat !== null && (EXPORT_FORMATS as readonly string[]).includes(rawFormat)) {
    format = rawFormat as ExportFormat;
  } else {
    throw invalidParam('format', `format is not one of ${EXPORT_FORMATS.join(', ')}.`);
  }

  const rawChunk = single(query.chunk_size);
  let chunkSize = DEFAULT_CHUNK_SIZE;
  if (rawChunk !== undefined) {
    const n = rawChunk !== null && /^[0-9]{1,6}$/.test(rawChunk) ? Number(rawChunk) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_CHUNK_SIZE) {
      throw invalidParam('chunk_size', `chunk_size must be an integer between 1 and ${MAX_CHUNK_SIZE}.`);
    }
    chunkSize = n;
  }

  return { format, chunkSize };
}
