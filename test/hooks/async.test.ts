/**
 * do_action_async / apply_filters_async: each callback awaited in order; the
 * first rejection (or synchronous throw) stops the run and rejects with that
 * error; the current-hook stack is per async context (AsyncLocalStorage).
 */
import { MODES, hooksIn } from './helpers';

const tick = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.each(MODES)('async runs (compile mode %s)', (mode) => {
	test('do_action_async awaits each callback before calling the next', async () => {
		const h = hooksIn(mode);
		const log: string[] = [];
		h.add_action('x', async (v: unknown) => {
			log.push(`a start ${String(v)}`);
			await tick(15);
			log.push('a end');
		});
		h.add_action('x', (v: unknown) => {
			log.push(`b sync ${String(v)}`);
		}, 11);
		h.add_action('x', async () => {
			log.push('c start');
			await tick(1);
			log.push('c end');
		}, 12);
		const done = h.do_action_async('x', 1);
		expect(log).toEqual(['a start 1']); // the first callback starts synchronously
		await expect(done).resolves.toBeUndefined();
		expect(log).toEqual(['a start 1', 'a end', 'b sync 1', 'c start', 'c end']);
	});

	test('apply_filters_async threads awaited values and resolves to the result', async () => {
		const h = hooksIn(mode);
		h.add_filter('f', async (v: number) => {
			await tick(1);
			return v + 1;
		});
		h.add_filter('f', (v: number) => v * 10, 20);
		h.add_filter('f', async (v: number, extra: unknown) => v + Number(extra), 30, 2);
		await expect(h.apply_filters_async('f', 1, 5)).resolves.toBe(25);
		await expect(h.apply_filters_async('nobody', 'same')).resolves.toBe('same');
	});

	test('accepted_args applies: data.process with accepted_args 1 gets only the NDJSON', async () => {
		const h = hooksIn(mode);
		const calls: unknown[][] = [];
		h.add_action('altis.analytics.export.data.process', async (...args: unknown[]) => {
			calls.push(args);
		});
		h.add_action('altis.analytics.export.data.process', async (...args: unknown[]) => {
			calls.push(args);
		}, 10, 2);
		const batch = { id: 'b1', files: 1, events: 2 };
		await h.do_action_async('altis.analytics.export.data.process', '{"a":1}\n{"a":2}\n', batch);
		expect(calls).toEqual([['{"a":1}\n{"a":2}\n'], ['{"a":1}\n{"a":2}\n', batch]]);
	});

	test('a rejection stops the run and rejects with that error', async () => {
		const h = hooksIn(mode);
		const log: string[] = [];
		const failure = new Error('subscriber failed');
		h.add_action('x', async () => {
			log.push('first');
		});
		h.add_action('x', async () => {
			await tick(1);
			throw failure;
		}, 11);
		h.add_action('x', () => {
			log.push('never');
		}, 12);
		await expect(h.do_action_async('x')).rejects.toBe(failure);
		expect(log).toEqual(['first']);
		expect(h.current_filter()).toBe(false);
		expect(h.doing_action('x')).toBe(false);
	});

	test('a synchronous throw rejects (it does not throw from the call)', async () => {
		const h = hooksIn(mode);
		const failure = new TypeError('sync failure');
		h.add_filter('f', () => {
			throw failure;
		});
		let promise: Promise<unknown> | undefined;
		expect(() => {
			promise = h.apply_filters_async('f', 1);
		}).not.toThrow();
		await expect(promise).rejects.toBe(failure);
		expect(h.current_filter()).toBe(false);
	});

	test('during an awaited callback the hook is current in its own async context', async () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_action('x', async () => {
			seen.push(['before await', h.current_action(), h.doing_action('x')]);
			await tick(5);
			seen.push(['after await', h.current_action(), h.doing_action('x'), h.doing_action()]);
		});
		const run = h.do_action_async('x');
		// an unrelated context while x is awaiting: x is not running here
		await tick(1);
		seen.push(['unrelated', h.current_action(), h.doing_action('x'), h.doing_action()]);
		await run;
		seen.push(['after', h.current_action(), h.doing_action('x')]);
		expect(seen).toEqual([
			['before await', 'x', true],
			['unrelated', false, false, false],
			['after await', 'x', true, true],
			['after', false, false],
		]);
	});

	test('concurrent interleaved runs each see their own hook', async () => {
		const h = hooksIn(mode);
		const seen: string[] = [];
		const probe = (label: string) => async () => {
			for (let i = 0; i < 3; i++) {
				await tick(1 + (label === 'a' ? 0 : 1));
				seen.push(`${label}:${String(h.current_filter())}:${h.doing_filter('a')}:${h.doing_filter('b')}`);
			}
		};
		h.add_action('a', probe('a'));
		h.add_action('b', probe('b'));
		await Promise.all([h.do_action_async('a'), h.do_action_async('b'), h.do_action_async('a')]);
		expect(seen).toHaveLength(9);
		for (const line of seen) {
			const [label, current, doingA, doingB] = line.split(':');
			expect(current).toBe(label);
			expect(doingA).toBe(String(label === 'a'));
			expect(doingB).toBe(String(label === 'b'));
		}
	});

	test('nested async runs stack, and the outer hook is current again afterwards', async () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_action('outer', async () => {
			seen.push(['outer', h.current_filter()]);
			const value = await h.apply_filters_async('inner', 1);
			seen.push(['outer again', h.current_filter(), h.doing_filter('inner'), value]);
		});
		h.add_filter('inner', async (v: number) => {
			await tick(1);
			seen.push(['inner', h.current_filter(), h.doing_filter('outer'), h.doing_filter('inner')]);
			return v + 1;
		});
		await h.do_action_async('outer');
		expect(seen).toEqual([
			['outer', 'outer'],
			['inner', 'inner', true, true],
			['outer again', 'outer', false, 2],
		]);
	});

	test('a synchronous hook inside an async callback is innermost while it runs', async () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		h.add_action('sync-inner', () => seen.push([h.current_filter(), h.doing_filter('async-outer')]));
		h.add_action('async-outer', async () => {
			await tick(1);
			h.do_action('sync-inner');
			seen.push(h.current_filter());
		});
		await h.do_action_async('async-outer');
		expect(seen).toEqual([['sync-inner', true], 'async-outer']);
	});

	test('an async run started from a synchronous callback is innermost during its first callback', async () => {
		const h = hooksIn(mode);
		const seen: unknown[] = [];
		let pending: Promise<void> | undefined;
		h.add_action('a', async () => {
			seen.push(['a sync part', h.current_filter(), h.doing_filter('s')]);
			await tick(1);
			seen.push(['a after await', h.current_filter(), h.doing_filter('s')]);
		});
		h.add_action('s', () => {
			pending = h.do_action_async('a');
			seen.push(['s', h.current_filter()]);
		});
		h.do_action('s');
		await pending;
		expect(seen).toEqual([
			['a sync part', 'a', true],
			['s', 's'],
			['a after await', 'a', false], // s has finished by then
		]);
	});

	test('work left running after the run has finished no longer sees the hook', async () => {
		const h = hooksIn(mode);
		let later: Promise<unknown> | undefined;
		h.add_action('x', () => {
			later = (async () => {
				await tick(10);
				return [h.current_filter(), h.doing_filter('x')];
			})();
		});
		await h.do_action_async('x');
		await expect(later).resolves.toEqual([false, false]);
	});

	test('callbacks added and removed during an async run follow WP_Hook', async () => {
		const h = hooksIn(mode);
		const log: string[] = [];
		const later = async () => {
			log.push('later');
		};
		const added = async () => {
			log.push('added');
		};
		const earlier = async () => {
			log.push('earlier');
		};
		h.add_action('x', async () => {
			log.push('first');
			await tick(1);
			h.remove_action('x', later, 20);
			h.add_action('x', added, 30);
			h.add_action('x', earlier, 1);
		});
		h.add_action('x', later, 20);
		await h.do_action_async('x');
		await h.do_action_async('x');
		expect(log).toEqual(['first', 'added', 'earlier', 'first', 'added']);
	});

	test('a synchronous run of the hook during an async run of it is separate', async () => {
		const h = hooksIn(mode);
		const log: string[] = [];
		let inAsync = false;
		h.add_action('x', async (origin: unknown) => {
			log.push(`cb ${String(origin)}`);
			if (origin === 'async') {
				inAsync = true;
				await tick(1);
				h.do_action('x', 'sync');
				inAsync = false;
			}
		});
		h.add_action('x', (origin: unknown) => {
			log.push(`second ${String(origin)} ${inAsync}`);
		}, 11);
		await h.do_action_async('x', 'async');
		expect(log).toEqual(['cb async', 'cb sync', 'second sync true', 'second async false']);
	});
});
