/**
 * A tiny scenario language for hook semantics, interpreted identically by
 * `run.php` (on WordPress's own plugin.php / WP_Hook) and by `runScenario`
 * below (on hooks/). `wp-hook-scenarios.json` holds scenarios with the log
 * WordPress produced for them; see README.md.
 *
 * A scenario has callbacks (named c0…c5, each a list of ops run when it is
 * called) and a main list of ops. Every callback logs its name and arguments,
 * runs its ops and returns `<first argument>.<name>`.
 */
import type { Hooks } from '../../../hooks';

export type Op =
	| ['when', number, Op] // run the op only on the n-th call (0-based) of this callback
	| ['add', string, string, number, number] // add_filter(hook, cb, priority, accepted_args)
	| ['rm', string, string, number] // remove_filter(hook, cb, priority) → logged
	| ['rmall', string, number | null] // remove_all_filters(hook, priority | false)
	| ['rmcur', string, number] // remove_filter(current_filter(), cb, priority) → logged
	| ['addcur', string, number, number] // add_filter(current_filter(), cb, priority, accepted_args)
	| ['do', string, ...string[]] // do_action(hook, ...args), if the budget allows
	| ['apply', string, string, ...string[]] // apply_filters(hook, value, ...args) → logged
	| ['has', string, string | null] // has_filter(hook[, cb]) → logged
	| ['cur'] // current_filter() → logged
	| ['doing', string | null] // doing_filter(hook | null) → logged
	| ['did', string]; // [did_action(hook), did_filter(hook)] → logged

export interface Scenario {
	/** Number of do/apply ops that may run (bounds recursion). */
	budget: number;
	cbs: Record<string, Op[]>;
	main: Op[];
	/** The log WordPress produced (recorded scenarios only). */
	expected?: string[];
}

type Callback = (...args: unknown[]) => unknown;

/** Runs a scenario on a registry; returns the log. */
export function runScenario(h: Hooks, sc: Scenario): string[] {
	const log: string[] = [];
	let budget = sc.budget;
	const calls: Record<string, number> = { main: 1 };
	const cbs: Record<string, Callback> = {};
	const j = (x: unknown) => JSON.stringify(x);
	const run = (ops: Op[], self: string): void => {
		for (let op of ops) {
			if (op[0] === 'when') {
				if (calls[self] - 1 !== op[1]) continue;
				op = op[2];
			}
			switch (op[0]) {
				case 'add':
					h.add_filter(op[1], cbs[op[2]], op[3], op[4]);
					break;
				case 'rm':
					log.push(`rm:${j(h.remove_filter(op[1], cbs[op[2]], op[3]))}`);
					break;
				case 'rmall':
					h.remove_all_filters(op[1], op[2] === null ? false : op[2]);
					break;
				case 'rmcur': {
					const current = h.current_filter();
					if (current !== false) log.push(`rmc:${j(h.remove_filter(current, cbs[op[1]], op[2]))}`);
					break;
				}
				case 'addcur': {
					const current = h.current_filter();
					if (current !== false) h.add_filter(current, cbs[op[1]], op[2], op[3]);
					break;
				}
				case 'do':
					if (budget-- > 0) h.do_action(op[1], ...op.slice(2));
					break;
				case 'apply':
					if (budget-- > 0) log.push(`r:${j(h.apply_filters(op[1], op[2], ...op.slice(3)))}`);
					break;
				case 'has':
					log.push(`has:${j(op[2] === null ? h.has_filter(op[1]) : h.has_filter(op[1], cbs[op[2]]))}`);
					break;
				case 'cur':
					log.push(`cur:${j(h.current_filter())}`);
					break;
				case 'doing':
					log.push(`doing:${j(h.doing_filter(op[1]))}`);
					break;
				case 'did':
					log.push(`did:${j([h.did_action(op[1]), h.did_filter(op[1])])}`);
					break;
			}
		}
	};
	for (const [name, ops] of Object.entries(sc.cbs)) {
		calls[name] = 0;
		cbs[name] = (...args: unknown[]) => {
			calls[name]++;
			log.push(name + j(args));
			run(ops, name);
			return `${args.length > 0 && args[0] != null ? String(args[0]) : ''}.${name}`;
		};
	}
	run(sc.main, 'main');
	return log;
}

/** Seeded random scenarios (the generator the recorded fixture was made with). */
export function generateScenarios(count: number, seed: number): Scenario[] {
	let state = seed;
	const rnd = () => {
		state = (state * 1103515245 + 12345) & 0x7fffffff;
		return state / 0x80000000;
	};
	const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
	const ACTIONS = ['A', 'B'];
	const FILTERS = ['F', 'G'];
	const PRIOS = [-5, 0, 5, 10, 10, 10, 20, 30];
	const CBS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
	// Action and filter hooks are kept apart, and the `all` hook is only added,
	// never removed: see README.md for the PHP quirks this avoids.
	const hook = (allowAll: boolean) => (allowAll && rnd() < 0.05 ? 'all' : rnd() < 0.5 ? pick(ACTIONS) : pick(FILTERS));
	const op = (): Op => {
		const r0 = rnd();
		if (r0 < 0.12) return ['rmcur', pick(CBS), pick(PRIOS)];
		if (r0 < 0.22) return ['addcur', pick(CBS), pick(PRIOS), pick([0, 1, 2])];
		const r = rnd();
		if (r < 0.25) return ['add', hook(true), pick(CBS), pick(PRIOS), pick([0, 1, 1, 2, 3])];
		if (r < 0.42) return ['rm', hook(false), pick(CBS), pick(PRIOS)];
		if (r < 0.47) return ['rmall', hook(false), rnd() < 0.5 ? null : pick(PRIOS)];
		if (r < 0.62) {
			const h = pick(ACTIONS);
			return ['do', h, ...Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, i) => `x${i}`)];
		}
		if (r < 0.77) {
			const h = pick(FILTERS);
			return ['apply', h, 'v', ...Array.from({ length: Math.floor(rnd() * 3) }, (_, i) => `y${i}`)];
		}
		if (r < 0.83) return ['has', hook(false), rnd() < 0.3 ? null : pick(CBS)];
		if (r < 0.89) return ['cur'];
		if (r < 0.95) return ['doing', rnd() < 0.2 ? null : hook(false)];
		return ['did', hook(false)];
	};
	const body = (n: number, self: string | null): Op[] => {
		const ops: Op[] = [];
		if (self !== null && rnd() < 0.3) {
			const p = pick(PRIOS);
			ops.push(['rmcur', self, p]);
			if (rnd() < 0.7) ops.push(['addcur', pick(CBS), p, 1]);
		}
		for (let i = 0; i < n; i++) {
			let o = op();
			if (self !== null && rnd() < 0.5) o = ['when', Math.floor(rnd() * 3), o];
			ops.push(o);
		}
		return ops;
	};
	const out: Scenario[] = [];
	for (let k = 0; k < count; k++) {
		const cbs: Record<string, Op[]> = {};
		for (const c of CBS) cbs[c] = body(Math.floor(rnd() * 4), c);
		const main: Op[] = [];
		// (the bound is redrawn on every test, as in the generator the fixture was made with)
		for (let i = 0; i < 6 + Math.floor(rnd() * 6); i++) main.push(['add', pick([...ACTIONS, ...FILTERS]), pick(CBS), pick(PRIOS), pick([0, 1, 2, 3])]);
		if (rnd() < 0.15) main.push(['add', 'all', pick(CBS), pick(PRIOS), 1]);
		main.push(...body(10 + Math.floor(rnd() * 10), null));
		out.push({ budget: 25, cbs, main });
	}
	return out;
}
