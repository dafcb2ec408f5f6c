/**
 * webhook: POSTs every export batch, as NDJSON, to a URL of yours — signed, so the receiver
 * can check it came from this host, and retried, so a receiver that is briefly down loses
 * nothing: the callback resolves on a 2xx answer and rejects after the last failed attempt,
 * and the export then hands the same batch over again on its next run.
 *
 * Config: "integrations": { "webhook": { "enabled": true, "url": "https://…", "secret": "…" } }
 * (also: gzip, headers, timeout_ms, max_retries, base_delay_ms, max_delay_ms; see README).
 */
import { createHash, createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { E_USER_ERROR, E_USER_NOTICE, definePlugin, type ExportBatch, postWithRetry, retryOptionsFrom } from '../../index';

const gzipAsync = promisify(gzip);

/**
 * The signature header's value: HMAC-SHA256, keyed with the shared secret, of the timestamp
 * header, a dot, and the exact body bytes sent (gzipped ones when gzip is on). Signing the
 * timestamp lets a receiver refuse a captured request replayed later.
 */
export function signature(secret: string, timestamp: string, body: Uint8Array): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export default definePlugin({
  name: 'webhook',
  register(hooks, context) {
    const { url, secret, gzip: compress = false, headers: extra = {} } = context.config;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new Error('integrations.webhook.url must be an http(s) URL');
    if (secret !== undefined && (typeof secret !== 'string' || secret === '')) throw new Error('integrations.webhook.secret must be a non-empty string');
    if (typeof compress !== 'boolean') throw new Error('integrations.webhook.gzip must be true or false');
    if (typeof extra !== 'object' || extra === null || !Object.values(extra).every((v) => typeof v === 'string')) throw new Error('integrations.webhook.headers must be an object of header names to values');
    if (!secret) context.log.warn('no integrations.webhook.secret: requests are not signed');
    const retry = retryOptionsFrom(context.config, 'webhook');
    const log = (message: string, level: number) => hooks.do_action('altis.analytics.export.log', `Webhook: ${message}`, level);

    hooks.add_action(
      'altis.analytics.export.data.process',
      async (ndjson: string, batch?: ExportBatch) => {
        // Without a descriptor (accepted_args 1, or called by hand) the id is derived from the content.
        const id = batch?.id ?? createHash('sha256').update(ndjson).digest('hex').slice(0, 32);
        const text = ndjson.endsWith('\n') ? ndjson : ndjson + '\n';
        // Compressed once; the signature covers these exact bytes.
        const body: Uint8Array = compress ? await gzipAsync(text) : Buffer.from(text);

        // Built again for each attempt: a retry carries a fresh timestamp and signature.
        const request = () => {
          const timestamp = String(Math.floor(Date.now() / 1000));
          const headers: Record<string, string> = {
            ...(extra as Record<string, string>),
            'Content-Type': 'application/x-ndjson',
            'User-Agent': 'analytics-host-webhook',
            'X-Analytics-Batch-Id': id,
            'X-Analytics-Timestamp': timestamp,
          };
          if (compress) headers['Content-Encoding'] = 'gzip';
          if (secret) headers['X-Analytics-Signature'] = signature(secret, timestamp, body);
          return { headers, body };
        };

        try {
          const response = await postWithRetry(url, request, {
            ...retry,
            onRetry: ({ attempt, delayMs, reason }) => log(`attempt ${attempt} for batch ${id} failed (${reason}); retrying in ${delayMs} ms`, E_USER_NOTICE),
          });
          log(`batch ${id} delivered (HTTP ${response.status}, ${body.byteLength} bytes, ${response.attempts} attempt(s))`, E_USER_NOTICE);
        } catch (err) {
          log(`batch ${id} not delivered, it will be sent again next run: ${err instanceof Error ? err.message : String(err)}`, E_USER_ERROR);
          throw err;
        }
      },
      10,
      2,
    );
  },
});
