import segment, { MAX_BATCH_BYTES, packBatches, type SegmentMessage } from '../../plugins/segment';
import { runExport } from '../../cron/export-run';
import { DAY, validated } from '../support/events';
import { createTestHost } from '../support/host';
import { createHooks } from '../../index';
import { defaultConfig } from '../../core/config';
import { silentLogger } from '../../core/log';
import { loadPlugins } from '../../core/plugins/loader';
import { contextFor, deadUrl, hooksWithLog, ndjsonOf, startReceiver, tempDir, type Receiver } from './receiver';

const WRITE_KEY = 'test-write-key';
const batch = (id = 'batch-1', events = 1) => ({ id, files: 1, events });

function pageView(ts: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_type: 'pageView',
    event_timestamp: ts,
    attributes: { url: 'https://example.com/news/a?x=1', title: 'A story', referer: 'https://search.example/', blogId: '1', ip: '203.0.113.9' },
    metrics: { scrollDepth: 0.5, elapsed: 3 },
    endpoint: {
      Id: 'anon-1',
      User: { UserId: 'user-42', UserAttributes: { plan: ['pro'] } },
      Location: { Country: 'GB', City: 'London', Latitude: 51.5, Longitude: -0.12 },
      Demographic: { Locale: 'en_gb', Model: 'Chrome', ModelVersion: '120.0', Platform: 'Mac OS', PlatformVersion: '14.1' },
      Attributes: { DeviceType: ['desktop'], DeviceMake: ['Apple'] },
      Metrics: { sessions: 3 },
    },
    ...extra,
  };
}

function click(ts: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_type: 'click',
    event_timestamp: ts,
    attributes: { elementId: 'cta', blogId: '1' },
    metrics: { position: 2 },
    endpoint: { Id: 'anon-2' },
    ...extra,
  };
}

const callsOf = (r: Receiver, i = 0): SegmentMessage[] => (JSON.parse(r.requests[i].body.toString()) as { batch: SegmentMessage[] }).batch;

async function setup(config: Record<string, unknown>) {
  const { hooks, log } = hooksWithLog();
  await segment.register(hooks, contextFor('segment', { write_key: WRITE_KEY, base_delay_ms: 1, max_retries: 3, ...config }));
  const send = (ndjson: string, b = batch()) => hooks.do_action_async('altis.analytics.export.data.process', ndjson, b);
  return { hooks, log, send };
}

