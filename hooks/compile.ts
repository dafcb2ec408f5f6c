/**
 * Compiled dispatch on tapable.
 *
 * For each change of a hook's callbacks a `Plan` (flat ordered snapshot) is
 * built; for each kind (filter/action) and arity used, a tapable `Hook` is
 * tapped with the callbacks and compiled by tapable's `HookCodeFactory`, so a
 * run is one straight-line generated function, as tapable's own hooks.
 *
 * The code factory differs from `SyncWaterfallHook` / `SyncHook` in three ways:
 * - a filter's value is replaced by every return value, `undefined` included
 *   (WordPress semantics; SyncWaterfallHook skips `undefined`);
 * - it pushes the hook name on the current-hook stack, popping it in
 *   `finally` (the stack also tells which compiled runs are in progress);
 * - after each callback it compares the hook's version with the one at the
 *   start; if the callbacks changed, the rest of the run continues in the
 *   WP_Hook-style iteration (`continueIteration`) from the iteration state
 *   WP_Hook would have at that point (the resorts made meanwhile are recorded
 *   by `resortActiveIterations` and replayed), so both paths give the same
 *   result.
 *
 * `accepted_args` is honoured by tapping a wrapper that forwards only the first
 * `accepted_args` arguments, only for callbacks whose `accepted_args` is lower
 * than the arity of the call (cached per callback).
 */
import { continueIteration, pushIteration } from './iterate';
import { type CompiledCall, type Entry, type Fn, type HookState, type Plan, resortIteration, runsOnStack } from './store';

/* tapable's Hook and HookCodeFactory are the classes its own hooks are built
 * from; they are not re-exported by its entry point, hence the direct paths. */
interface TapableCompileOptions {
	type: 'sync' | 'async' | 'promise';
	taps: unknown[];
	interceptors: unknown[];
	args: string[];
}
interface TapableHook extends CompiledCall {
	compile: (this: TapableHook, options: TapableCompileOptions) => Fn;
	tap(name: string, fn: Fn): void;
	_s: HookState;
	_plan: Plan;
	_bail: (this: TapableHook, pos: number, startVersion: number, ...args: unknown[]) => unknown;
}
interface TapableHookClass {
	new (args: string[], name?: string): TapableHook;
}
interface CallTapsOptions {
	onError: (tapIndex: number, err: string, next: () => string, doneBreak: (skipDone: boolean) => string) => string;
	onResult?: (tapIndex: number, result: string, next: () => string, doneBreak: (skipDone: boolean) => string) => string;
	onDone: () => string;
	doneReturns?: boolean;
	resultReturns?: boolean;
	rethrowIfPossible?: boolean;
}
interface ContentOptions {
	onError: (err: string) => string;
	onResult: (result: string) => string;
	onDone: () => string;
	resultReturns?: boolean;
	rethrowIfPossible?: boolean;
}
interface TapableCodeFactory {
	options: TapableCompileOptions | undefined;
	_args: string[] | undefined;
	header(): string;
	callTapsSeries(options: CallTapsOptions): string;
	setup(instance: TapableHook, options: TapableCompileOptions): void;
	create(options: TapableCompileOptions): Fn;
}
interface TapableCodeFactoryClass {
	new (): TapableCodeFactory;
}

const Hook = require('tapable/lib/Hook') as TapableHookClass;
const HookCodeFactory = require('tapable/lib/HookCodeFactory') as TapableCodeFactoryClass;

/**
 * Generated code, for a filter of arity 2 with two callbacks (tapable's own
 * parts: `_x`, the `_fnN` calls and the unrolling of long chains):
 *
 *     var _s = this._s, _v = _s.version, _c = _s.current, _p = 0;
 *     _c.push(_s.name);
 *     try {
 *       _run: {
 *         var _fn0 = _x[0]; var _result0 = _fn0(value, a1); value = _result0;
 *         if (_s.version !== _v) { _p = 0; break _run; }
 *         var _fn1 = _x[1]; ...
 *         return value;
 *       }
 *       return this._bail(_p, _v, value, a1);
 *     } finally { _c.pop(); }
 */
class WpHookCodeFactory extends HookCodeFactory {
	constructor(private readonly isFilter: boolean) {
		super();
	}

	override header(): string {
		const straight = (this.options as TapableCompileOptions).taps.length <= 20;
		return (
			`${super.header()}var ${straight ? '' : '_self = this, '}_s = this._s, _v = _s.version, _c = _s.current, _p = 0;\n` +
			'_c.push(_s.name);\n'
		);
	}

	content({ onError, onResult, onDone, resultReturns, rethrowIfPossible }: ContentOptions): string {
		const args = this._args as string[];
		const bailArgs = args.length > 0 ? `, ${args.join(', ')}` : '';
		// Up to 20 callbacks tapable emits one straight block: a change jumps to a
		// single bail call after it (small code, so V8 inlines the whole call).
		// Longer chains are split by tapable into nested functions; there each
		// check returns through its own bail call.
		const straight = (this.options as TapableCompileOptions).taps.length <= 20;
		const onChange = (i: number) =>
			straight
				? `if (_s.version !== _v) { _p = ${i}; break _run; }\n`
				: `if (_s.version !== _v) return _self._bail(${i}, _v${bailArgs});\n`;
		let body: string;
		if (this.isFilter) {
			const value = args[0];
			body = this.callTapsSeries({
				onError: (_i, err) => onError(err),
				onResult: (i, result, next) => `${value} = ${result};\n${onChange(i)}${next()}`,
				onDone: () => onResult(value),
				doneReturns: resultReturns,
				rethrowIfPossible,
			});
		} else {
			body = this.callTapsSeries({
				onError: (_i, err) => onError(err),
				onResult: (i, _result, next) => `${onChange(i)}${next()}`,
				onDone: () => `${onDone()}return;\n`,
				rethrowIfPossible,
			});
		}
		if (straight) body = `_run: {\n${body}}\nreturn this._bail(_p, _v${bailArgs});\n`;
		return `try {\n${body}} finally {\n_c.pop();\n}\n`;
	}
}

