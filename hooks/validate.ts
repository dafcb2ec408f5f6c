/**
 * Argument checks. Each throws a TypeError naming the argument, before the
 * registry is touched.
 */

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
	return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function validateHookName(hook_name: unknown): asserts hook_name is string {
	if (typeof hook_name !== 'string' || hook_name === '') {
		throw new TypeError(`hook_name must be a non-empty string, got ${describe(hook_name)}`);
	}
}

export function validateCallback(callback: unknown): asserts callback is (...args: unknown[]) => unknown {
	if (typeof callback !== 'function') {
		throw new TypeError(`callback must be a function, got ${describe(callback)}`);
	}
}

export function validatePriority(priority: unknown): asserts priority is number {
	if (typeof priority !== 'number' || !Number.isInteger(priority)) {
		throw new TypeError(`priority must be an integer, got ${describe(priority)}`);
	}
}

export function validateAcceptedArgs(accepted_args: unknown): asserts accepted_args is number {
	if (typeof accepted_args !== 'number' || !Number.isInteger(accepted_args) || accepted_args < 0) {
		throw new TypeError(`accepted_args must be a non-negative integer, got ${describe(accepted_args)}`);
	}
}
