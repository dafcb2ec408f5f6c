import { BACKENDS } from '../support/backends';
import { parseEventText } from '../../core/events/validate';
import { altisEvent, validated } from '../support/events';
import { createUserWithPassword, startTestServer } from '../support/host';
import { startOfZonedDay } from '../../rest/export/zones';
import { get, getJson } from './http';

type Server = Awaited<ReturnType<typeof startTestServer>>;

const H = 3_600_000;
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

// America/New_York: 2026-03-08 (23 h) starts at 05:00Z, 2026-03-09 at 04:00Z;
// 2026-11-01 (25 h) starts at 04:00Z, 2026-11-02 at 05:00Z.
const NY_MAR8 = Date.UTC(2026, 2, 8, 5);
const NY_MAR9 = Date.UTC(2026, 2, 9, 4);
const NY_NOV1 = Date.UTC(2026, 10, 1, 4);
const NY_NOV2 = Date.UTC(2026, 10, 2, 5);
// Europe/London: 2026-03-29 (23 h) from 00:00Z to 2026-03-29T23:00Z; 2026-10-25 (25 h) from 2026-10-24T23:00Z to 2026-10-26T00:00Z.
const LON_MAR29 = Date.UTC(2026, 2, 29);
const LON_MAR30 = Date.UTC(2026, 2, 29, 23);
const LON_OCT25 = Date.UTC(2026, 9, 24, 23);
const LON_OCT26 = Date.UTC(2026, 9, 26);

test('zoned day starts, DST days included', () => {
  expect(startOfZonedDay(Date.UTC(2026, 2, 8), 'America/New_York')).toBe(NY_MAR8);
  expect(startOfZonedDay(Date.UTC(2026, 2, 9), 'America/New_York')).toBe(NY_MAR9);
  expect(NY_MAR9 - NY_MAR8).toBe(23 * H);
  expect(startOfZonedDay(Date.UTC(2026, 10, 1), 'America/New_York')).toBe(NY_NOV1);
  expect(NY_NOV2 - startOfZonedDay(Date.UTC(2026, 10, 1), 'America/New_York')).toBe(25 * H);
  expect(startOfZonedDay(Date.UTC(2026, 2, 30), 'Europe/London') - startOfZonedDay(Date.UTC(2026, 2, 29), 'Europe/London')).toBe(23 * H);
  expect(startOfZonedDay(Date.UTC(2026, 9, 26), 'Europe/London') - startOfZonedDay(Date.UTC(2026, 9, 25), 'Europe/London')).toBe(25 * H);
  expect(startOfZonedDay(Date.UTC(2026, 9, 25), 'Europe/London')).toBe(LON_OCT25);
  expect(startOfZonedDay(Date.UTC(2026, 0, 1), 'Asia/Kolkata')).toBe(Date.UTC(2025, 11, 31, 18, 30));
  // Santiago springs forward at midnight: 2026-09-06 starts at 01:00 local = 04:00Z.
  expect(startOfZonedDay(Date.UTC(2026, 8, 6), 'America/Santiago')).toBe(Date.UTC(2026, 8, 6, 4));
});

