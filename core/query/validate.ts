import { fieldProblem, resolveField } from './fields';
import {
  AGGREGATION_FUNCTIONS,
  DEFAULT_LIMIT,
  FILTER_OPS,
  GRANULARITIES,
  MAX_LIMIT,
  TIME_BUCKET,
  type AggregationFunction,
  type AnalyticsQuery,
  type FilterOp,
  type FilterScalar,
  type Granularity,
  type QueryAggregation,
  type QueryFilter,
  type QueryGroupBy,
  type QuerySort,
} from './types';

/** A bad request: `param` names the offending field as in the body (`aggregations[1].function`). */
export class QueryValidationError extends Error {
  constructor(
    readonly param: string,
    readonly reason: string,
  ) {
    super(`${param} ${reason}`);
    this.name = 'QueryValidationError';
  }
}

export const MAX_EVENT_TYPE_LENGTH = 255;
export const MAX_FILTERS = 20;
export const MAX_GROUP_BY = 5;
export const MAX_AGGREGATIONS = 20;
export const MAX_IN_VALUES = 1000;
export const MAX_STRING_VALUE_LENGTH = 2048;
export const ALIAS_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(param: string, reason: string): never {
  throw new QueryValidationError(param, reason);
}

function expectObject(value: unknown, param: string, allowed: readonly string[]): Obj {
  if (!isObj(value)) fail(param, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(param === 'body' ? key : `${param}.${key}`, `is not a known property (known: ${allowed.join(', ')})`);
  }
  return value;
}

function expectArray(value: unknown, param: string, max: number): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(param, 'must be an array');
  if (value.length > max) fail(param, `must hold at most ${max} entries`);
  return value;
}

function oneOf<T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(param, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function checkField(value: unknown, param: string): string {
  const problem = fieldProblem(value);
  if (problem) fail(param, problem);
  return value as string;
}

// ---------------------------------------------------------------------------------------
// Time range

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * An ISO 8601 date or date-time → [first ms, last ms] of the unit it was written in:
 * `2026-04-30` is the whole UTC day, `…T23:59Z` the whole minute, `…T23:59:59Z` the whole
 * second, `…T23:59:59.5Z` 100 ms. A date-time without an offset is UTC. Null if invalid.
 */
export function parseIsoInstant(value: string): [number, number] | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps the years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  let ms = date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
  let unit: number;
  if (h === undefined) unit = 86_400_000;
  else if (s === undefined) unit = 60_000;
  else if (frac === undefined) unit = 1000;
  else {
    ms += Number((frac + '00').slice(0, 3));
    unit = frac.length >= 3 ? 1 : 10 ** (3 - frac.length);
  }
  if (zone && zone.toUpperCase() !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offH = Number(zm[2]);
    const offM = zm[3] === undefined ? 0 : Number(zm[3]);
    if (offH > 23 || offM > 59) return null;
    ms -= (zm[1] === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  }
  if (!Number.isFinite(ms)) return null;
  return [ms, ms + unit - 1];
}

function parseTimeRange(value: unknown): { from: number; to: number } {
  if (value === undefined || value === null) fail('timeRange', 'is required: { "from": ISO 8601, "to": ISO 8601 }');
  const obj = expectObject(value, 'timeRange', ['from', 'to']);
  const bound = (key: 'from' | 'to'): [number, number] => {
    const raw = obj[key];
    if (raw === undefined || raw === null) fail(`timeRange.${key}`, 'is required (ISO 8601, e.g. 2026-04-01T00:00:00Z)');
    const parsed = typeof raw === 'string' ? parseIsoInstant(raw) : null;
    if (!parsed) fail(`timeRange.${key}`, 'must be an ISO 8601 date or date-time (e.g. 2026-04-30 or 2026-04-30T23:59:59Z)');
    return parsed;
  };
  const from = bound('from')[0];
  const to = bound('to')[1];
  if (from > to) fail('timeRange.to', 'must not be before timeRange.from');
  return { from, to };
}

// ---------------------------------------------------------------------------------------
// Filters

function scalar(value: unknown, param: string): FilterScalar {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(param, 'must be a finite number');
    return value;
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_VALUE_LENGTH) fail(param, `must be at most ${MAX_STRING_VALUE_LENGTH} characters`);
    return value;
  }
  fail(param, 'must be a string, a number, a boolean or null');
}

