import { buildQuery, parseIsoInstant, parseQuery } from '../../core/query';

const base = { eventType: 'pageView', timeRange: { from: '2026-11-16', to: '2026-11-16' }, aggregations: [{ function: 'COUNT', alias: 'n' }] };

describe('query validation and SQL (no database)', () => {
  test('ISO 8601 bounds cover the unit they are written in', () => {
    const day = Date.UTC(2026, 10, 16);
    expect(parseIsoInstant('2026-11-16')).toEqual([day, day + 86_400_000 - 1]);
    expect(parseIsoInstant('2026-11-16T10:15Z')).toEqual([day + 36_900_000, day + 36_960_000 - 1]);
    expect(parseIsoInstant('2026-11-16T10:15:30')).toEqual([day + 36_930_000, day + 36_931_000 - 1]);
    expect(parseIsoInstant('2026-11-16T10:15:30.5Z')).toEqual([day + 36_930_500, day + 36_930_599]);
    expect(parseIsoInstant('2026-11-16T10:15:30.123456Z')).toEqual([day + 36_930_123, day + 36_930_123]);
    expect(parseIsoInstant('2026-11-16T11:15:30+01:00')![0]).toBe(day + 36_930_000);
    expect(parseIsoInstant('2026-11-16T05:15:30-0500')![0]).toBe(day + 36_930_000);
    for (const bad of ['2026-02-30', '2026-11-16T24:00Z', '2026-11-16 10:00', '16/11/2026', '2026-11-16T10:00+25:00', '']) expect(parseIsoInstant(bad)).toBeNull();
  });

  test('a validated query validates again to itself', () => {
    const q = parseQuery({ ...base, granularity: 'WEEK', groupBy: [{ field: 'attributes.url' }], sort: [{ field: 'n' }], filters: [{ field: 'a.b', op: 'IN', value: [1, 'x', true, null] }] });
    expect(parseQuery(JSON.parse(JSON.stringify(q)))).toEqual(q);
    expect(q.sort).toEqual([{ field: 'n', ascending: true }]);
  });

  test('paths reach SQL only as parameters', () => {
    const q = parseQuery({ ...base, groupBy: [{ field: 'endpoint.Location.Country' }], filters: [{ field: 'attributes.my-field', op: 'EQ', value: "it's" }] });
    for (const dialect of ['sqlite', 'mysql'] as const) {
      const b = buildQuery(q, { dialect, site: '1' });
      expect(b.sql).not.toMatch(/Country|my-field|it's/);
      expect(b.params).toEqual(expect.arrayContaining(['$."endpoint"."Location"."Country"', '$."attributes"."my-field"', "it's"]));
      expect((b.sql.match(/\?/g) ?? []).length).toBe(b.params.length);
    }
  });

  test('MariaDB reads the indexed copy of attributes.url and endpoint.Id, and probes for cut rows', () => {
    const q = parseQuery({ ...base, groupBy: [{ field: 'attributes.url' }], aggregations: [{ function: 'COUNT', field: 'endpoint.Id', alias: 'v' }] });
    const fast = buildQuery(q, { dialect: 'mysql', site: '1' });
    expect(fast.sql).toContain('q_url');
    expect(fast.sql).toContain('q_endpoint_id');
    expect(fast.sql).not.toContain('JSON_EXTRACT');
    expect(fast.cutProbe?.params).toEqual(['1', 'pageView', Date.UTC(2026, 10, 16), Date.UTC(2026, 10, 17) - 1]);
    const slow = buildQuery(q, { dialect: 'mysql', site: '1', knownColumns: false });
    expect(slow.sql).not.toContain('q_url');
    expect(slow.cutProbe).toBeUndefined();
    expect(buildQuery(q, { dialect: 'sqlite', site: '1' }).sql).not.toContain('q_url');
  });
});
