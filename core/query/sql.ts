/**
 * A validated query → one SELECT per dialect, computed entirely in the database: JSON
 * functions pick values out of the documents, GROUP BY aggregates, ORDER BY / LIMIT trim.
 * Field paths are bound parameters; aliases never reach SQL (columns are named t, g0…,
 * a0…). Typing rules (README "Query API"):
 *
 * - A dimension (groupBy) is the value's JSON text (`"GB"`, `12.5`, `true`), so both
 *   engines group the same way; JSON null and a missing field are one group (null).
 * - Numeric use (SUM/AVG/MIN/MAX, a number in a filter) takes JSON numbers only.
 * - A string in a filter matches JSON strings only, compared by code point, no padding.
 */
import type { DialectName, SqlValue } from '../db/types';
import { resolveField, type FieldRef } from './fields';
import { TIME_BUCKET, type AnalyticsQuery, type FilterScalar, type Granularity, type QueryFilter } from './types';

export const QUERY_INDEX = 'ah_events_query';

/**
 * MariaDB only: virtual columns holding the JSON text of hot paths, in the covering index
 * `ah_events_query (site, event_type, ts, q_url, q_endpoint_id)` (migration 0002). Index
 * keys are bounded, so each holds the text cut to `max + 1` characters: longer means cut,
 * and a query whose range holds such a row reads the documents instead (see `cutProbe`).
 */
export const KNOWN_COLUMNS: Readonly<Record<string, { column: string; max: number }>> = {
  'attributes.url': { column: 'q_url', max: 300 },
  'endpoint.Id': { column: 'q_endpoint_id', max: 128 },
};

export interface BuildOptions {
  dialect: DialectName;
  site: string;
  /** Use the MariaDB virtual columns for known paths (default true). False: documents only. */
  knownColumns?: boolean;
}

/** How the answer decodes one selected column. */
export type SelectedColumn =
  | { kind: 'time'; key: 't' }
  | { kind: 'dimension'; key: string; field: string; json: boolean; columnType?: 'STRING' | 'NUMBER' }
  | { kind: 'metric'; key: string; alias: string };

export interface BuiltQuery {
  sql: string;
  params: SqlValue[];
  columns: SelectedColumn[];
  /**
   * Set when the SQL reads MariaDB's indexed copies of hot paths: a query that finds a row
   * whose copy was cut in the range (rare: a URL over 300 characters) — then run the query
   * built with `knownColumns: false` instead.
   */
  cutProbe?: { sql: string; params: SqlValue[] };
}

class Sql {
  readonly parts: string[] = [];
  readonly params: SqlValue[] = [];
  add(text: string, ...params: SqlValue[]): this {
    this.parts.push(text);
    this.params.push(...params);
    return this;
  }
}

/** A fragment with its parameters, in textual order. */
interface Frag {
  sql: string;
  params: SqlValue[];
}
const frag = (sql: string, ...params: SqlValue[]): Frag => ({ sql, params });

const DIGIT_START = `('-','0','1','2','3','4','5','6','7','8','9')`;
const MONDAY_1970_01_05 = 4 * 86_400_000;
const BUCKET_MS: Partial<Record<Granularity, number>> = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

class Expressions {
  private readonly my: boolean;
  constructor(
    dialect: DialectName,
    private readonly known: boolean,
  ) {
    this.my = dialect === 'mysql';
  }

  /** The `t` column: start of the UTC bucket in ms. */
  timeBucket(g: Granularity): string {
    const ms = BUCKET_MS[g];
    if (ms) return `ts - ts % ${ms}`;
    if (g === 'WEEK') return `ts - (ts - ${MONDAY_1970_01_05}) % ${7 * 86_400_000}`;
    // MONTH: the day number minus (day of month - 1), in days → ms. No time zone involved.
    if (this.my) return `(ts DIV 86400000 - DAYOFMONTH(FROM_DAYS(719528 + ts DIV 86400000)) + 1) * 86400000`;
    return `(ts / 86400000 - CAST(strftime('%d', ts / 1000, 'unixepoch') AS INTEGER) + 1) * 86400000`;
  }

  knownColumn(ref: FieldRef): { column: string; max: number } | undefined {
    if (!this.my || !this.known || ref.kind !== 'json') return undefined;
    return KNOWN_COLUMNS[ref.field];
  }

  /** JSON text of the value (null for missing / JSON null), or the column. */
  dimension(ref: FieldRef): Frag {
    if (ref.kind === 'column') return frag(ref.column);
    const known = this.knownColumn(ref);
    if (known) return frag(`NULLIF(${known.column}, 'null')`);
    return this.my ? frag(`NULLIF(JSON_EXTRACT(doc, ?), 'null')`, ref.jsonPath) : frag(`NULLIF(doc -> ?, 'null')`, ref.jsonPath);
  }

