import type { JsonObject } from './flatten';
import { FieldShapeCache } from './shapes';

/** Oldest and newest event_timestamp accepted: 2000-01-01 and 2100-01-01 UTC, in ms. */
export const MIN_EVENT_TIMESTAMP = Date.UTC(2000, 0, 1);
export const MAX_EVENT_TIMESTAMP = Date.UTC(2100, 0, 1);
export const MAX_EVENT_TYPE_LENGTH = 255;
export const MAX_EVENT_ID_LENGTH = 128;
export const MAX_SITE_LENGTH = 64;
export const MAX_FIELD_NAME_LENGTH = 512;
export const DAY_MS = 86_400_000;

/** The shapes of the documents this process has validated (bounded; see FieldShapeCache). */
const fieldShapes = new FieldShapeCache(MAX_FIELD_NAME_LENGTH);

/** Where a bad event sits in its input: 0-based array index, or 1-based NDJSON line. */
export type EventPosition = { index: number } | { line: number };

export class EventValidationError extends Error {
  constructor(
    readonly position: EventPosition,
    readonly field: string | null,
    readonly reason: string,
  ) {
    super(`${describePosition(position)}: ${field ? `${field} ${reason}` : reason}`);
    this.name = 'EventValidationError';
  }
}

export function describePosition(position: EventPosition): string {
  return 'index' in position ? `event at index ${position.index}` : `line ${position.line}`;
}

/** An event that passed validation, with what the store indexes taken out of it. */
export interface ValidatedEvent {
  /** The document exactly as received. */
  text: string;
  site: string;
  timestamp: number;
  eventType: string;
  eventId: string | null;
  /** UTC day number (days since 1970-01-01). */
  day: number;
  /** Its flattened field names: one Set per document shape, shared (see FieldShapeCache). */
  fields: ReadonlySet<string>;
}

/** The site of an event: attributes.blogId as a string; missing, null or empty means site 1. */
export function siteOf(doc: JsonObject): string {
  const attributes = doc.attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return '1';
  const blogId = attributes.blogId;
  if (blogId === undefined || blogId === null || blogId === '') return '1';
  return typeof blogId === 'string' ? blogId : JSON.stringify(blogId);
}

export function parseEventText(text: string, position: EventPosition): ValidatedEvent {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new EventValidationError(position, null, `is not valid JSON (${(err as Error).message})`);
  }
  return validateEvent(doc, text, position);
}

export function validateEvent(doc: unknown, text: string, position: EventPosition): ValidatedEvent {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new EventValidationError(position, null, 'is not a JSON object');
  }
  const event = doc as JsonObject;
  const type = event.event_type;
  if (type === undefined) throw new EventValidationError(position, 'event_type', 'is missing');
  if (typeof type !== 'string' || type.length === 0) throw new EventValidationError(position, 'event_type', 'must be a non-empty string');
  if (type.length > MAX_EVENT_TYPE_LENGTH) throw new EventValidationError(position, 'event_type', `is longer than ${MAX_EVENT_TYPE_LENGTH} characters`);
  const ts = event.event_timestamp;
  if (ts === undefined) throw new EventValidationError(position, 'event_timestamp', 'is missing');
  if (typeof ts !== 'number' || !Number.isInteger(ts)) {
    throw new EventValidationError(position, 'event_timestamp', 'must be an integer number of milliseconds since the epoch');
  }
  if (ts < MIN_EVENT_TIMESTAMP || ts >= MAX_EVENT_TIMESTAMP) {
    throw new EventValidationError(position, 'event_timestamp', 'must fall between 2000-01-01 and 2100-01-01 (milliseconds since the epoch)');
  }
  let eventId: string | null = null;
  if (event.event_id !== undefined && event.event_id !== null) {
    if (typeof event.event_id !== 'string' || event.event_id.length < 1 || event.event_id.length > MAX_EVENT_ID_LENGTH) {
      throw new EventValidationError(position, 'event_id', `must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters`);
    }
    eventId = event.event_id;
  }
  const site = siteOf(event);
  if (site.length > MAX_SITE_LENGTH) throw new EventValidationError(position, 'attributes.blogId', `is longer than ${MAX_SITE_LENGTH} characters`);
  const { fields, overlong } = fieldShapes.shapeOf(event);
  if (overlong !== null) throw new EventValidationError(position, overlong.slice(0, 40) + '…', `field name is longer than ${MAX_FIELD_NAME_LENGTH} characters`);
  return { text, site, timestamp: ts, eventType: type, eventId, day: Math.floor(ts / DAY_MS), fields };
}
