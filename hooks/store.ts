/**
 * Internal state of a registry: one `HookState` per hook name, the running
 * iterations of each hook (WP_Hook's `$iterations` / `$current_priority`) and
 * the current-hook stack (plugin.php's `$wp_current_filter`).
 *
 * Callbacks are kept the way WP_Hook keeps them: grouped by priority, groups in
 * ascending priority order, each group in insertion order. Groups and the
 * priority list are immutable arrays, replaced on every change, so a running
 * iteration that holds one sees a snapshot (PHP's `foreach` over a copy).
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { validateHookName } from './validate';

export type Fn = (...args: unknown[]) => unknown;

/** One registered callback (WP_Hook: `$callbacks[ $priority ][ $idx ]`). */
export interface Entry {
	readonly callback: Fn;
	readonly priority: number;
	readonly acceptedArgs: number;
	/** Cached wrapper passing only the first `acceptedArgs` arguments. */
	limited: Fn | undefined;
}

/** A compiled tapable hook: `call` runs every callback of a plan. */
export interface CompiledCall {
	call(...args: unknown[]): unknown;
}

/**
 * Snapshot of a hook's callbacks, built once per change and shared by every run
 * until the next change.
 */
export interface Plan {
	readonly priorities: readonly number[];
	readonly groups: readonly (readonly Entry[])[];
	readonly entries: readonly Entry[];
	/** For each entry: index of its priority in `priorities`. */
	readonly priorityIndex: Int32Array;
	/** For each priority index: index in `entries` of the first entry of that group. */
	readonly groupStart: Int32Array;
	/** Runs that used this plan (the first run of a fresh plan may interpret). */
	hits: number;
	/** Compiled calls for arities beyond the ones cached on the state. */
	readonly filterCalls: (CompiledCall | undefined)[];
	readonly actionCalls: (CompiledCall | undefined)[];
}

export const EMPTY_PRIORITIES: readonly number[] = Object.freeze([]);
export const EMPTY_GROUP: readonly Entry[] = Object.freeze([]);

/**
 * A WP_Hook iteration: the priority list it walks, its cursor, the priority
 * whose group is running, that group (a snapshot) and the position in it.
 */
export class Iteration {
	priorities: readonly number[] = EMPTY_PRIORITIES;
	index = 0;
	/** Priority whose group is running; NaN for the `all` pre-pass (WP sets none). */
	currentPriority = Number.NaN;
	group: readonly Entry[] = EMPTY_GROUP;
	groupPos = -1;
}

/**
 * A change of the priority list made while compiled runs of the hook were
 * active: the arguments of the resort it triggered. A compiled run that bails
 * out replays the entries newer than its start on its own iteration.
 */
export interface ResortRecord {
	readonly version: number;
	readonly priorities: readonly number[];
	readonly newPriority: number | undefined;
	readonly priorityExisted: boolean;
}

export class HookState {
	/** did_action count. */
	actions = 0;
	/** did_filter count. */
	filters = 0;
	readonly groups = new Map<number, readonly Entry[]>();
	priorities: readonly number[] = EMPTY_PRIORITIES;
	/** Number of registered callbacks. */
	size = 0;
	/** Bumped on every change; a compiled run compares it after each callback. */
	version = 0;
	plan: Plan | null = null;
	/** Compiled calls of the current plan for the common arities (null: not built yet). */
	f1: CompiledCall | null = null;
	f2: CompiledCall | null = null;
	f3: CompiledCall | null = null;
	f4: CompiledCall | null = null;
	a0: CompiledCall | null = null;
	a1: CompiledCall | null = null;
	a2: CompiledCall | null = null;
	a3: CompiledCall | null = null;
	/** Interpreted synchronous iterations; `stack[0 .. depth)` are running (strictly nested). */
	readonly stack: Iteration[] = [];
	depth = 0;
	/** Resorts that happened while synchronous runs of the hook were in progress. */
	log: ResortRecord[] | null = null;
	/** Iterations of async runs in progress (they need not end in LIFO order). */
	asyncIterations: Set<Iteration> | null = null;

	/** The registry's synchronous current-hook stack. */
	readonly current: string[];

	constructor(
		readonly name: string,
		readonly store: Store,
	) {
		this.current = store.current;
	}
}

/** A frame of the async current-hook stack (kept in AsyncLocalStorage). */
export interface Frame {
	readonly name: string;
	readonly parent: Frame | null;
	/** Set when the run has finished: contexts that outlive it no longer see it. */
	done: boolean;
}

/**
 * When a run compiles its tapable call: `'auto'` on the second run of an
 * unchanged set of callbacks (a set used once is interpreted), `'always'`,
 * or `'never'` (always WP_Hook-style iteration). Results are identical.
 */
export type CompileMode = 'auto' | 'always' | 'never';

/** Initial value of the lookup cache: equal to no hook name. */
const NO_HOOK = Symbol('no hook');

