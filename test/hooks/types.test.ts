/**
 * Type-level tests of the hook map. `npm test` type-checks test/ before jest:
 * every `@ts-expect-error` below must mark a real type error (an unused one
 * fails the build), and every other line must type-check. The runtime part
 * checks that the typed calls do what they say.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
	type ActionSpec,
	type AnalyticsQuery,
	type CronSchedules,
	E_USER_NOTICE,
	E_USER_WARNING,
	type ExportBatch,
	type FilterSpec,
	type Hooks,
	createHooks,
} from '../../hooks';

// Declaration merging, as a plugin would do it on the package entry.
declare module '../../hooks' {
	interface HookMap {
		'test.types.sent': ActionSpec<[batchId: string, rows: number]>;
		'test.types.endpoint': FilterSpec<string, [region: 'eu' | 'us']>;
		'test.types.async': FilterSpec<number, [], number | Promise<number>>;
	}
}

const SAMPLE_QUERY: AnalyticsQuery = {
	eventType: 'pageView',
	timeRange: { from: '2026-11-01T00:00:00.000Z', to: '2026-11-30T23:59:59.999Z' },
	granularity: 'DAY',
	filters: [],
	groupBy: [],
	aggregations: [{ function: 'COUNT', alias: 'events' }],
	sort: [],
	limit: 1000,
};

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_: T): void {}

function typeChecks(h: Hooks): void {
	// --- documented filters ------------------------------------------------
	h.add_filter('altis.analytics.export.cron.enabled', (enabled) => !enabled);
	h.add_filter('altis.analytics.export.cron.enabled', () => false, 5, 0);

	h.add_filter('altis.analytics.export.cron.frequency', (frequency) => frequency.toLowerCase());

	h.add_filter('altis.analytics.export.max.files', (max) => Math.min(max, 10));

	h.add_filter('cron_schedules', (schedules) => ({ ...schedules, five_seconds: { interval: 5, display: 'Every 5 seconds' } }));

	h.add_filter('altis.analytics.export_events_capability', (capability) => `${capability}_or_more`);
	h.add_filter('altis.analytics.query_capability', () => 'edit_posts');

	// The query filter receives the validated query and { site, user }; it may be async.
	h.add_filter(
		'altis.analytics.query.request',
		(query, { site, user }) => (user?.role === 'administrator' || site !== '1' ? query : { ...query, limit: Math.min(query.limit, 100) }),
		10,
		2,
	);
	h.add_filter('altis.analytics.query.request', async (query) => ({
		...query,
		filters: [...query.filters, { field: 'endpoint.Location.Country', op: 'EQ', value: 'GB' }],
	}));

	// --- documented actions --------------------------------------------------
	// As in WordPress, a callback gets accepted_args arguments (default 1): one
	// that wants the batch too registers with accepted_args 2.
	h.add_action(
		'altis.analytics.export.data.process',
		async (ndjson, batch) => {
			const lines: number = ndjson.split('\n').length;
			const id: string = batch.id;
			const counts: number = batch.files + batch.events;
			void [lines, id, counts];
		},
		10,
		2,
	);
	h.add_action('altis.analytics.export.data.process', (ndjson: string) => void ndjson, 10, 1);

	h.add_action('altis.analytics.export.log', (message, level) => void `${message.trim()} ${level.toFixed()}`, 10, 2);

	// --- running documented hooks -------------------------------------------
	h.do_action('altis.analytics.export.log', 'exported', E_USER_NOTICE);

	const max = h.apply_filters('altis.analytics.export.max.files', 100);
	assertType<Equal<typeof max, number>>(true);
	const schedules = h.apply_filters('cron_schedules', {} as CronSchedules);
	assertType<Equal<typeof schedules, CronSchedules>>(true);

	const batch: ExportBatch = { id: 'b', files: 1, events: 2 };
	const processed = h.do_action_async('altis.analytics.export.data.process', '{}\n', batch);
	assertType<Equal<typeof processed, Promise<void>>>(true);
	void processed;
	const enabled = h.apply_filters_async('altis.analytics.export.cron.enabled', true);
	assertType<Equal<typeof enabled, Promise<boolean>>>(true);
	const query = h.apply_filters_async('altis.analytics.query.request', SAMPLE_QUERY, { site: '1', user: null });
	assertType<Equal<typeof query, Promise<AnalyticsQuery>>>(true);
	void query;

	// Typed where the host runs it (rest/app.ts: its arguments are Express's and the host's types).
	h.add_action('altis.analytics.rest_api_init', (app) => void app.get('/wp-json/acme/v1/ping', (_req, res) => void res.json({ pong: true })));

	// --- augmented hooks ----------------------------------------------------------
	h.add_action('test.types.sent', (batchId, rows) => void `${batchId}:${rows.toFixed()}`, 10, 2);
	h.do_action('test.types.sent', 'b1', 3);
	h.add_filter('test.types.endpoint', (url, region) => `${url}/${region}`, 10, 2);
	h.add_filter('test.types.async', async (n) => n + 1);
	const asyncValue = h.apply_filters_async('test.types.async', 1);
	assertType<Equal<typeof asyncValue, Promise<number>>>(true);

	// --- any other hook name: untyped ------------------------------------------
	h.add_filter('my.custom.filter', (value: string) => value.trim()); // narrower parameters are fine
	h.add_filter('my.custom.filter', (value, extra) => [value, extra], 10, 2);
	const custom = h.apply_filters('my.custom.filter', ' x ', { any: 'extra' }, 3);
	assertType<Equal<typeof custom, string>>(true);
	h.do_action('my.custom.action', 1, 'two', { three: 3 });
	h.do_action('my.custom.action');
	const dynamicName: string = ['altis', 'analytics', 'export', 'max', 'files'].join('.');
	h.add_filter(dynamicName, (v: string) => v); // a name only known as string is untyped

	// --- the rest of the API ------------------------------------------------------
	const cb = (v: number) => v;
	const priority = h.has_filter('altis.analytics.export.max.files', cb);
	assertType<Equal<typeof priority, number | false>>(true);
	const any = h.has_filter('altis.analytics.export.max.files');
	assertType<Equal<typeof any, boolean>>(true);
	const removed = h.remove_filter('altis.analytics.export.max.files', cb, 10);
	assertType<Equal<typeof removed, boolean>>(true);
	const current = h.current_filter();
	assertType<Equal<typeof current, string | false>>(true);
	const count = h.did_action('x');
	assertType<Equal<typeof count, number>>(true);
}

/**
 * Calls that must not type-check. Never executed (they would fail at run time
 * as they fail at compile time); type-checked only.
 */
