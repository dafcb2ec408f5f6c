/**
 * Bad input: non-string or empty hook names, non-function callbacks,
 * non-integer priorities or accepted_args → a TypeError naming the argument,
 * and the registry is unchanged.
 */
import type { Hooks } from '../../hooks';
import { MODES, hooksIn } from './helpers';

/** The registry's methods with their run-time (unchecked) signatures, to pass bad values. */
type Loose = Record<keyof Hooks, (...args: unknown[]) => unknown>;

const BAD_NAMES: unknown[] = ['', 42, null, undefined, {}, ['x'], Symbol('x'), () => 'x', Number.NaN];
const BAD_CALLBACKS: unknown[] = [undefined, null, 'my_function', 42, {}, ['Class', 'method']];
const BAD_PRIORITIES: unknown[] = [1.5, '10', Number.NaN, Number.POSITIVE_INFINITY, null, {}, 10n];
const BAD_ACCEPTED: unknown[] = [-1, 1.5, '2', Number.NaN, null, Number.POSITIVE_INFINITY];

function snapshot(h: Hooks) {
	return {
		has: h.has_filter('x'),
		did: [h.did_action('x'), h.did_filter('x')],
		out: h.apply_filters('x', 'v'),
	};
}

describe.each(MODES)('bad input (compile mode %s)', (mode) => {
	let h: Hooks;
	let loose: Loose;
	const ok = (v: unknown) => `${String(v)}.ok`;

	beforeEach(() => {
		h = hooksIn(mode);
		loose = h as unknown as Loose;
		h.add_filter('x', ok);
	});

	const expectUnchanged = (run: () => void, argument: string) => {
		const before = snapshot(h);
		expect(run).toThrow(TypeError);
		expect(run).toThrow(new RegExp(`^${argument} must be`));
		expect(snapshot(h)).toEqual({ ...before, did: [before.did[0], before.did[1] + 1] });
		expect(h.has_filter('x', ok)).toBe(10);
	};

	test.each(BAD_NAMES.map((v) => [String(typeof v === 'symbol' ? 'symbol' : JSON.stringify(v) ?? v), v]))(
		'hook name %s is rejected by every function',
		(_label, name) => {
			for (const fn of [
				() => loose.add_filter(name, ok),
				() => loose.add_action(name, ok),
				() => loose.remove_filter(name, ok),
				() => loose.remove_action(name, ok),
				() => loose.remove_all_filters(name),
				() => loose.remove_all_actions(name),
				() => loose.has_filter(name),
				() => loose.has_action(name, ok),
				() => loose.do_action(name, 1),
				() => loose.apply_filters(name, 1),
				() => loose.did_action(name),
				() => loose.did_filter(name),
			]) {
				expectUnchanged(fn, 'hook_name');
			}
			if (name !== null && name !== undefined) {
				expectUnchanged(() => loose.doing_filter(name), 'hook_name');
				expectUnchanged(() => loose.doing_action(name), 'hook_name');
			}
		},
	);

	test('the async runners reject with the TypeError instead of throwing', async () => {
		for (const name of BAD_NAMES) {
			await expect(loose.do_action_async(name) as Promise<void>).rejects.toThrow(/^hook_name must be/);
			await expect(loose.apply_filters_async(name, 1) as Promise<unknown>).rejects.toBeInstanceOf(TypeError);
		}
		expect(snapshot(h).did).toEqual([0, 0]);
	});

	test.each(BAD_CALLBACKS.map((v) => [JSON.stringify(v) ?? String(v), v]))('callback %s is rejected', (_label, cb) => {
		expectUnchanged(() => loose.add_filter('x', cb), 'callback');
		expectUnchanged(() => loose.add_action('y', cb), 'callback');
		expectUnchanged(() => loose.remove_filter('x', cb), 'callback');
		// has_filter's callback is optional: undefined (like false) means "any callback?"
		if (cb !== undefined) expectUnchanged(() => loose.has_filter('x', cb), 'callback');
		else expect(loose.has_filter('x', cb)).toBe(true);
		expect(h.has_filter('y')).toBe(false);
	});

	test.each(BAD_PRIORITIES.map((v) => [typeof v === 'bigint' ? '10n' : (JSON.stringify(v) ?? String(v)), v]))(
		'priority %s is rejected',
		(_label, priority) => {
			expectUnchanged(() => loose.add_filter('x', () => 0, priority), 'priority');
			expectUnchanged(() => loose.remove_filter('x', ok, priority), 'priority');
			expectUnchanged(() => loose.remove_all_filters('x', priority), 'priority');
		},
	);

	test.each(BAD_ACCEPTED.map((v) => [JSON.stringify(v) ?? String(v), v]))('accepted_args %s is rejected', (_label, accepted) => {
		expectUnchanged(() => loose.add_filter('x', () => 0, 10, accepted), 'accepted_args');
		expectUnchanged(() => loose.add_action('x', ok, 10, accepted), 'accepted_args');
	});

	test('undefined priority and accepted_args mean the defaults', () => {
		const log: unknown[][] = [];
		const cb = (...args: unknown[]) => {
			log.push(args);
		};
		loose.add_action('d', cb, undefined, undefined);
		expect(h.has_action('d', cb)).toBe(10);
		h.do_action('d', 1, 2);
		expect(log).toEqual([[1]]);
		expect(loose.remove_action('d', cb, undefined)).toBe(true);
	});

	test('the error message names the argument and the bad value', () => {
		expect(() => loose.add_filter('', ok)).toThrow('hook_name must be a non-empty string, got an empty string');
		expect(() => loose.add_filter(7, ok)).toThrow('hook_name must be a non-empty string, got number 7');
		expect(() => loose.add_filter('x', 'fn')).toThrow('callback must be a function, got a string');
		expect(() => loose.add_filter('x', ok, 2.5)).toThrow('priority must be an integer, got number 2.5');
		expect(() => loose.add_filter('x', ok, 10, -1)).toThrow('accepted_args must be a non-negative integer, got number -1');
	});
});
