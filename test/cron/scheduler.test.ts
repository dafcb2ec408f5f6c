import cron from 'node-cron';
import { E_USER_NOTICE, E_USER_WARNING } from '../../hooks';
import { nextRunAfter, reconcileSchedule, startScheduler, type RunningScheduler } from '../../cron/scheduler';
import { DEFAULT_SCHEDULES, resolveFrequency } from '../../cron/schedules';
import { OPTION_SCHEDULE, type ScheduleState } from '../../cron/state';
import { exportStatus } from '../../cron/status';
import { BACKENDS } from '../support/backends';
import { createTestHost, type TestHost } from '../support/host';
import { recordDeliveries, recordLog, seedFiles } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 5-second schedule added by a plugin through cron_schedules, and selected by the frequency filter. */
function everyFiveSeconds(t: TestHost): void {
  t.hooks.add_filter('cron_schedules', (s: Record<string, { interval: number; display: string }>) => ({ ...s, every_five: { interval: 5, display: 'Every 5 seconds' } }));
  t.hooks.add_filter('altis.analytics.export.cron.frequency', () => 'every_five');
}

/** Times (ms) at which runs started, from the run.start action. */
function recordRuns(t: TestHost): number[] {
  const starts: number[] = [];
  t.hooks.add_action('altis.analytics.export.run.start', () => void starts.push(Date.now()));
  return starts;
}

describe('schedules', () => {
  let t: TestHost;
  afterEach(async () => t?.cleanup());

  test('cron_schedules starts from WordPress core and Altis, and a plugin can add one', async () => {
    t = await createTestHost('sqlite');
    expect(DEFAULT_SCHEDULES).toEqual({
      hourly: { interval: 3600, display: 'Once Hourly' },
      twicedaily: { interval: 43200, display: 'Twice Daily' },
      daily: { interval: 86400, display: 'Once Daily' },
      weekly: { interval: 604800, display: 'Once Weekly' },
      ten_minutes: { interval: 600, display: 'Altis Analytics Schedule (10 mins)' },
    });
    expect(resolveFrequency(t.host)).toEqual({ name: 'ten_minutes', interval: 600, display: 'Altis Analytics Schedule (10 mins)', warnings: [] });
    t.hooks.add_filter('cron_schedules', (s: Record<string, { interval: number; display: string }>) => ({ ...s, seven_minutes: { interval: 420, display: 'Every 7 minutes' } }));
    t.hooks.add_filter('altis.analytics.export.cron.frequency', () => 'seven_minutes');
    expect(resolveFrequency(t.host)).toMatchObject({ name: 'seven_minutes', interval: 420, warnings: [] });
  });

  test('config names the default schedule; the filter has the last word; unknown names and tiny intervals are corrected with a warning', async () => {
    t = await createTestHost('sqlite', (c) => (c.export.cron.frequency = 'hourly'));
    expect(resolveFrequency(t.host)).toMatchObject({ name: 'hourly', interval: 3600 });
    const f = (v: string) => v;
    t.hooks.add_filter('altis.analytics.export.cron.frequency', f);
    t.hooks.add_filter('altis.analytics.export.cron.frequency', () => 'fortnightly', 20);
    expect(resolveFrequency(t.host)).toMatchObject({ name: 'ten_minutes', interval: 600, warnings: [expect.stringContaining('Unknown cron schedule "fortnightly"')] });
    t.hooks.add_filter('cron_schedules', (s: Record<string, { interval: number; display: string }>) => ({ ...s, fortnightly: { interval: 1, display: 'Too often' } }));
    expect(resolveFrequency(t.host)).toMatchObject({ name: 'fortnightly', interval: 5, warnings: [expect.stringContaining('at most every 5 s')] });
  });

  test('any interval keeps its phase: the next run is the first slot after now (420 s does not divide an hour)', () => {
    const due = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(nextRunAfter(due, 420_000, due)).toBe(due + 420_000);
    expect(nextRunAfter(due, 420_000, due + 419_999)).toBe(due + 420_000);
    // Down for an hour: one run now, then back in phase (not 8 catch-up runs).
    expect(nextRunAfter(due, 420_000, due + 3_600_000)).toBe(due + 9 * 420_000);
    expect(nextRunAfter(due + 5000, 420_000, due)).toBe(due + 5000);
  });

  test('a changed frequency moves the stored next run no later than one new interval', async () => {
    t = await createTestHost('sqlite');
    const now = Date.UTC(2026, 0, 1);
    const hourly = { name: 'hourly', interval: 3600, display: '', warnings: [] };
    expect(await reconcileSchedule(t.host.store, hourly, now - 300)).toEqual({ next_run: now, frequency: 'hourly', interval: 3600 });
    await t.host.store.options.set(OPTION_SCHEDULE, { next_run: now + 3_000_000, frequency: 'hourly', interval: 3600 });
    expect(await reconcileSchedule(t.host.store, hourly, now)).toMatchObject({ next_run: now + 3_000_000 });
    expect(await reconcileSchedule(t.host.store, { ...hourly, name: 'five', interval: 5 }, now)).toEqual({ next_run: now + 5000, frequency: 'five', interval: 5 });
  });
});