  /** The value if it is a JSON number, else NULL. */
  numeric(ref: FieldRef): Frag {
    if (ref.kind === 'column') return frag(ref.column);
    const p = ref.jsonPath;
    if (this.my) return frag(`(CASE WHEN JSON_TYPE(JSON_EXTRACT(doc, ?)) IN ('INTEGER','DOUBLE') THEN CAST(JSON_VALUE(doc, ?) AS DOUBLE) END)`, p, p);
    return frag(`(CASE WHEN json_type(doc, ?) IN ('integer','real') THEN json_extract(doc, ?) END)`, p, p);
  }

  /** The value if it is a JSON string, else NULL; compared without trailing-space padding. */
  text(ref: FieldRef): Frag {
    if (ref.kind === 'column') return frag(this.my ? `${ref.column} COLLATE utf8mb4_nopad_bin` : ref.column);
    const p = ref.jsonPath;
    if (this.my) return frag(`(CASE WHEN JSON_TYPE(JSON_EXTRACT(doc, ?)) = 'STRING' THEN JSON_VALUE(doc, ?) END) COLLATE utf8mb4_nopad_bin`, p, p);
    return frag(`(CASE WHEN json_type(doc, ?) = 'text' THEN json_extract(doc, ?) END)`, p, p);
  }

  /** True when the value is missing or JSON null. */
  isNull(ref: FieldRef): Frag {
    if (ref.kind === 'column') return frag(`${ref.column} IS NULL`);
    if (this.my) return frag(`COALESCE(JSON_EXTRACT(doc, ?), 'null') = 'null'`, ref.jsonPath);
    return frag(`COALESCE(json_type(doc, ?), 'null') = 'null'`, ref.jsonPath);
  }

  isBoolean(ref: FieldRef, value: boolean): Frag {
    if (ref.kind === 'column') return frag('0 = 1');
    const word = value ? 'true' : 'false';
    if (this.my) return frag(`JSON_EXTRACT(doc, ?) = '${word}'`, ref.jsonPath);
    return frag(`json_type(doc, ?) = '${word}'`, ref.jsonPath);
  }

  /** `x IN (…)` for one value type; booleans and null become their own tests. */
  inList(ref: FieldRef, values: readonly FilterScalar[]): Frag {
    const terms: Frag[] = [];
    const strings = values.filter((v): v is string => typeof v === 'string');
    const numbers = values.filter((v): v is number => typeof v === 'number');
    const list = (n: number) => new Array<string>(n).fill('?').join(', ');
    if (strings.length > 0) {
      const t = this.text(ref);
      terms.push(frag(`${t.sql} IN (${list(strings.length)})`, ...t.params, ...strings));
    }
    if (numbers.length > 0) {
      const n = this.numeric(ref);
      terms.push(frag(`${n.sql} IN (${list(numbers.length)})`, ...n.params, ...numbers));
    }
    for (const b of [true, false]) if (values.includes(b)) terms.push(this.isBoolean(ref, b));
    if (values.includes(null)) terms.push(this.isNull(ref));
    return join(terms, ' OR ', true);
  }

  filter(f: QueryFilter): Frag {
    const ref = resolveField(f.field);
    const not = (x: Frag): Frag => frag(`(${x.sql}) IS NOT TRUE`, ...x.params);
    switch (f.op) {
      case 'IN':
        return this.inList(ref, f.value as FilterScalar[]);
      case 'NOT_IN':
        return not(this.inList(ref, f.value as FilterScalar[]));
      case 'EQ':
        return this.inList(ref, [f.value as FilterScalar]);
      case 'NEQ':
        return not(this.inList(ref, [f.value as FilterScalar]));
      default: {
        const op = { GT: '>', GTE: '>=', LT: '<', LTE: '<=' }[f.op];
        const x = typeof f.value === 'number' ? this.numeric(ref) : this.text(ref);
        return frag(`${x.sql} ${op} ?`, ...x.params, f.value as SqlValue);
      }
    }
  }

  /** Sort terms for a selected key; JSON texts sort numbers by value after every other value. */
  order(key: string, json: boolean, ascending: boolean): string[] {
    const dir = ascending ? 'ASC' : 'DESC';
    if (!json) return [`${key} ${dir}`];
    const num = this.my
      ? `CASE WHEN LEFT(${key}, 1) IN ${DIGIT_START} THEN CAST(${key} AS DOUBLE) END`
      : `CASE WHEN substr(${key}, 1, 1) IN ${DIGIT_START} THEN CAST(${key} AS REAL) END`;
    return [`${num} ${dir}`, `${key} ${dir}`];
  }
}

function join(frags: readonly Frag[], sep: string, parens = false): Frag {
  if (frags.length === 1) return frags[0];
  const sql = frags.map((f) => f.sql).join(sep);
  return { sql: parens ? `(${sql})` : sql, params: frags.flatMap((f) => f.params) };
}