function parseFilter(raw: unknown, i: number): QueryFilter {
  const p = `filters[${i}]`;
  const obj = expectObject(raw, p, ['field', 'op', 'value']);
  const field = checkField(obj.field, `${p}.field`);
  const op = oneOf<FilterOp>(obj.op, `${p}.op`, FILTER_OPS);
  if (!('value' in obj)) fail(`${p}.value`, 'is required');
  const ref = resolveField(field);
  const allowedFor = (v: FilterScalar, param: string): void => {
    if (ref.kind !== 'column') return;
    if (v === null) {
      if (!ref.nullable) fail(param, `cannot be null: ${field} is always set`);
      return;
    }
    const want = ref.type === 'NUMBER' ? 'number' : 'string';
    if (typeof v !== want) fail(param, `must be a ${want} for ${field}`);
  };
  if (op === 'IN' || op === 'NOT_IN') {
    if (!Array.isArray(obj.value)) fail(`${p}.value`, `must be an array for ${op}`);
    if (obj.value.length === 0) fail(`${p}.value`, 'must hold at least one value');
    if (obj.value.length > MAX_IN_VALUES) fail(`${p}.value`, `must hold at most ${MAX_IN_VALUES} values`);
    const values = obj.value.map((v, j) => {
      const s = scalar(v, `${p}.value[${j}]`);
      allowedFor(s, `${p}.value[${j}]`);
      return s;
    });
    return { field, op, value: values };
  }
  if (Array.isArray(obj.value)) fail(`${p}.value`, `must be a single value for ${op} (use IN for a list)`);
  const value = scalar(obj.value, `${p}.value`);
  if (op !== 'EQ' && op !== 'NEQ' && typeof value !== 'number' && typeof value !== 'string') {
    fail(`${p}.value`, `must be a number or a string for ${op}`);
  }
  allowedFor(value, `${p}.value`);
  return { field, op, value };
}

// ---------------------------------------------------------------------------------------
// Aggregations, groups, sort

function parseAggregation(raw: unknown, i: number): QueryAggregation {
  const p = `aggregations[${i}]`;
  const obj = expectObject(raw, p, ['function', 'field', 'alias']);
  const fn = oneOf<AggregationFunction>(obj.function, `${p}.function`, AGGREGATION_FUNCTIONS);
  let field: string | undefined;
  if (obj.field !== undefined && obj.field !== null) field = checkField(obj.field, `${p}.field`);
  if (fn !== 'COUNT') {
    if (field === undefined) fail(`${p}.field`, `is required for ${fn}`);
    const ref = resolveField(field);
    if (ref.kind === 'column' && ref.type !== 'NUMBER') fail(`${p}.field`, `${fn} needs a numeric field; ${field} holds strings`);
  }
  if (typeof obj.alias !== 'string' || !ALIAS_PATTERN.test(obj.alias)) {
    fail(`${p}.alias`, 'is required: a name of letters, digits and "_" starting with a letter or "_" (at most 64 characters)');
  }
  return field === undefined ? { function: fn, alias: obj.alias } : { function: fn, field, alias: obj.alias };
}

