import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import webhook from '../../plugins/webhook';
import { runExport } from '../../cron/export-run';
import { altisEvent, DAY, validated } from '../support/events';
import { createTestHost } from '../support/host';
import { createHooks } from '../../index';
import { defaultConfig } from '../../core/config';
import { silentLogger } from '../../core/log';
import { loadPlugins } from '../../core/plugins/loader';
import { contextFor, deadUrl, hooksWithLog, ndjsonOf, startReceiver, tempDir, type Received, type Receiver } from './receiver';

const SECRET = 'shared-secret';
type Verify = (rawBody: Buffer, headers: Record<string, unknown>, secret: string, toleranceSeconds?: number) => boolean;

/** The receiver's verification recipe exactly as README documents it (so the docs cannot drift). */
function documentedRecipe(): Verify {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- webhook-verify -->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no webhook verification recipe after <!-- webhook-verify -->');
  return new Function('require', `${block[1]}\nreturn verifyWebhook;`)(require) as Verify;
}

async function setup(config: Record<string, unknown>) {
  const { hooks, log } = hooksWithLog();
  await webhook.register(hooks, contextFor('webhook', { secret: SECRET, base_delay_ms: 1, max_retries: 3, ...config }));
  const send = (ndjson: string, id = 'file-1:0') => hooks.do_action_async('altis.analytics.export.data.process', ndjson, { id, files: 1, events: 2 });
  return { hooks, log, send };
}

const events = ndjsonOf([altisEvent(DAY + 1), altisEvent(DAY + 2)]);

