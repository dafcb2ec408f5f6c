/**
 * has_filter / has_action (WP_Hook::has_filter): without a callback, whether
 * the hook has any callback; with one, the first (lowest) priority it is
 * registered at, or false. The priority may be 0: compare with `=== false`.
 */
import type { Store } from './store';
import { validateCallback } from './validate';

export type HasHook = (hook_name: unknown, callback?: unknown) => number | boolean;

export function createHasHook(store: Store): HasHook {
	return function has_filter(hook_name: unknown, callback: unknown = false): number | boolean {
		const s = store.peek(hook_name);
		if (callback === false) return s !== undefined && s.size > 0;
		validateCallback(callback);
		if (s === undefined) return false;
		for (const priority of s.priorities) {
			const group = s.groups.get(priority);
			if (group !== undefined && group.some((e) => e.callback === callback)) return priority;
		}
		return false;
	};
}

export type CountCallbacks = (hook_name: unknown) => number;

/**
 * How many callbacks a hook has, every priority counted (WordPress code reads
 * `count( $wp_filter[ $hook ]->callbacks[...] )` for this; a registry needs a method).
 */
export function createCountCallbacks(store: Store): CountCallbacks {
	return function count_callbacks(hook_name: unknown): number {
		return store.peek(hook_name)?.size ?? 0;
	};
}
