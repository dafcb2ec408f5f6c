/**
 * Callbacks added or removed while the same hook runs, as WP_Hook does it:
 * each iteration walks a snapshot of the priority list whose cursor is moved by
 * WP_Hook::resort_active_iterations() on every change, and runs a snapshot of
 * the group of the priority it is on (PHP's foreach over a copy).
 *
 * Every expectation here was checked against WordPress's WP_Hook running under
 * PHP 8.2 (see oracle/README.md), and runs in every compile mode: in the
 * compiled modes the change makes the compiled call hand over to the WP_Hook
 * iteration in the middle of the run.
 */
import { MODES, hooksIn, recorder } from './helpers';

describe.each(MODES)('changes while the hook runs (compile mode %s)', (mode) => {
	test("WordPress's test_action_callback_manipulation_while_running", () => {
		const h = hooksIn(mode);
		const counts = { a: 0, b: 0, c: 0, d: 0, e: 0 };
		const mock = (k: keyof typeof counts) => () => {
			counts[k]++;
		};
		const [a, b, c, d, e] = (['a', 'b', 'c', 'd', 'e'] as const).map(mock);
		const manipulate = () => {
			h.remove_action('x', b, 12);
			h.add_action('x', c, 12, 2);
			h.add_action('x', d, 13, 2);
			h.add_action('x', e, 10, 2);
		};
		h.add_action('x', a, 11, 2);
		h.add_action('x', manipulate, 12, 2);
		h.add_action('x', b, 12, 2);
		h.do_action('x', 'x');
		h.do_action('x', 'x');
		expect(counts).toEqual({
			a: 2, // callbacks run unless otherwise instructed
			b: 1, // removed by a callback of its own priority: still called in that run
			c: 1, // added at the running priority: not called in that run
			d: 2, // added at a later priority: called in that run
			e: 1, // added at an earlier priority: not called in that run
		});
	});

	test('a callback added at a later priority, even a new one between two others, runs in this run', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const late = recorder(log, 'late');
		const between = recorder(log, 'between');
		h.add_action('x', () => {
			log.push('first');
			h.add_action('x', late, 30);
			h.add_action('x', between, 15);
		}, 10);
		h.add_action('x', recorder(log, 'twenty'), 20);
		h.do_action('x');
		expect(log).toEqual(['first', 'between', 'twenty', 'late']);
	});

	test('a callback added at an earlier priority runs from the next run on', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const early = recorder(log, 'early');
		h.add_action('x', () => {
			log.push('main');
			h.add_action('x', early, 1);
		});
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['main', 'early', 'main']);
	});

	test('a callback added at the running priority runs from the next run on', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const sibling = recorder(log, 'sibling');
		h.add_action('x', () => {
			log.push('main');
			h.add_action('x', sibling, 10);
		});
		h.add_action('x', recorder(log, 'later'), 11);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['main', 'later', 'main', 'sibling', 'later']);
	});

	test('a callback removed at a later priority does not run', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const later = recorder(log, 'later');
		h.add_action('x', () => {
			log.push('main');
			expect(h.remove_action('x', later, 20)).toBe(true);
		});
		h.add_action('x', later, 20);
		h.add_action('x', recorder(log, 'last'), 30);
		h.do_action('x');
		expect(log).toEqual(['main', 'last']);
	});

	test('a sibling removed later in the running priority still runs in this run', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const sibling = recorder(log, 'sibling');
		h.add_action('x', () => {
			log.push('main');
			h.remove_action('x', sibling, 10);
		});
		h.add_action('x', sibling, 10);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['main', 'sibling', 'main']);
	});

	test('removing a callback that already ran changes nothing in this run', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const early = recorder(log, 'early');
		h.add_action('x', early, 1);
		h.add_action('x', () => {
			log.push('main');
			h.remove_action('x', early, 1);
		});
		h.add_action('x', recorder(log, 'late'), 20);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['early', 'main', 'late', 'main', 'late']);
	});

	test('a callback removing itself, alone at its priority, with no lower priority: the next priority runs', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const once = () => {
			log.push('once');
			h.remove_action('x', once, 10);
		};
		h.add_action('x', once, 10);
		h.add_action('x', recorder(log, 'twenty'), 20);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['once', 'twenty', 'twenty']);
	});

	test('a callback removing itself, alone at its priority, after a lower priority: WordPress skips the next priority in that run', () => {
		// WP_Hook::resort_active_iterations() moves the cursor to the next
		// priority, then the loop's next() moves past it. Kept as in WordPress.
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const once = () => {
			log.push('once');
			h.remove_action('x', once, 10);
		};
		h.add_action('x', recorder(log, 'five'), 5);
		h.add_action('x', once, 10);
		h.add_action('x', recorder(log, 'twenty'), 20);
		h.add_action('x', recorder(log, 'thirty'), 30);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['five', 'once', 'thirty', 'five', 'twenty', 'thirty']);
	});

	test('a callback that is not alone at its priority removing itself: nothing is skipped', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const once = () => {
			log.push('once');
			h.remove_action('x', once, 10);
		};
		h.add_action('x', recorder(log, 'five'), 5);
		h.add_action('x', once, 10);
		h.add_action('x', recorder(log, 'sibling'), 10);
		h.add_action('x', recorder(log, 'twenty'), 20);
		h.do_action('x');
		expect(log).toEqual(['five', 'once', 'sibling', 'twenty']);
	});

	test('removing itself and adding another callback at the same priority: the cursor is restored', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const replacement = recorder(log, 'replacement');
		const once = () => {
			log.push('once');
			h.remove_action('x', once, 10);
			h.add_action('x', replacement, 10);
		};
		h.add_action('x', recorder(log, 'five'), 5);
		h.add_action('x', once, 10);
		h.add_action('x', recorder(log, 'twenty'), 20);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['five', 'once', 'twenty', 'five', 'replacement', 'twenty']);
	});

	test('remove_all during a run: the running group finishes, nothing after it runs', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const late = recorder(log, 'added after');
		h.add_action('x', recorder(log, 'five'), 5);
		h.add_action('x', () => {
			log.push('clear');
			h.remove_all_actions('x');
			h.add_action('x', late, 30);
		});
		h.add_action('x', recorder(log, 'sibling'), 10);
		h.add_action('x', recorder(log, 'twenty'), 20);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['five', 'clear', 'sibling', 'added after']);
	});

	test('remove_all of a later priority during a run: that priority does not run', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('x', () => {
			log.push('main');
			h.remove_all_actions('x', 20);
		});
		h.add_action('x', recorder(log, 'twenty-a'), 20);
		h.add_action('x', recorder(log, 'twenty-b'), 20);
		h.add_action('x', recorder(log, 'thirty'), 30);
		h.do_action('x');
		expect(log).toEqual(['main', 'thirty']);
	});

	test('remove_all of the running priority after a lower one: the group finishes, the next priority is skipped (as WordPress)', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		h.add_action('x', recorder(log, 'five'), 5);
		h.add_action('x', () => {
			log.push('main');
			h.remove_all_actions('x', 10);
		});
		h.add_action('x', recorder(log, 'sibling'), 10);
		h.add_action('x', recorder(log, 'twenty'), 20);
		h.do_action('x');
		h.do_action('x');
		expect(log).toEqual(['five', 'main', 'sibling', 'five', 'twenty']);
	});

	test("WordPress's test_do_action_doesnt_change_value: remove itself, run the hook, add itself back", () => {
		const h = hooksIn(mode);
		let output = '';
		const one = (value: string) => {
			output += `${value}1`;
			return 'x1';
		};
		const two = (value: string) => {
			h.remove_action('x', two, 10);
			output += '-';
			h.do_action('x', 'b');
			output += '-';
			h.add_action('x', two, 10, 1);
			output += `${value}2`;
			return 'x2';
		};
		const three = (value: string) => {
			output += `${value}3`;
			return 'x3';
		};
		h.add_action('x', one, 10, 1);
		h.add_action('x', two, 10, 1);
		h.add_action('x', three, 11, 1);
		h.do_action('x', 'a');
		expect(output).toBe('a1-b1b3-a2a3');
	});

	test('re-adding the running callback with another accepted_args applies from the next run', () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		const cb = (...args: unknown[]) => {
			calls.push(args);
			h.add_action('x', cb, 10, 3);
		};
		h.add_action('x', cb, 10, 1);
		h.do_action('x', 1, 2, 3);
		h.do_action('x', 1, 2, 3);
		expect(calls).toEqual([[1], [1, 2, 3]]);
	});

	test('a filter keeps threading its value across a change in the middle of the run', () => {
		const h = hooksIn(mode);
		const late = (v: string) => `${v}+late`;
		h.add_filter('f', (v: string) => `${v}+a`, 1);
		h.add_filter('f', (v: string) => {
			h.add_filter('f', late, 50);
			return `${v}+b`;
		}, 2);
		h.add_filter('f', (v: string) => `${v}+c`, 3);
		expect(h.apply_filters('f', 'v')).toBe('v+a+b+c+late');
		expect(h.apply_filters('f', 'w')).toBe('w+a+b+c+late');
	});

	test('long chains (more than 20 callbacks) handle changes at any position', () => {
		const h = hooksIn(mode);
		const log: unknown[] = [];
		const extra = recorder(log, 'extra');
		const victim = recorder(log, 'victim');
		for (let i = 0; i < 30; i++) {
			if (i === 25) {
				h.add_action('x', () => {
					log.push(25);
					h.remove_action('x', victim, 28);
					h.add_action('x', extra, 29);
				}, i);
			} else if (i === 28) {
				h.add_action('x', victim, i);
			} else {
				h.add_action('x', () => log.push(i), i);
			}
		}
		h.do_action('x');
		const expected = [...Array.from({ length: 28 }, (_, i) => i), 29, 'extra'];
		expect(log).toEqual(expected);
		log.length = 0;
		h.do_action('x');
		expect(log).toEqual(expected);
	});
});
