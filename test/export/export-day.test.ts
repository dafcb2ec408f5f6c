import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parseEventText, DAY_MS } from '../../core/events/validate';
import { BACKENDS } from '../support/backends';
import { altisEvent, DAY, validated } from '../support/events';
import { createUserWithPassword, startTestServer } from '../support/host';
import { get, getJson } from './http';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const DATE = '2026-11-20';
const CSV_DAY = DAY + 2 * DAY_MS;
const CSV_DATE = '2026-11-22';
const EMPTY_DATE = '2026-11-25';

/** Stored texts, as sent, of DATE's site-1 events in (event_timestamp, arrival) order. */
const ODD = `{ "event_type" : "odd",\n\t"event_timestamp": ${DAY + 5} , "é":"ü\\u00e9 \u{1F600}", "num": 1.0, "b":{"z":1,"a":2} }`;
const text = (doc: Record<string, unknown>) => JSON.stringify(doc);
const EXPECTED_DAY = [
  text(altisEvent(DAY)),
  ODD,
  text(altisEvent(DAY + 5, { n: 2 })),
  text(altisEvent(DAY + 5, { n: 3 })),
  text(altisEvent(DAY + 10)),
  text(altisEvent(DAY + DAY_MS - 1)),
];

const T1 = CSV_DAY + 1000;
const T2 = CSV_DAY + 2000;
const T3 = CSV_DAY + 3000;
const CSV_DOCS = [
  `{"event_type":"a","event_timestamp":${T1},"attributes":{"blogId":"1","s":"plain","q":"say \\"hi\\", ok","nl":"line1\\nline2","f":"=SUM(A1)"},` +
    `"metrics":{"n":1.5,"big":1e3,"neg":-2},"flags":{"t":true,"f":false},"nul":null,"list":["a","b",3,true,null],` +
    `"objs":[{"k":1},{"k":"v"}],"nested":[[1,2],[3]],"empty":[],"emptyObj":{}}`,
  `{"event_type":"b","event_timestamp":${T2},"Zed":"z","only2":"x","attributes":{"blogId":"1"},"plus":"+1","at":"@x","tab":"\\tx","cr":"\\rx","minus":"-x","metrics":{"n":1.0}}`,
  `{"event_type":"c","event_timestamp":${T3},"attributes":{"blogId":"1"},"metrics.n":7}`,
];
const CSV_HEADER = [
  'Zed',
  'at',
  'attributes.blogId',
  'attributes.f',
  'attributes.nl',
  'attributes.q',
  'attributes.s',
  'cr',
  'empty',
  'event_timestamp',
  'event_type',
  'flags.f',
  'flags.t',
  'list',
  'metrics.big',
  'metrics.n',
  'metrics.neg',
  'minus',
  'nested',
  'nul',
  'objs',
  'only2',
  'plus',
  'tab',
];

/** The expected CSV, cell by cell, already RFC 4180-encoded. */
function expectedCsv(escapeFormulas: boolean): string {
  const e = (cell: string) => (escapeFormulas ? `'${cell}` : cell);
  const rows: Record<string, string>[] = [
    {
      'attributes.blogId': '1',
      'attributes.f': e('=SUM(A1)'),
      'attributes.nl': '"line1\nline2"',
      'attributes.q': '"say ""hi"", ok"',
      'attributes.s': 'plain',
      event_timestamp: String(T1),
      event_type: 'a',
      'flags.f': 'false',
      'flags.t': 'true',
      list: 'a;b;3;true;',
      'metrics.big': '1000',
      'metrics.n': '1.5',
      'metrics.neg': e('-2'),
      nested: '"[[1,2],[3]]"',
      objs: '"[{""k"":1},{""k"":""v""}]"',
    },
    {
      Zed: 'z',
      at: e('@x'),
      'attributes.blogId': '1',
      cr: `"${e('\rx')}"`,
      event_timestamp: String(T2),
      event_type: 'b',
      'metrics.n': '1',
      minus: e('-x'),
      only2: 'x',
      plus: e('+1'),
      tab: e('\tx'),
    },
    { 'attributes.blogId': '1', event_timestamp: String(T3), event_type: 'c', 'metrics.n': '7' },
  ];
  return [CSV_HEADER.join(','), ...rows.map((r) => CSV_HEADER.map((h) => r[h] ?? '').join(','))].join('\n') + '\n';
}

