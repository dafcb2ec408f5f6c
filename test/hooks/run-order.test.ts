/**
 * Order of callbacks: ascending priority, then insertion order (WP_Hook keeps
 * one group per priority, sorted with ksort()).
 */
import { MODES, hooksIn, recorder } from './helpers';

describe.each(MODES)('run order (compile mode %s)', (mode) => {
	test('lower priorities first, equal priorities in the order added', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('x', recorder(log, 'p20'), 20);
		h.add_action('x', recorder(log, 'p10a'));
		h.add_action('x', recorder(log, 'p5'), 5);
		h.add_action('x', recorder(log, 'p10b'), 10);
		h.add_action('x', recorder(log, 'p20b'), 20);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['p5', 'p10a', 'p10b', 'p20', 'p20b', 'p5', 'p10a', 'p10b', 'p20', 'p20b']);
	});

	test('priority 0 and negative priorities run before the default', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('x', recorder(log, 'ten'));
		h.add_action('x', recorder(log, 'zero'), 0);
		h.add_action('x', recorder(log, 'minus1'), -1);
		h.add_action('x', recorder(log, 'minus100'), -100);
		h.add_action('x', recorder(log, 'one'), 1);
		h.do_action('x');
		expect(log).toEqual(['minus100', 'minus1', 'zero', 'one', 'ten']);
	});

	test('very large and very small priorities (PHP_INT_MAX style) sort numerically', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('x', recorder(log, 'max'), Number.MAX_SAFE_INTEGER);
		h.add_action('x', recorder(log, 'min'), Number.MIN_SAFE_INTEGER);
		h.add_action('x', recorder(log, 'nine'), 9);
		h.add_action('x', recorder(log, 'hundred'), 100);
		h.do_action('x');
		expect(log).toEqual(['min', 'nine', 'hundred', 'max']);
	});

	test('the same callback at two priorities runs twice, once at each', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const twice = recorder(log, 'twice');
		h.add_action('x', twice, 1);
		h.add_action('x', recorder(log, 'middle'), 2);
		h.add_action('x', twice, 3);
		h.do_action('x');
		expect(log).toEqual(['twice', 'middle', 'twice']);
	});

	test('filters follow the same order', () => {
		const h = hooksIn(mode);
		h.add_filter('x', (v: string) => `${v}c`, 30);
		h.add_filter('x', (v: string) => `${v}a`, -3);
		h.add_filter('x', (v: string) => `${v}b`);
		h.add_filter('x', (v: string) => `${v}b2`);
		expect(h.apply_filters('x', '')).toBe('abb2c');
		expect(h.apply_filters('x', '>')).toBe('>abb2c');
	});

	test('action callbacks run for their effect; return values are ignored', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_action('x', (v: unknown) => {
			seen.push(v);
			return 'ignored';
		});
		h.add_action('x', (v: unknown) => {
			seen.push(v);
		});
		expect(h.do_action('x', 'arg')).toBeUndefined();
		expect(seen).toEqual(['arg', 'arg']);
	});

	test('callbacks are called without a this', () => {
		const h = hooksIn(mode);
		const thisValues: unknown[] = [];
		h.add_action('x', function (this: unknown) {
			thisValues.push(this);
		});
		h.do_action('x');
		h.do_action('x');
		expect(thisValues).toEqual([undefined, undefined]);
	});
});
