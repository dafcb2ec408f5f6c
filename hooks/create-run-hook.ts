/**
 * do_action / apply_filters and their async variants.
 *
 * plugin.php order of events: count the run (did_action / did_filter), push the
 * hook name on the current-hook stack, fire the `all` hook with (name, ...args),
 * then the hook's callbacks; pop the stack. A hook with no callbacks (and no
 * `all` hook) returns at once: a Map lookup (none when the same hook is fired
 * again) and a counter; nothing is allocated and AsyncLocalStorage is not
 * touched by synchronous runs.
 *
 * Synchronous runs use the compiled tapable call of the hook's current plan
 * (see compile.ts), which pushes and pops the current-hook stack itself; the
 * common arities (up to three extra arguments) allocate nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { actionCall, filterCall, getPlan } from './compile';
import { iterateAsync, iterateSync, runAllHook } from './iterate';
import type { Frame, HookState, Store } from './store';

type Runner = (...args: unknown[]) => unknown;
type AsyncRunner = (...args: unknown[]) => Promise<unknown>;

/** The run when the `all` hook has callbacks, or when the hook is `all` itself. */
function runWithAllHook(store: Store, s: HookState, isFilter: boolean, args: unknown[]): unknown {
	const current = store.current;
	current.push(s.name);
	try {
		if (s !== store.all) runAllHook(store, [s.name, ...args]);
		if (s.size === 0) return isFilter ? args[0] : undefined;
		return iterateSync(s, isFilter, args, false);
	} finally {
		current.pop();
	}
}

/**
 * The state of `hook_name` for a run, remembered in the store so a hook fired
 * in a loop costs no Map lookup (`kind` 0: filters, 1: actions).
 */
function lookup(store: Store, hook_name: unknown, kind: 0 | 1): HookState {
	const s = store.states.get(hook_name as string) ?? store.state(hook_name);
	if (kind === 0) {
		store.lastFilterName = hook_name;
		store.lastFilter = s;
	} else {
		store.lastActionName = hook_name;
		store.lastAction = s;
	}
	return s;
}

/**
 * Everything but the fast path of `apply_filters`: the `all` hook, a plan not
 * compiled yet (or interpreted: first run, `compile: 'never'`), more than three
 * extra arguments. Called with the hook's state as `this` and the caller's
 * `arguments`.
 */
function applyFiltersSlow(this: HookState, _hook_name: unknown, ...args: unknown[]): unknown {
	const s = this;
	const store = s.store;
	if (args.length === 0) args.push(undefined);
	if (store.all !== null) return runWithAllHook(store, s, true, args);
	if (s.size === 0) return args[0];
	if (getPlan(s).hits++ < store.interpretRuns) {
		const current = store.current;
		current.push(s.name);
		try {
			return iterateSync(s, true, args, false);
		} finally {
			current.pop();
		}
	}
	return filterCall(s, args.length).call(...args);
}

function doActionSlow(this: HookState, _hook_name: unknown, ...args: unknown[]): void {
	const s = this;
	const store = s.store;
	if (store.all !== null) {
		runWithAllHook(store, s, false, args);
		return;
	}
	if (s.size === 0) return;
	if (getPlan(s).hits++ < store.interpretRuns) {
		const current = store.current;
		current.push(s.name);
		try {
			iterateSync(s, false, args, false);
		} finally {
			current.pop();
		}
		return;
	}
	actionCall(s, args.length).call(...args);
}

/**
 * `apply_filters( hook_name, value, ...args )`.
 *
 * Fast path: the hook's state, the counter, then either "no callbacks" or the
 * compiled call for this number of arguments. Everything else takes
 * `applyFiltersSlow`, which receives `arguments` without a copy here.
 */
