/**
 * did_action / did_filter: how many times the hook was run (do_action /
 * apply_filters and their async variants), whether or not it had callbacks.
 */
import type { Store } from './store';

export type DidHook = (hook_name: unknown) => number;

export function createDidHook(store: Store, kind: 'actions' | 'filters'): DidHook {
	return function did_hook(hook_name: unknown): number {
		const s = store.peek(hook_name);
		return s === undefined ? 0 : s[kind];
	};
}
