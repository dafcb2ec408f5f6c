/**
 * Public types of the hook registry.
 *
 * Semantics are WordPress core's (`WP_Hook`, `wp-includes/plugin.php`). The
 * PHP-isms deliberately dropped or adapted in this JavaScript port:
 *
 * - Callback identity is function identity (`===`). WordPress builds a key from
 *   the callable (`_wp_filter_build_unique_id`: function name, class::method,
 *   `spl_object_hash`); JavaScript has no string callables, so only functions
 *   are accepted (anything else is a TypeError).
 * - `do_action( 'hook' )` without arguments calls callbacks with no arguments
 *   (PHP passes one empty string `''`).
 * - `do_action( 'hook', [ obj ] )` passes the array unchanged (PHP unwraps a
 *   one-element array holding an object, a PHP 4 `array( &$this )` leftover).
 * - The value of a filter is replaced by every callback's return value,
 *   `undefined` included (PHP: a callback without `return` yields `null`).
 *   tapable's own `SyncWaterfallHook` would keep the previous value instead;
 *   the registry compiles its own tapable code for that reason.
 * - `WP_Hook::$doing_action` is not reproduced: when one hook name is used both
 *   as an action and as a filter and one runs inside the other, PHP stops
 *   threading the filter value; here filters always thread and actions never do.
 * - The `all` hook does not fire for itself: `do_action( 'all' )` runs the
 *   `all` callbacks once, as an ordinary action (PHP runs them twice).
 * - Priorities and `accepted_args` must be integers (PHP casts with `(int)`);
 *   `accepted_args` must not be negative (PHP would slice from the end).
 * - The current-hook stack is popped in `finally`, so a throwing callback leaves
 *   `current_filter()` / `doing_filter()` correct (PHP leaves the stack as is).
 *   Likewise, removing the last `all` callback while the `all` hook runs does
 *   not leave the hook name on the stack (PHP pushes it twice, pops it once).
 * - `current_filter()` returns `false` when no hook runs, as PHP's `end( [] )`.
 * - Async runs (`do_action_async`, `apply_filters_async`) have no PHP
 *   counterpart; they follow the same iteration rules, awaiting each callback.
 *
 * Kept although surprising, because PHP plugin code ports 1:1 only if it is:
 * the snapshot semantics of a running group (a sibling removed by an earlier
 * callback of the same priority still runs; one added there does not), and
 * WP_Hook::resort_active_iterations() skipping the next priority in the run
 * when a callback empties its own priority while a lower priority exists.
 * As in WordPress, a callback receives `accepted_args` arguments (default 1),
 * whatever its typed signature says.
 */
import type { HookMap } from './hook-map';

/** Any function: what `has_*` / `remove_*` compare by identity. */
export type AnyHookCallback = (...args: never[]) => unknown;

/**
 * Callback of a hook that is not in the `HookMap`: it receives `unknown`
 * arguments. Declared as a method so a callback with narrower parameter types
 * (e.g. `(value: string) => string`) is still accepted, as in WordPress.
 */
export type UntypedHookCallback = {
	bivarianceHack(...args: unknown[]): unknown;
}['bivarianceHack'];

type Spec<N extends string> = N extends keyof HookMap ? HookMap[N] : undefined;

/** Callback type accepted by `add_action` / `add_filter` for hook name `N`. */
export type HookCallback<N extends string> =
	Spec<N> extends { kind: 'filter'; value: infer V; args: infer A extends unknown[]; returns: infer R }
		? (value: V, ...args: A) => R
		: Spec<N> extends { kind: 'action'; args: infer A extends unknown[] }
			? (...args: A) => unknown
			: UntypedHookCallback;

/** Arguments of `do_action( N, ...args )`; `never` for a documented filter. */
export type ActionArgs<N extends string> =
	Spec<N> extends { kind: 'action'; args: infer A extends unknown[] }
		? A
		: Spec<N> extends { kind: 'filter' }
			? never
			: unknown[];

