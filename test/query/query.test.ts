import { parseEventText, type ValidatedEvent } from '../../core/events/validate';
import { runQuery, parseQuery, type AnalyticsQuery, type QueryAnswer } from '../../core/query';
import { BACKENDS } from '../support/backends';
import { createUserWithPassword, startTestServer } from '../support/host';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Body = Record<string, unknown>;
type ErrorBody = { code: string; message: string; data: { status: number; params: Record<string, string> } };

const t = (iso: string) => Date.parse(iso);

interface Spec {
  at: string;
  type?: string;
  site?: string;
  url?: string;
  country?: string | null;
  scroll?: number | string;
  ep?: string;
  extra?: Record<string, unknown>;
  attrs?: Record<string, unknown>;
}

/** An Altis-shaped event; omitted fields are left out of the document. */
function event(s: Spec): Record<string, unknown> {
  const attributes: Record<string, unknown> = { blogId: s.site ?? '1', ...(s.url === undefined ? {} : { url: s.url }), ...s.attrs };
  const endpoint: Record<string, unknown> = {};
  if (s.ep !== undefined) endpoint.Id = s.ep;
  if (s.country !== undefined) endpoint.Location = { Country: s.country };
  return {
    event_type: s.type ?? 'pageView',
    event_timestamp: t(s.at),
    attributes,
    ...(s.scroll === undefined ? {} : { metrics: { scrollDepth: s.scroll } }),
    endpoint,
    ...s.extra,
  };
}

// A..G: the site's page views; H another event type; I another site.
const FIXTURE: Spec[] = [
  { at: '2026-10-31T23:59:00Z', url: '/a', country: 'GB', ep: 'e4' }, // A (Saturday, October)
  { at: '2026-11-01T00:00:00Z', url: '/c', country: 'US', scroll: 0, ep: 'e4' }, // B (Sunday, November)
  { at: '2026-11-15T23:59:59.999Z', url: '/b', country: 'FR', scroll: 0.75, ep: 'e3' }, // C (Sunday)
  { at: '2026-11-16T10:15:30Z', url: '/a', country: 'GB', scroll: 0.5, ep: 'e1', attrs: { loggedIn: true }, extra: { elapsed: 10 } }, // D (Monday)
  { at: '2026-11-16T10:45:00Z', url: '/a', country: 'GB', scroll: 0.25, ep: 'e2', attrs: { loggedIn: false }, extra: { elapsed: 9 } }, // E
  { at: '2026-11-16T11:05:00Z', url: '/b', country: 'FR', scroll: 1, ep: 'e1', extra: { elapsed: 100 } }, // F
  { at: '2026-11-16T12:00:00Z', url: '/a', country: null, scroll: '0.9' }, // G
  { at: '2026-11-16T10:15:10Z', type: 'click', url: '/a', country: 'GB', scroll: 0.5, ep: 'e1' }, // H
  { at: '2026-11-16T10:20:00Z', site: '2', url: '/a', country: 'GB', scroll: 0.5, ep: 'e9' }, // I
];

const ALL = { from: '2026-10-01T00:00:00Z', to: '2026-11-30T23:59:59Z' };
const COUNT = [{ function: 'COUNT', alias: 'events' }];

function docs(list: readonly (Record<string, unknown> | string)[]): ValidatedEvent[] {
  return list.map((d, i) => parseEventText(typeof d === 'string' ? d : JSON.stringify(d), { index: i }));
}

const longUrl = (tail: string) => '/' + 'x'.repeat(340) + tail;

