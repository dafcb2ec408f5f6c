/**
 * apply_filters: the value is threaded through the callbacks, the extra
 * arguments are passed unchanged, no callbacks → the value unchanged.
 */
import { MODES, hooksIn } from './helpers';

describe.each(MODES)('apply_filters (compile mode %s)', (mode) => {
	test('threads the value through every callback in order', () => {
		const h = hooksIn(mode);
		h.add_filter('n', (v: number) => v + 1);
		h.add_filter('n', (v: number) => v * 10, 20);
		h.add_filter('n', (v: number) => v - 3, 5);
		for (let i = 0; i < 3; i++) expect(h.apply_filters('n', 1)).toBe((1 - 3 + 1) * 10);
	});

	test('extra arguments reach every callback unchanged while the value changes', () => {
		const h = hooksIn(mode);
		const ctx = { id: 'ctx' };
		const seen: unknown[][] = [];
		const cb = (v: string, a: unknown, b: unknown) => {
			seen.push([v, a, b]);
			return `${v}+`;
		};
		h.add_filter('s', cb, 1, 3);
		h.add_filter('s', (v: string, a: unknown, b: unknown) => cb(v, a, b), 2, 3);
		expect(h.apply_filters('s', 'v', ctx, 7)).toBe('v++');
		expect(seen).toEqual([
			['v', ctx, 7],
			['v+', ctx, 7],
		]);
		expect(seen[0][1]).toBe(ctx);
	});

	test('with no callbacks the value itself comes back', () => {
		const h = hooksIn(mode);
		const value = { some: 'object' };
		expect(h.apply_filters('nobody', value)).toBe(value);
		expect(h.apply_filters('nobody', value, 1, 2, 3, 4, 5, 6)).toBe(value);
		const cb = () => 0;
		h.add_filter('emptied', cb);
		h.remove_filter('emptied', cb);
		expect(h.apply_filters('emptied', value)).toBe(value);
	});

	test('every return value replaces the value, undefined included (PHP: null)', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_filter('u', () => undefined, 1);
		h.add_filter('u', (v: unknown) => {
			seen.push(v);
			return v;
		}, 2);
		expect(h.apply_filters('u', 'value')).toBeUndefined();
		expect(h.apply_filters('u', 'value')).toBeUndefined();
		expect(seen).toEqual([undefined, undefined]);
	});

	test('apply_filters without a value passes undefined as the value', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_filter('f', (...args: unknown[]) => {
			calls.push(args);
			return 'set';
		});
		const untyped = h.apply_filters as (hook: string, ...rest: unknown[]) => unknown;
		expect(untyped('f')).toBe('set');
		expect(untyped('f')).toBe('set');
		expect(calls).toEqual([[undefined], [undefined]]);
	});

	test('the same hook name can be run as a filter and as an action', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_filter('both', (v: string) => {
			seen.push(v);
			return `${v}!`;
		});
		expect(h.apply_filters('both', 'f')).toBe('f!');
		h.do_action('both', 'a');
		expect(seen).toEqual(['f', 'a']);
		expect(h.did_filter('both')).toBe(1);
		expect(h.did_action('both')).toBe(1);
	});

	test('the value of a filter run inside another filter is threaded separately', () => {
		const h = hooksIn(mode);
		h.add_filter('outer', (v: string) => `${v}<${h.apply_filters('inner', v)}>`);
		h.add_filter('outer', (v: string) => `${v}.`, 11);
		h.add_filter('inner', (v: string) => v.toUpperCase());
		expect(h.apply_filters('outer', 'ab')).toBe('ab<AB>.');
		expect(h.apply_filters('outer', 'cd')).toBe('cd<CD>.');
	});
});
