/**
 * WP_Hook-style iteration: the reference semantics, used when a run is not
 * compiled, when the callbacks of a compiled run change while it runs (the run
 * continues here from where it was), for the `all` pre-pass and for async runs.
 *
 * WP_Hook::apply_filters(): take the priority list; for the priority under the
 * cursor, run a snapshot of its group in order; advance the cursor; repeat while
 * the cursor is on the list. Changes made meanwhile act through
 * `resortActiveIterations` on the cursor and through the next group lookup.
 */
import { EMPTY_GROUP, type Entry, type HookState, Iteration, type Store } from './store';

/** Calls a callback with at most `acceptedArgs` arguments (WP: 0 → none, >= count → all). */
export function invoke(e: Entry, args: unknown[], allArgs: boolean): unknown {
	const k = e.acceptedArgs;
	const fn = e.callback; // called as a plain function: no `this`
	if (allArgs || k >= args.length) return fn(...args);
	if (k === 0) return fn();
	return fn(...args.slice(0, k));
}

/** Points a fresh iteration at the first group of the hook. */
export function startIteration(s: HookState, it: Iteration, allPrePass: boolean): void {
	const priorities = s.priorities;
	it.priorities = priorities;
	it.index = 0;
	const p = priorities[0];
	it.currentPriority = allPrePass ? Number.NaN : p;
	it.group = s.groups.get(p) ?? EMPTY_GROUP;
	it.groupPos = -1;
}

/**
 * Runs the rest of an iteration synchronously: the group snapshot after
 * `groupPos`, then the following priorities. For a filter `args[0]` is the
 * value, replaced by each callback's return value.
 */
export function continueIteration(
	s: HookState,
	it: Iteration,
	isFilter: boolean,
	args: unknown[],
	allArgs: boolean,
	keepPriority: boolean,
): unknown {
	let value = args[0];
	let group = it.group;
	let i = it.groupPos + 1;
	for (;;) {
		for (; i < group.length; i++) {
			if (isFilter) {
				args[0] = value;
				value = invoke(group[i], args, allArgs);
			} else {
				invoke(group[i], args, allArgs);
			}
		}
		if (++it.index >= it.priorities.length) break;
		const p = it.priorities[it.index];
		if (keepPriority) it.currentPriority = p;
		group = s.groups.get(p) ?? EMPTY_GROUP;
		i = 0;
	}
	return isFilter ? value : undefined;
}

/** Takes the iteration object for a new synchronous run of `s` (depth-indexed, reused). */
export function pushIteration(s: HookState): Iteration {
	const d = s.depth++;
	let it = s.stack[d];
	if (it === undefined) {
		it = new Iteration();
		s.stack[d] = it;
	}
	return it;
}

/** A complete synchronous run, interpreted. The caller pushes the current-hook stack. */
export function iterateSync(s: HookState, isFilter: boolean, args: unknown[], allPrePass: boolean): unknown {
	const d = s.depth;
	const it = pushIteration(s);
	try {
		startIteration(s, it, allPrePass);
		return continueIteration(s, it, isFilter, args, allPrePass, !allPrePass);
	} finally {
		s.depth = d;
	}
}

/** The `all` pre-pass: every `all` callback gets (hook name, ...args), whatever its accepted_args. */
export function runAllHook(store: Store, allArgs: unknown[]): void {
	const all = store.all;
	if (all !== null && all.size > 0) iterateSync(all, false, allArgs, true);
}

/**
 * A complete async run: as `iterateSync`, awaiting each callback's result
 * before the next one. While a callback is being called, the hook is on the
 * synchronous current-hook stack too, so the order of that stack stays right.
 */
export async function iterateAsync(store: Store, s: HookState, isFilter: boolean, args: unknown[]): Promise<unknown> {
	const it = new Iteration();
	startIteration(s, it, false);
	const running = (s.asyncIterations ??= new Set());
	running.add(it);
	const current = store.current;
	try {
		let value = args[0];
		let group = it.group;
		let i = 0;
		for (;;) {
			for (; i < group.length; i++) {
				if (isFilter) args[0] = value;
				current.push(s.name);
				let result: unknown;
				try {
					result = invoke(group[i], args, false);
				} finally {
					current.pop();
				}
				result = await result;
				if (isFilter) value = result;
			}
			if (++it.index >= it.priorities.length) break;
			const p = it.priorities[it.index];
			it.currentPriority = p;
			group = s.groups.get(p) ?? EMPTY_GROUP;
			i = 0;
		}
		return isFilter ? value : undefined;
	} finally {
		running.delete(it);
	}
}