describe('webhook plugin', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  test('POSTs the batch as NDJSON with its id, a timestamp and a signature the documented recipe accepts', async () => {
    receiver = await startReceiver();
    const { send, log } = await setup({ url: receiver.url + 'hook?site=1', headers: { Authorization: 'Bearer t0k' } });
    await send(events, 'file-1:0');

    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook?site=1');
    expect(req.body.toString()).toBe(events);
    expect(req.headers['content-type']).toBe('application/x-ndjson');
    expect(req.headers['content-encoding']).toBeUndefined();
    expect(req.headers['x-analytics-batch-id']).toBe('file-1:0');
    expect(Math.abs(Number(req.headers['x-analytics-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(req.headers['x-analytics-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(req.headers.authorization).toBe('Bearer t0k');
    expect(log.notices().some((m) => /batch file-1:0 delivered/.test(m))).toBe(true);

    const verify = documentedRecipe();
    expect(verify(req.body, req.headers, SECRET)).toBe(true);
    // What the recipe protects against: a changed body, another secret, a replay of an old request.
    expect(verify(Buffer.from(events.replace('pageView', 'pageVieW')), req.headers, SECRET)).toBe(false);
    expect(verify(req.body, req.headers, 'not-the-secret')).toBe(false);
    expect(verify(req.body, { ...req.headers, 'x-analytics-timestamp': String(Number(req.headers['x-analytics-timestamp']) - 1) }, SECRET)).toBe(false);
    expect(verify(req.body, req.headers, SECRET, -1)).toBe(false); // too old for the tolerance
    expect(verify(req.body, { ...req.headers, 'x-analytics-signature': undefined }, SECRET)).toBe(false);
  });

  test('gzip: the body is gzipped NDJSON and the signature covers the compressed bytes', async () => {
    receiver = await startReceiver();
    const { send } = await setup({ url: receiver.url, gzip: true });
    await send(events);
    const req = receiver.requests[0];
    expect(req.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(req.body).toString()).toBe(events);
    expect(documentedRecipe()(req.body, req.headers, SECRET)).toBe(true);
  });

  test('a 500 is retried, and every attempt carries a valid signature', async () => {
    receiver = await startReceiver([{ status: 500 }, { status: 502 }]);
    const { send } = await setup({ url: receiver.url });
    await send(events);
    expect(receiver.requests).toHaveLength(3);
    const verify = documentedRecipe();
    expect(receiver.requests.every((r: Received) => verify(r.body, r.headers, SECRET) && r.headers['x-analytics-batch-id'] === 'file-1:0')).toBe(true);
  });

  test('waits are exponential: each retry waits about twice as long as the one before', async () => {
    receiver = await startReceiver([{ status: 503 }, { status: 503 }, { status: 503 }]);
    const { send } = await setup({ url: receiver.url, base_delay_ms: 80 });
    await send(events);
    const gaps = receiver.requests.slice(1).map((r, i) => r.at - receiver!.requests[i].at);
    // With jitter each wait is between half and all of 80, 160, 320 ms.
    [80, 160, 320].forEach((ceiling, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(ceiling / 2 - 5);
      expect(gaps[i]).toBeLessThan(ceiling + 150);
    });
  });

  test('a 429 with Retry-After waits as long as asked', async () => {
    receiver = await startReceiver([{ status: 429, headers: { 'Retry-After': '1' } }]);
    const { send } = await setup({ url: receiver.url });
    await send(events);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(950);
  });

  test('after the last failed attempt the callback rejects, so the export keeps the batch', async () => {
    receiver = await startReceiver(Array.from({ length: 5 }, () => ({ status: 503 })));
    const { send, log } = await setup({ url: receiver.url, max_retries: 2 });
    await expect(send(events)).rejects.toThrow(/HTTP 503.*gave up after 3 attempts/);
    expect(receiver.requests).toHaveLength(3);
    expect(log.errors()).toEqual([expect.stringMatching(/batch file-1:0 not delivered, it will be sent again next run/)]);
  });

  test('a receiver that does not answer within timeout_ms counts as a failed attempt', async () => {
    receiver = await startReceiver(['hang', 'hang']);
    const { send } = await setup({ url: receiver.url, timeout_ms: 150, max_retries: 1 });
    const started = Date.now();
    await expect(send(events)).rejects.toThrow(/timed out.*gave up after 2 attempts/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('connection refused is retried, then rejects', async () => {
    const { send } = await setup({ url: await deadUrl(), max_retries: 1 });
    await expect(send(events)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('a 4xx other than 408/429 is not retried', async () => {
    receiver = await startReceiver([{ status: 401 }]);
    const { send } = await setup({ url: receiver.url });
    await expect(send(events)).rejects.toThrow(/HTTP 401.*not retried/);
    expect(receiver.requests).toHaveLength(1);
  });

  test('a bad config stops the plugin from registering, naming the key', async () => {
    const { hooks } = hooksWithLog();
    expect(() => webhook.register(hooks, contextFor('webhook', {}))).toThrow(/integrations\.webhook\.url/);
    expect(() => webhook.register(hooks, contextFor('webhook', { url: 'http://x/', gzip: 'yes' }))).toThrow(/integrations\.webhook\.gzip/);
    expect(() => webhook.register(hooks, contextFor('webhook', { url: 'http://x/', max_retries: -1 }))).toThrow(/integrations\.webhook\.max_retries/);
    expect(hooks.has_action('altis.analytics.export.data.process')).toBe(false);
  });

  test('end to end: while the receiver fails the export leaves the files pending; the next run delivers the same batch', async () => {
    receiver = await startReceiver([{ status: 503 }, { status: 503 }]);
    const t = await createTestHost('sqlite');
    try {
      await webhook.register(t.hooks, contextFor('webhook', { url: receiver.url, secret: SECRET, max_retries: 1, base_delay_ms: 1 }, t.config.data_dir));
      await t.host.store.ingest.storeFile(validated([altisEvent(DAY + 1), altisEvent(DAY + 2)]), 'import');

      expect(await runExport(t.host, { trigger: 'manual' })).toMatchObject({ status: 'ran', run: { result: 'error', files: 0 } });
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 2 });

      expect(await runExport(t.host, { trigger: 'manual' })).toMatchObject({ status: 'ran', run: { result: 'ok', files: 1, events: 2 } });
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
      expect(receiver.requests).toHaveLength(3);
      const [failed, , delivered] = receiver.requests;
      expect(delivered.headers['x-analytics-batch-id']).toBe(failed.headers['x-analytics-batch-id']);
      expect(delivered.body.equals(failed.body)).toBe(true);
      expect(delivered.body.toString().trim().split('\n').map((l) => JSON.parse(l).event_timestamp)).toEqual([DAY + 1, DAY + 2]);
    } finally {
      await t.cleanup();
    }
  });

  test('enabled without a url, the host reports the plugin as failed, naming the key, and runs on', async () => {
    const hooks = createHooks();
    const config = defaultConfig(tempDir());
    config.integrations = { webhook: { enabled: true }, archive: { enabled: true } };
    const report = await loadPlugins(hooks, config, silentLogger);
    expect(report.failed).toEqual([expect.objectContaining({ name: 'webhook', reason: expect.stringMatching(/integrations\.webhook\.url/) })]);
    expect(report.loaded.map((p) => p.name)).toEqual(['archive']);
  });
});