describe.each(BACKENDS)('GET /wp-json/analytics/v1/events (range) on %s', (backend) => {
  let t: Server;
  let auth: Record<string, string>;
  const base = () => `${t.url}/wp-json/analytics/v1/events`;
  const ids = async (query: string): Promise<string[]> => {
    const r = await getJson(`${base()}?${query}`, auth);
    expect(r.status).toBe(200);
    const list = r.body as unknown as { n: string }[];
    expect(r.headers['x-wp-total']).toBe(String(list.length));
    return list.map((d) => d.n);
  };

  beforeAll(async () => {
    t = await startTestServer(backend);
    auth = { Authorization: (await createUserWithPassword(t.host, 'admin')).authorization };
    const e = (ts: number, n: string, extra: Record<string, unknown> = {}) => altisEvent(ts, { n, ...extra });
    await t.host.store.ingest.storeFile(
      validated([
        e(NY_MAR8 - 1, 'ny-before'),
        e(NY_MAR8, 'ny-first'),
        e(NY_MAR9 - 1, 'ny-last'),
        e(NY_MAR9, 'ny-next'),
        e(NY_NOV1 - 1, 'nov-before'),
        e(NY_NOV1, 'nov-first'),
        e(NY_NOV2 - 1, 'nov-last'),
        e(NY_NOV2, 'nov-next'),
        e(LON_MAR29 - 1, 'lm-before'),
        e(LON_MAR29, 'lm-first'),
        e(LON_MAR30 - 1, 'lm-last'),
        e(LON_MAR30, 'lm-next'),
        e(LON_OCT25 - 1, 'lo-before'),
        e(LON_OCT25, 'lo-first'),
        e(LON_OCT26 - 1, 'lo-last'),
        e(LON_OCT26, 'lo-next'),
      ]),
      'import',
    );
    const D = Date.UTC(2026, 5, 10);
    await t.host.store.ingest.storeFile(
      validated([
        e(D + 3, 'click-1', { event_type: 'click' }),
        e(D + 1, 'bot-attr', { attributes: { blogId: '1', userAgent: GOOGLEBOT } }),
        e(D + 2, 'human-attr', { attributes: { blogId: '1', userAgent: CHROME } }),
        e(D + 2, 'bot-endpoint', { endpoint: { Id: 'x', Demographic: { UserAgent: GOOGLEBOT } } }),
        e(D + 4, 'bot-device', { device: { userAgent: 'curl/8.5.0' } }),
        e(D + 5, 'no-ua'),
        e(D + 6, 'ua-number', { attributes: { blogId: '1', userAgent: 42 } }),
      ]),
      'http',
    );
    const D2 = Date.UTC(2026, 5, 11);
    // Stored as written: the user agent's slash escaped, as some trackers send it.
    const escaped = JSON.stringify(e(D2 + 5, 'bot-escaped', { device: { userAgent: 'curl/8.5.0' } })).replace('curl/8.5.0', 'curl\\/8.5.0');
    await t.host.store.ingest.storeFile(
      [
        ...validated([
          e(D2 + 1, 'bot-second-field', { attributes: { blogId: '1', userAgent: CHROME }, device: { userAgent: GOOGLEBOT } }),
          e(D2 + 2, 'human-two-fields', { attributes: { blogId: '1', userAgent: CHROME }, device: { userAgent: CHROME } }),
          e(D2 + 3, 'ua-object', { attributes: { blogId: '1', userAgent: { name: GOOGLEBOT } } }),
          e(D2 + 4, 'ua-empty', { attributes: { blogId: '1', userAgent: '' } }),
        ]),
        parseEventText(escaped, { index: 4 }),
      ],
      'http',
    );
  });
  afterAll(async () => t?.cleanup());

  test('DST days in America/New_York (23 h and 25 h) and Europe/London', async () => {
    expect(await ids('start_date=2026-03-08&end_date=2026-03-08&timezone=America/New_York')).toEqual(['ny-first', 'ny-last']);
    expect(await ids('start_date=2026-11-01&end_date=2026-11-01&timezone=America%2FNew_York')).toEqual(['nov-first', 'nov-last']);
    expect(await ids('start_date=2026-03-29&end_date=2026-03-29&timezone=Europe/London')).toEqual(['lm-first', 'lm-last']);
    expect(await ids('start_date=2026-10-25&end_date=2026-10-25&timezone=Europe/London')).toEqual(['lo-first', 'lo-last']);
    // UTC by default: London's 2026-10-25 starts an hour earlier than UTC's.
    expect(await ids('start_date=2026-10-25&end_date=2026-10-25')).toEqual(['lo-last']);
    expect(await ids('start_date=2026-10-24&end_date=2026-10-25&timezone=Europe/London')).toEqual(['lo-before', 'lo-first', 'lo-last']);
  });

  test('same rows in the same order as the one-day route, day by day; CSV header of the UTC days touched', async () => {
    const range = await get(`${base()}?start_date=2026-06-10&end_date=2026-06-10&include_bots=true`, auth);
    const day = await get(`${base()}/2026-06-10`, auth);
    expect(range.body.toString()).toBe(day.body.toString());
    const nd = await get(`${base()}?start_date=2026-06-10&end_date=2026-06-10&include_bots=1&format=ndjson`, auth);
    expect(nd.headers['content-type']).toBe('application/x-ndjson; charset=UTF-8');
    expect(nd.body.toString()).toBe((JSON.parse(day.body.toString()) as unknown[]).map((d) => JSON.stringify(d) + '\n').join(''));
    const csv = await get(`${base()}?start_date=2026-06-10&end_date=2026-06-10&include_bots=true`, { ...auth, Accept: 'text/csv' });
    const dayCsv = await get(`${base()}/2026-06-10?format=csv`, auth);
    expect(csv.headers['content-type']).toBe('text/csv; charset=UTF-8');
    expect(csv.body.toString()).toBe(dayCsv.body.toString());
    // New York's 2026-03-08 touches the UTC days 03-08 and 03-09.
    const ny = await get(`${base()}?start_date=2026-03-08&end_date=2026-03-08&timezone=America/New_York&format=csv`, auth);
    expect(ny.body.toString().split('\n')[0]).toContain('n');
    expect(ny.body.toString().split('\n')).toHaveLength(4);
  });

  test('event_type and bots', async () => {
    const q = 'start_date=2026-06-10&end_date=2026-06-10';
    expect(await ids(q)).toEqual(['human-attr', 'click-1', 'no-ua', 'ua-number']);
    expect(await ids(`${q}&include_bots=false`)).toEqual(['human-attr', 'click-1', 'no-ua', 'ua-number']);
    expect(await ids(`${q}&include_bots=true`)).toEqual(['bot-attr', 'human-attr', 'bot-endpoint', 'click-1', 'bot-device', 'no-ua', 'ua-number']);
    expect(await ids(`${q}&event_type=click`)).toEqual(['click-1']);
    expect(await ids(`${q}&event_type=nope`)).toEqual([]);
  });

  test('bots: a bot in any of the fields, escaped or not; only strings are user agents', async () => {
    const q = 'start_date=2026-06-11&end_date=2026-06-11';
    expect(await ids(q)).toEqual(['human-two-fields', 'ua-object', 'ua-empty']);
    expect(await ids(`${q}&include_bots=true`)).toEqual(['bot-second-field', 'human-two-fields', 'ua-object', 'ua-empty', 'bot-escaped']);
  });

  test('bad input', async () => {
    const bad = async (query: string, param: string, text?: string) => {
      const r = await getJson(`${base()}?${query}`, auth);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('rest_invalid_param');
      const params = (r.body.data as { params: Record<string, string> }).params;
      expect(Object.keys(params)).toEqual([param]);
      if (text) expect(params[param]).toContain(text);
    };
    await bad('start_date=2026-01-01&end_date=2026-04-01', 'end_date', '90 days');
    expect((await get(`${base()}?start_date=2026-01-01&end_date=2026-03-31`, auth)).status).toBe(200);
    await bad('start_date=2026-03-02&end_date=2026-03-01', 'end_date', 'before');
    await bad('start_date=2026-03-01&end_date=2026-03-01&timezone=Mars/Olympus', 'timezone');
    await bad('end_date=2026-03-01', 'start_date');
    await bad('start_date=2026-02-30&end_date=2026-03-01', 'start_date');
    await bad('start_date=2026-03-01&end_date=03/02/2026', 'end_date');
    await bad('start_date=2026-03-01&end_date=2026-03-01&include_bots=maybe', 'include_bots');
    await bad('start_date=2026-03-01&end_date=2026-03-01&format=xml', 'format');
    await bad('start_date=2026-03-01&end_date=2026-03-01&per_page=0', 'per_page');
    expect((await get(`${base()}?start_date=2026-03-01&end_date=2026-03-01`)).status).toBe(401);
  });
});
