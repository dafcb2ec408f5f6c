/**
 * add_* / remove_* / remove_all_* / has_* (WP_Hook::add_filter, remove_filter,
 * remove_all_filters, has_filter; plugin.php wrappers).
 */
import { MODES, hooksIn, recorder } from './helpers';

describe.each(MODES)('registration (compile mode %s)', (mode) => {
	test('add_filter / add_action return true and make has_filter true', () => {
		const h = hooksIn(mode);
		const cb = () => 1;
		expect(h.has_filter('x')).toBe(false);
		expect(h.add_filter('x', cb)).toBe(true);
		expect(h.has_filter('x')).toBe(true);
		expect(h.add_action('y', cb)).toBe(true);
		expect(h.has_action('y')).toBe(true);
		expect(h.has_action('never-used')).toBe(false);
	});

	test('actions and filters share one registry (add_action / has_filter are aliases)', () => {
		const h = hooksIn(mode);
		const cb = () => 1;
		h.add_action('x', cb, 7);
		expect(h.has_filter('x', cb)).toBe(7);
		expect(h.remove_filter('x', cb, 7)).toBe(true);
		h.add_filter('x', cb, 8);
		expect(h.has_action('x', cb)).toBe(8);
		expect(h.remove_action('x', cb, 8)).toBe(true);
		expect(h.has_action('x')).toBe(false);
	});

	test('has_filter(hook, cb) returns the priority, 0 and negatives included, or false', () => {
		const h = hooksIn(mode);
		const zero = () => 0;
		const neg = () => 0;
		const ten = () => 0;
		const other = () => 0;
		h.add_filter('x', zero, 0);
		h.add_filter('x', neg, -20);
		h.add_filter('x', ten);
		expect(h.has_filter('x', zero)).toBe(0);
		expect(h.has_filter('x', neg)).toBe(-20);
		expect(h.has_filter('x', ten)).toBe(10);
		expect(h.has_filter('x', other)).toBe(false);
		expect(h.has_filter('unknown', zero)).toBe(false);
		// Omitted callback or `false` (WordPress's default) asks "anything registered?"
		expect(h.has_filter('x', false)).toBe(true);
	});

	test('has_filter(hook, cb) of a callback registered twice returns the lowest priority', () => {
		const h = hooksIn(mode);
		const cb = () => 0;
		h.add_filter('x', cb, 30);
		h.add_filter('x', cb, 5);
		expect(h.has_filter('x', cb)).toBe(5);
		h.remove_filter('x', cb, 5);
		expect(h.has_filter('x', cb)).toBe(30);
	});

	test('the same callback at the same priority is registered once', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const cb = recorder(log, 'cb');
		h.add_action('x', cb);
		h.add_action('x', cb);
		h.add_action('x', cb, 10);
		h.do_action('x');
		expect(log).toEqual(['cb']);
		expect(h.remove_action('x', cb)).toBe(true);
		expect(h.has_action('x')).toBe(false);
	});

	test('re-adding a callback at its priority keeps its place and updates accepted_args', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const a = recorder(log, 'a');
		const b = recorder(log, 'b');
		h.add_action('x', a, 10, 1);
		h.add_action('x', b, 10, 1);
		h.add_action('x', a, 10, 3);
		h.do_action('x', 1, 2, 3);
		expect(log).toEqual(['a(1,2,3)', 'b(1)']);
	});

	test('remove_filter must match the priority and says whether it removed', () => {
		const h = hooksIn(mode);
		const cb = () => 0;
		h.add_filter('x', cb, 5);
		expect(h.remove_filter('x', cb)).toBe(false); // default priority 10
		expect(h.remove_filter('x', cb, 6)).toBe(false);
		expect(h.has_filter('x', cb)).toBe(5);
		expect(h.remove_filter('x', cb, 5)).toBe(true);
		expect(h.remove_filter('x', cb, 5)).toBe(false);
		expect(h.has_filter('x')).toBe(false);
		expect(h.remove_filter('never-used', cb)).toBe(false);
	});

	test('remove_filter with the default priority removes a callback added with the default', () => {
		const h = hooksIn(mode);
		const cb = () => 0;
		h.add_filter('x', cb);
		expect(h.remove_filter('x', cb)).toBe(true);
		expect(h.has_filter('x', cb)).toBe(false);
	});

	test('a callback removed at one priority stays at another', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const cb = recorder(log, 'cb');
		h.add_action('x', cb, 1);
		h.add_action('x', cb, 2);
		expect(h.remove_action('x', cb, 1)).toBe(true);
		h.do_action('x');
		expect(log).toEqual(['cb']);
		expect(h.has_action('x', cb)).toBe(2);
	});

	test('remove_all_filters without a priority empties the hook', () => {
		const h = hooksIn(mode);
		const a = () => 0;
		const b = () => 0;
		h.add_filter('x', a, 1);
		h.add_filter('x', b, 2);
		expect(h.remove_all_filters('x')).toBe(true);
		expect(h.has_filter('x')).toBe(false);
		expect(h.has_filter('x', a)).toBe(false);
		expect(h.apply_filters('x', 'v')).toBe('v');
		// false is WordPress's "no priority"
		h.add_filter('x', a, 1);
		expect(h.remove_all_filters('x', false)).toBe(true);
		expect(h.has_filter('x')).toBe(false);
	});

	test('remove_all_filters with a priority removes only that priority', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('x', recorder(log, 'a'), 5);
		h.add_action('x', recorder(log, 'b'), 5);
		h.add_action('x', recorder(log, 'c'), 10);
		expect(h.remove_all_actions('x', 5)).toBe(true);
		h.do_action('x');
		expect(log).toEqual(['c']);
		expect(h.remove_all_actions('x', 99)).toBe(true); // no such priority: nothing happens
		h.do_action('x');
		expect(log).toEqual(['c', 'c']);
		expect(h.remove_all_actions('never-used')).toBe(true);
	});

	test('callbacks are compared by identity, not by source text', () => {
		const h = hooksIn(mode);
		const make = () => () => 0;
		const a = make();
		const b = make();
		h.add_filter('x', a);
		expect(h.has_filter('x', b)).toBe(false);
		expect(h.remove_filter('x', b)).toBe(false);
		expect(h.has_filter('x', a)).toBe(10);
	});

	test('changes after a run are seen by the next run', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const a = recorder(log, 'a');
		const b = recorder(log, 'b');
		h.add_action('x', a);
		h.do_action('x');
		h.do_action('x');
		h.add_action('x', b, 1);
		h.do_action('x');
		h.remove_action('x', a);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['a', 'a', 'b', 'a', 'b', 'b']);
	});
});

describe('count_callbacks', () => {
	test('counts every callback at every priority, and follows removals', () => {
		const { createHooks } = jest.requireActual('../../hooks') as typeof import('../../hooks');
		const hooks = createHooks();
		const a = () => undefined;
		const b = () => undefined;
		expect(hooks.count_callbacks('x')).toBe(0);
		hooks.add_action('x', a);
		hooks.add_action('x', a); // same callback, same priority: once
		hooks.add_action('x', a, 20);
		hooks.add_action('x', b, 5);
		expect(hooks.count_callbacks('x')).toBe(3);
		hooks.remove_action('x', a, 20);
		expect(hooks.count_callbacks('x')).toBe(2);
		hooks.remove_all_actions('x');
		expect(hooks.count_callbacks('x')).toBe(0);
	});
});