function typeErrors(h: Hooks, cb: (v: number) => number): void {
	// @ts-expect-error enabled is a boolean
	h.add_filter('altis.analytics.export.cron.enabled', (enabled: string) => enabled);
	// @ts-expect-error an enabled filter must return a boolean
	h.add_filter('altis.analytics.export.cron.enabled', () => 'yes');
	// @ts-expect-error frequency is a schedule name (string)
	h.add_filter('altis.analytics.export.cron.frequency', (frequency: number) => frequency);
	// @ts-expect-error max.files is a number
	h.add_filter('altis.analytics.export.max.files', (max) => max.toUpperCase());
	// @ts-expect-error a schedule needs a display name
	h.add_filter('cron_schedules', (schedules) => ({ ...schedules, broken: { interval: 5 } }));
	// @ts-expect-error the capability is a string
	h.add_filter('altis.analytics.export_events_capability', () => 42);
	// @ts-expect-error the capability is a string
	h.add_filter('altis.analytics.query_capability', (capability: boolean) => capability);
	// @ts-expect-error the query is an object, not its JSON text
	h.add_filter('altis.analytics.query.request', (query: string) => query);
	// @ts-expect-error the context has site and user only
	h.add_filter('altis.analytics.query.request', (query, context) => (context.blogId ? query : query), 10, 2);
	// @ts-expect-error the user of the context may be null
	h.add_filter('altis.analytics.query.request', (query, context) => (context.user.role === 'editor' ? query : query), 10, 2);
	// @ts-expect-error a query filter's op is one of EQ, NEQ, GT, GTE, LT, LTE, IN, NOT_IN
	h.add_filter('altis.analytics.query.request', (query) => ({ ...query, filters: [{ field: 'url', op: 'LIKE', value: '%x%' }] }));
	// @ts-expect-error the filter returns the query (or a promise of it)
	h.add_filter('altis.analytics.query.request', async () => true);
	// @ts-expect-error the context is a second argument of apply_filters
	void h.apply_filters_async('altis.analytics.query.request', SAMPLE_QUERY, '1');
	// @ts-expect-error a filter is not run with do_action
	h.do_action('altis.analytics.query.request', SAMPLE_QUERY);
	// @ts-expect-error the app is Express's application, not a router path
	h.add_action('altis.analytics.rest_api_init', (app: string) => app);
	// @ts-expect-error the NDJSON is a string
	h.add_action('altis.analytics.export.data.process', (ndjson: number) => ndjson);
	// @ts-expect-error the batch has id, files and events only
	h.add_action('altis.analytics.export.data.process', (_ndjson, batch) => batch.size);
	// @ts-expect-error the level is a number
	h.add_action('altis.analytics.export.log', (_message: string, level: string) => level);
	// @ts-expect-error the message is a string
	h.do_action('altis.analytics.export.log', 42, E_USER_NOTICE);
	// @ts-expect-error the level is required
	h.do_action('altis.analytics.export.log', 'exported');
	// @ts-expect-error a filter is not run with do_action
	h.do_action('altis.analytics.export.max.files', 100);
	// @ts-expect-error the value of max.files is a number
	h.apply_filters('altis.analytics.export.max.files', '100');
	// @ts-expect-error an action is not run with apply_filters
	h.apply_filters('altis.analytics.export.log', 'message');
	// @ts-expect-error the batch is required by the typed signature
	void h.do_action_async('altis.analytics.export.data.process', '{}\n');
	// @ts-expect-error rows is a number
	h.add_action('test.types.sent', (_batchId: string, rows: string) => rows);
	// @ts-expect-error rows is a number
	h.do_action('test.types.sent', 'b1', '3');
	// @ts-expect-error the region is 'eu' or 'us'
	h.apply_filters('test.types.endpoint', 'https://x', 'asia');
	// @ts-expect-error the async filter still takes a number
	h.add_filter('test.types.async', async (n: string) => n);
	// @ts-expect-error untyped callbacks receive unknown: narrow them first
	h.add_filter('my.custom.filter', (value) => value.trim());
	// @ts-expect-error priorities are numbers
	h.add_filter('x', cb, '10');
	// @ts-expect-error callbacks are functions
	h.add_filter('x', 'my_function');
}
void typeErrors;

