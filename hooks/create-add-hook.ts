/**
 * add_filter / add_action (WP_Hook::add_filter).
 *
 * The callback goes to the group of its priority: appended, or, if the same
 * function is already in that group, replaced in place (new `accepted_args`,
 * same position). A new priority is inserted in sorted order. If the hook is
 * running, its iterations are re-pointed (resortActiveIterations).
 */
import { type Entry, type Fn, type Store, changed, isRunning, resortActiveIterations } from './store';
import { validateAcceptedArgs, validateCallback, validateHookName, validatePriority } from './validate';

export type AddHook = (hook_name: unknown, callback: unknown, priority?: unknown, accepted_args?: unknown) => true;

export function createAddHook(store: Store): AddHook {
	return function add_filter(hook_name: unknown, callback: unknown, priority: unknown = 10, accepted_args: unknown = 1): true {
		validateHookName(hook_name);
		validateCallback(callback);
		validatePriority(priority);
		validateAcceptedArgs(accepted_args);

		const s = store.state(hook_name);
		const entry: Entry = { callback: callback as Fn, priority, acceptedArgs: accepted_args, limited: undefined };
		const group = s.groups.get(priority);
		const priorityExisted = group !== undefined;
		if (group === undefined) {
			s.groups.set(priority, [entry]);
			const priorities = s.priorities;
			let i = priorities.length;
			while (i > 0 && priorities[i - 1] > priority) i--;
			s.priorities = [...priorities.slice(0, i), priority, ...priorities.slice(i)];
			s.size++;
		} else {
			const idx = group.findIndex((e) => e.callback === callback);
			// The same registration again changes nothing (WP_Hook rewrites the entry
			// and resorts to the same positions): keep the compiled calls.
			if (idx >= 0 && group[idx].acceptedArgs === accepted_args) return true;
			const next = group.slice();
			if (idx >= 0) {
				next[idx] = entry;
			} else {
				next.push(entry);
				s.size++;
			}
			s.groups.set(priority, next);
		}
		changed(s);
		if (hook_name === 'all') store.all = s;
		if (isRunning(s)) resortActiveIterations(s, priority, priorityExisted);
		return true;
	};
}
