/**
 * Which path runs the callbacks: a tapable-compiled call (one generated
 * function per set of callbacks, rebuilt when they change) or the WP_Hook-style
 * iteration. Both are covered by every other test file (compile modes); here
 * we check that the compiled path really is tapable's generated code, when it
 * is used, and that it is rebuilt after a change.
 */
import { hooksIn } from './helpers';

/**
 * Whether the callback calling this was called by tapable's generated code
 * (and not by the iteration's `invoke`, which a compiled run that handed over
 * also has on its stack).
 */
function viaTapable(): boolean {
	const stack = new Error().stack ?? '';
	return /HookCodeFactory/.test(stack) && !/\bat invoke \(/.test(stack);
}

describe('dispatch paths', () => {
	test("compile: 'always' dispatches through tapable from the first run", () => {
		const h = hooksIn('always');
		const seen: boolean[] = [];
		h.add_action('x', () => seen.push(viaTapable()));
		h.add_filter('f', (v: number) => (seen.push(viaTapable()), v));
		h.do_action('x');
		h.apply_filters('f', 1, 2, 3, 4, 5, 6); // an arity beyond the cached ones
		expect(seen).toEqual([true, true]);
	});

	test("compile: 'never' always iterates", () => {
		const h = hooksIn('never');
		const seen: boolean[] = [];
		h.add_action('x', () => seen.push(viaTapable()));
		for (let i = 0; i < 3; i++) h.do_action('x');
		expect(seen).toEqual([false, false, false]);
	});

	test("the default ('auto') iterates a fresh set of callbacks once, then compiles it", () => {
		const h = hooksIn('auto');
		const seen: boolean[] = [];
		const first = () => seen.push(viaTapable());
		h.add_action('x', first);
		h.do_action('x');
		h.do_action('x');
		h.do_action('x');
		h.add_action('x', () => undefined, 20); // a change: the next run iterates again, then compiles
		h.do_action('x');
		h.do_action('x');
		expect(seen).toEqual([false, true, true, false, true]);
	});

	test('a compiled run hands over to the iteration when the callbacks change under it', () => {
		const h = hooksIn('always');
		const seen: [string, boolean][] = [];
		const late = () => seen.push(['late', viaTapable()]);
		h.add_action('x', () => seen.push(['first', viaTapable()]), 1);
		h.add_action('x', () => {
			seen.push(['changer', viaTapable()]);
			h.add_action('x', late, 30);
		}, 2);
		h.add_action('x', () => seen.push(['third', viaTapable()]), 3);
		h.do_action('x');
		expect(seen).toEqual([
			['first', true],
			['changer', true],
			['third', false], // after the change: WP_Hook iteration
			['late', false],
		]);
		seen.length = 0;
		h.do_action('x'); // the new set of callbacks is compiled
		expect(seen.map(([, compiled]) => compiled)).toEqual([true, true, true, true]);
	});

	test('a hook with no callbacks allocates nothing and creates no state beyond its counters', () => {
		const h = hooksIn('always');
		for (let i = 0; i < 1000; i++) {
			h.do_action('empty', i);
			h.apply_filters('empty', i);
		}
		expect(h.did_action('empty')).toBe(1000);
		expect(h.did_filter('empty')).toBe(1000);
		expect(h.has_action('empty')).toBe(false);
	});
});
