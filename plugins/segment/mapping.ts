/**
 * How an Altis event becomes Segment calls: a declarative map per call type, as in the
 * Altis Segment integration, so a site can change one field through the
 * `altis.analytics.segment.mapping` filter without rewriting the transformation.
 *
 * A map is an object whose keys are the Segment fields and whose values are:
 * - a dotted path into the event, `'endpoint.User.UserId'` (array items by index:
 *   `'endpoint.Attributes.DeviceType.0'`); `''` or null skips the field;
 * - an array of paths whose objects are merged, `['attributes', 'metrics']`;
 * - a nested map, for nested objects (`context.location`);
 * - a function `(event, source) => value` for anything computed.
 * Fields that come out undefined, null or as an empty object are left out.
 */
import { createHash } from 'node:crypto';

export type SegmentCallType = 'identify' | 'page' | 'track';

/** A raw Altis event (Pinpoint JSON document). */
export type AltisEvent = Record<string, unknown>;

/** What a computed field sees besides the event: the call it is building and the event's raw NDJSON line. */
export interface MappingSource {
  type: SegmentCallType;
  line: string;
}

export type MappingNode = string | string[] | null | ((event: AltisEvent, source: MappingSource) => unknown) | SegmentMapping;

export interface SegmentMapping {
  [field: string]: MappingNode;
}

/** One Segment HTTP API call (a member of `{"batch": [...]}`). */
export type SegmentMessage = Record<string, unknown> & { type: string; messageId?: string };

export function valueAt(event: unknown, path: string): unknown {
  let value = event;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The first of several paths that holds a value. */
export const firstOf =
  (...paths: string[]) =>
  (event: AltisEvent): unknown =>
    paths.map((p) => valueAt(event, p)).find((v) => v !== undefined && v !== null && v !== '');

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function applyMapping(map: SegmentMapping, event: AltisEvent, source: MappingSource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, node] of Object.entries(map)) {
    let value: unknown;
    if (node === null || node === '') continue;
    else if (typeof node === 'string') value = valueAt(event, node);
    else if (typeof node === 'function') value = node(event, source);
    else if (Array.isArray(node)) value = Object.assign({}, ...node.map((p) => valueAt(event, p)).filter(isObject));
    else value = applyMapping(node, event, source);
    if (value === undefined || value === null || (isObject(value) && Object.keys(value).length === 0)) continue;
    out[field] = value;
  }
  return out;
}

/**
 * Deterministic per event and call type: a replayed event gets the same messageId (Segment
 * drops the duplicate), while the identify and the track made from one event differ.
 */
export const messageId = (_event: AltisEvent, { type, line }: MappingSource): string =>
  createHash('sha256').update(`${type}\n${line}`).digest('hex');

const isoTimestamp = (event: AltisEvent): string | undefined =>
  typeof event.event_timestamp === 'number' ? new Date(event.event_timestamp).toISOString() : undefined;

/** The page fields of Segment's spec, from the attributes the Altis tracker records. */
const pageMapping = (): SegmentMapping => ({
  url: 'attributes.url',
  title: 'attributes.title',
  referrer: firstOf('attributes.referrer', 'attributes.referer'),
  search: 'attributes.search',
  path: (event) => {
    const url = valueAt(event, 'attributes.url');
    if (typeof url !== 'string') return undefined;
    try {
      return new URL(url).pathname;
    } catch {
      return undefined;
    }
  },
});

/** The default map of one call type; the filter `altis.analytics.segment.mapping` receives it. */
export function defaultMapping(type: SegmentCallType): SegmentMapping {
  const common: SegmentMapping = {
    type: () => type,
    messageId,
    // Pinpoint's endpoint id is the browser's anonymous id; the client id is a fallback.
    anonymousId: firstOf('endpoint.Id', 'client.client_id'),
    userId: 'endpoint.User.UserId',
    timestamp: isoTimestamp,
    context: {
      ip: 'attributes.ip',
      locale: firstOf('endpoint.Demographic.Locale', 'device.locale.code'),
      timezone: 'endpoint.Demographic.Timezone',
      userAgent: 'attributes.userAgent',
      // The Altis tracker parses the user agent in the browser: browser, engine and OS.
      userAgentData: {
        brands: (event) => {
          const brand = valueAt(event, 'endpoint.Demographic.Model');
          return typeof brand === 'string' ? [{ brand, version: valueAt(event, 'endpoint.Demographic.ModelVersion') }] : undefined;
        },
        platform: 'endpoint.Demographic.Platform',
        mobile: (event) => {
          const type = valueAt(event, 'endpoint.Attributes.DeviceType.0');
          return typeof type === 'string' ? type === 'mobile' : undefined;
        },
      },
      os: { name: 'endpoint.Demographic.Platform', version: 'endpoint.Demographic.PlatformVersion' },
      device: {
        manufacturer: 'endpoint.Attributes.DeviceMake.0',
        model: 'endpoint.Attributes.DeviceModel.0',
        type: 'endpoint.Attributes.DeviceType.0',
      },
      app: { version: 'endpoint.Demographic.AppVersion' },
      location: {
        country: 'endpoint.Location.Country',
        region: 'endpoint.Location.Region',
        city: 'endpoint.Location.City',
        latitude: 'endpoint.Location.Latitude',
        longitude: 'endpoint.Location.Longitude',
      },
      campaign: {
        name: 'attributes.qv_utm_campaign',
        source: 'attributes.qv_utm_source',
        medium: 'attributes.qv_utm_medium',
        term: 'attributes.qv_utm_term',
        content: 'attributes.qv_utm_content',
      },
      page: pageMapping(),
    },
  };
  switch (type) {
    case 'identify':
      return { ...common, traits: ['endpoint.Attributes', 'endpoint.User.UserAttributes', 'endpoint.Metrics'] };
    case 'page':
      // Everything the event recorded, with Segment's page fields on top.
      return { ...common, name: 'attributes.title', properties: (event, source) => ({ ...mergeOf(event, 'attributes', 'metrics'), ...applyMapping(pageMapping(), event, source) }) };
    case 'track':
      return { ...common, event: 'event_type', properties: ['attributes', 'metrics'] };
  }
}

function mergeOf(event: AltisEvent, ...paths: string[]): Record<string, unknown> {
  return Object.assign({}, ...paths.map((p) => valueAt(event, p)).filter(isObject));
}
