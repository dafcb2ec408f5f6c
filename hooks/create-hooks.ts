/**
 * createHooks(): an isolated registry with every method of the public API.
 * The methods are closures over the registry's store: they need no `this` and
 * can be passed around or destructured.
 */
import { createAddHook } from './create-add-hook';
import { createCurrentHook } from './create-current-hook';
import { createDidHook } from './create-did-hook';
import { createDoingHook } from './create-doing-hook';
import { createCountCallbacks, createHasHook } from './create-has-hook';
import { createRemoveAllHooks, createRemoveHook } from './create-remove-hook';
import { createApplyFilters, createApplyFiltersAsync, createDoAction, createDoActionAsync } from './create-run-hook';
import { type CompileMode, Store } from './store';
import type { Hooks } from './types';

export interface CreateHooksOptions {
	/**
	 * When a hook's callbacks are compiled to a tapable call. Default `'auto'`.
	 * Only changes speed; exposed for tests and benchmarks.
	 */
	compile?: CompileMode;
}

export function createHooks(options: CreateHooksOptions = {}): Hooks {
	const store = new Store(options.compile ?? 'auto');
	const add = createAddHook(store);
	const remove = createRemoveHook(store);
	const removeAll = createRemoveAllHooks(store);
	const has = createHasHook(store);
	const current = createCurrentHook(store);
	const doing = createDoingHook(store);
	const hooks = {
		add_filter: add,
		add_action: add,
		remove_filter: remove,
		remove_action: remove,
		remove_all_filters: removeAll,
		remove_all_actions: removeAll,
		has_filter: has,
		has_action: has,
		count_callbacks: createCountCallbacks(store),
		do_action: createDoAction(store),
		apply_filters: createApplyFilters(store),
		do_action_async: createDoActionAsync(store),
		apply_filters_async: createApplyFiltersAsync(store),
		did_action: createDidHook(store, 'actions'),
		did_filter: createDidHook(store, 'filters'),
		doing_action: doing,
		doing_filter: doing,
		current_action: current,
		current_filter: current,
	};
	// The implementations take `unknown` and validate at run time; the public
	// signatures are the typed ones of `Hooks`.
	return hooks as unknown as Hooks;
}