describe('typed hook map', () => {
	test('typed calls behave at run time', async () => {
		const h = createHooks();
		typeChecks(h);
		expect(h.apply_filters('altis.analytics.export.max.files', 100)).toBe(10);
		expect(h.apply_filters('altis.analytics.export.cron.enabled', true)).toBe(true); // false at 5, negated at 10
		expect(h.apply_filters('altis.analytics.export.cron.frequency', 'TEN_MINUTES')).toBe('ten_minutes');
		const schedules = h.apply_filters('cron_schedules', { hourly: { interval: 3600, display: 'Once Hourly' } });
		expect(schedules.five_seconds).toEqual({ interval: 5, display: 'Every 5 seconds' });
		expect(h.apply_filters('altis.analytics.query_capability', 'manage_options')).toBe('edit_posts');
		const editor = { id: 2, login: 'ed', role: 'editor' };
		await expect(h.apply_filters_async('altis.analytics.query.request', SAMPLE_QUERY, { site: '1', user: editor })).resolves.toEqual({
			...SAMPLE_QUERY,
			limit: 100,
			filters: [{ field: 'endpoint.Location.Country', op: 'EQ', value: 'GB' }],
		});
		expect(h.apply_filters('test.types.endpoint', 'https://x', 'eu')).toBe('https://x/eu');
		await expect(h.apply_filters_async('test.types.async', 1)).resolves.toBe(2);
		expect(h.did_action('altis.analytics.export.log')).toBe(1);
		expect(E_USER_WARNING).toBe(512);
	});

	test('the public types of hooks/ use no `any`', () => {
		const dir = join(__dirname, '..', '..', 'hooks');
		for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
			const code = readFileSync(join(dir, file), 'utf8')
				.replace(/\/\*[\s\S]*?\*\//g, '')
				.replace(/\/\/.*$/gm, '')
				.replace(/'[^'\n]*'|"[^"\n]*"|`[^`]*`/g, "''");
			expect({ file, any: /\bany\b/.test(code) }).toEqual({ file, any: false });
		}
	});
});
