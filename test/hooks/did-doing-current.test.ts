/**
 * did_action / did_filter, doing_action / doing_filter, current_action /
 * current_filter ($wp_actions, $wp_filters, $wp_current_filter).
 */
import { MODES, hooksIn } from './helpers';

describe.each(MODES)('did / doing / current (compile mode %s)', (mode) => {
	test('did_action and did_filter count every run, with or without callbacks', () => {
		const h = hooksIn(mode);
		expect(h.did_action('a')).toBe(0);
		expect(h.did_filter('f')).toBe(0);
		h.do_action('a');
		h.do_action('a', 1, 2);
		h.apply_filters('f', 1);
		expect(h.did_action('a')).toBe(2);
		expect(h.did_filter('f')).toBe(1);
		h.add_action('a', () => undefined);
		h.add_filter('f', (v: number) => v);
		for (let i = 0; i < 3; i++) {
			h.do_action('a');
			h.apply_filters('f', 1);
		}
		expect(h.did_action('a')).toBe(5);
		expect(h.did_filter('f')).toBe(4);
		// the two counters are separate
		expect(h.did_filter('a')).toBe(0);
		expect(h.did_action('f')).toBe(0);
	});

	test('async runs are counted too', async () => {
		const h = hooksIn(mode);
		await h.do_action_async('a');
		await h.apply_filters_async('f', 1);
		h.add_action('a', async () => undefined);
		await h.do_action_async('a');
		expect(h.did_action('a')).toBe(2);
		expect(h.did_filter('f')).toBe(1);
	});

	test('outside any hook: current_filter() is false and doing_filter() is false', () => {
		const h = hooksIn(mode);
		expect(h.current_filter()).toBe(false);
		expect(h.current_action()).toBe(false);
		expect(h.doing_filter()).toBe(false);
		expect(h.doing_action()).toBe(false);
		expect(h.doing_filter('x')).toBe(false);
		expect(h.doing_filter(null)).toBe(false);
	});

	test('inside nested hooks the stack is right at every level', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		const snapshot = (label: string) =>
			seen.push([label, h.current_filter(), h.doing_filter(), h.doing_filter('outer'), h.doing_filter('inner')]);
		h.add_action('outer', () => {
			snapshot('outer before');
			h.apply_filters('inner', 1);
			snapshot('outer after');
		});
		h.add_filter('inner', (v: number) => {
			snapshot('inner');
			return v;
		});
		for (let i = 0; i < 2; i++) h.do_action('outer');
		expect(seen).toEqual([
			['outer before', 'outer', true, true, false],
			['inner', 'inner', true, true, true],
			['outer after', 'outer', true, true, false],
			['outer before', 'outer', true, true, false],
			['inner', 'inner', true, true, true],
			['outer after', 'outer', true, true, false],
		]);
		expect(h.current_filter()).toBe(false);
		expect(h.doing_filter('outer')).toBe(false);
	});

	test('current_action / doing_action are the same stack as the filter ones', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_filter('f', (v: number) => {
			seen.push(h.current_action(), h.doing_action('f'), h.doing_action());
			return v;
		});
		h.apply_filters('f', 0);
		expect(seen).toEqual(['f', true, true]);
	});

	test('a hook with no callbacks is never on the stack', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_action('outer', () => {
			h.do_action('empty');
			seen.push(h.current_filter());
		});
		h.do_action('outer');
		expect(seen).toEqual(['outer']);
	});

	test('a throwing callback leaves the stack correct', () => {
		const h = hooksIn(mode);
		const boom = new Error('boom');
		h.add_action('throws', () => {
			throw boom;
		});
		for (let i = 0; i < 3; i++) {
			expect(() => h.do_action('throws')).toThrow(boom);
			expect(h.current_filter()).toBe(false);
			expect(h.doing_filter()).toBe(false);
		}
		h.add_filter('throws-filter', () => {
			throw boom;
		}, 10, 3);
		for (let i = 0; i < 3; i++) {
			expect(() => h.apply_filters('throws-filter', 1, 2, 3, 4, 5)).toThrow(boom);
			expect(h.current_filter()).toBe(false);
		}
	});

	test('an exception caught by an outer callback: the outer hook is current again', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_action('inner', () => {
			throw new Error('inner failed');
		});
		h.add_action('outer', () => {
			try {
				h.do_action('inner');
			} catch {
				seen.push(h.current_filter(), h.doing_filter('inner'), h.doing_filter('outer'));
			}
		});
		h.add_action('outer', () => seen.push('next callback ran'), 20);
		h.do_action('outer');
		h.do_action('outer');
		expect(seen).toEqual(['outer', false, true, 'next callback ran', 'outer', false, true, 'next callback ran']);
		expect(h.current_filter()).toBe(false);
	});

	test('after a throw, the hook runs normally again', () => {
		const h = hooksIn(mode);
		let fail = true;
		const log: unknown[] = [];
		h.add_action('x', () => {
			log.push(h.current_filter());
			if (fail) throw new Error('first');
		});
		h.add_action('x', () => log.push('second'), 11);
		expect(() => h.do_action('x')).toThrow('first');
		fail = false;
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['x', 'x', 'second', 'x', 'second']);
	});
});