function parseLimit(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    fail('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return value;
}

/**
 * A request body → a validated query, or a `QueryValidationError` naming the first bad
 * field. Idempotent: a validated query passes again unchanged (used after the
 * `altis.analytics.query.request` filter, which may rewrite the query).
 */
export function parseQuery(body: unknown): AnalyticsQuery {
  const obj = expectObject(body, 'body', ['eventType', 'timeRange', 'granularity', 'filters', 'groupBy', 'aggregations', 'sort', 'limit']);

  if (obj.eventType === undefined || obj.eventType === null) fail('eventType', 'is required (the event_type to query, e.g. pageView)');
  if (typeof obj.eventType !== 'string' || obj.eventType.length === 0 || obj.eventType.length > MAX_EVENT_TYPE_LENGTH) {
    fail('eventType', `must be a non-empty string of at most ${MAX_EVENT_TYPE_LENGTH} characters`);
  }
  const eventType = obj.eventType;
  const range = parseTimeRange(obj.timeRange);
  const granularity: Granularity = obj.granularity === undefined || obj.granularity === null ? 'NONE' : oneOf(obj.granularity, 'granularity', GRANULARITIES);

  const filters = expectArray(obj.filters, 'filters', MAX_FILTERS).map(parseFilter);

  const groupBy: QueryGroupBy[] = expectArray(obj.groupBy, 'groupBy', MAX_GROUP_BY).map((raw, i) => {
    const g = expectObject(raw, `groupBy[${i}]`, ['field']);
    const field = checkField(g.field, `groupBy[${i}].field`);
    if (field === TIME_BUCKET) fail(`groupBy[${i}].field`, `"${TIME_BUCKET}" is reserved: set granularity to bucket by time`);
    return { field };
  });
  const groupNames = new Set<string>();
  groupBy.forEach((g, i) => {
    if (groupNames.has(g.field)) fail(`groupBy[${i}].field`, `repeats ${g.field}`);
    groupNames.add(g.field);
  });

  if (obj.aggregations === undefined || obj.aggregations === null) fail('aggregations', 'is required: at least one { "function", "alias" }');
  const aggregations = expectArray(obj.aggregations, 'aggregations', MAX_AGGREGATIONS).map(parseAggregation);
  if (aggregations.length === 0) fail('aggregations', 'must hold at least one aggregation');
  const aliases = new Set<string>();
  aggregations.forEach((a, i) => {
    if (a.alias === TIME_BUCKET) fail(`aggregations[${i}].alias`, `"${TIME_BUCKET}" is reserved`);
    if (groupNames.has(a.alias)) fail(`aggregations[${i}].alias`, `is also a groupBy field: column names must be unique`);
    if (aliases.has(a.alias)) fail(`aggregations[${i}].alias`, `repeats ${a.alias}`);
    aliases.add(a.alias);
  });

  const sortSeen = new Set<string>();
  const sort: QuerySort[] = expectArray(obj.sort, 'sort', MAX_GROUP_BY + MAX_AGGREGATIONS + 1).map((raw, i) => {
    const s = expectObject(raw, `sort[${i}]`, ['field', 'ascending']);
    if (typeof s.field !== 'string' || s.field.length === 0) fail(`sort[${i}].field`, 'is required: a groupBy field, an aggregation alias or time_bucket');
    const known = groupNames.has(s.field) || aliases.has(s.field) || (s.field === TIME_BUCKET && granularity !== 'NONE');
    if (!known) fail(`sort[${i}].field`, `"${s.field.slice(0, 100)}" is neither a groupBy field nor an aggregation alias${granularity !== 'NONE' ? ' nor time_bucket' : ''}`);
    if (sortSeen.has(s.field)) fail(`sort[${i}].field`, `repeats ${s.field}`);
    sortSeen.add(s.field);
    if (s.ascending !== undefined && s.ascending !== null && typeof s.ascending !== 'boolean') fail(`sort[${i}].ascending`, 'must be true or false');
    return { field: s.field, ascending: s.ascending !== false };
  });

  return {
    eventType,
    timeRange: { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() },
    granularity,
    filters,
    groupBy,
    aggregations,
    sort,
    limit: parseLimit(obj.limit),
  };
}
