/**
 * The query API's request and answer (issue 8 §4, after the Altafid analytics query API).
 * A request is validated into an `AnalyticsQuery` (defaults filled in, time range resolved
 * to inclusive millisecond bounds) before any SQL is built from it.
 */

export const GRANULARITIES = ['NONE', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const FILTER_OPS = ['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE', 'IN', 'NOT_IN'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export const AGGREGATION_FUNCTIONS = ['COUNT', 'SUM', 'AVG', 'MIN', 'MAX'] as const;
export type AggregationFunction = (typeof AGGREGATION_FUNCTIONS)[number];

export type ColumnType = 'STRING' | 'NUMBER' | 'BOOLEAN' | 'TIMESTAMP';
export type ColumnRole = 'TIME' | 'DIMENSION' | 'METRIC';

/** A value a filter compares with. `null` means "missing or JSON null" (EQ, NEQ, IN, NOT_IN only). */
export type FilterScalar = string | number | boolean | null;

export interface QueryFilter {
  field: string;
  op: FilterOp;
  /** A scalar; an array of scalars for IN / NOT_IN. */
  value: FilterScalar | FilterScalar[];
}

export interface QueryGroupBy {
  field: string;
}

export interface QueryAggregation {
  function: AggregationFunction;
  /** Optional for COUNT (then every event counts; with a field, its distinct values count). */
  field?: string;
  alias: string;
}

export interface QuerySort {
  /** `time_bucket`, a groupBy field or an aggregation alias. */
  field: string;
  ascending: boolean;
}

/** A validated query: every default filled in. This is what `altis.analytics.query.request` filters. */
export interface AnalyticsQuery {
  eventType: string;
  /**
   * Inclusive bounds as ISO 8601 UTC with milliseconds (`2026-04-30T23:59:59.999Z`): the
   * request's `to` widened to the end of the unit it was written in.
   */
  timeRange: { from: string; to: string };
  granularity: Granularity;
  filters: QueryFilter[];
  groupBy: QueryGroupBy[];
  aggregations: QueryAggregation[];
  sort: QuerySort[];
  limit: number;
}

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
