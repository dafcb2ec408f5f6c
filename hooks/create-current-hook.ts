/**
 * current_filter / current_action: the innermost running hook of this
 * execution context, or false (PHP: `end( $wp_current_filter )`).
 *
 * The synchronous stack (`store.current`) holds the hooks running in the
 * current call stack; it is only non-empty while one runs, and then its top is
 * the innermost hook. Otherwise the innermost unfinished async run of this
 * async context (AsyncLocalStorage) is current.
 */
import type { Store } from './store';

export type CurrentHook = () => string | false;

export function createCurrentHook(store: Store): CurrentHook {
	return function current_filter(): string | false {
		const current = store.current;
		if (current.length > 0) return current[current.length - 1];
		const als = store.als;
		if (als === null) return false;
		for (let frame = als.getStore() ?? null; frame !== null; frame = frame.parent) {
			if (!frame.done) return frame.name;
		}
		return false;
	};
}