const filterFactory = new WpHookCodeFactory(true);
const actionFactory = new WpHookCodeFactory(false);

function compileFilter(this: TapableHook, options: TapableCompileOptions): Fn {
	filterFactory.setup(this, options);
	return filterFactory.create(options);
}

function compileAction(this: TapableHook, options: TapableCompileOptions): Fn {
	actionFactory.setup(this, options);
	return actionFactory.create(options);
}

/**
 * The hook's callbacks changed during callback `pos` of a compiled run: rebuild
 * the WP_Hook iteration this run would have (cursor on that callback's
 * priority, in that group), apply the resorts recorded since the run started,
 * and finish the run WP_Hook-style.
 */
function bail(hook: TapableHook, isFilter: boolean, pos: number, startVersion: number, args: unknown[]): unknown {
	const s = hook._s;
	const plan = hook._plan;
	const d = s.depth;
	const it = pushIteration(s);
	try {
		const pi = plan.priorityIndex[pos];
		it.priorities = plan.priorities;
		it.index = pi;
		it.currentPriority = plan.priorities[pi];
		it.group = plan.groups[pi];
		it.groupPos = pos - plan.groupStart[pi];
		const log = s.log;
		if (log !== null) {
			for (const r of log) {
				if (r.version > startVersion) resortIteration(it, r.priorities, r.newPriority, r.priorityExisted);
			}
			// The outermost run of the hook has read the log: nobody else needs it.
			if (runsOnStack(s) === 1) s.log = null;
		}
		return continueIteration(s, it, isFilter, args, false, true);
	} finally {
		s.depth = d;
	}
}

function bailFilter(this: TapableHook, pos: number, startVersion: number, ...args: unknown[]): unknown {
	return bail(this, true, pos, startVersion, args);
}

function bailAction(this: TapableHook, pos: number, startVersion: number, ...args: unknown[]): unknown {
	return bail(this, false, pos, startVersion, args);
}

const limiters: ((fn: Fn) => Fn)[] = [];

/** `function (a0, …, a[k-1]) { return fn(a0, …, a[k-1]); }` */
function limiter(k: number): (fn: Fn) => Fn {
	let make = limiters[k];
	if (make === undefined) {
		const params = Array.from({ length: k }, (_, i) => `a${i}`).join(', ');
		make = new Function('fn', `"use strict";\nreturn function (${params}) { return fn(${params}); };`) as (fn: Fn) => Fn;
		limiters[k] = make;
	}
	return make;
}

function tapFor(e: Entry, arity: number): Fn {
	if (e.acceptedArgs >= arity) return e.callback;
	let limited = e.limited;
	if (limited === undefined) {
		limited = limiter(e.acceptedArgs)(e.callback);
		e.limited = limited;
	}
	return limited;
}

/** The plan of the hook's current callbacks (built once per change). */
export function getPlan(s: HookState): Plan {
	let plan = s.plan;
	if (plan !== null) return plan;
	const priorities = s.priorities;
	const groups: (readonly Entry[])[] = [];
	const entries: Entry[] = [];
	const groupStart = new Int32Array(priorities.length);
	const priorityIndex = new Int32Array(s.size);
	for (let pi = 0; pi < priorities.length; pi++) {
		const group = s.groups.get(priorities[pi]) as readonly Entry[];
		groups.push(group);
		groupStart[pi] = entries.length;
		for (const e of group) {
			priorityIndex[entries.length] = pi;
			entries.push(e);
		}
	}
	plan = { priorities, groups, entries, priorityIndex, groupStart, hits: 0, filterCalls: [], actionCalls: [] };
	s.plan = plan;
	return plan;
}

function build(plan: Plan, s: HookState, isFilter: boolean, arity: number): CompiledCall {
	const names: string[] = [];
	for (let i = 0; i < arity; i++) names.push(isFilter && i === 0 ? 'value' : `a${i}`);
	const hook = new Hook(names, s.name);
	hook.compile = isFilter ? compileFilter : compileAction;
	hook._s = s;
	hook._plan = plan;
	hook._bail = isFilter ? bailFilter : bailAction;
	for (const e of plan.entries) hook.tap('wp', tapFor(e, arity));
	return hook;
}

/** The compiled filter call of the current plan for `arity` arguments (value included, >= 1). */
export function filterCall(s: HookState, arity: number): CompiledCall {
	const plan = getPlan(s);
	let call = plan.filterCalls[arity];
	if (call === undefined) {
		call = build(plan, s, true, arity);
		plan.filterCalls[arity] = call;
		if (arity === 1) s.f1 = call;
		else if (arity === 2) s.f2 = call;
		else if (arity === 3) s.f3 = call;
		else if (arity === 4) s.f4 = call;
	}
	return call;
}

/** The compiled action call of the current plan for `arity` arguments. */
export function actionCall(s: HookState, arity: number): CompiledCall {
	const plan = getPlan(s);
	let call = plan.actionCalls[arity];
	if (call === undefined) {
		call = build(plan, s, false, arity);
		plan.actionCalls[arity] = call;
		if (arity === 0) s.a0 = call;
		else if (arity === 1) s.a1 = call;
		else if (arity === 2) s.a2 = call;
		else if (arity === 3) s.a3 = call;
	}
	return call;
}
