/**
 * segment: sends every export batch to Segment's HTTP Tracking API, as the Altis Segment
 * integration did — a `page` call for each pageView, a `track` call for every other event
 * and an `identify` call when the event names a user — and makes the delivery reliable:
 * the export's callback resolves only once Segment has accepted every request, and rejects
 * otherwise, so the export keeps the batch and hands it over again next run. Replays are
 * harmless: each call's messageId is derived from the event, and Segment drops duplicates.
 *
 * Config: "integrations": { "segment": { "enabled": true, "write_key": "…" } }
 * (also: endpoint, max_retries, base_delay_ms, max_delay_ms, timeout_ms; see README).
 */
import {
  DeliveryError,
  E_USER_ERROR,
  E_USER_NOTICE,
  E_USER_WARNING,
  definePlugin,
  postWithRetry,
  retryOptionsFrom,
  type ActionSpec,
  type DeliveryResult,
  type ExportBatch,
  type FilterSpec,
} from '../../index';
import { applyMapping, defaultMapping, type AltisEvent, type SegmentCallType, type SegmentMapping, type SegmentMessage } from './mapping';

export type { SegmentMapping, SegmentMessage, SegmentCallType } from './mapping';
export { valueAt, firstOf, messageId } from './mapping';

export const DEFAULT_ENDPOINT = 'https://api.segment.io/v1/batch';
/** Segment's limits (its libraries count a KB as 1024 bytes): per batch request, and per call in it. */
export const MAX_BATCH_BYTES = 500 * 1024;
export const MAX_MESSAGE_BYTES = 32 * 1024;

// The plugin's own hooks, typed for whoever adds callbacks to them.
// Typed hooks of this plugin (third-party plugins write `declare module 'analytics-host/hook-map'`).
declare module '../../hooks/hook-map' {
  interface HookMap {
    /** The Segment write key. Default: config `write_key`. May return a promise. */
    'altis.analytics.segment.api_write_key': FilterSpec<string, [], string | Promise<string>>;
    /** The map of one call type (see plugins/segment/mapping.ts). May return a promise. */
    'altis.analytics.segment.mapping': FilterSpec<SegmentMapping, [type: SegmentCallType], SegmentMapping | Promise<SegmentMapping>>;
    /** The calls of the batch, one array per event in NDJSON order. May return a promise. */
    'altis.analytics.segment.formatted_data': FilterSpec<SegmentMessage[][], [batch: ExportBatch], SegmentMessage[][] | Promise<SegmentMessage[][]>>;
    /** A batch request that Segment accepted (after `response.attempts` attempts). */
    'altis.analytics.segment.request_success': ActionSpec<[response: DeliveryResult, messages: SegmentMessage[], batch: ExportBatch]>;
    /** A batch request that failed for good; the export batch will be redelivered. */
    'altis.analytics.segment.request_failure': ActionSpec<[error: DeliveryError, messages: SegmentMessage[], batch: ExportBatch]>;
    /** After the requests of one export batch: their results (responses, then the error if one failed) and their calls. */
    'altis.analytics.segment.after_send': ActionSpec<[results: (DeliveryResult | DeliveryError)[], requests: SegmentMessage[][], batch: ExportBatch]>;
  }
}