export function createApplyFilters(store: Store): Runner {
	return function apply_filters(hook_name: unknown, value: unknown, a1: unknown, a2: unknown, a3: unknown): unknown {
		const s = hook_name === store.lastFilterName ? (store.lastFilter as HookState) : lookup(store, hook_name, 0);
		s.filters++;
		if (store.all === null) {
			if (s.size === 0) return value;
			const n = arguments.length;
			if (n === 2) {
				const c = s.f1;
				if (c !== null) return c.call(value);
			} else if (n === 3) {
				const c = s.f2;
				if (c !== null) return c.call(value, a1);
			} else if (n === 4) {
				const c = s.f3;
				if (c !== null) return c.call(value, a1, a2);
			} else if (n === 5) {
				const c = s.f4;
				if (c !== null) return c.call(value, a1, a2, a3);
			}
		}
		return applyFiltersSlow.apply(s, arguments as unknown as [unknown, ...unknown[]]);
	} as Runner;
}

/** `do_action( hook_name, ...args )`; same structure as `apply_filters`. */
export function createDoAction(store: Store): Runner {
	return function do_action(hook_name: unknown, a0: unknown, a1: unknown, a2: unknown): void {
		const s = hook_name === store.lastActionName ? (store.lastAction as HookState) : lookup(store, hook_name, 1);
		s.actions++;
		if (store.all === null) {
			if (s.size === 0) return;
			const n = arguments.length;
			if (n === 2) {
				const c = s.a1;
				if (c !== null) {
					c.call(a0);
					return;
				}
			} else if (n === 1) {
				const c = s.a0;
				if (c !== null) {
					c.call();
					return;
				}
			} else if (n === 3) {
				const c = s.a2;
				if (c !== null) {
					c.call(a0, a1);
					return;
				}
			} else if (n === 4) {
				const c = s.a3;
				if (c !== null) {
					c.call(a0, a1, a2);
					return;
				}
			}
		}
		doActionSlow.apply(s, arguments as unknown as [unknown, ...unknown[]]);
	} as Runner;
}

function asyncStorage(store: Store): AsyncLocalStorage<Frame> {
	let als = store.als;
	if (als === null) {
		als = new AsyncLocalStorage<Frame>();
		store.als = als;
	}
	return als;
}

async function runAsync(store: Store, s: HookState, isFilter: boolean, args: unknown[], frame: Frame): Promise<unknown> {
	try {
		if (store.all !== null && s !== store.all) {
			const current = store.current;
			current.push(s.name);
			try {
				runAllHook(store, [s.name, ...args]);
			} finally {
				current.pop();
			}
		}
		if (s.size === 0) return isFilter ? args[0] : undefined;
		return await iterateAsync(store, s, isFilter, args);
	} finally {
		frame.done = true;
	}
}

/**
 * An async run: the callbacks run inside an AsyncLocalStorage context whose
 * frame names the hook, so `current_filter()` / `doing_filter()` called from
 * their continuations see it, and unrelated concurrent code does not.
 */
function startAsync(store: Store, s: HookState, isFilter: boolean, args: unknown[]): Promise<unknown> {
	const als = asyncStorage(store);
	const frame: Frame = { name: s.name, parent: als.getStore() ?? null, done: false };
	return als.run(frame, runAsync, store, s, isFilter, args, frame);
}

export function createApplyFiltersAsync(store: Store): AsyncRunner {
	return function apply_filters_async(hook_name: unknown, ...args: unknown[]): Promise<unknown> {
		let s: HookState;
		try {
			s = store.state(hook_name);
		} catch (error) {
			return Promise.reject(error);
		}
		s.filters++;
		if (args.length === 0) args.push(undefined);
		if (store.all === null && s.size === 0) return Promise.resolve(args[0]);
		return startAsync(store, s, true, args);
	};
}

export function createDoActionAsync(store: Store): AsyncRunner {
	return function do_action_async(hook_name: unknown, ...args: unknown[]): Promise<void> {
		let s: HookState;
		try {
			s = store.state(hook_name);
		} catch (error) {
			return Promise.reject(error);
		}
		s.actions++;
		if (store.all === null && s.size === 0) return Promise.resolve();
		return startAsync(store, s, false, args).then(ignore);
	};
}

function ignore(): void {}
