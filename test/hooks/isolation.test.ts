/**
 * createHooks() registries are isolated from each other and from the global
 * registry behind the exported snake_case functions.
 */
import * as api from '../../hooks';
import { createHooks, defaultHooks } from '../../hooks';

describe('isolation', () => {
	test('two registries share no callbacks, counters or current hook', () => {
		const a = createHooks();
		const b = createHooks();
		const seen: unknown[] = [];
		a.add_action('x', () => seen.push(['a', a.current_filter(), b.current_filter(), b.doing_filter()]));
		b.add_action('y', () => seen.push('b'));
		a.do_action('x');
		a.do_action('y');
		expect(seen).toEqual([['a', 'x', false, false]]);
		expect(a.did_action('x')).toBe(1);
		expect(b.did_action('x')).toBe(0);
		expect(b.has_action('x')).toBe(false);
		expect(a.has_action('y')).toBe(false);
	});

	test("a registry's all hook does not see another registry's runs", () => {
		const a = createHooks();
		const b = createHooks();
		const seen: unknown[] = [];
		a.add_action('all', (name: unknown) => seen.push(name));
		b.do_action('x');
		a.do_action('y');
		expect(seen).toEqual(['y']);
	});

	test('the global functions act on defaultHooks and not on created registries', () => {
		const mine = createHooks();
		const log: unknown[] = [];
		const cb = (v: unknown) => {
			log.push(v);
		};
		api.add_action('isolation.global', cb);
		expect(defaultHooks.has_action('isolation.global', cb)).toBe(10);
		expect(mine.has_action('isolation.global')).toBe(false);
		mine.do_action('isolation.global', 'mine');
		api.do_action('isolation.global', 'global');
		defaultHooks.do_action('isolation.global', 'default');
		expect(log).toEqual(['global', 'default']);
		expect(api.did_action('isolation.global')).toBe(2);
		expect(api.remove_action('isolation.global', cb)).toBe(true);
		expect(api.has_action('isolation.global')).toBe(false);
	});

	test('the global functions work detached, without a this', () => {
		const { add_filter, apply_filters, remove_filter, current_filter, doing_filter } = api;
		const cb = (v: string) => `${v}:${String(current_filter())}:${doing_filter('isolation.detached')}`;
		add_filter('isolation.detached', cb);
		expect(apply_filters('isolation.detached', 'v')).toBe('v:isolation.detached:true');
		expect(remove_filter('isolation.detached', cb)).toBe(true);
	});

	test('the methods of a created registry can be destructured too', () => {
		const { add_action, do_action, did_action } = createHooks();
		const log: unknown[] = [];
		add_action('z', (v: unknown) => log.push(v));
		do_action('z', 1);
		expect(log).toEqual([1]);
		expect(did_action('z')).toBe(1);
	});

	test('the module exports the whole public API', () => {
		const functions = [
			'add_action',
			'add_filter',
			'remove_action',
			'remove_filter',
			'remove_all_actions',
			'remove_all_filters',
			'has_action',
			'has_filter',
			'do_action',
			'apply_filters',
			'do_action_async',
			'apply_filters_async',
			'did_action',
			'did_filter',
			'doing_action',
			'doing_filter',
			'current_action',
			'current_filter',
			'createHooks',
		] as const;
		for (const name of functions) expect(typeof api[name]).toBe('function');
		for (const name of functions.filter((n) => n !== 'createHooks')) {
			expect(typeof createHooks()[name]).toBe('function');
		}
		expect(api.E_USER_ERROR).toBe(256);
		expect(api.E_USER_WARNING).toBe(512);
		expect(api.E_USER_NOTICE).toBe(1024);
		expect(api.E_USER_DEPRECATED).toBe(16384);
	});
});
