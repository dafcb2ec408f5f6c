/**
 * The hook registry: WordPress actions and filters (WP_Hook semantics) with
 * tapable dispatch.
 *
 * The snake_case functions act on the global registry `defaultHooks`, as
 * WordPress's global functions act on `$wp_filter`; `createHooks()` returns an
 * isolated registry with the same methods.
 */
import { createHooks } from './create-hooks';
import type { Hooks } from './types';

export { createHooks } from './create-hooks';
export type { CreateHooksOptions } from './create-hooks';
export { E_USER_DEPRECATED, E_USER_ERROR, E_USER_NOTICE, E_USER_WARNING } from './constants';
export type { ErrorLevel } from './constants';
export type {
	ActionSpec,
	AggregationFunction,
	AnalyticsQuery,
	CronSchedule,
	CronSchedules,
	EventsIngestedInfo,
	ExportBatch,
	ExportRunStart,
	ExportRunTrigger,
	ExportRunSummary,
	FilterOp,
	FilterScalar,
	FilterSpec,
	Granularity,
	HookMap,
	HookUser,
	QueryAggregation,
	QueryFilter,
	QueryGroupBy,
	QueryRequestContext,
	QuerySort,
} from './hook-map';
export type {
	ActionArgs,
	AnyHookCallback,
	FilterArgs,
	FilterValue,
	HookCallback,
	Hooks,
	UntypedHookCallback,
} from './types';

/** The global registry (what the snake_case functions below act on). */
export const defaultHooks: Hooks = createHooks();

export const {
	add_action,
	add_filter,
	remove_action,
	remove_filter,
	remove_all_actions,
	remove_all_filters,
	has_action,
	has_filter,
	do_action,
	apply_filters,
	do_action_async,
	apply_filters_async,
	did_action,
	did_filter,
	doing_action,
	doing_filter,
	current_action,
	current_filter,
} = defaultHooks;