/** A literal type widened to its primitive (`'x'` → `string`); other types unchanged. */
type Widen<T> = T extends string
	? string
	: T extends number
		? number
		: T extends boolean
			? boolean
			: T extends bigint
				? bigint
				: T;

/**
 * Value type of `apply_filters( N, value )`: the declared one for a typed hook;
 * for an untyped hook the type of the value passed (literals widened).
 */
export type FilterValue<N extends string, V> =
	Spec<N> extends { kind: 'filter'; value: infer T } ? T : Spec<N> extends { kind: 'action' } ? never : Widen<V>;

/** Extra arguments of `apply_filters( N, value, ...args )`. */
export type FilterArgs<N extends string> =
	Spec<N> extends { kind: 'filter'; args: infer A extends unknown[] }
		? A
		: Spec<N> extends { kind: 'action' }
			? never
			: unknown[];

/** The registry: every method of the public API (see SPEC.md, "Public API"). */
export interface Hooks {
	/**
	 * Adds a callback to a filter hook. Lower priorities run first; equal
	 * priorities in the order added. The same callback at the same priority is
	 * registered once (re-adding updates its `accepted_args`, keeping its place).
	 * @returns true, as WordPress.
	 */
	add_filter<N extends string>(hook_name: N, callback: HookCallback<N>, priority?: number, accepted_args?: number): true;
	/** Adds a callback to an action hook (same registry as filters). */
	add_action<N extends string>(hook_name: N, callback: HookCallback<N>, priority?: number, accepted_args?: number): true;
	/** Removes a callback added at exactly `priority` (default 10). @returns whether it was registered. */
	remove_filter(hook_name: string, callback: AnyHookCallback, priority?: number): boolean;
	remove_action(hook_name: string, callback: AnyHookCallback, priority?: number): boolean;
	/** Removes every callback of the hook, or only those at `priority`. @returns true. */
	remove_all_filters(hook_name: string, priority?: number | false): true;
	remove_all_actions(hook_name: string, priority?: number | false): true;
	/**
	 * Without a callback: whether any callback is registered. With one: the
	 * lowest priority it is registered at (0 included, compare with `=== false`),
	 * or false.
	 */
	has_filter(hook_name: string, callback?: false): boolean;
	has_filter(hook_name: string, callback: AnyHookCallback): number | false;
	has_action(hook_name: string, callback?: false): boolean;
	has_action(hook_name: string, callback: AnyHookCallback): number | false;
	/** Number of callbacks registered on the hook, all priorities together (not in WordPress's API: its callers count `$wp_filter`). */
	count_callbacks(hook_name: string): number;
	/** Runs the callbacks of an action hook. */
	do_action<N extends string>(hook_name: N, ...args: ActionArgs<N>): void;
	/** Threads `value` through the callbacks of a filter hook and returns the result. */
	apply_filters<N extends string, V>(hook_name: N, value: FilterValue<N, V>, ...args: FilterArgs<N>): FilterValue<N, V>;
	/** As `do_action`, awaiting each callback in order; rejects with the first error. */
	do_action_async<N extends string>(hook_name: N, ...args: ActionArgs<N>): Promise<void>;
	/** As `apply_filters`, awaiting each callback in order; rejects with the first error. */
	apply_filters_async<N extends string, V>(
		hook_name: N,
		value: FilterValue<N, V>,
		...args: FilterArgs<N>
	): Promise<Awaited<FilterValue<N, V>>>;
	/** Number of times `do_action` / `do_action_async` ran for the hook, callbacks or not. */
	did_action(hook_name: string): number;
	/** Number of times `apply_filters` / `apply_filters_async` ran for the hook, callbacks or not. */
	did_filter(hook_name: string): number;
	/** Whether the hook (or, without a name, any hook) is running in this execution context. */
	doing_action(hook_name?: string | null): boolean;
	doing_filter(hook_name?: string | null): boolean;
	/** Name of the innermost running hook in this execution context, or false. */
	current_action(): string | false;
	current_filter(): string | false;
}
