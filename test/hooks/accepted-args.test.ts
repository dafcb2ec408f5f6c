/**
 * accepted_args (WP_Hook::apply_filters): 0 → no arguments, >= the number
 * passed → all of them, otherwise the first accepted_args. Checked with rest
 * parameters, which see exactly what is passed.
 */
import { MODES, hooksIn } from './helpers';

describe.each(MODES)('accepted_args (compile mode %s)', (mode) => {
	const record = (into: unknown[][]) => (...args: unknown[]) => {
		into.push(args);
		return args[0];
	};

	test('the default is 1', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_action('x', record(calls));
		h.do_action('x', 'a', 'b', 'c');
		h.do_action('x', 'a', 'b', 'c');
		expect(calls).toEqual([['a'], ['a']]);
	});

	test('0 passes no arguments at all', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_action('x', record(calls), 10, 0);
		h.add_filter('f', record(calls), 10, 0);
		h.do_action('x', 'a', 'b');
		h.do_action('x', 'a', 'b');
		h.apply_filters('f', 'v', 'e');
		h.apply_filters('f', 'v', 'e');
		expect(calls).toEqual([[], [], [], []]);
	});

	test('fewer than passed: the first accepted_args', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_action('x', record(calls), 10, 2);
		h.do_action('x', 'a', 'b', 'c');
		h.do_action('x', 'a', 'b', 'c');
		expect(calls).toEqual([
			['a', 'b'],
			['a', 'b'],
		]);
	});

	test('more than passed: all that were passed, not padded', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_action('x', record(calls), 10, 5);
		h.do_action('x', 'a');
		h.do_action('x', 'a');
		h.do_action('x');
		expect(calls).toEqual([['a'], ['a'], []]);
	});

	test('for a filter the value counts as the first argument', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_filter('f', record(calls)); // 1: the value only
		h.add_filter('f', record(calls), 10, 2);
		h.add_filter('f', record(calls), 10, 3);
		for (let i = 0; i < 2; i++) h.apply_filters('f', 'v', 'e1', 'e2', 'e3');
		expect(calls).toEqual([['v'], ['v', 'e1'], ['v', 'e1', 'e2'], ['v'], ['v', 'e1'], ['v', 'e1', 'e2']]);
	});

	test('callbacks with different accepted_args on one hook, many arities', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		for (const k of [0, 1, 2, 3, 4, 5, 6, 7]) h.add_action('x', record(calls), k, k);
		for (let n = 0; n <= 7; n++) {
			const args = Array.from({ length: n }, (_, i) => i);
			for (let repeat = 0; repeat < 2; repeat++) {
				calls.length = 0;
				h.do_action('x', ...args);
				expect(calls).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => args.slice(0, k)));
			}
		}
	});

	test('the same for filters at every arity', () => {
		const h = hooksIn(mode);
		for (const k of [0, 1, 2, 3, 4, 5, 6]) h.add_filter('f', (...args: unknown[]) => `${String(args[0] ?? '')}[${args.length}]`, k, k);
		for (let extra = 0; extra <= 6; extra++) {
			const rest = Array.from({ length: extra }, (_, i) => i);
			const n = extra + 1;
			const expected = `>${[1, 2, 3, 4, 5, 6].map((k) => `[${Math.min(k, n)}]`).join('')}`;
			// accepted_args 0 returns '[0]' from no value
			const withZero = `[0]${expected.slice(1)}`;
			expect(h.apply_filters('f', '>', ...rest)).toBe(withZero);
			expect(h.apply_filters('f', '>', ...rest)).toBe(withZero);
		}
	});

	test('do_action without arguments calls callbacks with none (PHP would pass an empty string)', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_action('x', record(calls), 10, 3);
		h.do_action('x');
		h.do_action('x');
		expect(calls).toEqual([[], []]);
	});

	test('a single array argument is passed as it is (no PHP 4 array( &$this ) unwrapping)', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		const obj = { id: 1 };
		const arr = [obj];
		h.add_action('x', record(calls));
		h.do_action('x', arr);
		h.do_action('x', arr);
		expect(calls[0][0]).toBe(arr);
		expect(calls[1][0]).toBe(arr);
	});
});