describe.each(BACKENDS)('POST /wp-json/analytics/v1/query on %s', (backend) => {
  let s: Server;
  let admin: string;
  let subscriber: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    admin = (await createUserWithPassword(s.host, 'admin')).authorization;
    subscriber = (await createUserWithPassword(s.host, 'reader', 'subscriber')).authorization;
    await s.host.store.ingest.storeFile(docs(FIXTURE.map(event)), 'import');
    await s.host.store.ingest.storeFile(
      docs([
        // Escaped JSON text decodes to the same string on both engines.
        `{"event_type":"escape","event_timestamp":${t('2026-11-16T09:00:00Z')},"attributes":{"url":"caf\\u00e9\\/x"}}`,
        // Longer than MariaDB's indexed copy of attributes.url / endpoint.Id: exact all the same.
        event({ at: '2026-11-16T09:00:00Z', type: 'long', url: longUrl('1'), ep: 'E'.repeat(200) + '1' }),
        event({ at: '2026-11-16T09:01:00Z', type: 'long', url: longUrl('2'), ep: 'E'.repeat(200) + '2' }),
        event({ at: '2026-11-16T09:02:00Z', type: 'long', url: longUrl('2'), ep: 'E'.repeat(200) + '2' }),
        event({ at: '2026-11-16T09:03:00Z', type: 'long', url: '/short', ep: 'e1' }),
        event({ at: '2026-11-16T09:00:00Z', type: 'longsort', url: '/' + 'y'.repeat(1100) + 'A' }),
        event({ at: '2026-11-16T09:00:00Z', type: 'longsort', url: '/' + 'y'.repeat(1100) + 'B' }),
        // Deeper than MariaDB's JSON functions go: stored and counted, its fields read as missing there.
        { event_type: 'deep', event_timestamp: t('2026-11-16T09:00:00Z'), nested: JSON.parse('['.repeat(40) + ']'.repeat(40)) },
      ]),
      'import',
    );
  });
  afterAll(async () => s.cleanup());

  async function post(body: unknown, authorization: string | null = admin, raw = false): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization) headers.authorization = authorization;
    return fetch(`${s.url}/wp-json/analytics/v1/query`, { method: 'POST', headers, body: raw ? (body as string) : JSON.stringify(body) });
  }

  async function answer(body: Body): Promise<QueryAnswer> {
    const res = await post({ eventType: 'pageView', timeRange: ALL, aggregations: COUNT, ...body });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(json)}`);
    return json as QueryAnswer;
  }

  async function rows(body: Body): Promise<unknown[][]> {
    return (await answer(body)).rows.map((r) => r.values);
  }

  describe('answer', () => {
    test('a count over the range: columns, rows, generatedAt, stats', async () => {
      const a = await answer({});
      expect(a.columns).toEqual([{ name: 'events', label: 'Events', type: 'NUMBER', role: 'METRIC', primary: true }]);
      expect(a.rows).toEqual([{ values: [7] }]);
      expect(a.generatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(a.stats.rowCount).toBe(1);
      expect(typeof a.stats.queryTimeMs).toBe('number');
    });

    test('columns as in the seed: time, dimension, metrics (primary on the first)', async () => {
      const a = await answer({
        granularity: 'DAY',
        groupBy: [{ field: 'endpoint.Location.Country' }],
        aggregations: [
          { function: 'COUNT', alias: 'total_events' },
          { function: 'AVG', field: 'metrics.scrollDepth', alias: 'avgScroll' },
        ],
        timeRange: { from: '2026-11-16', to: '2026-11-16' },
      });
      expect(a.columns).toEqual([
        { name: 'time_bucket', label: 'Date', type: 'TIMESTAMP', role: 'TIME', primary: false },
        { name: 'endpoint.Location.Country', label: 'Country', type: 'STRING', role: 'DIMENSION', primary: false },
        { name: 'total_events', label: 'Total Events', type: 'NUMBER', role: 'METRIC', primary: true },
        { name: 'avgScroll', label: 'Avg Scroll', type: 'NUMBER', role: 'METRIC', primary: false },
      ]);
      expect(a.rows.map((r) => r.values)).toEqual([
        ['2026-11-16T00:00:00Z', null, 1, null],
        ['2026-11-16T00:00:00Z', 'FR', 1, 1],
        ['2026-11-16T00:00:00Z', 'GB', 2, 0.375],
      ]);
    });

    test('the body is JSON whatever its Content-Type (curl -d sends a form type)', async () => {
      const res = await fetch(`${s.url}/wp-json/analytics/v1/query`, {
        method: 'POST',
        headers: { authorization: admin, 'content-type': 'application/x-www-form-urlencoded' },
        body: JSON.stringify({ eventType: 'pageView', timeRange: ALL, aggregations: COUNT }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as QueryAnswer).rows).toEqual([{ values: [7] }]);
    });

    test('no matching events: one zero row without groups, no rows with them', async () => {
      expect(await rows({ eventType: 'nothing' })).toEqual([[0]]);
      expect(await rows({ eventType: 'nothing', granularity: 'DAY' })).toEqual([]);
    });
  });

  describe('time range and granularity (UTC)', () => {
    test('from and to are inclusive, to to the end of the unit written', async () => {
      expect(await rows({ timeRange: { from: '2026-11-16T10:15:30Z', to: '2026-11-16T10:45:00Z' } })).toEqual([[2]]);
      expect(await rows({ timeRange: { from: '2026-11-15T00:00:00Z', to: '2026-11-15T23:59:59Z' } })).toEqual([[1]]); // C at .999
      expect(await rows({ timeRange: { from: '2026-11-15', to: '2026-11-15' } })).toEqual([[1]]);
      expect(await rows({ timeRange: { from: '2026-11-16T11:15:30+01:00', to: '2026-11-16T10:44' } })).toEqual([[1]]); // D only
    });

    test('MINUTE', async () => {
      expect(await rows({ granularity: 'MINUTE', timeRange: { from: '2026-11-16T10:00Z', to: '2026-11-16T10:59Z' } })).toEqual([
        ['2026-11-16T10:15:00Z', 1],
        ['2026-11-16T10:45:00Z', 1],
      ]);
    });

    test('HOUR (the other site and the other event type are not counted)', async () => {
      expect(await rows({ granularity: 'HOUR', timeRange: { from: '2026-11-16', to: '2026-11-16' } })).toEqual([
        ['2026-11-16T10:00:00Z', 2],
        ['2026-11-16T11:00:00Z', 1],
        ['2026-11-16T12:00:00Z', 1],
      ]);
    });

    test('DAY', async () => {
      expect(await rows({ granularity: 'DAY' })).toEqual([
        ['2026-10-31T00:00:00Z', 1],
        ['2026-11-01T00:00:00Z', 1],
        ['2026-11-15T00:00:00Z', 1],
        ['2026-11-16T00:00:00Z', 4],
      ]);
    });

    test('WEEK starts on Monday', async () => {
      expect(await rows({ granularity: 'WEEK' })).toEqual([
        ['2026-10-26T00:00:00Z', 2], // Saturday 31 Oct and Sunday 1 Nov
        ['2026-11-09T00:00:00Z', 1], // Sunday 15 Nov, last millisecond
        ['2026-11-16T00:00:00Z', 4], // Monday 16 Nov
      ]);
    });

    test('MONTH', async () => {
      expect(await rows({ granularity: 'MONTH' })).toEqual([
        ['2026-10-01T00:00:00Z', 1],
        ['2026-11-01T00:00:00Z', 6],
      ]);
    });
  });

  describe('filters', () => {
    const count = async (...filters: unknown[]) => (await rows({ filters }))[0][0];

    test('EQ and NEQ on strings (NEQ keeps events without the value)', async () => {
      expect(await count({ field: 'endpoint.Location.Country', op: 'EQ', value: 'GB' })).toBe(3);
      expect(await count({ field: 'endpoint.Location.Country', op: 'NEQ', value: 'GB' })).toBe(4);
      expect(await count({ field: 'endpoint.Location.Country', op: 'EQ', value: 'gb' })).toBe(0);
      expect(await count({ field: 'endpoint.Location.Country', op: 'EQ', value: 'GB ' })).toBe(0);
    });

    test('GT, GTE, LT, LTE compare JSON numbers numerically (a string "0.9" is not a number)', async () => {
      const f = (op: string, value: unknown) => count({ field: 'metrics.scrollDepth', op, value });
      expect(await f('GT', 0.5)).toBe(2);
      expect(await f('GTE', 0.5)).toBe(3);
      expect(await f('LT', 0.5)).toBe(2);
      expect(await f('LTE', 0.5)).toBe(3);
      expect(await f('EQ', 0.9)).toBe(0);
      expect(await f('EQ', '0.9')).toBe(1);
      expect(await count({ field: 'elapsed', op: 'GT', value: 9.5 })).toBe(2); // 10 and 100, not as text
    });

    test('GT on strings compares by code point', async () => {
      expect(await count({ field: 'attributes.url', op: 'GT', value: '/a' })).toBe(3);
      expect(await count({ field: 'attributes.url', op: 'LTE', value: '/a' })).toBe(4);
    });

    test('IN and NOT_IN, with strings, numbers, booleans and null', async () => {
      expect(await count({ field: 'endpoint.Location.Country', op: 'IN', value: ['GB', 'US'] })).toBe(4);
      expect(await count({ field: 'endpoint.Location.Country', op: 'NOT_IN', value: ['GB', 'US'] })).toBe(3);
      expect(await count({ field: 'metrics.scrollDepth', op: 'IN', value: [0, 1] })).toBe(2);
      expect(await count({ field: 'endpoint.Location.Country', op: 'IN', value: ['FR', null] })).toBe(3);
      expect(await count({ field: 'attributes.loggedIn', op: 'IN', value: [true] })).toBe(1);
      expect(await count({ field: 'attributes.loggedIn', op: 'NOT_IN', value: [true, false] })).toBe(5);
    });

    test('EQ null: missing or JSON null; booleans', async () => {
      expect(await count({ field: 'endpoint.Location.Country', op: 'EQ', value: null })).toBe(1);
      expect(await count({ field: 'endpoint.Id', op: 'NEQ', value: null })).toBe(6);
      expect(await count({ field: 'attributes.loggedIn', op: 'EQ', value: false })).toBe(1);
    });

    test('columns: event_timestamp numerically, event_type, several filters ANDed', async () => {
      expect(await count({ field: 'event_timestamp', op: 'GTE', value: t('2026-11-16T10:15:30Z') })).toBe(4);
      expect(await count({ field: 'event_type', op: 'EQ', value: 'pageView' }, { field: 'attributes.url', op: 'EQ', value: '/a' })).toBe(4);
      expect(await count({ field: 'attributes.url', op: 'EQ', value: '/a' }, { field: 'metrics.scrollDepth', op: 'GTE', value: 0.5 })).toBe(1);
    });
  });

  describe('groups, aggregations, sort and limit', () => {
    test('groupBy a nested path, sorted by the count descending', async () => {
      expect(await rows({ groupBy: [{ field: 'attributes.url' }], sort: [{ field: 'events', ascending: false }] })).toEqual([
        ['/a', 4],
        ['/b', 2],
        ['/c', 1],
      ]);
    });

    test('sort on the group descending, limit', async () => {
      expect(await rows({ groupBy: [{ field: 'attributes.url' }], sort: [{ field: 'attributes.url', ascending: false }] })).toEqual([
        ['/c', 1],
        ['/b', 2],
        ['/a', 4],
      ]);
      expect(await rows({ groupBy: [{ field: 'attributes.url' }], sort: [{ field: 'events', ascending: false }], limit: 2 })).toEqual([
        ['/a', 4],
        ['/b', 2],
      ]);
    });

    test('deeper path; null is a group of its own and sorts first ascending', async () => {
      expect(await rows({ groupBy: [{ field: 'endpoint.Location.Country' }], sort: [{ field: 'endpoint.Location.Country', ascending: true }] })).toEqual([
        [null, 1],
        ['FR', 2],
        ['GB', 3],
        ['US', 1],
      ]);
    });

    test('numeric groups are NUMBER and sort by value; boolean groups are BOOLEAN', async () => {
      const a = await answer({ groupBy: [{ field: 'elapsed' }], filters: [{ field: 'elapsed', op: 'GTE', value: 0 }], sort: [{ field: 'elapsed', ascending: true }] });
      expect(a.columns[0]).toMatchObject({ name: 'elapsed', type: 'NUMBER', role: 'DIMENSION' });
      expect(a.rows.map((r) => r.values)).toEqual([
        [9, 1],
        [10, 1],
        [100, 1],
      ]);
      const b = await answer({ groupBy: [{ field: 'attributes.loggedIn' }] });
      expect(b.columns[0].type).toBe('BOOLEAN');
      expect(b.rows.map((r) => r.values)).toEqual([
        [null, 5],
        [false, 1],
        [true, 1],
      ]);
    });

    test('mixed types make a STRING column', async () => {
      const a = await answer({ groupBy: [{ field: 'metrics.scrollDepth' }], sort: [{ field: 'metrics.scrollDepth', ascending: true }] });
      expect(a.columns[0].type).toBe('STRING');
      // null, then the text values, then the numbers by value.
      expect(a.rows.map((r) => r.values)).toEqual([
        [null, 1],
        ['0.9', 1],
        ['0', 1],
        ['0.25', 1],
        ['0.5', 1],
        ['0.75', 1],
        ['1', 1],
      ]);
    });

    test('SUM, AVG, MIN, MAX take JSON numbers only', async () => {
      const a = await answer({
        aggregations: ['SUM', 'AVG', 'MIN', 'MAX'].map((fn) => ({ function: fn, field: 'metrics.scrollDepth', alias: fn.toLowerCase() })),
      });
      expect(a.rows).toEqual([{ values: [2.5, 0.5, 0, 1] }]);
      expect(a.columns.map((c) => c.primary)).toEqual([true, false, false, false]);
      expect(await rows({ aggregations: [{ function: 'MAX', field: 'event_timestamp', alias: 'last' }] })).toEqual([[t('2026-11-16T12:00:00Z')]]);
      expect(await rows({ aggregations: [{ function: 'SUM', field: 'attributes.url', alias: 's' }] })).toEqual([[null]]);
    });

    test('COUNT with a field counts distinct values (missing and null not counted)', async () => {
      expect(await rows({ aggregations: [{ function: 'COUNT', field: 'endpoint.Id', alias: 'visitors' }] })).toEqual([[4]]);
      expect(await rows({ granularity: 'DAY', aggregations: [{ function: 'COUNT', field: 'endpoint.Id', alias: 'visitors' }, ...COUNT] })).toEqual([
        ['2026-10-31T00:00:00Z', 1, 1],
        ['2026-11-01T00:00:00Z', 1, 1],
        ['2026-11-15T00:00:00Z', 1, 1],
        ['2026-11-16T00:00:00Z', 2, 4],
      ]);
    });

    test('time bucket and groups together, sorted by time descending then count', async () => {
      expect(
        await rows({
          granularity: 'HOUR',
          groupBy: [{ field: 'attributes.url' }, { field: 'event_type' }],
          timeRange: { from: '2026-11-16', to: '2026-11-16' },
          sort: [
            { field: 'time_bucket', ascending: false },
            { field: 'events', ascending: false },
          ],
        }),
      ).toEqual([
        ['2026-11-16T12:00:00Z', '/a', 'pageView', 1],
        ['2026-11-16T11:00:00Z', '/b', 'pageView', 1],
        ['2026-11-16T10:00:00Z', '/a', 'pageView', 2],
      ]);
    });

    test('strings are decoded from their JSON text', async () => {
      expect(await rows({ eventType: 'escape', groupBy: [{ field: 'attributes.url' }] })).toEqual([['café/x', 1]]);
    });

    test('values longer than the indexed copy (MariaDB) are still exact', async () => {
      expect(await rows({ eventType: 'long', groupBy: [{ field: 'attributes.url' }], sort: [{ field: 'events', ascending: false }] })).toEqual([
        [longUrl('2'), 2],
        ['/short', 1],
        [longUrl('1'), 1],
      ]);
      expect(await rows({ eventType: 'long', aggregations: [{ function: 'COUNT', field: 'endpoint.Id', alias: 'v' }] })).toEqual([[3]]);
      expect(await rows({ eventType: 'long', granularity: 'DAY', aggregations: [{ function: 'COUNT', field: 'endpoint.Id', alias: 'v' }] })).toEqual([
        ['2026-11-16T00:00:00Z', 3],
      ]);
    });

    test('long values sort by all their characters', async () => {
      const sorted = await rows({ eventType: 'longsort', groupBy: [{ field: 'attributes.url' }], sort: [{ field: 'attributes.url', ascending: false }] });
      expect(sorted.map((r) => String(r[0]).slice(-1))).toEqual(['B', 'A']);
    });

    test('a document deeper than MariaDB JSON functions go is stored and counted', async () => {
      expect(await rows({ eventType: 'deep' })).toEqual([[1]]);
    });
  });

  describe('scope, auth and hooks', () => {
    test('only the configured site is queried', async () => {
      const q = parseQuery({ eventType: 'pageView', timeRange: ALL, aggregations: COUNT });
      expect((await runQuery(s.host.store.db, q, { site: '2' })).rows).toEqual([{ values: [1] }]);
      expect((await runQuery(s.host.store.db, q, { site: '3' })).rows).toEqual([{ values: [0] }]);
    });

    test('401 without or with wrong credentials, 403 without the capability', async () => {
      const body = { eventType: 'pageView', timeRange: ALL, aggregations: COUNT };
      expect((await post(body, null)).status).toBe(401);
      expect((await post(body, 'Basic ' + Buffer.from('admin:wrongwrongwrongwrongwron').toString('base64'))).status).toBe(401);
      const res = await post(body, subscriber);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'rest_forbidden', data: { status: 403 } });
    });

    test('altis.analytics.query_capability decides who may query', async () => {
      const body = { eventType: 'pageView', timeRange: ALL, aggregations: COUNT };
      const cap = () => 'read';
      s.hooks.add_filter('altis.analytics.query_capability', cap);
      try {
        expect((await post(body, subscriber)).status).toBe(200);
      } finally {
        s.hooks.remove_filter('altis.analytics.query_capability', cap);
      }
      expect((await post(body, subscriber)).status).toBe(403);
    });

    test('altis.analytics.query.request sees the validated query and may narrow it; its result is validated again', async () => {
      let seen: unknown;
      let context: unknown;
      const narrow = (q: AnalyticsQuery, ctx: unknown): AnalyticsQuery => {
        seen = q;
        context = ctx;
        return { ...q, filters: [...q.filters, { field: 'endpoint.Location.Country', op: 'EQ', value: 'GB' }] };
      };
      s.hooks.add_filter('altis.analytics.query.request', narrow, 10, 2);
      try {
        expect(await rows({ timeRange: { from: '2026-10-01', to: '2026-11-30' } })).toEqual([[3]]);
      } finally {
        s.hooks.remove_filter('altis.analytics.query.request', narrow);
      }
      expect(seen).toEqual({
        eventType: 'pageView',
        timeRange: { from: '2026-10-01T00:00:00.000Z', to: '2026-11-30T23:59:59.999Z' },
        granularity: 'NONE',
        filters: [],
        groupBy: [],
        aggregations: [{ function: 'COUNT', alias: 'events' }],
        sort: [],
        limit: 1000,
      });
      expect(context).toEqual({ site: '1', user: expect.objectContaining({ login: 'admin', role: 'administrator' }) });

      const breaks = (q: AnalyticsQuery) => ({ ...q, groupBy: [{ field: "x'; DROP TABLE ah_events;--" }] });
      s.hooks.add_filter('altis.analytics.query.request', breaks);
      try {
        const res = await post({ eventType: 'pageView', timeRange: ALL, aggregations: COUNT });
        expect(res.status).toBe(400);
        expect(((await res.json()) as ErrorBody).data.params).toHaveProperty(['groupBy[0].field']);
      } finally {
        s.hooks.remove_filter('altis.analytics.query.request', breaks);
      }
    });
  });

  describe('bad input: 400 rest_invalid_param naming the field', () => {
    const base = { eventType: 'pageView', timeRange: ALL, aggregations: COUNT };
    const cases: [string, unknown, string][] = [
      ['missing timeRange', { eventType: 'pageView', aggregations: COUNT }, 'timeRange'],
      ['missing timeRange.to', { ...base, timeRange: { from: '2026-11-01' } }, 'timeRange.to'],
      ['a from that is no date', { ...base, timeRange: { from: 'yesterday', to: '2026-11-01' } }, 'timeRange.from'],
      ['an impossible date', { ...base, timeRange: { from: '2026-02-30', to: '2026-03-01' } }, 'timeRange.from'],
      ['to before from', { ...base, timeRange: { from: '2026-11-02', to: '2026-11-01' } }, 'timeRange.to'],
      ['missing aggregations', { eventType: 'pageView', timeRange: ALL }, 'aggregations'],
      ['no aggregation', { ...base, aggregations: [] }, 'aggregations'],
      ['missing eventType', { timeRange: ALL, aggregations: COUNT }, 'eventType'],
      ['unknown granularity', { ...base, granularity: 'YEAR' }, 'granularity'],
      ['unknown aggregation function', { ...base, aggregations: [COUNT[0], { function: 'MEDIAN', field: 'metrics.scrollDepth', alias: 'm' }] }, 'aggregations[1].function'],
      ['SUM without a field', { ...base, aggregations: [{ function: 'SUM', alias: 's' }] }, 'aggregations[0].field'],
      ['SUM of a string column', { ...base, aggregations: [{ function: 'SUM', field: 'event_type', alias: 's' }] }, 'aggregations[0].field'],
      ['an alias that is no name', { ...base, aggregations: [{ function: 'COUNT', alias: 'a b' }] }, 'aggregations[0].alias'],
      ['a repeated alias', { ...base, aggregations: [COUNT[0], COUNT[0]] }, 'aggregations[1].alias'],
      ['unknown filter op', { ...base, filters: [{ field: 'attributes.url', op: 'LIKE', value: '/a' }] }, 'filters[0].op'],
      ['injection in a groupBy path', { ...base, groupBy: [{ field: "attributes.url'; DROP TABLE x;--" }] }, 'groupBy[0].field'],
      ['injection in a filter path', { ...base, filters: [{ field: "attributes.url'; DROP TABLE x;--", op: 'EQ', value: 'x' }] }, 'filters[0].field'],
      ['a JSON path syntax as field', { ...base, groupBy: [{ field: '$.attributes.url' }] }, 'groupBy[0].field'],
      ['a path too deep', { ...base, groupBy: [{ field: 'a.b.c.d.e.f.g.h.i' }] }, 'groupBy[0].field'],
      ['sort on an unknown alias', { ...base, sort: [{ field: 'nope', ascending: true }] }, 'sort[0].field'],
      ['sort on time_bucket without granularity', { ...base, sort: [{ field: 'time_bucket', ascending: true }] }, 'sort[0].field'],
      ['IN without an array', { ...base, filters: [{ field: 'attributes.url', op: 'IN', value: '/a' }] }, 'filters[0].value'],
      ['IN with an empty array', { ...base, filters: [{ field: 'attributes.url', op: 'IN', value: [] }] }, 'filters[0].value'],
      ['GT with a boolean', { ...base, filters: [{ field: 'metrics.scrollDepth', op: 'GT', value: true }] }, 'filters[0].value'],
      ['a string for event_timestamp', { ...base, filters: [{ field: 'event_timestamp', op: 'GT', value: '2026' }] }, 'filters[0].value'],
      ['limit 0', { ...base, limit: 0 }, 'limit'],
      ['limit 10001', { ...base, limit: 10001 }, 'limit'],
      ['limit 1.5', { ...base, limit: 1.5 }, 'limit'],
      ['an unknown property', { ...base, filter: [] }, 'filter'],
      ['a body that is not an object', [base], 'body'],
    ];
    test.each(cases)('%s', async (_name, body, param) => {
      const res = await post(body);
      const json = (await res.json()) as ErrorBody;
      expect(res.status).toBe(400);
      expect(json.code).toBe('rest_invalid_param');
      expect(json.data.status).toBe(400);
      expect(Object.keys(json.data.params)).toEqual([param]);
      expect(json.message).toContain(param);
    });

    test('a body that is not JSON', async () => {
      const res = await post('{"eventType": "pageView",', admin, true);
      expect(res.status).toBe(400);
      const json = (await res.json()) as ErrorBody;
      expect(json.code).toBe('rest_invalid_param');
      expect(Object.keys(json.data.params)).toEqual(['body']);
    });

    test('the events table is untouched after the injection attempts', async () => {
      expect(await rows({})).toEqual([[7]]);
    });
  });
});
