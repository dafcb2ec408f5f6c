/**
 * The query API's request and answer (issue 8 §4, after the Altafid analytics query API).
 * A request is validated into an `AnalyticsQuery` (defaults filled in, time range resolved
 * to inclusive millisecond bounds) before any SQL is built from it.
 */
import type { AggregationFunction, FilterOp, Granularity } from '../../hooks/hook-map';

// The query's own types are the hook map's (hooks/ imports nothing of ours): the validated
// query is what plugins filter through `altis.analytics.query.request`.
export type {
  AggregationFunction,
  AnalyticsQuery,
  FilterOp,
  FilterScalar,
  Granularity,
  QueryAggregation,
  QueryFilter,
  QueryGroupBy,
  QuerySort,
} from '../../hooks/hook-map';

export const GRANULARITIES = ['NONE', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH'] as const satisfies readonly Granularity[];
export const FILTER_OPS = ['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE', 'IN', 'NOT_IN'] as const satisfies readonly FilterOp[];
export const AGGREGATION_FUNCTIONS = ['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'] as const satisfies readonly AggregationFunction[];

/** `satisfies` refuses a value outside its union; this refuses a member of the union left out of its list. */
type NoneMissing<T extends never> = T;
export type QueryListsComplete = NoneMissing<
  | Exclude<Granularity, (typeof GRANULARITIES)[number]>
  | Exclude<FilterOp, (typeof FILTER_OPS)[number]>
  | Exclude<AggregationFunction, (typeof AGGREGATION_FUNCTIONS)[number]>
>;

export type ColumnType = 'STRING' | 'NUMBER' | 'BOOLEAN' | 'TIMESTAMP';
export type ColumnRole = 'TIME' | 'DIMENSION' | 'METRIC';

export interface QueryColumn {
  name: string;
  label: string;
  type: ColumnType;
  role: ColumnRole;
  /** True on the first aggregation only. */
  primary: boolean;
}

export type QueryCell = string | number | boolean | null;

export interface QueryAnswer {
  columns: QueryColumn[];
  rows: { values: QueryCell[] }[];
  /** When the query ran, ISO 8601 UTC. */
  generatedAt: string;
  stats: { rowCount: number; queryTimeMs: number };
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10_000;
export const TIME_BUCKET = 'time_bucket';
