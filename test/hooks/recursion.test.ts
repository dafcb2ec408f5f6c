/**
 * Recursive runs: a hook fired from one of its own callbacks gets its own
 * iteration (WP_Hook's nesting levels); the outer run carries on afterwards.
 */
import { MODES, hooksIn, recorder } from './helpers';

describe.each(MODES)('recursion (compile mode %s)', (mode) => {
	test("WordPress's test_action_recursion: every callback runs in the nested and in the outer run", () => {
		const h = hooksIn(mode);
		let a = 0;
		let b = 0;
		let recursing = false;
		h.add_action('x', () => a++, 11, 1);
		h.add_action('x', () => {
			if (!recursing) {
				recursing = true;
				h.do_action('x', 'x');
			}
			recursing = false;
		}, 12, 1);
		h.add_action('x', () => b++, 13, 1);
		h.do_action('x', 'x');
		expect(a).toBe(2); // recursive actions should call callbacks with earlier priority
		expect(b).toBe(2); // recursive actions should call callbacks with later priority
	});

	test('the nested run is complete before the outer run continues', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		let depth = 0;
		h.add_action('x', (level: unknown) => log.push(`first@${String(level)}`), 1);
		h.add_action('x', (level: unknown) => {
			log.push(`recurse@${String(level)}`);
			if (depth < 2) {
				depth++;
				h.do_action('x', Number(level) + 1);
				depth--;
			}
		}, 2);
		h.add_action('x', (level: unknown) => log.push(`last@${String(level)}`), 3);
		h.do_action('x', 0);
		expect(log).toEqual(['first@0', 'recurse@0', 'first@1', 'recurse@1', 'first@2', 'recurse@2', 'last@2', 'last@1', 'last@0']);
	});

	test('the current-hook stack holds the hook once per level', () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		let depth = 0;
		h.add_action('x', () => {
			seen.push([depth, h.current_filter(), h.doing_filter('x')]);
			if (depth < 3) {
				depth++;
				h.do_action('x');
				depth--;
			}
			seen.push([depth, h.current_filter()]);
		});
		h.do_action('x');
		expect(seen).toEqual([
			[0, 'x', true],
			[1, 'x', true],
			[2, 'x', true],
			[3, 'x', true],
			[3, 'x'],
			[2, 'x'],
			[1, 'x'],
			[0, 'x'],
		]);
		expect(h.doing_filter('x')).toBe(false);
	});

	test('a change made in a nested run applies to the outer run too', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const later = recorder(log, 'later');
		const added = recorder(log, 'added');
		let nested = false;
		h.add_action('x', () => {
			log.push(nested ? 'nested' : 'outer');
			if (!nested) {
				nested = true;
				h.do_action('x');
				nested = false;
			} else {
				h.remove_action('x', later, 20);
				h.add_action('x', added, 30);
			}
		});
		h.add_action('x', later, 20);
		h.do_action('x');
		expect(log).toEqual(['outer', 'nested', 'added', 'added']);
	});

	test('deep recursion of a filter threads each level separately', () => {
		const h = hooksIn(mode);
		h.add_filter('count', (n: number) => (n >= 50 ? n : h.apply_filters('count', n + 1)));
		h.add_filter('count', (n: number) => n + 1000, 11);
		// level k returns (inner result) + 1000; the innermost (50) adds 1000 once
		expect(h.apply_filters('count', 0)).toBe(50 + 1000 * 51);
		expect(h.current_filter()).toBe(false);
	});

	test('a throw deep in a recursion unwinds every level', () => {
		const h = hooksIn(mode);
		let depth = 0;
		h.add_action('x', () => {
			depth++;
			if (depth === 5) throw new Error('deep');
			h.do_action('x');
		});
		expect(() => h.do_action('x')).toThrow('deep');
		expect(h.current_filter()).toBe(false);
		depth = -100;
		const log: unknown[] = [];
		h.add_action('y', () => log.push(h.current_filter()));
		h.do_action('y');
		expect(log).toEqual(['y']);
	});
});
