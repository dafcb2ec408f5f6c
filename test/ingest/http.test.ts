import http from 'node:http';
import zlib from 'node:zlib';
import { BACKENDS } from '../support/backends';
import { altisEvent, DAY } from '../support/events';
import { createUserWithPassword, startTestServer } from '../support/host';
import { postEvents, storedDocuments, storedFiles } from './helpers';
import type { AnalyticsConfig } from '../../core/config';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const JSON_TYPE = { 'Content-Type': 'application/json' };
const NDJSON_TYPE = { 'Content-Type': 'application/x-ndjson' };

describe.each(BACKENDS)('POST /wp-json/analytics/v1/events on %s', (backend) => {
  let t: Server;
  let auth: { Authorization: string };

  async function start(configure?: (c: AnalyticsConfig) => void) {
    t = await startTestServer(backend, configure);
    auth = { Authorization: (await createUserWithPassword(t.host, 'admin')).authorization };
  }

  afterEach(async () => {
    await t?.cleanup();
  });

  const nothingStored = async () => {
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
  };

  describe('with the default config', () => {
    beforeEach(() => start());

    test('a JSON array is stored as one file, each event exactly as sent, and answered 202', async () => {
      const odd = `{"event_type":"pageView" ,  "event_timestamp":${DAY + 7},"attributes":{"url":"https://example.com/é"},"n":1.50}`;
      const body = `[\n  ${JSON.stringify(altisEvent(DAY + 1))},\n${odd}  ,${JSON.stringify(altisEvent(DAY + 2))}\n]`;
      const r = await postEvents(t.url, body, { ...auth, ...JSON_TYPE });
      expect(r.status).toBe(202);
      expect(r.json).toEqual({ accepted: 3, duplicates: 0, file: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(await storedFiles(t.host.store)).toEqual([{ uuid: r.json.file, events: 3 }]);
      expect(await storedDocuments(t.host.store)).toEqual([JSON.stringify(altisEvent(DAY + 1)), odd, JSON.stringify(altisEvent(DAY + 2))]);
    });

    test('one JSON object is one event', async () => {
      const r = await postEvents(t.url, JSON.stringify(altisEvent(DAY)), { ...auth, 'Content-Type': 'application/json; charset=UTF-8' });
      expect(r.status).toBe(202);
      expect(r.json).toMatchObject({ accepted: 1, duplicates: 0 });
      expect(await storedDocuments(t.host.store)).toEqual([JSON.stringify(altisEvent(DAY))]);
    });

    test('NDJSON: one event per line, CRLF and blank lines accepted', async () => {
      const lines = [altisEvent(DAY + 1), altisEvent(DAY + 2), altisEvent(DAY + 3)].map((e) => JSON.stringify(e));
      const body = `${lines[0]}\r\n\r\n${lines[1]}\n   \n${lines[2]}\n`;
      const r = await postEvents(t.url, body, { ...auth, ...NDJSON_TYPE });
      expect(r.status).toBe(202);
      expect(r.json).toMatchObject({ accepted: 3, duplicates: 0 });
      expect(await storedDocuments(t.host.store)).toEqual(lines);
    });

    test('a gzip-compressed body (Content-Encoding: gzip) is decoded', async () => {
      const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify(altisEvent(DAY + i)));
      const r = await postEvents(t.url, zlib.gzipSync(lines.join('\n')), { ...auth, ...NDJSON_TYPE, 'Content-Encoding': 'gzip' });
      expect(r.status).toBe(202);
      expect(r.json).toMatchObject({ accepted: 50 });
      expect(await storedDocuments(t.host.store)).toEqual(lines);
    });

    test('events whose event_id is already stored are counted as duplicates, not stored again', async () => {
      const a = altisEvent(DAY, { event_id: 'evt-1' });
      const first = await postEvents(t.url, JSON.stringify([a]), { ...auth, ...JSON_TYPE });
      expect(first.json).toMatchObject({ accepted: 1, duplicates: 0 });
      const second = await postEvents(t.url, JSON.stringify([a, altisEvent(DAY, { event_id: 'evt-2' })]), { ...auth, ...JSON_TYPE });
      expect(second.status).toBe(202);
      expect(second.json).toMatchObject({ accepted: 1, duplicates: 1 });
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 2, events: 2 });
    });

    test('invalid JSON: 400 rest_invalid_param naming the array index, nothing stored', async () => {
      const body = `[${JSON.stringify(altisEvent(DAY))}, {"event_type": "pageView", "event_timestamp": }]`;
      const r = await postEvents(t.url, body, { ...auth, ...JSON_TYPE });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: 'rest_invalid_param', data: { status: 400, index: 1 } });
      expect(r.json.message).toMatch(/index 1: .*not valid JSON/);
      await nothingStored();
    });

    test('invalid JSON in an NDJSON body names the 1-based line', async () => {
      const body = `${JSON.stringify(altisEvent(DAY))}\n\n{"event_type":"x",\n`;
      const r = await postEvents(t.url, body, { ...auth, ...NDJSON_TYPE });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: 'rest_invalid_param', data: { line: 3 } });
      expect(r.json.message).toMatch(/line 3: is not valid JSON/);
      await nothingStored();
    });

    test('a missing event_type: 400 naming the index and the field, nothing stored', async () => {
      const { event_type: _omit, ...bad } = altisEvent(DAY);
      void _omit;
      const r = await postEvents(t.url, JSON.stringify([altisEvent(DAY), altisEvent(DAY + 1), bad]), { ...auth, ...JSON_TYPE });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: 'rest_invalid_param', data: { status: 400, index: 2, field: 'event_type' } });
      expect(r.json.message).toBe('Invalid event at index 2: event_type is missing. Nothing was stored.');
      await nothingStored();
    });

    test('a string event_timestamp: 400 naming the line and the field, nothing stored', async () => {
      const body = [altisEvent(DAY), altisEvent(DAY, { event_timestamp: String(DAY) })].map((e) => JSON.stringify(e)).join('\n');
      const r = await postEvents(t.url, body, { ...auth, ...NDJSON_TYPE });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ code: 'rest_invalid_param', data: { line: 2, field: 'event_timestamp' } });
      expect(r.json.message).toMatch(/^Invalid event on line 2: event_timestamp must be an integer/);
      await nothingStored();
    });

    test('an empty body, an empty array and a body of blank lines are refused', async () => {
      for (const [body, type] of [
        ['', JSON_TYPE],
        ['[ ]', JSON_TYPE],
        ['\n\n  \n', NDJSON_TYPE],
      ] as const) {
        const r = await postEvents(t.url, body, { ...auth, ...type });
        expect(r.status).toBe(400);
        expect(r.json).toMatchObject({ code: 'rest_invalid_param' });
      }
      await nothingStored();
    });

    test('a body that is not UTF-8, or claims gzip and is not, is refused', async () => {
      const latin1 = Buffer.from(`[{"event_type":"caf\xe9","event_timestamp":${DAY}}]`, 'latin1');
      const a = await postEvents(t.url, latin1, { ...auth, ...JSON_TYPE });
      expect(a.status).toBe(400);
      expect(a.json.message).toMatch(/UTF-8/);
      const b = await postEvents(t.url, JSON.stringify(altisEvent(DAY)), { ...auth, ...JSON_TYPE, 'Content-Encoding': 'gzip' });
      expect(b.status).toBe(400);
      expect(b.json.message).toMatch(/gzip/);
      const c = await postEvents(t.url, JSON.stringify(altisEvent(DAY)), { ...auth, ...JSON_TYPE, 'Content-Encoding': 'br' });
      expect(c.status).toBe(415);
      await nothingStored();
    });

    test('a wrong Content-Type: 415 rest_unsupported_media_type, nothing stored', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
        const r = await postEvents(t.url, JSON.stringify(altisEvent(DAY)), { ...auth, 'Content-Type': type });
        expect(r.status).toBe(415);
        expect(r.json).toMatchObject({ code: 'rest_unsupported_media_type', data: { status: 415 } });
        expect(r.json.message).toMatch(/application\/x-ndjson/);
      }
      await nothingStored();
    });

    test('a 10 MB event over ingest.max_body_bytes (10 MiB): 413, nothing stored; a gzip bomb too', async () => {
      const big = JSON.stringify(altisEvent(DAY, { blob: 'x'.repeat(11 * 1024 * 1024) }));
      const r = await postEvents(t.url, big, { ...auth, ...JSON_TYPE });
      expect(r.status).toBe(413);
      expect(r.json).toMatchObject({ code: 'rest_payload_too_large', data: { status: 413 } });
      const bomb = zlib.gzipSync(big);
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const g = await postEvents(t.url, bomb, { ...auth, ...JSON_TYPE, 'Content-Encoding': 'gzip' });
      expect(g.status).toBe(413);
      await nothingStored();
      // The server is still fine afterwards.
      const ok = await postEvents(t.url, JSON.stringify(altisEvent(DAY)), { ...auth, ...JSON_TYPE });
      expect(ok.status).toBe(202);
    });

    test('the events_ingested action runs after the commit with the file, counts and source', async () => {
      const seen: unknown[] = [];
      t.hooks.add_action('altis.analytics.events_ingested', (info: unknown) => {
        seen.push(info);
      });
      const r = await postEvents(t.url, JSON.stringify([altisEvent(DAY), altisEvent(DAY + 1)]), { ...auth, ...JSON_TYPE });
      expect(seen).toEqual([{ file: r.json.file, accepted: 2, duplicates: 0, source: 'http' }]);
    });

    test('a throwing events_ingested callback does not undo or fail the request', async () => {
      t.hooks.add_action('altis.analytics.events_ingested', () => {
        throw new Error('plugin bug');
      });
      const r = await postEvents(t.url, JSON.stringify([altisEvent(DAY)]), { ...auth, ...JSON_TYPE });
      expect(r.status).toBe(202);
      expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 1 });
    });

    test('a store failure answers 503 rest_store_unavailable with Retry-After: 5', async () => {
      const spy = jest.spyOn(t.host.store.ingest, 'storeFile').mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:3306'));
      const r = await postEvents(t.url, JSON.stringify([altisEvent(DAY)]), { ...auth, ...JSON_TYPE });
      spy.mockRestore();
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ code: 'rest_store_unavailable', data: { status: 503 } });
      expect(r.headers.get('retry-after')).toBe('5');
      await nothingStored();
    });

    test('a subscriber or an editor gets 403; the capability filter can let editors in', async () => {
      const sub = await createUserWithPassword(t.host, 'sub', 'subscriber');
      const ed = await createUserWithPassword(t.host, 'ed', 'editor');
      const body = JSON.stringify([altisEvent(DAY)]);
      for (const who of [sub, ed]) {
        const r = await postEvents(t.url, body, { Authorization: who.authorization, ...JSON_TYPE });
        expect(r.status).toBe(403);
        expect(r.json).toMatchObject({ code: 'rest_forbidden' });
      }
      await nothingStored();
      t.hooks.add_filter('altis.analytics.ingest_events_capability', () => 'edit_posts');
      expect((await postEvents(t.url, body, { Authorization: ed.authorization, ...JSON_TYPE })).status).toBe(202);
      expect((await postEvents(t.url, body, { Authorization: sub.authorization, ...JSON_TYPE })).status).toBe(403);
    });

    test('without credentials: 401 before the body is looked at', async () => {
      const r = await postEvents(t.url, 'not json at all', JSON_TYPE);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic /);
      await nothingStored();
    });
  });

  test('with a larger ingest.max_body_bytes, a valid 10 MB event is stored byte for byte', async () => {
    await start((c) => {
      c.ingest.max_body_bytes = 16 * 1024 * 1024;
    });
    const big = JSON.stringify(altisEvent(DAY, { blob: 'é'.repeat(5 * 1024 * 1024) }));
    expect(Buffer.byteLength(big)).toBeGreaterThan(10 * 1024 * 1024);
    const r = await postEvents(t.url, big, { ...auth, ...JSON_TYPE });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ accepted: 1 });
    const docs = await storedDocuments(t.host.store);
    expect(docs).toHaveLength(1);
    expect(docs[0] === big).toBe(true);
  });

  test('a streamed body without Content-Length is cut off with 413 as soon as it passes the limit', async () => {
    await start((c) => {
      c.ingest.max_body_bytes = 1024 * 1024;
    });
    const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      const u = new URL(`${t.url}/wp-json/analytics/v1/events`);
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...auth, ...NDJSON_TYPE, 'Transfer-Encoding': 'chunked' } });
      let sent = 0;
      let answered = false;
      const line = Buffer.from(JSON.stringify(altisEvent(DAY)) + '\n');
      const chunk = Buffer.concat(Array.from({ length: 64 }, () => line));
      req.on('response', (res) => {
        answered = true;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, sent }));
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const pump = () => {
        // Keep sending (up to 64 MiB) until the server answers.
        while (!answered && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    // It answered long before the client would have finished: it stopped reading.
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 0, events: 0 });
  });

  test('a small ingest.max_body_bytes refuses a body one byte over it', async () => {
    await start((c) => {
      c.ingest.max_body_bytes = 1000;
    });
    const at = JSON.stringify(altisEvent(DAY, { pad: '' }));
    const exact = JSON.stringify(altisEvent(DAY, { pad: 'p'.repeat(1000 - Buffer.byteLength(at)) }));
    expect(Buffer.byteLength(exact)).toBe(1000);
    expect((await postEvents(t.url, exact, { ...auth, ...JSON_TYPE })).status).toBe(202);
    expect((await postEvents(t.url, exact + ' ', { ...auth, ...JSON_TYPE })).status).toBe(413);
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 1 });
  });
});