describe('segment plugin', () => {
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  test('maps a batch to identify, page and track calls in one authenticated request', async () => {
    receiver = await startReceiver();
    const { hooks, send } = await setup({ endpoint: receiver.url });
    const succeeded: number[] = [];
    hooks.add_action('altis.analytics.segment.request_success', (response) => void succeeded.push(response.status));
    await send(ndjsonOf([pageView(DAY + 1000), click(DAY + 2000)]), batch('b1', 2));

    expect(receiver.requests).toHaveLength(1);
    const req = receiver.requests[0];
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    // Segment's HTTP API: Basic auth, the write key as user name and an empty password.
    expect(req.headers.authorization).toBe('Basic ' + Buffer.from(`${WRITE_KEY}:`).toString('base64'));

    const [identify, page, track] = callsOf(receiver);
    expect(identify).toMatchObject({ type: 'identify', userId: 'user-42', anonymousId: 'anon-1', traits: { plan: ['pro'], DeviceType: ['desktop'], sessions: 3 } });
    expect(page).toMatchObject({
      type: 'page',
      name: 'A story',
      userId: 'user-42',
      anonymousId: 'anon-1',
      timestamp: new Date(DAY + 1000).toISOString(),
      properties: { url: 'https://example.com/news/a?x=1', path: '/news/a', referrer: 'https://search.example/', title: 'A story', scrollDepth: 0.5, elapsed: 3 },
      context: {
        ip: '203.0.113.9',
        locale: 'en_gb',
        location: { country: 'GB', city: 'London', latitude: 51.5, longitude: -0.12 },
        os: { name: 'Mac OS', version: '14.1' },
        device: { type: 'desktop', manufacturer: 'Apple' },
        userAgentData: { brands: [{ brand: 'Chrome', version: '120.0' }], platform: 'Mac OS', mobile: false },
      },
    });
    // No user on the click: a track call only, with attributes and metrics as properties.
    expect(track).toMatchObject({ type: 'track', event: 'click', anonymousId: 'anon-2', timestamp: new Date(DAY + 2000).toISOString(), properties: { elementId: 'cta', blogId: '1', position: 2 } });
    expect(track.userId).toBeUndefined();
    expect(callsOf(receiver)).toHaveLength(3);
    expect(succeeded).toEqual([200]);
  });

  test('identify and track of one event have distinct messageIds that stay the same when the batch is replayed', async () => {
    receiver = await startReceiver();
    const { send } = await setup({ endpoint: receiver.url });
    const ndjson = ndjsonOf([click(DAY, { endpoint: { Id: 'anon-3', User: { UserId: 'u-1' } } })]);
    await send(ndjson);
    await send(ndjson);
    const first = callsOf(receiver, 0);
    const replay = callsOf(receiver, 1);
    expect(first.map((c) => c.type)).toEqual(['identify', 'track']);
    expect(first[0].messageId).not.toBe(first[1].messageId);
    expect(replay.map((c) => c.messageId)).toEqual(first.map((c) => c.messageId));
    // Another event gets other ids.
    await send(ndjsonOf([click(DAY + 1, { endpoint: { Id: 'anon-3', User: { UserId: 'u-1' } } })]));
    expect(callsOf(receiver, 2)[1].messageId).not.toBe(first[1].messageId);
  });

  test('a 500 is retried and the batch is delivered', async () => {
    receiver = await startReceiver([{ status: 500, body: 'oops' }]);
    const { send, log } = await setup({ endpoint: receiver.url });
    await expect(send(ndjsonOf([click(DAY)]))).resolves.toBeUndefined();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].body.equals(receiver.requests[0].body)).toBe(true);
    expect(log.notices().some((m) => /HTTP 500.*retrying/.test(m))).toBe(true);
  });

  test('a 429 with Retry-After waits as long as asked before retrying', async () => {
    receiver = await startReceiver([{ status: 429, headers: { 'Retry-After': '1' } }]);
    const { send } = await setup({ endpoint: receiver.url, base_delay_ms: 1 });
    await send(ndjsonOf([click(DAY)]));
    expect(receiver.requests).toHaveLength(2);
    const waited = receiver.requests[1].at - receiver.requests[0].at;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
  });

  test('a Retry-After longer than max_delay_ms gives up at once, leaving the batch for the next run', async () => {
    receiver = await startReceiver([{ status: 429, headers: { 'Retry-After': '120' } }]);
    const { send } = await setup({ endpoint: receiver.url, max_delay_ms: 5000 });
    await expect(send(ndjsonOf([click(DAY)]))).rejects.toThrow(/Retry-After/);
    expect(receiver.requests).toHaveLength(1);
  });

  test('when Segment keeps failing the callback rejects after max_retries, so the export keeps the batch', async () => {
    receiver = await startReceiver(Array.from({ length: 10 }, () => ({ status: 503 })));
    const { hooks, send, log } = await setup({ endpoint: receiver.url, max_retries: 2 });
    const failures: (number | undefined)[] = [];
    const afterSend: number[] = [];
    hooks.add_action('altis.analytics.segment.request_failure', (error) => void failures.push(error.status));
    hooks.add_action('altis.analytics.segment.after_send', (results) => void afterSend.push(results.length));
    await expect(send(ndjsonOf([click(DAY)]))).rejects.toThrow(/HTTP 503.*gave up after 3 attempts/);
    expect(receiver.requests).toHaveLength(3);
    expect(failures).toEqual([503]);
    expect(afterSend).toEqual([1]);
    expect(log.errors().some((m) => /not delivered/.test(m))).toBe(true);
  });

  test('network errors are retried and end in a rejection', async () => {
    const { send } = await setup({ endpoint: await deadUrl(), max_retries: 1 });
    await expect(send(ndjsonOf([click(DAY)]))).rejects.toThrow(/ECONNREFUSED.*gave up after 2 attempts/);
  });

  test('a request that times out is retried', async () => {
    receiver = await startReceiver(['hang']);
    const { send } = await setup({ endpoint: receiver.url, timeout_ms: 200 });
    await send(ndjsonOf([click(DAY)]));
    expect(receiver.requests).toHaveLength(2);
  });

  test('a 400 is not retried (asking again cannot help) and rejects', async () => {
    receiver = await startReceiver([{ status: 400, body: '{"error":"bad"}' }]);
    const { send } = await setup({ endpoint: receiver.url });
    await expect(send(ndjsonOf([click(DAY)]))).rejects.toThrow(/HTTP 400.*not retried/);
    expect(receiver.requests).toHaveLength(1);
  });

  test('an event over 32 KB is dropped with an E_USER_WARNING and the others are sent', async () => {
    receiver = await startReceiver();
    const { send, log } = await setup({ endpoint: receiver.url });
    const big = click(DAY + 1, { event_type: 'huge', attributes: { blob: 'x'.repeat(33 * 1024) } });
    await send(ndjsonOf([click(DAY), big, click(DAY + 2)]));
    expect(callsOf(receiver).map((c) => c.event)).toEqual(['click', 'click']);
    expect(log.warnings()).toHaveLength(1);
    expect(log.warnings()[0]).toMatch(/dropped track call .* over Segment's 32 KB limit/);
  });

  test('batches are at most 500 KB: exactly 500 KB goes in one request, one byte more in two', async () => {
    // 17 track calls of about 30 KB each; the padding of each event sets the body size to the byte.
    const count = 17;
    const eventsWithPads = (pads: number[]) => pads.map((n, i) => click(DAY + i, { attributes: { pad: 'p'.repeat(n) } }));
    receiver = await startReceiver();
    const { send } = await setup({ endpoint: receiver.url });
    await send(ndjsonOf(eventsWithPads(Array(count).fill(0))));
    const unpadded = receiver.requests[0].body.length;

    const padsFor = (target: number) => {
      const total = target - unpadded;
      const pads = Array(count).fill(Math.floor(total / count));
      pads[count - 1] += total - pads.reduce((a, b) => a + b, 0);
      return pads;
    };
    await send(ndjsonOf(eventsWithPads(padsFor(MAX_BATCH_BYTES))));
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].body.length).toBe(MAX_BATCH_BYTES);
    expect(callsOf(receiver, 1)).toHaveLength(count);

    await send(ndjsonOf(eventsWithPads(padsFor(MAX_BATCH_BYTES + 1))));
    expect(receiver.requests).toHaveLength(4);
    expect(receiver.requests[2].body.length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(receiver.requests[3].body.length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(callsOf(receiver, 2).length + callsOf(receiver, 3).length).toBe(count);
    // The calls keep their order across the split.
    expect([...callsOf(receiver, 2), ...callsOf(receiver, 3)].map((c) => c.timestamp)).toEqual(callsOf(receiver, 1).map((c) => c.timestamp));
  });

  test('packBatches counts the envelope and the commas', () => {
    const body = (parts: string[]) => `{"batch":[${parts.join(',')}]}`;
    const parts = ['{"a":1}', '{"b":22}', '{"c":333}'];
    const exact = Buffer.byteLength(body(parts));
    expect(packBatches(parts, exact)).toEqual([parts]);
    expect(packBatches(parts, exact - 1)).toEqual([parts.slice(0, 2), parts.slice(2)]);
  });

  test('the write key can come from the altis.analytics.segment.api_write_key filter', async () => {
    receiver = await startReceiver();
    const { hooks, send } = await setup({ endpoint: receiver.url, write_key: undefined });
    await expect(send(ndjsonOf([click(DAY)]))).rejects.toThrow(/no write key/);
    expect(receiver.requests).toHaveLength(0);
    hooks.add_filter('altis.analytics.segment.api_write_key', () => 'filtered-key');
    await send(ndjsonOf([click(DAY)]));
    expect(receiver.requests[0].headers.authorization).toBe('Basic ' + Buffer.from('filtered-key:').toString('base64'));
    // The example config's name for it works as well.
    const alias = await setup({ endpoint: receiver.url, write_key: undefined, api_key: 'alias-key' });
    await alias.send(ndjsonOf([click(DAY)]));
    expect(receiver.requests[1].headers.authorization).toBe('Basic ' + Buffer.from('alias-key:').toString('base64'));
  });

  test('the mapping and formatted_data filters change what is sent', async () => {
    receiver = await startReceiver();
    const { hooks, send } = await setup({ endpoint: receiver.url });
    hooks.add_filter(
      'altis.analytics.segment.mapping',
      (map, type) => (type === 'track' ? { ...map, event: (e: Record<string, unknown>) => `Altis ${String(e.event_type)}` } : map),
      10,
      2,
    );
    hooks.add_filter('altis.analytics.segment.formatted_data', (perEvent) => perEvent.filter((calls) => calls.every((c) => c.event !== 'Altis skip')));
    await send(ndjsonOf([click(DAY), click(DAY + 1, { event_type: 'skip' })]));
    expect(callsOf(receiver).map((c) => c.event)).toEqual(['Altis click']);
  });

  test('end to end: when Segment fails for good the export leaves the files pending; the next run sends the same calls', async () => {
    receiver = await startReceiver(Array.from({ length: 3 }, () => ({ status: 503 })));
    const t = await createTestHost('sqlite');
    try {
      await segment.register(t.hooks, contextFor('segment', { endpoint: receiver.url, write_key: WRITE_KEY, max_retries: 2, base_delay_ms: 1 }, t.config.data_dir));
      await t.host.store.ingest.storeFile(validated([pageView(DAY + 1), click(DAY + 2)]), 'import');

      expect(await runExport(t.host, { trigger: 'manual' })).toMatchObject({ status: 'ran', run: { result: 'error', files: 0, events: 0 } });
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 2 });
      expect(receiver.requests).toHaveLength(3);

      expect(await runExport(t.host, { trigger: 'manual' })).toMatchObject({ status: 'ran', run: { result: 'ok', files: 1, events: 2 } });
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
      expect(receiver.requests).toHaveLength(4);
      // The same messageIds as the failed attempt: whatever Segment already had is de-duplicated.
      expect(callsOf(receiver, 3).map((c) => c.messageId)).toEqual(callsOf(receiver, 0).map((c) => c.messageId));
      expect(callsOf(receiver, 3).map((c) => c.type)).toEqual(['identify', 'page', 'track']);
    } finally {
      await t.cleanup();
    }
  });

  test('the bundled plugin loads with integrations.segment.enabled and subscribes to the export', async () => {
    const hooks = createHooks();
    const config = defaultConfig(tempDir());
    config.integrations = { segment: { enabled: true, write_key: WRITE_KEY } };
    const report = await loadPlugins(hooks, config, silentLogger);
    expect(report.loaded.map((p) => p.name)).toEqual(['segment']);
    expect(hooks.has_action('altis.analytics.export.data.process')).toBe(true);
  });
});