/** Splits serialized calls into request bodies `{"batch":[…]}` of at most `limit` bytes each. */
export function packBatches(messages: string[], limit = MAX_BATCH_BYTES): string[][] {
  const envelope = Buffer.byteLength('{"batch":[]}');
  const requests: string[][] = [];
  let current: string[] = [];
  let size = envelope;
  for (const message of messages) {
    const bytes = Buffer.byteLength(message);
    if (current.length > 0 && size + 1 + bytes > limit) {
      requests.push(current);
      current = [];
      size = envelope;
    }
    size += (current.length > 0 ? 1 : 0) + bytes; // a comma before every call but the first
    current.push(message);
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

export default definePlugin({
  name: 'segment',
  register(hooks, context) {
    const endpoint = context.config.endpoint ?? DEFAULT_ENDPOINT;
    if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint)) throw new Error('integrations.segment.endpoint must be an http(s) URL');
    const retry = retryOptionsFrom(context.config, 'segment');
    // `api_key` is accepted too: it is the name the product's example config uses.
    const configuredKey = context.config.write_key ?? context.config.api_key ?? '';
    if (typeof configuredKey !== 'string') throw new Error('integrations.segment.write_key must be a string');
    const log = (message: string, level: number) => hooks.do_action('altis.analytics.export.log', `Segment: ${message}`, level);
    if (!configuredKey) context.log.warn('no integrations.segment.write_key: batches fail until a write key is set or filtered in');

    hooks.add_action(
      'altis.analytics.export.data.process',
      async (ndjson: string, batch?: ExportBatch) => {
        // Called with accepted_args 1 (or by hand) there is no descriptor; describe the batch ourselves.
        const lines = ndjson.split('\n').filter((line) => line.trim() !== '');
        const info: ExportBatch = batch ?? { id: 'unnamed', files: 0, events: lines.length };

        // Resolved per batch, so a key filtered in by a plugin loaded later (or rotated) is used.
        const writeKey = await hooks.apply_filters_async('altis.analytics.segment.api_write_key', configuredKey);
        if (!writeKey) throw new Error('Segment: no write key (config integrations.segment.write_key or filter altis.analytics.segment.api_write_key)');

        const maps = {} as Record<SegmentCallType, SegmentMapping>;
        for (const type of ['identify', 'page', 'track'] as const) {
          maps[type] = await hooks.apply_filters_async('altis.analytics.segment.mapping', defaultMapping(type), type);
        }

        // One array of calls per event: identify first (when there is a user), then page or track.
        const perEvent: SegmentMessage[][] = [];
        lines.forEach((line, index) => {
          let event: AltisEvent;
          try {
            event = JSON.parse(line) as AltisEvent;
          } catch {
            log(`line ${index + 1} of batch ${info.id} is not JSON; skipped`, E_USER_WARNING);
            return;
          }
          const calls: SegmentMessage[] = [];
          const identify = applyMapping(maps.identify, event, { type: 'identify', line }) as SegmentMessage;
          if (identify.userId !== undefined) calls.push(identify);
          const type = event.event_type === 'pageView' ? 'page' : 'track';
          calls.push(applyMapping(maps[type], event, { type, line }) as SegmentMessage);
          perEvent.push(calls);
        });
        const formatted = await hooks.apply_filters_async('altis.analytics.segment.formatted_data', perEvent, info);

        // Segment answers 400 for the whole request when one call is over 32 KB: drop that call alone.
        const messages: SegmentMessage[] = [];
        const serialized: string[] = [];
        for (const message of formatted.flat()) {
          const json = JSON.stringify(message);
          const bytes = Buffer.byteLength(json);
          if (bytes > MAX_MESSAGE_BYTES) {
            log(`dropped ${message.type} call ${message.messageId ?? ''} of batch ${info.id}: ${bytes} bytes is over Segment's 32 KB limit`, E_USER_WARNING);
            continue;
          }
          messages.push(message);
          serialized.push(json);
        }

        // Requests go one after the other; the first that fails for good stops the batch.
        const requests: SegmentMessage[][] = [];
        const results: (DeliveryResult | DeliveryError)[] = [];
        const authorization = 'Basic ' + Buffer.from(`${writeKey}:`).toString('base64');
        let sent = 0;
        for (const parts of packBatches(serialized)) {
          const calls = messages.slice(sent, sent + parts.length);
          sent += parts.length;
          requests.push(calls);
          const body = `{"batch":[${parts.join(',')}]}`;
          try {
            const response = await postWithRetry(endpoint, () => ({ headers: { 'Content-Type': 'application/json', Authorization: authorization }, body }), {
              ...retry,
              onRetry: ({ attempt, delayMs, reason }) => log(`attempt ${attempt} for batch ${info.id} failed (${reason}); retrying in ${delayMs} ms`, E_USER_NOTICE),
            });
            results.push(response);
            hooks.do_action('altis.analytics.segment.request_success', response, calls, info);
          } catch (err) {
            const error = err instanceof DeliveryError ? err : new DeliveryError(String(err), undefined, '', 1);
            results.push(error);
            hooks.do_action('altis.analytics.segment.request_failure', error, calls, info);
            hooks.do_action('altis.analytics.segment.after_send', results, requests, info);
            log(`batch ${info.id} not delivered, it will be sent again next run: ${error.message}`, E_USER_ERROR);
            throw error;
          }
        }
        hooks.do_action('altis.analytics.segment.after_send', results, requests, info);
        log(`batch ${info.id}: ${messages.length} calls for ${lines.length} events sent in ${requests.length} request(s)`, E_USER_NOTICE);
      },
      10,
      2,
    );
  },
});