describe.each(BACKENDS)('scheduler on %s (real node-cron, 5-second schedule)', (backend) => {
  let t: TestHost;
  let schedulers: RunningScheduler[] = [];
  const start = async () => {
    const s = await startScheduler(t.host);
    schedulers.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of schedulers) await s.stop();
    schedulers = [];
    await t?.cleanup();
  });

  test('runs at the interval; a restart before the due time neither runs early nor delays; a missed run runs once', async () => {
    t = await createTestHost(backend);
    everyFiveSeconds(t);
    const files = await seedFiles(t.host, [3, 2]);
    const rec = recordDeliveries(t.hooks);
    const runs = recordRuns(t);
    const s1 = await start();
    await sleep(11_500);
    await s1.stop();
    // First start: due at once, then every 5 s in phase.
    expect(runs.length).toBe(3);
    expect(runs[1] - runs[0]).toBeGreaterThan(4_500);
    expect(runs[1] - runs[0]).toBeLessThan(5_500);
    expect(runs[2] - runs[1]).toBeGreaterThan(4_500);
    expect(runs[2] - runs[1]).toBeLessThan(5_500);
    expect(rec.lines()).toEqual(files.flat());

    // Restart (a new scheduler on the same database) before the next due time: no extra run, no delay.
    const state = (await t.host.store.options.get<ScheduleState>(OPTION_SCHEDULE))!;
    expect(state.next_run).toBeGreaterThan(Date.now());
    expect(state.next_run - runs[2]).toBeGreaterThan(4_000);
    await start();
    await sleep(state.next_run - Date.now() - 700);
    expect(runs.length).toBe(3);
    while (runs.length < 4 && Date.now() < state.next_run + 3_000) await sleep(50);
    expect(runs.length).toBe(4);
    expect(Math.abs(runs[3] - state.next_run)).toBeLessThan(1_100);
    for (const s of schedulers) await s.stop();

    // Down for ten intervals: one run at start, then the next slot in phase.
    const missed = Math.floor(Date.now() / 1000) * 1000 - 50_000;
    await t.host.store.options.set(OPTION_SCHEDULE, { ...state, next_run: missed });
    const before = runs.length;
    await start();
    await sleep(2_500);
    expect(runs.length).toBe(before + 1);
    const after = (await t.host.store.options.get<ScheduleState>(OPTION_SCHEDULE))!;
    expect((after.next_run - missed) % 5000).toBe(0);
    expect(after.next_run).toBeGreaterThan(runs[runs.length - 1]);
    expect(after.next_run - runs[runs.length - 1]).toBeLessThanOrEqual(5_000);
    expect((await exportStatus(t.host)).next_run).toBe(new Date(after.next_run).toISOString());
  }, 40_000);

  test('inactive without a subscriber (said once), active as soon as one subscribes', async () => {
    t = await createTestHost(backend);
    everyFiveSeconds(t);
    const files = await seedFiles(t.host, [2]);
    const log = recordLog(t.hooks);
    await start();
    await sleep(2_500);
    const inactive = log.filter(([m]) => m.includes('inactive'));
    expect(inactive).toEqual([[expect.stringContaining('no callback is subscribed to altis.analytics.export.data.process'), E_USER_NOTICE]]);
    expect(await t.host.store.files.pendingTotals()).toEqual({ files: 1, events: 2 });
    const rec = recordDeliveries(t.hooks);
    const subscribedAt = Date.now();
    while (rec.deliveries.length === 0 && Date.now() - subscribedAt < 5_000) await sleep(100);
    // At the next tick: the schedule was already due.
    expect(Date.now() - subscribedAt).toBeLessThan(2_500);
    expect(rec.lines()).toEqual(files.flat());
    expect(log.some(([m]) => m.includes('is active'))).toBe(true);
  }, 15_000);
});

describe('scheduler when disabled', () => {
  let t: TestHost;
  afterEach(async () => t?.cleanup());

  test('enabled false (config, or the filter over it) schedules nothing and says so', async () => {
    t = await createTestHost('sqlite');
    t.hooks.add_filter('altis.analytics.export.cron.enabled', () => false);
    recordDeliveries(t.hooks);
    const log = recordLog(t.hooks);
    const tasks = cron.getTasks().size;
    const s = await startScheduler(t.host);
    expect(cron.getTasks().size).toBe(tasks);
    expect(log).toEqual([[expect.stringContaining('disabled'), E_USER_NOTICE]]);
    expect(await t.host.store.options.get(OPTION_SCHEDULE)).toBeUndefined();
    expect(await exportStatus(t.host)).toMatchObject({ enabled: false, active: false, next_run: null });
    await s.stop();
  });

  test('an unknown frequency is a warning through the export log, and the default schedule is used', async () => {
    t = await createTestHost('sqlite', (c) => (c.export.cron.frequency = 'every_blue_moon'));
    const log = recordLog(t.hooks);
    const s = await startScheduler(t.host);
    await s.stop();
    expect(log).toContainEqual([expect.stringContaining('Unknown cron schedule "every_blue_moon"'), E_USER_WARNING]);
    expect(await t.host.store.options.get(OPTION_SCHEDULE)).toMatchObject({ frequency: 'ten_minutes', interval: 600 });
  });
});
