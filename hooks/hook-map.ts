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

/** What `altis.analytics.export.run.start` receives. */
export interface ExportRunStart {
	trigger: 'schedule' | 'manual';
	/** Pending files this run takes. */
	files: number;
	events: number;
}

/** What `altis.analytics.export.run.complete` receives (also kept as the last run). */
export interface ExportRunSummary {
	/** Start of the run, ISO 8601. */
	time: string;
	trigger: 'schedule' | 'manual';
	files: number;
	events: number;
	batches: number;
	result: 'ok' | 'error';
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
	user_has_cap: FilterSpec<Record<string, boolean>, [caps: string[], user: { id: number; login: string; role: string }]>;
}
