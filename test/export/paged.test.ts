import { BACKENDS } from '../support/backends';
import { altisEvent, validated } from '../support/events';
import { createUserWithPassword, startTestServer } from '../support/host';
import { get, getJson, type RawResponse } from './http';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const D1 = Date.UTC(2026, 4, 1);
const D2 = Date.UTC(2026, 4, 2);
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

function nextLink(r: RawResponse): string | null {
  const link = r.headers.link;
  if (!link) return null;
  const m = /^<([^>]+)>; rel="next"$/.exec(String(link));
  expect(m).not.toBeNull();
  return m![1];
}

describe.each(BACKENDS)('resumable pulls on %s', (backend) => {
  let t: Server;
  let auth: Record<string, string>;
  const root = () => t.url;

  /** Every page from `path`, following Link headers. */
  async function pages(path: string, between?: (i: number) => Promise<void>): Promise<RawResponse[]> {
    const out: RawResponse[] = [];
    let next: string | null = path;
    while (next) {
      const r = await get(root() + next, auth);
      expect(r.status).toBe(200);
      expect(r.complete).toBe(true);
      out.push(r);
      next = nextLink(r);
      if (next && between) await between(out.length);
      expect(out.length).toBeLessThan(200);
    }
    return out;
  }

  function joined(format: string, answers: RawResponse[]): string {
    const bodies = answers.map((a) => a.body.toString('utf8'));
    if (format === 'json') return JSON.stringify(bodies.flatMap((b) => JSON.parse(b) as unknown[]));
    if (format === 'csv') return bodies.map((b, i) => (i === 0 ? b : b.slice(b.indexOf('\n') + 1))).join('');
    return bodies.join('');
  }

  beforeAll(async () => {
    t = await startTestServer(backend);
    auth = { Authorization: (await createUserWithPassword(t.host, 'admin')).authorization };
    const docs: Record<string, unknown>[] = [];
    for (let i = 0; i < 23; i++) {
      // Ties on event_timestamp across files: arrival order breaks them.
      const ts = (i % 2 ? D1 : D2) + Math.floor(i / 3) * 1000;
      docs.push(altisEvent(ts, { n: i, ...(i % 5 === 0 ? { attributes: { blogId: '1', userAgent: GOOGLEBOT } } : {}), ...(i % 4 === 0 ? { extra: { k: i } } : {}) }));
    }
    await t.host.store.ingest.storeFile(validated(docs.slice(0, 12)), 'import');
    await t.host.store.ingest.storeFile(validated(docs.slice(12)), 'http');
  });
  afterAll(async () => t?.cleanup());

  const RANGE = '/wp-json/analytics/v1/events?start_date=2026-05-01&end_date=2026-05-02&timezone=Europe/Paris';
  const DAY = '/wp-json/analytics/v1/events/2026-05-01';

  test.each(['json', 'ndjson', 'csv'])('pages of %s joined equal the unpaged answer (range and day route)', async (format) => {
    for (const [path, bots] of [
      [RANGE, ''],
      [RANGE, '&include_bots=true'],
      [DAY + '?x=1', ''],
    ] as const) {
      const whole = await get(`${root()}${path}${bots}&format=${format}`, auth);
      const total = Number(whole.headers['x-wp-total']);
      expect(total).toBeGreaterThan(5);
      for (const perPage of [1, 2, 7]) {
        const answers = await pages(`${path}${bots}&format=${format}&per_page=${perPage}`);
        expect(answers).toHaveLength(Math.ceil(total / perPage));
        for (const a of answers) {
          expect(a.headers['x-wp-total']).toBe(String(total));
          expect(a.headers['x-wp-totalpages']).toBe(String(Math.ceil(total / perPage)));
        }
        expect(joined(format, answers)).toBe(whole.body.toString('utf8'));
      }
    }
  });

  test('events arriving between pages do not enter the pull, and nothing is skipped', async () => {
    const whole = await get(`${root()}${RANGE}&format=ndjson`, auth);
    let added = 0;
    const answers = await pages(`${RANGE}&format=ndjson&per_page=3`, async () => {
      // Before, between and after the positions already sent, and ties with them.
      await t.host.store.ingest.storeFile(validated([altisEvent(D1, { late: added }), altisEvent(D2 + 1000, { late: added + 1 }), altisEvent(D2 + 12 * 3_600_000, { late: added + 2 })]), 'http');
      added += 3;
    });
    expect(added).toBeGreaterThan(0);
    expect(joined('ndjson', answers)).toBe(whole.body.toString('utf8'));
    const after = await get(`${root()}${RANGE}&format=ndjson`, auth);
    expect(Number(after.headers['x-wp-total'])).toBe(Number(whole.headers['x-wp-total']) + added);
  });

  test('on MariaDB a page the client follows to sends its headers without looking for its end: that was looked up while the page before streamed', async () => {
    const store = t.host.store;
    const original = store.openEventReader.bind(store);
    const readers: { streamed: boolean; lookups: number }[] = [];
    store.openEventReader = async () => {
      const opened = await original();
      const seen = { streamed: false, lookups: 0 };
      readers.push(seen);
      const pullPage = opened.reader.pullPage.bind(opened.reader);
      const positionAt = opened.reader.positionAt.bind(opened.reader);
      opened.reader.pullPage = (...args) => ((seen.streamed = true), pullPage(...args));
      opened.reader.positionAt = (...args) => (seen.lookups++, positionAt(...args));
      return opened;
    };
    try {
      const whole = await get(`${root()}${DAY}?format=ndjson`, auth);
      readers.length = 0;
      const answers = await pages(`${DAY}?format=ndjson&per_page=2`);
      expect(answers.length).toBeGreaterThan(3);
      expect(joined('ndjson', answers)).toBe(whole.body.toString('utf8'));
      const streamed = readers.filter((r) => r.streamed);
      expect(streamed).toHaveLength(answers.length);
      const lookups = readers.filter((r) => !r.streamed).map((r) => r.lookups);
      if (backend === 'mysql') {
        // The first page finds its own end; each later one (but the last, which has no next) was found for it.
        expect(streamed.map((r) => r.lookups)).toEqual([1, ...Array(answers.length - 1).fill(0)]);
        expect(lookups).toEqual(Array(answers.length - 2).fill(1));
      } else {
        // SQLite reads on the event loop: each page finds its own end, as a lookup would in the same thread.
        expect(streamed.map((r) => r.lookups)).toEqual([...Array(answers.length - 1).fill(1), 0]);
        expect(lookups).toEqual([]);
      }
    } finally {
      store.openEventReader = original;
    }
  });

  test('a page whose end moved after it was looked up (MariaDB) is cut off, and asked for again comes whole', async () => {
    const D3 = Date.UTC(2026, 4, 10);
    await t.host.store.ingest.storeFile(validated(Array.from({ length: 9 }, (_, i) => altisEvent(D3 + i * 1000, { n: i }))), 'import');
    const path = '/wp-json/analytics/v1/events/2026-05-10?format=ndjson&per_page=3';
    const first = await get(root() + path, auth);
    expect(first.complete).toBe(true);
    const second = nextLink(first)!;
    // Let the lookup of the second page's end finish, then take away that page's first row.
    await new Promise((r) => setTimeout(r, 200));
    const [row] = await t.host.store.db.all<{ id: number }>('SELECT id FROM ah_events WHERE site = ? AND ts >= ? ORDER BY ts, id LIMIT 1 OFFSET 3', ['1', D3]);
    await t.host.store.db.run('DELETE FROM ah_events WHERE id = ?', [Number(row.id)]);
    if (backend === 'mysql') {
      // Cut off: a small page may not even get its headers out first (the client sees a hang-up).
      const cut = await get(root() + second, auth).catch((error: Error) => ({ complete: false, error }));
      expect(cut.complete).toBe(false);
    }
    // Asked again (on SQLite at once: there each page finds its own end), the page comes whole.
    const again = await get(root() + second, auth);
    expect(again.complete).toBe(true);
    expect(again.body.toString('utf8').trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([4, 5, 6]);
    const rest = await pages(nextLink(again)!);
    expect(rest.map((r) => r.body.toString('utf8')).join('').trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([7, 8]);
  });

  test('forged, tampered and foreign cursors, per_page 0', async () => {
    const first = await get(`${root()}${RANGE}&per_page=2`, auth);
    const link = nextLink(first)!;
    const cursor = new URL(link, 'http://x').searchParams.get('cursor')!;
    const bad = async (path: string, param: string) => {
      const r = await getJson(root() + path, auth);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('rest_invalid_param');
      expect(Object.keys((r.body.data as { params: object }).params)).toEqual([param]);
    };
    expect((await get(root() + link, auth)).status).toBe(200);
    // One byte of the payload flipped, then one of the signature.
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    await bad(`${RANGE}&per_page=2&cursor=${flip(cursor, 3)}`, 'cursor');
    await bad(`${RANGE}&per_page=2&cursor=${flip(cursor, cursor.length - 2)}`, 'cursor');
    await bad(`${RANGE}&per_page=2&cursor=nonsense`, 'cursor');
    const forged = Buffer.from(JSON.stringify({ v: 1, p: [0, 0], h: 1e9, t: 5, s: 0, f: 'x' })).toString('base64url') + '.' + 'A'.repeat(43);
    await bad(`${RANGE}&per_page=2&cursor=${forged}`, 'cursor');
    // A genuine cursor, for another query.
    await bad(`${RANGE}&per_page=2&format=csv&cursor=${cursor}`, 'cursor');
    await bad(`${RANGE}&per_page=2&include_bots=true&cursor=${cursor}`, 'cursor');
    await bad(`${DAY}?per_page=2&cursor=${cursor}`, 'cursor');
    await bad(`${RANGE}&per_page=0`, 'per_page');
    await bad(`${DAY}?per_page=0`, 'per_page');
    await bad(`${DAY}?per_page=100001`, 'per_page');
    // The Link is root-relative and keeps the query.
    expect(link.startsWith('/wp-json/analytics/v1/events?start_date=2026-05-01&end_date=2026-05-02&timezone=Europe%2FParis&per_page=2&cursor=')).toBe(true);
  });
});