describe.each(BACKENDS)('GET /wp-json/analytics/v1/events/:date on %s', (backend) => {
  let t: Server;
  let admin: string;
  let base: string;
  const auth = () => ({ Authorization: admin });

  beforeAll(async () => {
    t = await startTestServer(backend);
    admin = (await createUserWithPassword(t.host, 'admin', 'administrator')).authorization;
    base = `${t.url}/wp-json/analytics/v1/events`;
    const ingest = t.host.store.ingest;
    await ingest.storeFile(
      [
        parseEventText(ODD, { index: 0 }),
        ...validated([altisEvent(DAY + 10), altisEvent(DAY), altisEvent(DAY - 1), altisEvent(DAY + 5, { attributes: { blogId: '2' } })]),
      ],
      'http',
    );
    await ingest.storeFile(validated([altisEvent(DAY + 5, { n: 2 }), altisEvent(DAY + DAY_MS - 1), altisEvent(DAY + DAY_MS)]), 'http');
    await ingest.storeFile(validated([altisEvent(DAY + 5, { n: 3 })]), 'import');
    await ingest.storeFile(
      CSV_DOCS.map((d, i) => parseEventText(d, { index: i })),
      'http',
    );
    // Another site's event on the CSV day: its fields must not reach the header.
    await ingest.storeFile(validated([altisEvent(CSV_DAY + 5, { attributes: { blogId: '2' }, otherSite: 1 })]), 'http');
  });
  afterAll(async () => t?.cleanup());

  test('JSON: the stored documents byte for byte, in timestamp then arrival order, this site and day only', async () => {
    const r = await get(`${base}/${DATE}`, auth());
    expect(r.status).toBe(200);
    expect(r.complete).toBe(true);
    expect(r.body.toString('utf8')).toBe(`[${EXPECTED_DAY.join(',')}]`);
    expect(r.body.equals(Buffer.from(`[${EXPECTED_DAY.join(',')}]`, 'utf8'))).toBe(true);
    expect(r.headers['content-type']).toBe('application/json; charset=UTF-8');
    expect(r.headers['x-wp-total']).toBe(String(EXPECTED_DAY.length));
    expect(r.headers['x-accel-buffering']).toBe('no');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="${DATE}.json"`);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    // It is valid JSON, and the odd document kept its key order.
    const parsed = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>[];
    expect(Object.keys(parsed[1].b as object)).toEqual(['z', 'a']);
  });

  test('format=json is the default; format=ndjson gives one stored document per line', async () => {
    const explicit = await get(`${base}/${DATE}?format=json`, auth());
    expect(explicit.body.toString()).toBe(`[${EXPECTED_DAY.join(',')}]`);
    const nd = await get(`${base}/${DATE}?format=ndjson`, auth());
    expect(nd.status).toBe(200);
    expect(nd.headers['content-type']).toBe('application/x-ndjson; charset=UTF-8');
    expect(nd.headers['content-disposition']).toBe(`attachment; filename="${DATE}.ndjson"`);
    expect(nd.body.toString('utf8')).toBe(EXPECTED_DAY.map((d) => d + '\n').join(''));
  });

  test('chunk_size 1, 2 and 10000 give the same bytes in every format', async () => {
    for (const [date, format] of [
      [DATE, 'json'],
      [DATE, 'ndjson'],
      [CSV_DATE, 'csv'],
      [DATE, 'csv'],
    ]) {
      const bodies = await Promise.all(['1', '2', '10000', '3'].map((n) => get(`${base}/${date}?format=${format}&chunk_size=${n}`, auth())));
      for (const b of bodies) {
        expect(b.status).toBe(200);
        expect(b.complete).toBe(true);
        expect(b.body.equals(bodies[0].body)).toBe(true);
      }
    }
  });

  test('where reads run on the event loop (SQLite), the first one starts only once the status line went to the kernel', async () => {
    const sockets: Socket[] = [];
    const onRequest = (_req: IncomingMessage, res: ServerResponse) => sockets.push(res.socket as Socket);
    t.server.server.on('request', onRequest);
    const store = t.host.store;
    const original = store.openEventReader.bind(store);
    const atRead: { headersSent: boolean; corked: number; unsent: number }[] = [];
    store.openEventReader = async () => {
      const opened = await original();
      const pullPage = opened.reader.pullPage.bind(opened.reader);
      opened.reader.pullPage = (...args) => {
        const socket = sockets[sockets.length - 1];
        atRead.push({ headersSent: socket.bytesWritten > 0, corked: socket.writableCorked, unsent: socket.writableLength });
        return pullPage(...args);
      };
      return opened;
    };
    try {
      const r = await get(`${base}/${DATE}?chunk_size=2`, auth());
      expect(r.body.toString('utf8')).toBe(`[${EXPECTED_DAY.join(',')}]`);
      if (backend === 'sqlite') {
        // Six events in reads of two, and the empty read that ends the day.
        expect(atRead).toHaveLength(4);
        expect(atRead[0]).toEqual({ headersSent: true, corked: 0, unsent: 0 });
      } else {
        // MariaDB reads off the event loop: one query streams the day, asked for at once.
        expect(atRead).toHaveLength(1);
      }
    } finally {
      store.openEventReader = original;
      t.server.server.off('request', onRequest);
    }
  });

  test('a MariaDB pull tells its read-ahead, made for the answer’s limit, how far it has read as each read starts and every 500 rows; SQLite has none', async () => {
    const LONG_DAY = DAY + 6 * DAY_MS;
    const long = Array.from({ length: 1100 }, (_, i) => altisEvent(LONG_DAY + i, { n: i }));
    await t.host.store.ingest.storeFile(validated(long), 'import');
    const bytesOf = (n: number) => long.slice(0, n).reduce((sum, e) => sum + Buffer.byteLength(text(e)), 0);
    const store = t.host.store;
    const original = store.openEventReader.bind(store);
    const made: { limit: number | undefined; warms: boolean }[] = [];
    const reports: { done: number; bytes: number; atTs: number | null }[] = [];
    store.openEventReader = async () => {
      const opened = await original();
      const make = opened.reader.readAhead.bind(opened.reader);
      opened.reader.readAhead = (w, limit) => {
        const ahead = make(w, limit);
        made.push({ limit, warms: ahead !== undefined });
        if (!ahead) return ahead;
        const progress = ahead.progress.bind(ahead);
        ahead.progress = (at, done, bytes) => {
          reports.push({ done, bytes, atTs: at?.ts ?? null });
          progress(at, done, bytes);
        };
        return ahead;
      };
      return opened;
    };
    try {
      const r = await get(`${base}/2026-11-26?chunk_size=300`, auth());
      expect(r.status).toBe(200);
      expect(r.body.toString('utf8')).toBe(`[${long.map(text).join(',')}]`);
      // SQLite reads through the OS page cache: nothing to warm.
      expect(made).toEqual([{ limit: Infinity, warms: backend === 'mysql' }]);
      if (backend === 'sqlite') {
        expect(reports).toEqual([]);
      } else {
        expect(reports).toEqual([
          { done: 0, bytes: 0, atTs: null },
          { done: 500, bytes: bytesOf(500), atTs: LONG_DAY + 499 },
          { done: 1000, bytes: bytesOf(1000), atTs: LONG_DAY + 999 },
        ]);
      }
      made.length = 0;
      reports.length = 0;
      const page = await get(`${base}/2026-11-26?chunk_size=300&per_page=700`, auth());
      expect(page.status).toBe(200);
      expect(made).toEqual([{ limit: 700, warms: backend === 'mysql' }]);
      if (backend === 'mysql') expect(reports.map((x) => x.done)).toEqual([0, 500]);
    } finally {
      store.openEventReader = original;
    }
  });
  test('CSV: header of the day’s sorted field names, every cell as SPEC says', async () => {
    const r = await get(`${base}/${CSV_DATE}?format=csv`, auth());
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=UTF-8');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="${CSV_DATE}.csv"`);
    expect(r.headers['x-wp-total']).toBe('3');
    expect(r.body.toString('utf8')).toBe(expectedCsv(false));
  });

  test('CSV with export.csv_escape_formulas: cells starting with = + - @ tab CR get a leading quote', async () => {
    t.host.config.export.csv_escape_formulas = true;
    try {
      const r = await get(`${base}/${CSV_DATE}?format=csv&chunk_size=1`, auth());
      expect(r.body.toString('utf8')).toBe(expectedCsv(true));
    } finally {
      t.host.config.export.csv_escape_formulas = false;
    }
  });

  test('CSV of a day with nested objects: a.b.c columns, header sorted by code point', async () => {
    const r = await get(`${base}/${DATE}?format=csv`, auth());
    const lines = r.body.toString('utf8').split('\n');
    const header = lines[0].split(',');
    expect(header).toEqual([...header].sort());
    expect(header).toEqual(expect.arrayContaining(['endpoint.Location.Country', 'attributes.url', 'metrics.scrollDepth', 'b.a', 'b.z', 'num', 'n', 'é']));
    expect(header).not.toContain('b');
    expect(lines).toHaveLength(EXPECTED_DAY.length + 2); // header, rows, and the empty string after the last LF
    const col = (name: string) => header.indexOf(name);
    const odd = lines[2].split(',');
    expect(odd[col('é')]).toBe('üé \u{1F600}');
    expect(odd[col('num')]).toBe('1');
    expect(odd[col('b.z')]).toBe('1');
    expect(odd[col('event_type')]).toBe('odd');
    expect(lines[1].split(',')[col('endpoint.Location.Country')]).toBe('GB');
  });

  test('Accept: text/csv (or application/x-ndjson) selects the format when format is absent; format wins over it', async () => {
    const csv = await get(`${base}/${CSV_DATE}`, { ...auth(), Accept: 'text/csv' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=UTF-8');
    expect(csv.body.toString('utf8')).toBe(expectedCsv(false));
    const json = await get(`${base}/${CSV_DATE}?format=json`, { ...auth(), Accept: 'text/csv' });
    expect(json.headers['content-type']).toBe('application/json; charset=UTF-8');
    const browser = await get(`${base}/${CSV_DATE}`, { ...auth(), Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.headers['content-type']).toBe('application/json; charset=UTF-8');
    const nd = await get(`${base}/${CSV_DATE}`, { ...auth(), Accept: 'application/x-ndjson' });
    expect(nd.headers['content-type']).toBe('application/x-ndjson; charset=UTF-8');
    expect(nd.body.toString('utf8')).toBe(CSV_DOCS.map((d) => d + '\n').join(''));
  });

  test('an empty day is [] (JSON), nothing (CSV, NDJSON), X-WP-Total 0', async () => {
    const j = await get(`${base}/${EMPTY_DATE}`, auth());
    expect(j.status).toBe(200);
    expect(j.body.toString()).toBe('[]');
    expect(j.headers['x-wp-total']).toBe('0');
    const c = await get(`${base}/${EMPTY_DATE}?format=csv`, auth());
    expect(c.status).toBe(200);
    expect(c.body.length).toBe(0);
    const n = await get(`${base}/${EMPTY_DATE}?format=ndjson`, auth());
    expect(n.body.length).toBe(0);
  });

  test('HEAD answers the headers (X-WP-Total) without a body', async () => {
    const r = await get(`${base}/${DATE}`, auth(), 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['x-wp-total']).toBe(String(EXPECTED_DAY.length));
    expect(r.body.length).toBe(0);
  });

  test('the action altis.analytics.export_events_sent fires after a complete pull with (date, format, count, user_login)', async () => {
    const calls: unknown[][] = [];
    const cb = (...args: unknown[]) => {
      calls.push(args);
    };
    t.hooks.add_action('altis.analytics.export_events_sent', cb, 10, 4);
    try {
      await get(`${base}/${DATE}?format=csv`, auth());
      await get(`${base}/${EMPTY_DATE}`, auth());
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toEqual([
        [DATE, 'csv', EXPECTED_DAY.length, 'admin'],
        [EMPTY_DATE, 'json', 0, 'admin'],
      ]);
    } finally {
      t.hooks.remove_action('altis.analytics.export_events_sent', cb, 10);
    }
  });

  test('401 without or with wrong credentials, 403 for a subscriber, 200 for an editor once a filter lowers the capability', async () => {
    const none = await getJson(`${base}/${DATE}`);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'rest_not_logged_in', data: { status: 401 } });
    const wrong = await getJson(`${base}/${DATE}`, { Authorization: 'Basic ' + Buffer.from('admin:AAAABBBBCCCCDDDDEEEEFFFF').toString('base64') });
    expect(wrong.status).toBe(401);

    const subscriber = (await createUserWithPassword(t.host, `sub_${backend}`, 'subscriber')).authorization;
    const forbidden = await getJson(`${base}/${DATE}`, { Authorization: subscriber });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'rest_forbidden', data: { status: 403 } });

    const editor = (await createUserWithPassword(t.host, `ed_${backend}`, 'editor')).authorization;
    expect((await get(`${base}/${DATE}`, { Authorization: editor })).status).toBe(403);
    const lower = () => 'edit_posts';
    t.hooks.add_filter('altis.analytics.export_events_capability', lower);
    try {
      const ok = await get(`${base}/${DATE}`, { Authorization: editor });
      expect(ok.status).toBe(200);
      expect(ok.body.toString()).toBe(`[${EXPECTED_DAY.join(',')}]`);
      expect((await get(`${base}/${DATE}`, { Authorization: subscriber })).status).toBe(403);
    } finally {
      t.hooks.remove_filter('altis.analytics.export_events_capability', lower);
    }
  });

  test.each([
    ['2026-02-30', 'date'],
    ['2026-13-01', 'date'],
    ['2026-11-2', 'date'],
    ['20261120', 'date'],
    ['yesterday', 'date'],
    [`${DATE}?format=xml`, 'format'],
    [`${DATE}?format=CSV`, 'format'],
    [`${DATE}?format=csv&format=json`, 'format'],
    [`${DATE}?chunk_size=0`, 'chunk_size'],
    [`${DATE}?chunk_size=10001`, 'chunk_size'],
    [`${DATE}?chunk_size=abc`, 'chunk_size'],
    [`${DATE}?chunk_size=1.5`, 'chunk_size'],
    [`${DATE}?chunk_size=-1`, 'chunk_size'],
    [`${DATE}?chunk_size=`, 'chunk_size'],
  ])('400 rest_invalid_param for %s, naming %s', async (path, param) => {
    const r = await getJson(`${base}/${path}`, auth());
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'rest_invalid_param', data: { status: 400, params: { [param]: expect.any(String) } } });
    expect(String(r.body.message)).toContain(param);
  });

  test('a leap day is a real date', async () => {
    const r = await get(`${base}/2028-02-29`, auth());
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('[]');
  });

  test('404 rest_no_route for unknown paths under /wp-json/', async () => {
    for (const path of ['/wp-json/analytics/v1/nothing', '/wp-json/analytics/v1/events/2026-11-20/extra', '/wp-json/other/v2/x']) {
      const r = await getJson(`${t.url}${path}`, auth());
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ code: 'rest_no_route', data: { status: 404 } });
    }
  });
});
