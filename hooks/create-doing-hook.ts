/**
 * doing_filter / doing_action: whether the hook (or, without a name, any hook)
 * is running in this execution context: on the synchronous current-hook stack,
 * or an unfinished async run of this async context.
 */
import type { Store } from './store';
import { validateHookName } from './validate';

export type DoingHook = (hook_name?: unknown) => boolean;

export function createDoingHook(store: Store): DoingHook {
	return function doing_filter(hook_name: unknown = null): boolean {
		if (hook_name !== null) validateHookName(hook_name);
		const current = store.current;
		if (hook_name === null ? current.length > 0 : current.includes(hook_name)) return true;
		const als = store.als;
		if (als === null) return false;
		for (let frame = als.getStore() ?? null; frame !== null; frame = frame.parent) {
			if (!frame.done && (hook_name === null || frame.name === hook_name)) return true;
		}
		return false;
	};
}
