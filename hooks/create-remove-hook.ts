/**
 * remove_filter / remove_action and remove_all_filters / remove_all_actions
 * (WP_Hook::remove_filter, WP_Hook::remove_all_filters).
 *
 * A callback is removed only from the group of exactly `priority`. Running
 * iterations are re-pointed when a whole priority disappears; a callback
 * removed from a group that is running still runs in that iteration (the
 * iteration runs a snapshot of the group, as PHP's foreach).
 */
import { type HookState, type Store, changed, isRunning, resortActiveIterations } from './store';
import { validateCallback, validateHookName, validatePriority } from './validate';

export type RemoveHook = (hook_name: unknown, callback: unknown, priority?: unknown) => boolean;
export type RemoveAllHooks = (hook_name: unknown, priority?: unknown) => true;

function emptied(store: Store, s: HookState): void {
	if (s.size === 0 && store.all === s) store.all = null;
}

export function createRemoveHook(store: Store): RemoveHook {
	return function remove_filter(hook_name: unknown, callback: unknown, priority: unknown = 10): boolean {
		validateHookName(hook_name);
		validateCallback(callback);
		validatePriority(priority);

		const s = store.states.get(hook_name);
		if (s === undefined) return false;
		const group = s.groups.get(priority);
		if (group === undefined) return false;
		const idx = group.findIndex((e) => e.callback === callback);
		if (idx < 0) return false;

		s.size--;
		if (group.length === 1) {
			s.groups.delete(priority);
			s.priorities = s.priorities.filter((p) => p !== priority);
			changed(s);
			emptied(store, s);
			if (isRunning(s)) resortActiveIterations(s);
		} else {
			s.groups.set(priority, [...group.slice(0, idx), ...group.slice(idx + 1)]);
			changed(s);
		}
		return true;
	};
}

export function createRemoveAllHooks(store: Store): RemoveAllHooks {
	return function remove_all_filters(hook_name: unknown, priority: unknown = false): true {
		validateHookName(hook_name);
		if (priority !== false) validatePriority(priority);

		const s = store.states.get(hook_name);
		if (s === undefined || s.size === 0) return true;
		if (priority === false) {
			s.groups.clear();
			s.priorities = [];
			s.size = 0;
		} else {
			const group = s.groups.get(priority);
			// No such priority: nothing changes (WP_Hook's resort would keep every cursor).
			if (group === undefined) return true;
			s.groups.delete(priority);
			s.priorities = s.priorities.filter((p) => p !== priority);
			s.size -= group.length;
		}
		changed(s);
		emptied(store, s);
		if (isRunning(s)) resortActiveIterations(s);
		return true;
	};
}
