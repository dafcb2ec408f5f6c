/**
 * The typed map of documented hooks.
 *
 * Every entry describes one hook name: a filter (`FilterSpec`) or an action
 * (`ActionSpec`). `add_action` / `add_filter` / `do_action` / `apply_filters`
 * look the name up here; a name that is not in the map is untyped.
 *
 * Plugins add their own hooks by declaration merging:
 *
 *     declare module 'analytics-host/hook-map' {
 *         interface HookMap {
 *             'acme.bi.sent': ActionSpec<[batchId: string, rows: number]>;
 *             'acme.bi.endpoint': FilterSpec<string>;
 *         }
 *     }
 *
 * (Augment the module that declares the interface — `analytics-host/hook-map`,
 * or `../../hooks/hook-map` inside this repository: TypeScript does not merge
 * an augmentation of a module that only re-exports it.)
 *
 * The specs are phantom types: nothing of them exists at run time.
 */

/**
 * A filter: callbacks receive `(value: V, ...args: A)` and return `R`
 * (by default `V`). Use `R = V | Promise<V>` for a filter that is applied with
 * `apply_filters_async`.
 */
export interface FilterSpec<V, A extends unknown[] = [], R = V> {
	readonly kind: 'filter';
	readonly value: V;
	readonly args: A;
	readonly returns: R;
}

/**
 * An action: callbacks receive `(...args: A)`; their return value is ignored
 * by `do_action` and awaited by `do_action_async`.
 */
export interface ActionSpec<A extends unknown[] = []> {
	readonly kind: 'action';
	readonly args: A;
}

/** The batch descriptor handed to `altis.analytics.export.data.process`. */
export interface ExportBatch {
	/** Identifier of this batch. */
	id: string;
	/** Number of stored files whose events are in this batch. */
	files: number;
	/** Number of events (NDJSON lines) in this batch. */
	events: number;
}

/** What started an export run: the scheduler, or `export run`. */
export type ExportRunTrigger = 'schedule' | 'manual';

/** What `altis.analytics.export.run.start` receives. */
export interface ExportRunStart {
	trigger: ExportRunTrigger;
	/** Pending files this run takes (at most `altis.analytics.export.max.files`). */
	files: number;
	/** Events in those files. */
	events: number;
}

/** What `altis.analytics.export.run.complete` receives (also kept as the last run). */
export interface ExportRunSummary {
	/** Start of the run, ISO 8601. */
	time: string;
	trigger: ExportRunTrigger;
	/** Files marked exported by the run. */
	files: number;
	/** Events whose batches every subscriber acknowledged. */
	events: number;
	batches: number;
	result: 'ok' | 'error';
	/** The failure, when result is 'error'. */
	message: string | null;
	duration_ms: number;
}

/** What `altis.analytics.events_ingested` receives after a file of events is committed. */
export interface EventsIngestedInfo {
	file: string;
	accepted: number;
	duplicates: number;
	source: 'http' | 'import';
}

/** A user as hooks see one (`user_has_cap`, `altis.analytics.query.request`). */
export interface HookUser {
	id: number;
	login: string;
	role: string;
}

/** Time buckets of a query. */
export type Granularity = 'NONE' | 'MINUTE' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';
/** Comparison of a query filter. */
export type FilterOp = 'EQ' | 'NEQ' | 'GT' | 'GTE' | 'LT' | 'LTE' | 'IN' | 'NOT_IN';
export type AggregationFunction = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';

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

/** A validated query of `POST /wp-json/analytics/v1/query`: every default filled in. This is what `altis.analytics.query.request` filters. */
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

/** What `altis.analytics.query.request` receives beside the query. */
export interface QueryRequestContext {
	/** The site served (config `site_id`). */
	site: string;
	/** The authenticated user. */
	user: HookUser | null;
}

/** One entry of the `cron_schedules` filter, as in WordPress. */
export interface CronSchedule {
	/** Interval in seconds. */
	interval: number;
	/** Human-readable name. */
	display: string;
}

export type CronSchedules = Record<string, CronSchedule>;

/**
 * Documented hooks (SPEC.md, "Documented hooks"). Augment this interface to
 * type your own hooks.
 */
export interface HookMap {
	/** Whether the scheduled export runs. Default: config `export.cron.enabled`, else `true`. */
	'altis.analytics.export.cron.enabled': FilterSpec<boolean>;
	/** Schedule name of the export (a key of `cron_schedules`). Default `ten_minutes`. */
	'altis.analytics.export.cron.frequency': FilterSpec<string>;
	/** Maximum number of files taken by one export run. Default 100. */
	'altis.analytics.export.max.files': FilterSpec<number>;
	/** Export log line; `level` is one of the `E_USER_*` constants. */
	'altis.analytics.export.log': ActionSpec<[message: string, level: number]>;
	/**
	 * One batch of raw events as NDJSON. Awaited (`do_action_async`): a callback may
	 * return a promise; with `accepted_args` 1 only the NDJSON string is passed.
	 */
	'altis.analytics.export.data.process': ActionSpec<[ndjson: string, batch: ExportBatch]>;
	/** The cron schedules, keyed by name. */
	cron_schedules: FilterSpec<CronSchedules>;
	/** Capability needed to read events over REST. Default `manage_options`. */
	'altis.analytics.export_events_capability': FilterSpec<string>;
	/** Capability needed to query analytics. Default `manage_options`. */
	'altis.analytics.query_capability': FilterSpec<string>;
	/**
	 * The validated query, before any SQL: return it as it is, narrowed or rewritten (the
	 * result is validated again). Applied with `apply_filters_async`: may return a promise.
	 */
	'altis.analytics.query.request': FilterSpec<AnalyticsQuery, [context: QueryRequestContext], AnalyticsQuery | Promise<AnalyticsQuery>>;
	/** Capability needed to POST events. Default `manage_options`. */
	'altis.analytics.ingest_events_capability': FilterSpec<string>;
	/** A file of events was committed (HTTP ingestion or `import`). */
	'altis.analytics.events_ingested': ActionSpec<[info: EventsIngestedInfo]>;
	/** A day pull was sent in full. */
	'altis.analytics.export_events_sent': ActionSpec<[date: string, format: string, count: number, user_login: string]>;
	/** An export run starts (awaited). */
	'altis.analytics.export.run.start': ActionSpec<[run: ExportRunStart]>;
	/** An export run ended, successfully or not (awaited). */
	'altis.analytics.export.run.complete': ActionSpec<[run: ExportRunSummary]>;
	/**
	 * The capabilities of a user, as WordPress's `user_has_cap`: `(allcaps, [requested cap], user)`.
	 * Return the map with a capability set to true to grant it.
	 */
	user_has_cap: FilterSpec<Record<string, boolean>, [caps: string[], user: HookUser]>;
}