/** A validated query → its SQL for one dialect, over the site's events. */
export function buildQuery(query: AnalyticsQuery, options: BuildOptions): BuiltQuery {
  const x = new Expressions(options.dialect, options.knownColumns !== false);
  const my = options.dialect === 'mysql';
  const columns: SelectedColumn[] = [];
  const select: Frag[] = [];
  const groupKeys: { key: string; json: boolean }[] = [];
  const knownUsed = new Set<string>();
  const noteKnown = (ref: FieldRef) => {
    const k = x.knownColumn(ref);
    if (k) knownUsed.add(k.column);
  };

  if (query.granularity !== 'NONE') {
    select.push(frag(`${x.timeBucket(query.granularity)} AS t`));
    columns.push({ kind: 'time', key: 't' });
    groupKeys.push({ key: 't', json: false });
  }
  const groupKeyOf = new Map<string, { key: string; json: boolean }>();
  query.groupBy.forEach((g, i) => {
    const ref = resolveField(g.field);
    noteKnown(ref);
    const d = x.dimension(ref);
    const key = `g${i}`;
    select.push(frag(`${d.sql} AS ${key}`, ...d.params));
    const json = ref.kind === 'json';
    columns.push(ref.kind === 'column' ? { kind: 'dimension', key, field: g.field, json, columnType: ref.type } : { kind: 'dimension', key, field: g.field, json });
    groupKeys.push({ key, json });
    groupKeyOf.set(g.field, { key, json });
  });
  const aliasKey = new Map<string, string>();
  query.aggregations.forEach((a, i) => {
    const key = `a${i}`;
    let e: Frag;
    if (a.function === 'COUNT') {
      if (a.field === undefined) e = frag('COUNT(*)');
      else {
        const ref = resolveField(a.field);
        noteKnown(ref);
        const d = x.dimension(ref);
        e = frag(`COUNT(DISTINCT ${d.sql})`, ...d.params);
      }
    } else {
      const n = x.numeric(resolveField(a.field!));
      e = frag(`${a.function}(${n.sql})`, ...n.params);
    }
    select.push(frag(`${e.sql} AS ${key}`, ...e.params));
    columns.push({ kind: 'metric', key, alias: a.alias });
    aliasKey.set(a.alias, key);
  });

  const where: Frag[] = [frag('site = ?', options.site), frag('event_type = ?', query.eventType)];
  // MariaDB's utf8mb4_bin pads trailing spaces: `event_type = ?` is kept for the index, the
  // no-pad comparison makes it exact.
  if (my) where.push(frag('event_type COLLATE utf8mb4_nopad_bin = ?', query.eventType));
  where.push(frag('ts >= ?', Date.parse(query.timeRange.from)), frag('ts <= ?', Date.parse(query.timeRange.to)));
  for (const f of query.filters) where.push(x.filter(f));

  const order: string[] = [];
  const used = new Set<string>();
  for (const s of query.sort) {
    if (s.field === TIME_BUCKET) {
      order.push(...x.order('t', false, s.ascending));
      used.add('t');
    } else if (groupKeyOf.has(s.field)) {
      const g = groupKeyOf.get(s.field)!;
      order.push(...x.order(g.key, g.json, s.ascending));
      used.add(g.key);
    } else {
      order.push(...x.order(aliasKey.get(s.field)!, false, s.ascending));
    }
  }
  // Ties (and no sort at all) resolve by the groups, ascending: the same rows on both engines.
  for (const g of groupKeys) if (!used.has(g.key)) order.push(...x.order(g.key, g.json, true));

  const q = new Sql();
  const selectList = join(select, ', ');
  // Sorting rows wider than max_length_for_sort_data (1024) makes MariaDB sort row ids and
  // re-read every row from the table (a COUNT DISTINCT over a week: 120 s instead of 3 s);
  // max_sort_length: MariaDB orders texts by their first 1024 bytes only.
  q.add(my ? 'SET STATEMENT max_length_for_sort_data = 8192, max_sort_length = 65536 FOR SELECT ' : 'SELECT ');
  q.add(selectList.sql, ...selectList.params);
  // MariaDB's optimizer prefers `ref` on site alone (the whole history) over this range.
  q.add(` FROM ah_events ${my ? `FORCE INDEX (${QUERY_INDEX})` : `INDEXED BY ${QUERY_INDEX}`} WHERE `);
  const w = join(where, ' AND ');
  q.add(w.sql, ...w.params);
  if (groupKeys.length > 0) q.add(` GROUP BY ${groupKeys.map((g) => g.key).join(', ')}`);
  if (order.length > 0) q.add(` ORDER BY ${order.join(', ')}`);
  q.add(` LIMIT ${query.limit}`);
  const range = [options.site, query.eventType, Date.parse(query.timeRange.from), Date.parse(query.timeRange.to)];
  const cutProbe =
    knownUsed.size > 0
      ? { sql: 'SELECT 1 AS cut FROM ah_events FORCE INDEX (ah_events_query_cut) WHERE q_cut = 1 AND site = ? AND event_type = ? AND ts >= ? AND ts <= ? LIMIT 1', params: range }
      : undefined;
  return { sql: q.parts.join(''), params: q.params, columns, cutProbe };
}
