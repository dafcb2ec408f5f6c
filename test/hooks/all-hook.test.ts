/**
 * The `all` hook: its callbacks run before the callbacks of every hook fired,
 * with (hook name, ...arguments), whatever their accepted_args; it does not
 * fire for itself.
 */
import { MODES, hooksIn, recorder } from './helpers';

describe.each(MODES)('the all hook (compile mode %s)', (mode) => {
	test('fires before the callbacks of actions and filters with (name, ...args)', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('all', recorder(log, 'all'));
		h.add_action('act', recorder(log, 'act'), 10, 2);
		h.add_filter('fil', recorder(log, 'fil', (args) => `${String(args[0])}!`), 10, 2);
		h.do_action('act', 1, 2);
		expect(h.apply_filters('fil', 'v', 'extra')).toBe('v!');
		expect(log).toEqual(['all(act,1,2)', 'act(1,2)', 'all(fil,v,extra)', 'fil(v,extra)']);
	});

	test('fires for hooks that have no callbacks, which are still counted', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('all', recorder(log, 'all'));
		h.do_action('nobody', 'a');
		expect(h.apply_filters('nobody-filter', 'value')).toBe('value');
		expect(log).toEqual(['all(nobody,a)', 'all(nobody-filter,value)']);
		expect(h.did_action('nobody')).toBe(1);
		expect(h.did_filter('nobody-filter')).toBe(1);
	});

	test('accepted_args does not limit the all callbacks', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_action('all', (...args: unknown[]) => calls.push(args), 10, 0);
		h.do_action('x', 1, 2, 3);
		expect(calls).toEqual([['x', 1, 2, 3]]);
	});

	test('inside an all callback the current hook is the hook being fired', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_action('all', () => seen.push(h.current_filter(), h.doing_filter('x'), h.doing_filter('all')));
		h.do_action('x');
		expect(seen).toEqual(['x', true, false]);
		expect(h.current_filter()).toBe(false);
	});

	test('all callbacks run in priority order, and the all hook does not fire for itself', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('all', recorder(log, 'second'), 20);
		h.add_action('all', recorder(log, 'first'), 5);
		h.do_action('all', 'direct');
		expect(log).toEqual(['first(direct)', 'second(direct)']);
		expect(h.did_action('all')).toBe(1);
	});

	test('fires for hooks fired from inside callbacks, each time', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('all', (name: unknown) => log.push(`all:${String(name)}`));
		h.add_action('outer', () => {
			log.push('outer');
			h.do_action('inner');
		});
		h.add_action('inner', () => log.push('inner'));
		h.do_action('outer');
		expect(log).toEqual(['all:outer', 'outer', 'all:inner', 'inner']);
	});

	test('a callback added to the hook by an all callback runs in that run', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const late = recorder(log, 'late');
		h.add_action('all', (name: unknown) => {
			if (name === 'x') h.add_action('x', late);
		});
		h.do_action('x');
		expect(log).toEqual(['late']);
	});

	test('after the all hook is emptied it no longer fires, and runs are fast-pathed again', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const all = recorder(log, 'all');
		h.add_action('all', all);
		h.add_action('x', recorder(log, 'x'));
		h.do_action('x');
		expect(h.remove_action('all', all)).toBe(true);
		h.do_action('x');
		h.do_action('x');
		h.add_action('all', all);
		h.remove_all_actions('all');
		h.do_action('x');
		expect(log).toEqual(['all(x)', 'x', 'x', 'x', 'x']);
	});

	test('an exception in an all callback leaves the stack correct', () => {
		const h = hooksIn(mode);
		h.add_action('all', () => {
			throw new Error('all failed');
		});
		expect(() => h.do_action('x')).toThrow('all failed');
		expect(() => h.apply_filters('y', 1)).toThrow('all failed');
		expect(h.current_filter()).toBe(false);
	});

	test('fires before async runs too', async () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('all', recorder(log, 'all'));
		h.add_action('x', async (v: unknown) => {
			await Promise.resolve();
			log.push(`x(${String(v)})`);
		});
		h.add_filter('f', async (v: unknown) => `${String(v)}!`);
		await h.do_action_async('x', 1);
		expect(await h.apply_filters_async('f', 'v')).toBe('v!');
		expect(log).toEqual(['all(x,1)', 'x(1)', 'all(f,v)']);
	});
});
