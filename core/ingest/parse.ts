/**
 * Parsing of ingestion input into validated events: one module for the HTTP route (a
 * JSON array, one JSON object, or NDJSON) and for `import` (NDJSON, line by line), so
 * both apply exactly the same validation (core/events/validate.ts).
 */
import { splitJsonArray } from '../events/split';
import { EventValidationError, parseEventText, type ValidatedEvent } from '../events/validate';

export { EventValidationError } from '../events/validate';
export type { ValidatedEvent, EventPosition } from '../events/validate';

/** How a body is laid out: `json` (array or one object) or `ndjson` (one event per line). */
export type BodyFormat = 'json' | 'ndjson';

/** A body that cannot hold events at all (empty, not UTF-8, no events): not tied to one event. */
export class IngestBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestBodyError';
  }
}

/** The media types accepted for each format (parameters such as charset=utf-8 aside). */
export const JSON_MEDIA_TYPES: readonly string[] = ['application/json'];
export const NDJSON_MEDIA_TYPES: readonly string[] = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];

/**
 * The format named by a Content-Type header, or null when it is not one we accept (also
 * when a charset other than UTF-8 is declared: bodies are read as UTF-8).
 */
export function formatOfContentType(contentType: string | undefined): BodyFormat | null {
  if (!contentType) return null;
  const [type, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  for (const p of params) {
    const [name, value] = p.split('=').map((s) => s.trim());
    if (name === 'charset' && value.replace(/^"|"$/g, '') !== 'utf-8' && value.replace(/^"|"$/g, '') !== 'utf8') return null;
  }
  if (JSON_MEDIA_TYPES.includes(type)) return 'json';
  if (NDJSON_MEDIA_TYPES.includes(type)) return 'ndjson';
  return null;
}

/** JSON whitespace only (String#trim would also drop characters JSON.parse rejects). */
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function trimJsonSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isJsonSpace(s.charCodeAt(a))) a++;
  while (b > a && isJsonSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * One NDJSON line (without its line feed) → its validated event, or null for a blank
 * line. `line` is the 1-based line number reported in errors. The stored text is the line
 * without surrounding whitespace or a trailing CR. The one NDJSON line validator, for
 * POST bodies and for `import`.
 */
export function parseNdjsonLine(text: string, line: number): ValidatedEvent | null {
  // Fast path: a line that starts with "{" and ends with "}" needs no trimming.
  const n = text.length;
  if (n > 0 && text.charCodeAt(0) === 0x7b && text.charCodeAt(n - 1) === 0x7d) return parseEventText(text, { line });
  const trimmed = trimJsonSpace(text);
  if (trimmed.length === 0) return null;
  return parseEventText(trimmed, { line });
}

/** An NDJSON body: one event per line, blank lines ignored, LF or CRLF. */
export function parseNdjsonEvents(body: string): ValidatedEvent[] {
  const events: ValidatedEvent[] = [];
  let start = 0;
  let line = 1;
  for (;;) {
    const end = body.indexOf('\n', start);
    const e = parseNdjsonLine(end < 0 ? body.slice(start) : body.slice(start, end), line);
    if (e) events.push(e);
    if (end < 0) break;
    start = end + 1;
    line++;
  }
  if (events.length === 0) throw new IngestBodyError('The request body holds no events: send one JSON event object per line.');
  return events;
}

/** A JSON body: an array of event objects (each kept as its exact text) or one event object. */
export function parseJsonEvents(body: string): ValidatedEvent[] {
  const text = trimJsonSpace(body);
  if (text.length === 0) throw new IngestBodyError('The request body is empty: send a JSON array of events or one event object.');
  if (text.charCodeAt(0) !== 0x5b /* [ */) return [parseEventText(text, { index: 0 })];
  const items = splitJsonArray(text);
  if (items.length === 0) throw new IngestBodyError('The request body holds no events: the array is empty.');
  return items.map((item, index) => parseEventText(item, { index }));
}

/** Parses a whole body of the given format; throws EventValidationError or IngestBodyError. */
export function parseEventsBody(body: string, format: BodyFormat): ValidatedEvent[] {
  return format === 'json' ? parseJsonEvents(body) : parseNdjsonEvents(body);
}

/** Where an EventValidationError points, as the REST error's data: `{ index }` or `{ line }`, plus field and reason. */
export function errorData(err: EventValidationError): Record<string, unknown> {
  return { ...err.position, field: err.field, reason: err.reason };
}
