/**
 * Test helpers: every behaviour is checked in each compile mode of a registry
 * ('never': WP_Hook-style iteration only; 'always': compiled tapable calls from
 * the first run; 'auto': the default, interpreting a fresh set of callbacks
 * once and compiling from the second run).
 */
import { type CreateHooksOptions, createHooks } from '../../hooks/create-hooks';
import type { Hooks } from '../../hooks';

export const MODES = ['auto', 'always', 'never'] as const satisfies readonly NonNullable<CreateHooksOptions['compile']>[];
export type Mode = (typeof MODES)[number];

export function hooksIn(mode: Mode): Hooks {
	return createHooks({ compile: mode });
}

/** A callback that records its name and arguments in `log` and returns `ret(args)`. */
export function recorder(log: unknown[], name: string, ret: (args: unknown[]) => unknown = () => undefined) {
	return (...args: unknown[]): unknown => {
		log.push(args.length > 0 ? `${name}(${args.map((a) => String(a)).join(',')})` : name);
		return ret(args);
	};
}