export class Store {
	readonly states = new Map<string, HookState>();
	/** State of the `all` hook while it has callbacks (plugin.php: `isset( $wp_filter['all'] )`). */
	all: HookState | null = null;
	/** Current-hook stack of the synchronous execution. */
	readonly current: string[] = [];
	/** Async current-hook stack; created by the first async run. */
	als: AsyncLocalStorage<Frame> | null = null;
	/** Runs of a plan that are interpreted before it is compiled. */
	readonly interpretRuns: number;
	/** The hooks last run by apply_filters / do_action (a one-entry lookup cache). */
	lastFilterName: unknown = NO_HOOK;
	lastFilter: HookState | null = null;
	lastActionName: unknown = NO_HOOK;
	lastAction: HookState | null = null;

	constructor(mode: CompileMode) {
		this.interpretRuns = mode === 'always' ? 0 : mode === 'never' ? Number.POSITIVE_INFINITY : 1;
	}

	/** The state of `hook_name`, created (after validating the name) on first use. */
	state(hook_name: unknown): HookState {
		let s = this.states.get(hook_name as string);
		if (s === undefined) {
			validateHookName(hook_name);
			s = new HookState(hook_name, this);
			this.states.set(hook_name, s);
		}
		return s;
	}

	/** The state of `hook_name` if it exists, without creating it. */
	peek(hook_name: unknown): HookState | undefined {
		validateHookName(hook_name);
		return this.states.get(hook_name);
	}
}

/**
 * Number of synchronous runs of the hook in progress. Compiled runs keep no
 * iteration object; they are the hook's entries on the current-hook stack
 * (which may also count an `all` pre-pass for the hook: harmless here).
 */
export function runsOnStack(s: HookState): number {
	let n = 0;
	for (const name of s.current) if (name === s.name) n++;
	return n;
}

export function isRunning(s: HookState): boolean {
	return s.depth > 0 || (s.asyncIterations !== null && s.asyncIterations.size > 0) || s.current.includes(s.name);
}

/**
 * WP_Hook::resort_active_iterations() for one iteration: move its cursor onto
 * the new priority list `fresh`.
 *
 * - The cursor goes to the first priority >= the one it is on (so a new
 *   priority later than the running one runs in this iteration, an earlier one
 *   does not).
 * - If the cursor's priority is lower than every remaining one (its group was
 *   removed), it is put back in front so the iteration continues after it.
 * - If a callback is added at the very priority that is running but whose group
 *   had been emptied and removed, the cursor moves back onto it.
 * - If no callbacks remain, the iteration ends after the current group.
 */
export function resortIteration(
	it: Iteration,
	fresh: readonly number[],
	newPriority: number | undefined,
	priorityExisted: boolean,
): void {
	if (fresh.length === 0) {
		it.priorities = fresh;
		it.index = 0;
		return;
	}
	if (it.index >= it.priorities.length) return; // already past the end
	const current = it.priorities[it.index];
	if (current < fresh[0]) {
		it.priorities = [current, ...fresh];
		it.index = 0;
		return;
	}
	let i = 0;
	while (i < fresh.length && fresh[i] < current) i++;
	it.priorities = fresh;
	if (newPriority !== undefined && newPriority === it.currentPriority && !priorityExisted) {
		let prev: number | undefined;
		if (i >= fresh.length) {
			i = fresh.length - 1; // end()
			prev = fresh[i];
		} else {
			i -= 1; // prev()
			prev = i >= 0 ? fresh[i] : undefined;
		}
		if (prev === undefined) i = 0; // reset()
		else if (newPriority !== prev) i += 1; // next()
	}
	it.index = i;
}

/**
 * After a change of the priority list while the hook runs: resort every
 * interpreted iteration now, and record the resort for the compiled runs
 * (which rebuild their iteration only if they bail out).
 */
export function resortActiveIterations(s: HookState, newPriority?: number, priorityExisted = false): void {
	const fresh = s.priorities;
	for (let d = 0; d < s.depth; d++) resortIteration(s.stack[d], fresh, newPriority, priorityExisted);
	if (s.asyncIterations !== null) {
		for (const it of s.asyncIterations) resortIteration(it, fresh, newPriority, priorityExisted);
	}
	if (s.current.includes(s.name)) {
		const record: ResortRecord = { version: s.version, priorities: fresh, newPriority, priorityExisted };
		if (s.log === null) s.log = [record];
		else s.log.push(record);
	}
}

/** Records a change of the hook's callbacks: drops the compiled calls. */
export function changed(s: HookState): void {
	s.version++;
	s.plan = null;
	s.f1 = s.f2 = s.f3 = s.f4 = null;
	s.a0 = s.a1 = s.a2 = s.a3 = null;
	if (s.log !== null && !s.current.includes(s.name)) s.log = null;
}
